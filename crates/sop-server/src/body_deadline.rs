//! The whole-body deadline: a request body must arrive within `SOP_HTTP_BODY_TIMEOUT` (30 s)
//! of its head, or the request is answered `408` `request_timeout` and its connection closed,
//! so that a client sending its body a byte at a time cannot hold a connection and a task
//! forever. One layer for every route, whichever way it reads its body.

use crate::error::ApiError;
use crate::state::Shared;
use axum::body::{Body, BodyDataStream, Bytes, HttpBody as _};
use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use futures_util::Stream;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::task::{Context, Poll};
use std::time::Duration;
use tokio::time::Sleep;

pub async fn layer(State(app): State<Shared>, req: Request, next: Next) -> Response {
    if req.body().is_end_stream() {
        return next.run(req).await;
    }
    let limit = app.http.body;
    let ran_out = Arc::new(AtomicBool::new(false));
    let req = req.map(|body| {
        Body::from_stream(Deadline {
            body: body.into_data_stream(),
            timer: Box::pin(tokio::time::sleep(limit)),
            ran_out: Arc::clone(&ran_out),
            limit,
            done: false,
        })
    });
    let response = next.run(req).await;
    // Whatever the handler made of the failed read (a 400 from an extractor), the answer is
    // the deadline's.
    if ran_out.load(Ordering::SeqCst) {
        let mut response = too_slow(limit).into_response();
        // The rest of the body may still come: the connection cannot carry another request.
        response
            .headers_mut()
            .insert(header::CONNECTION, HeaderValue::from_static("close"));
        return response;
    }
    response
}

/// The answer to a body that did not arrive within `limit`.
pub fn too_slow(limit: Duration) -> ApiError {
    ApiError::new(
        StatusCode::REQUEST_TIMEOUT,
        "request_timeout",
        format!(
            "the request body did not arrive within {} of the request's headers; send the \
             whole body without pausing",
            sop_core::Duration::from_millis(limit.as_millis() as u64)
        ),
    )
}

/// The limit that ran out, when a body read failed because of the deadline.
pub fn ran_out(error: &(dyn std::error::Error + 'static)) -> Option<Duration> {
    let mut cause = Some(error);
    while let Some(e) = cause {
        if let Some(RanOut(limit)) = e.downcast_ref::<RanOut>() {
            return Some(*limit);
        }
        cause = e.source();
    }
    None
}

/// The error the body gives once its deadline ran out.
#[derive(Debug, thiserror::Error)]
#[error("the request body did not arrive within {0:?}")]
struct RanOut(Duration);

/// A body that fails once `timer` fires before its last byte came.
struct Deadline {
    body: BodyDataStream,
    timer: Pin<Box<Sleep>>,
    ran_out: Arc<AtomicBool>,
    limit: Duration,
    done: bool,
}

impl Stream for Deadline {
    type Item = Result<Bytes, axum::Error>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.get_mut();
        if this.done {
            return Poll::Ready(None);
        }
        // What has come is handed on first: a handler that reads late is not cut short.
        if let Poll::Ready(item) = Pin::new(&mut this.body).poll_next(cx) {
            this.done = item.is_none();
            return Poll::Ready(item);
        }
        if this.timer.as_mut().poll(cx).is_pending() {
            return Poll::Pending;
        }
        this.done = true;
        this.ran_out.store(true, Ordering::SeqCst);
        Poll::Ready(Some(Err(axum::Error::new(RanOut(this.limit)))))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_deadline_error_is_found_through_its_wrappers() {
        let wrapped = axum::Error::new(axum::Error::new(RanOut(Duration::from_secs(30))));
        assert_eq!(ran_out(&wrapped), Some(Duration::from_secs(30)));
        let other = axum::Error::new(std::io::Error::other("reset"));
        assert_eq!(ran_out(&other), None);
        let message = too_slow(Duration::from_secs(30)).message;
        assert!(message.contains("within 30s"), "{message}");
    }
}
