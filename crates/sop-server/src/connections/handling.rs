//! The outermost request layer: marks the request's connection as handling it, so that the
//! connection's idle and head limits ([`super::Socket`]) do not run while a handler works.

use super::Connection;
use axum::extract::{ConnectInfo, Request};
use axum::middleware::Next;
use axum::response::Response;

pub async fn layer(req: Request, next: Next) -> Response {
    // Requests not served through the server's listener (none today) carry no connection.
    let handling = req
        .extensions()
        .get::<ConnectInfo<Connection>>()
        .map(|c| c.0.handling());
    let response = next.run(req).await;
    drop(handling);
    response
}
