//! `GET|POST /api/tokens` and `DELETE /api/tokens/{id}` (`admin`): the same as `sop token
//! list|create|revoke`. A created token is in the answer once; it is never shown again.

use super::shared::{caller, creds};
use crate::error::ApiResult;
use crate::params::Path;
use crate::state::Shared;
use axum::Json;
use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use serde::Deserialize;
use serde_json::{Value, json};
use sop_engine::api_tokens::Scope;
use sop_engine::ops::NewTokenRequest;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CreateBody {
    user: String,
    /// Default: `read`.
    scopes: Option<Vec<String>>,
    /// e.g. `90d`; absent: the token does not expire.
    expires: Option<String>,
}

impl crate::body::ApiBody for CreateBody {
    const SCHEMA: &'static str = "TokenBody";
}

pub async fn list(State(app): State<Shared>, headers: HeaderMap) -> ApiResult<Json<Value>> {
    let creds = creds(&headers);
    app.blocking(move |app| {
        caller(app, &creds, Scope::Admin)?;
        Ok(Json(json!({"tokens": app.service.api_tokens()?})))
    })
    .await
}

pub async fn create(
    State(app): State<Shared>,
    headers: HeaderMap,
    body: Body,
) -> ApiResult<(StatusCode, Json<Value>)> {
    let creds = creds(&headers);
    let body: CreateBody = crate::body::json(&headers, body).await?;
    app.blocking(move |app| {
        let (_, caller) = caller(app, &creds, Scope::Admin)?;
        let scopes =
            Scope::parse_list(&body.scopes.unwrap_or_else(|| vec!["read".into()]).join(","))?;
        let expires_in = body
            .expires
            .as_deref()
            .map(|e| {
                e.parse::<sop_core::Duration>()
                    .map_err(|err| crate::error::ApiError::invalid(format!("expires: {err}")))
            })
            .transpose()?;
        let created = app.service.create_api_token(
            &caller,
            &NewTokenRequest {
                user: body.user,
                scopes,
                expires_in,
            },
        )?;
        Ok((
            StatusCode::CREATED,
            Json(json!({"token": created.token, "secret": created.secret})),
        ))
    })
    .await
}

pub async fn revoke(
    State(app): State<Shared>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    let creds = creds(&headers);
    app.blocking(move |app| {
        let (_, caller) = caller(app, &creds, Scope::Admin)?;
        Ok(Json(
            json!({"token": app.service.revoke_api_token(&caller, &id)?}),
        ))
    })
    .await
}
