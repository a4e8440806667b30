//! The outermost request layer: marks the request's connection as handling it, so that the
//! connection's idle and head limits ([`super::Socket`]) do not run while a handler works, nor
//! while an answer of unknown length (the console's live stream, which may be silent for a
//! while) is still being sent.

use super::Connection;
use axum::body::{Body, HttpBody as _};
use axum::extract::{ConnectInfo, Request};
use axum::middleware::Next;
use axum::response::Response;
use futures_util::StreamExt as _;

pub async fn layer(req: Request, next: Next) -> Response {
    // Requests not served through the server's listener (none today) carry no connection.
    let handling = req
        .extensions()
        .get::<ConnectInfo<Connection>>()
        .map(|c| c.0.handling());
    let response = next.run(req).await;
    let Some(handling) = handling else {
        return response;
    };
    // An answer of known length is sent at once; one of unknown length is a stream, which the
    // connection handles until its last frame (or the client leaving drops it).
    if response.body().size_hint().exact().is_some() {
        drop(handling);
        return response;
    }
    response.map(|body| {
        Body::from_stream(body.into_data_stream().map(move |frame| {
            let _still_handling = &handling;
            frame
        }))
    })
}
