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
