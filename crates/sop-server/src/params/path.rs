//! `Path<T>`: the route's path parameters read into `T`, or a `400` in the API's own words: the
//! parameter, the value given and what to give instead, or the part of the path that is not
//! UTF-8.

use super::expected::{Place, integer_range, path_names};
use super::percent::decode_utf8;
use super::wording::{not_of_type, not_utf8, shown};
use crate::error::ApiError;
use axum::extract::path::ErrorKind;
use axum::extract::rejection::PathRejection;
use axum::extract::{FromRequestParts, MatchedPath};
use axum::http::request::Parts;
use serde::de::DeserializeOwned;

/// The path parameters as `T` (`String`, or a tuple for several).
pub struct Path<T>(pub T);

impl<T, S> FromRequestParts<S> for Path<T>
where
    T: DeserializeOwned + Send,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        match axum::extract::Path::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Path(value)) => Ok(Path(value)),
            Err(rejection) => Err(refusal(parts, rejection)),
        }
    }
}

/// The API's answer to a path the router matched but whose parameters do not read.
fn refusal(parts: &Parts, rejection: PathRejection) -> ApiError {
    let route = parts
        .extensions
        .get::<MatchedPath>()
        .map(|m| m.as_str().to_string());
    let names = route.as_deref().map(path_names).unwrap_or_default();
    let PathRejection::FailedToDeserializePathParams(failed) = rejection else {
        // The route and its handler disagree: a bug, logged as a 500.
        return ApiError::internal(rejection.body_text());
    };
    let (name, value, expected_type) = match failed.kind() {
        ErrorKind::InvalidUtf8InPathParam { key } => {
            let raw = parts
                .uri
                .path()
                .split('/')
                .find(|segment| decode_utf8(segment, false).is_none())
                .unwrap_or(parts.uri.path());
            return ApiError::bad_request(not_utf8("the path", raw, Some(key)));
        }
        ErrorKind::ParseErrorAtKey {
            key,
            value,
            expected_type,
        } => (key.as_str(), value, *expected_type),
        ErrorKind::ParseErrorAtIndex {
            index,
            value,
            expected_type,
        } => (
            names.get(*index).copied().unwrap_or("?"),
            value,
            *expected_type,
        ),
        ErrorKind::ParseError {
            value,
            expected_type,
        } => (names.first().copied().unwrap_or("?"), value, *expected_type),
        ErrorKind::DeserializeError {
            key,
            value,
            message,
        } => {
            let what = format!("path parameter `{}`", shown(key));
            return ApiError::bad_request(not_of_type(&what, value, None, message));
        }
        _ if failed.status().is_server_error() => return ApiError::internal(failed.body_text()),
        _ => return ApiError::bad_request(format!("the path cannot be read: {}", failed.kind())),
    };
    let place = Place {
        method: &parts.method,
        route: route.as_deref(),
        location: "path",
        name,
    };
    let range = integer_range(&place).or_else(|| type_range(expected_type));
    let what = format!("path parameter `{}`", shown(name));
    ApiError::bad_request(not_of_type(
        &what,
        value,
        range,
        &format!("expected {expected_type}"),
    ))
}

/// The values of an integer type, by the name Rust gives it.
fn type_range(name: &str) -> Option<(i128, i128)> {
    Some(match name {
        "u8" => (0, u8::MAX.into()),
        "u16" => (0, u16::MAX.into()),
        "u32" => (0, u32::MAX.into()),
        "u64" | "usize" => (0, u64::MAX.into()),
        "i8" => (i8::MIN.into(), i8::MAX.into()),
        "i16" => (i16::MIN.into(), i16::MAX.into()),
        "i32" => (i32::MIN.into(), i32::MAX.into()),
        "i64" | "isize" => (i64::MIN.into(), i64::MAX.into()),
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integer_types_have_their_ranges() {
        assert_eq!(type_range("u32"), Some((0, 4_294_967_295)));
        assert_eq!(type_range("i8"), Some((-128, 127)));
        assert_eq!(type_range("String"), None);
    }
}
