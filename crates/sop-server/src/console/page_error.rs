//! What a page answers when something fails: a status and a message for a person, rendered
//! as HTML (never the API's JSON), from the same error kinds the API maps.

use crate::error::ApiError;
use axum::http::StatusCode;

#[derive(Debug)]
pub struct PageError {
    pub status: StatusCode,
    pub message: String,
}

impl PageError {
    pub fn new(status: StatusCode, message: impl Into<String>) -> Self {
        PageError {
            status,
            message: message.into(),
        }
    }

    pub fn forbidden(message: impl Into<String>) -> Self {
        Self::new(StatusCode::FORBIDDEN, message)
    }

    pub fn invalid(message: impl Into<String>) -> Self {
        Self::new(StatusCode::UNPROCESSABLE_ENTITY, message)
    }
}

/// `GET /ui/...` that names no page: a page saying so, with the console's navigation, not the
/// API's JSON.
pub async fn unknown_page(
    axum::extract::State(app): axum::extract::State<crate::state::Shared>,
    headers: axum::http::HeaderMap,
    uri: axum::http::Uri,
) -> axum::response::Response {
    let here = uri.path().to_string();
    super::layout::page(
        app,
        headers,
        Default::default(),
        here.clone(),
        move |_, _, _| {
            Err(PageError::new(
                StatusCode::NOT_FOUND,
                format!("there is no page at {here}; the links above lead to every page"),
            ))
        },
    )
    .await
}

impl From<ApiError> for PageError {
    fn from(e: ApiError) -> Self {
        PageError::new(e.status, e.message)
    }
}

impl From<sop_engine::Error> for PageError {
    fn from(e: sop_engine::Error) -> Self {
        ApiError::from(e).into()
    }
}

pub type PageResult<T> = Result<T, PageError>;
