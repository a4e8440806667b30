//! Requests that arrive while the server drains: on a connection opened before (new ones are
//! refused), each is answered `503` `draining` with `Connection: close` (`/healthz` its own
//! `503` `{"status": "draining"}`), so the client sends it again elsewhere instead of finding
//! the connection reset. Answers to requests already under way carry `Connection: close` too.

use crate::state::Shared;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

pub async fn layer(State(app): State<Shared>, req: Request, next: Next) -> Response {
    let mut response = if app.draining() && req.uri().path() != "/healthz" {
        crate::routes::trigger::draining().into_response()
    } else {
        next.run(req).await
    };
    if app.draining() {
        response
            .headers_mut()
            .insert(header::CONNECTION, HeaderValue::from_static("close"));
    }
    response
}
