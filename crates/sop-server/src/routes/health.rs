//! `GET /healthz` (no token), `GET /metrics` (`read`, or anyone with `--metrics-public`) and
//! `GET /api/openapi.json` (no token: the document says how to authenticate).

use super::shared::creds;
use crate::auth::authorize;
use crate::error::{ApiError, ApiResult};
use crate::state::Shared;
use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::json;
use sop_engine::api_tokens::Scope;

pub async fn healthz(State(app): State<Shared>) -> Response {
    if app.draining() {
        let body = json!({"status": "draining"});
        return (StatusCode::SERVICE_UNAVAILABLE, Json(body)).into_response();
    }
    Json(json!({"status": "ok"})).into_response()
}

pub async fn metrics(State(app): State<Shared>, headers: HeaderMap) -> ApiResult<Response> {
    let creds = creds(&headers);
    let text = app
        .blocking(move |app| {
            if !app.config.metrics_public {
                authorize(app, &creds, Scope::Read)?;
            }
            let (runs, gates) = app.service.run_counts()?;
            let notes = app
                .service
                .store()
                .notification_counts()
                .map_err(sop_engine::Error::from)?;
            let mut text = app.metrics.render(&runs, gates);
            text.push_str(&crate::metrics::notifications(&notes));
            Ok(text)
        })
        .await?;
    Ok((
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        text,
    )
        .into_response())
}

/// The OpenAPI document. With no token configured anywhere (open mode) every operation also
/// lists the empty security requirement, since it then needs none: the document says what this
/// server does, as a client or a tester driven by it reads it.
pub async fn openapi(State(app): State<Shared>) -> Result<Json<serde_json::Value>, ApiError> {
    let open = app.blocking(crate::auth::open_mode).await?;
    let mut doc = crate::openapi::document();
    if open {
        crate::openapi::allow_anonymous(&mut doc);
    }
    Ok(Json(doc))
}
