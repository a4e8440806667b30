//! Request bodies: at most 1 MiB, `Content-Type: application/json`, valid JSON, and fitting
//! the body's schema in the OpenAPI document — 413, 415, 400 and 422 otherwise. An empty body
//! is an empty object whatever its content type says, so `POST .../cancel` needs no body, and a
//! client that labels every request JSON may send none. Webhooks
//! also take GitHub's form-encoded body, the JSON in its `payload` field. A compressed body is
//! decompressed first (`content_encoding`).

pub use crate::body_schemas::ApiBody;
use crate::error::{ApiError, ApiResult};
use axum::body::{Body, Bytes};
use axum::http::{HeaderMap, StatusCode, header};
use sop_core::json_depth::{MAX_JSON_DEPTH, json_depth};

/// The largest body any route reads.
pub const MAX_BODY: usize = 1024 * 1024;

/// Reads the whole body, refusing more than [`MAX_BODY`] bytes.
pub async fn read(headers: &HeaderMap, body: Body) -> ApiResult<Bytes> {
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > MAX_BODY as u64) {
        return Err(too_large());
    }
    axum::body::to_bytes(body, MAX_BODY).await.map_err(|e| {
        let text = e.to_string();
        if text.contains("length limit") {
            too_large()
        } else if let Some(limit) = crate::body_deadline::ran_out(&e) {
            crate::body_deadline::too_slow(limit)
        } else {
            ApiError::bad_request(format!("cannot read the request body: {text}"))
        }
    })
}

fn too_large() -> ApiError {
    ApiError::new(
        StatusCode::PAYLOAD_TOO_LARGE,
        "payload_too_large",
        format!("the request body is larger than {MAX_BODY} bytes"),
    )
}

/// Whether the request says its body is JSON (`application/json`, any parameters, or a
/// `+json` type).
pub fn is_json(headers: &HeaderMap) -> bool {
    media_type(headers).is_some_and(|m| m == "application/json" || m.ends_with("+json"))
}

/// The `Content-Type`'s media type, lower-case, without its parameters.
fn media_type(headers: &HeaderMap) -> Option<String> {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .map(|m| m.trim().to_ascii_lowercase())
}

/// The body as JSON, whatever its shape.
pub fn json_value(headers: &HeaderMap, bytes: &[u8]) -> ApiResult<serde_json::Value> {
    json_decoded(headers, &crate::content_encoding::decode(headers, bytes)?)
}

fn json_decoded(headers: &HeaderMap, bytes: &[u8]) -> ApiResult<serde_json::Value> {
    if bytes.is_empty() {
        return Ok(serde_json::Value::Object(Default::default()));
    }
    if !is_json(headers) {
        return Err(ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
            "the request body must be JSON, sent with `Content-Type: application/json`",
        ));
    }
    // A UTF-8 byte order mark, which some Windows senders put first, is ignored (RFC 8259, 8.1).
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let too_deep = || {
        ApiError::bad_request(format!(
            "the request body nests arrays and objects more than {MAX_JSON_DEPTH} levels deep, \
             more than this server keeps; send deeply nested data as a string"
        ))
    };
    let value: serde_json::Value = serde_json::from_slice(bytes).map_err(|e| {
        if e.to_string().starts_with("recursion limit exceeded") {
            too_deep()
        } else {
            ApiError::bad_request(format!("the request body is not valid JSON: {e}"))
        }
    })?;
    if json_depth(&value) > MAX_JSON_DEPTH {
        return Err(too_deep());
    }
    Ok(value)
}

/// A webhook's body as JSON: a JSON body, or a form whose `payload` field holds the JSON, as
/// GitHub sends it when a hook's content type is `application/x-www-form-urlencoded` (the
/// default its settings page offers).
pub fn webhook_value(headers: &HeaderMap, bytes: &[u8]) -> ApiResult<serde_json::Value> {
    let bytes = crate::content_encoding::decode(headers, bytes)?;
    if !is_form(headers) || bytes.is_empty() {
        return json_decoded(headers, &bytes);
    }
    let fields: Vec<(String, String)> = serde_urlencoded::from_bytes(&bytes)
        .map_err(|e| ApiError::bad_request(format!("the form body cannot be read: {e}")))?;
    let Some((_, payload)) = fields.iter().find(|(name, _)| name == "payload") else {
        return Err(ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
            "a form body must carry the JSON in its `payload` field (as GitHub sends it); \
             otherwise send `Content-Type: application/json`",
        ));
    };
    serde_json::from_str(payload)
        .map_err(|e| ApiError::bad_request(format!("the form's `payload` is not valid JSON: {e}")))
}

fn is_form(headers: &HeaderMap) -> bool {
    media_type(headers).is_some_and(|m| m == "application/x-www-form-urlencoded")
}

/// The body as `T`: a JSON object that fits `T`'s schema in the OpenAPI document.
pub fn parse<T: ApiBody>(headers: &HeaderMap, bytes: &[u8]) -> ApiResult<T> {
    let value = json_value(headers, bytes)?;
    if !value.is_object() {
        return Err(ApiError::invalid("the request body must be a JSON object"));
    }
    crate::body_schemas::check(T::SCHEMA, &value)?;
    serde_json::from_value(value)
        .map_err(|e| ApiError::invalid(format!("the request body does not fit: {e}")))
}

/// Reads and parses in one go.
pub async fn json<T: ApiBody>(headers: &HeaderMap, body: Body) -> ApiResult<T> {
    let bytes = read(headers, body).await?;
    parse(headers, &bytes)
}
