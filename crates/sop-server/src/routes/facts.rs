//! `GET /api/facts`, `GET|PUT|DELETE /api/facts/{name}`: the named values conditions read.
//! Secret-named facts show `[redacted]` in listings; `GET` of one fact gives its value, a
//! secret-named one's to an `admin` token only.

use super::shared::{caller, creds};
use crate::error::ApiResult;
use crate::params::Path;
use crate::state::Shared;
use axum::Json;
use axum::body::Body;
use axum::extract::State;
use axum::http::HeaderMap;
use serde::Deserialize;
use serde_json::{Value, json};
use sop_engine::api_tokens::Scope;
use sop_engine::documents::shown_value as shown_fact;
use sop_store::Fact;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PutBody {
    value: Value,
    /// e.g. `2h`; absent: the fact does not expire.
    ttl: Option<String>,
}

impl crate::body::ApiBody for PutBody {
    const SCHEMA: &'static str = "FactBody";
}

fn listed(f: &Fact) -> Value {
    json!({
        "name": f.name,
        "value": shown_fact(f),
        "set_at": f.set_at,
        "expires_at": f.expires_at,
        "set_by": f.set_by,
    })
}

pub async fn list(State(app): State<Shared>, headers: HeaderMap) -> ApiResult<Json<Value>> {
    let creds = creds(&headers);
    app.blocking(move |app| {
        caller(app, &creds, Scope::Read)?;
        let facts: Vec<Value> = app.service.list_facts()?.iter().map(listed).collect();
        Ok(Json(json!({"facts": facts})))
    })
    .await
}

pub async fn get(
    State(app): State<Shared>,
    headers: HeaderMap,
    Path(name): Path<String>,
) -> ApiResult<Json<Value>> {
    let creds = creds(&headers);
    app.blocking(move |app| {
        let (who, _) = caller(app, &creds, Scope::Read)?;
        let fact = app.service.get_fact(&name)?;
        let mut v = listed(&fact);
        // A `read` token reads every run's state, not the secrets people keep as facts.
        if who.principal.allows(Scope::Admin) {
            v["value"] = fact.value.clone();
        }
        Ok(Json(json!({"fact": v})))
    })
    .await
}

pub async fn put(
    State(app): State<Shared>,
    headers: HeaderMap,
    Path(name): Path<String>,
    body: Body,
) -> ApiResult<Json<Value>> {
    let creds = creds(&headers);
    let body: PutBody = crate::body::json(&headers, body).await?;
    app.blocking(move |app| {
        let (_, caller) = caller(app, &creds, Scope::Run)?;
        let fact = app
            .service
            .set_fact(&caller, &name, body.value, body.ttl.as_deref())?;
        Ok(Json(json!({"fact": listed(&fact)})))
    })
    .await
}

pub async fn delete(
    State(app): State<Shared>,
    headers: HeaderMap,
    Path(name): Path<String>,
) -> ApiResult<Json<Value>> {
    let creds = creds(&headers);
    app.blocking(move |app| {
        let (_, caller) = caller(app, &creds, Scope::Run)?;
        app.service.unset_fact(&caller, &name)?;
        Ok(Json(json!({"unset": name.to_lowercase()})))
    })
    .await
}
