//! `GET /api/sops`, `GET /api/sops/{name}` and the spec's `GET /api/sop/{name}/status`.

use super::shared::{caller, creds};
use crate::error::ApiResult;
use crate::params::Path;
use crate::state::Shared;
use axum::Json;
use axum::extract::State;
use axum::http::HeaderMap;
use serde_json::{Value, json};
use sop_engine::api_tokens::Scope;

pub async fn list(State(app): State<Shared>, headers: HeaderMap) -> ApiResult<Json<Value>> {
    let creds = creds(&headers);
    app.blocking(move |app| {
        caller(app, &creds, Scope::Read)?;
        Ok(Json(json!({"sops": app.service.sop_documents()?})))
    })
    .await
}

pub async fn one(
    State(app): State<Shared>,
    headers: HeaderMap,
    Path(name): Path<String>,
) -> ApiResult<Json<Value>> {
    let creds = creds(&headers);
    app.blocking(move |app| {
        caller(app, &creds, Scope::Read)?;
        Ok(Json(json!({"sop": app.service.sop_document(&name)?})))
    })
    .await
}

pub async fn status(
    State(app): State<Shared>,
    headers: HeaderMap,
    Path(name): Path<String>,
) -> ApiResult<Json<Value>> {
    let creds = creds(&headers);
    app.blocking(move |app| {
        let (_, caller) = caller(app, &creds, Scope::Read)?;
        let status = app.service.sop_status(&caller, &name)?;
        Ok(Json(
            serde_json::to_value(status).map_err(sop_engine::Error::from)?,
        ))
    })
    .await
}
