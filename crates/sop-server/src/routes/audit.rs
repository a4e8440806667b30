//! `GET /api/audit/verify`: whether the audit chain is intact, and the first problem if not.

use super::shared::{caller, creds};
use crate::error::ApiResult;
use crate::state::Shared;
use axum::Json;
use axum::extract::State;
use axum::http::HeaderMap;
use serde_json::{Value, json};
use sop_engine::api_tokens::Scope;

pub async fn verify(State(app): State<Shared>, headers: HeaderMap) -> ApiResult<Json<Value>> {
    let creds = creds(&headers);
    app.blocking(move |app| {
        caller(app, &creds, Scope::Read)?;
        let report = app.service.verify_audit()?;
        Ok(Json(json!({
            "intact": report.is_ok(),
            "entries": report.entries,
            "problem": report.problem,
        })))
    })
    .await
}
