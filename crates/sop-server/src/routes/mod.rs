//! The router: every path and method the API serves. `openapi.rs` documents exactly these; a
//! test compares the two. The web console's pages (`/` and `/ui/`) are merged in from
//! [`crate::console`]; they are HTML for people, not part of the API.

mod approval_page;
mod approvals;
mod audit;
mod chat_hooks;
mod control;
mod events;
mod facts;
mod health;
mod runs;
pub(crate) mod shared;
mod sops;
mod tokens;
pub(crate) mod trigger;
mod webhooks;

pub use chat_hooks::decider as chat_decider;

use crate::state::Shared;
use axum::Router;
use axum::routing::{get, post};

pub fn router(app: Shared) -> Router {
    Router::new()
        .route("/healthz", get(health::healthz))
        .route("/metrics", get(health::metrics))
        .route("/api/openapi.json", get(health::openapi))
        .route("/api/sops", get(sops::list))
        .route("/api/sops/{name}", get(sops::one))
        .route("/api/sop/{name}/status", get(sops::status))
        .route("/api/sop/{name}/trigger", post(trigger::trigger))
        .route("/api/sop/run/{id}/approve", post(approvals::approve))
        .route("/api/approvals/pending", get(approvals::pending))
        .route("/api/runs", get(runs::list))
        .route("/api/runs/{id}", get(runs::one))
        .route("/api/runs/{id}/logs", get(runs::logs))
        .route("/api/runs/{id}/next", get(runs::next))
        .route("/api/runs/{id}/audit", get(runs::audit))
        .route("/api/runs/{id}/cancel", post(control::cancel))
        .route("/api/runs/{id}/pause", post(control::pause))
        .route("/api/runs/{id}/resume", post(control::resume))
        .route("/api/runs/{id}/retry", post(control::retry))
        .route("/api/runs/{id}/skip", post(control::skip))
        .route("/api/runs/{id}/steps/{n}/complete", post(control::complete))
        .route("/api/events", post(events::emit))
        .route("/api/facts", get(facts::list))
        .route(
            "/api/facts/{name}",
            get(facts::get).put(facts::put).delete(facts::delete),
        )
        .route("/api/audit/verify", get(audit::verify))
        .route("/api/tokens", get(tokens::list).post(tokens::create))
        .route("/api/tokens/{id}", axum::routing::delete(tokens::revoke))
        .route(
            "/approve/{token}",
            get(approval_page::show).post(approval_page::decide),
        )
        .route_layer(axum::middleware::from_fn_with_state(
            app.clone(),
            crate::auth::demand_credentials,
        ))
        .route("/hooks/slack/interactions", post(chat_hooks::slack))
        .route("/hooks/telegram", post(chat_hooks::telegram))
        .merge(crate::console::router())
        .method_not_allowed_fallback(method_not_allowed)
        .fallback(webhooks::fallback)
        .layer(tower_http::catch_panic::CatchPanicLayer::custom(panicked))
        .layer(axum::middleware::from_fn_with_state(
            app.clone(),
            crate::body_deadline::layer,
        ))
        .layer(axum::middleware::from_fn_with_state(
            app.clone(),
            crate::draining::layer,
        ))
        .layer(axum::middleware::from_fn_with_state(
            app.clone(),
            crate::json_errors::layer,
        ))
        .layer(axum::middleware::from_fn(crate::connections::layer))
        .with_state(app)
}

/// A route asked with a method it does not take. The router adds `Allow` to this answer
/// afterwards, so the message points at it.
async fn method_not_allowed(
    method: axum::http::Method,
    uri: axum::http::Uri,
) -> crate::error::ApiError {
    crate::error::ApiError::new(
        axum::http::StatusCode::METHOD_NOT_ALLOWED,
        "method_not_allowed",
        format!(
            "{method} is not served at {}; the `Allow` header names the methods that are",
            uri.path().escape_default()
        ),
    )
}

/// A handler panicked: logged, answered with a 500, and the server goes on serving.
fn panicked(_: Box<dyn std::any::Any + Send + 'static>) -> axum::response::Response {
    tracing::error!("a request handler panicked");
    axum::response::IntoResponse::into_response(crate::error::ApiError::internal(
        "the request failed unexpectedly; it was logged",
    ))
}
