//! Steering a run (`run` scope): cancel, pause, resume, retry, skip, and completing a manual
//! step. A run handed on is left pending and queued for the pool, never driven by the request.

use super::shared::{caller, creds, hand_on, run_value, wrap_run};
use crate::error::{ApiError, ApiResult};
use crate::params::Path;
use crate::state::{App, Shared};
use axum::Json;
use axum::body::Body;
use axum::extract::State;
use axum::http::HeaderMap;
use serde::Deserialize;
use serde_json::{Map, Value, json};
use sop_engine::Caller;
use sop_engine::api_tokens::Scope;
use sop_engine::engine::Tracked;
use sop_engine::ops::StepCompletion;

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct CancelBody {
    reason: Option<String>,
}

impl crate::body::ApiBody for CancelBody {
    const SCHEMA: &'static str = "CancelBody";
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct Empty {}

impl crate::body::ApiBody for Empty {
    const SCHEMA: &'static str = "EmptyBody";
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RetryBody {
    #[serde(default, deserialize_with = "crate::body_schemas::whole_u32_opt")]
    step: Option<u32>,
}

impl crate::body::ApiBody for RetryBody {
    const SCHEMA: &'static str = "RetryBody";
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SkipBody {
    #[serde(deserialize_with = "crate::body_schemas::whole_u32")]
    step: u32,
    reason: String,
}

impl crate::body::ApiBody for SkipBody {
    const SCHEMA: &'static str = "SkipBody";
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct CompleteBody {
    note: Option<String>,
    #[serde(default)]
    outputs: Map<String, Value>,
    #[serde(default)]
    failed: bool,
}

impl crate::body::ApiBody for CompleteBody {
    const SCHEMA: &'static str = "CompleteBody";
}

/// Parses the body, checks `run`, resolves the run id, and calls `op`; answers `{"run": RUN}`
/// (plus what `op` adds) after queueing a run left pending.
async fn steer<B, F>(
    app: Shared,
    headers: HeaderMap,
    id: String,
    body: Body,
    op: F,
) -> ApiResult<Json<Value>>
where
    B: crate::body::ApiBody + Send + 'static,
    F: FnOnce(&App, &Caller, &str, B) -> ApiResult<(Tracked, Map<String, Value>)> + Send + 'static,
{
    let creds = creds(&headers);
    let body: B = crate::body::json(&headers, body).await?;
    app.blocking(move |app| {
        let (_, caller) = caller(app, &creds, Scope::Run)?;
        let id = app.service.resolve_run(&id)?;
        let (t, extra) = op(app, &caller, &id, body)?;
        hand_on(app, &t);
        let mut out = wrap_run(run_value(app, &t)?);
        for (k, v) in extra {
            out[k.as_str()] = v;
        }
        Ok(Json(out))
    })
    .await
}

pub async fn cancel(
    State(app): State<Shared>,
    headers: HeaderMap,
    Path(id): Path<String>,
    body: Body,
) -> ApiResult<Json<Value>> {
    steer(app, headers, id, body, |app, caller, id, b: CancelBody| {
        let c = app.service.cancel(caller, id, b.reason.as_deref())?;
        let mut extra = Map::new();
        if let Some((step, report)) = c.killed {
            extra.insert(
                "stopped_step".into(),
                json!({"step": step, "outcome": format!("{report:?}").to_lowercase()}),
            );
        }
        Ok((c.tracked, extra))
    })
    .await
}

pub async fn pause(
    State(app): State<Shared>,
    headers: HeaderMap,
    Path(id): Path<String>,
    body: Body,
) -> ApiResult<Json<Value>> {
    steer(app, headers, id, body, |app, caller, id, _: Empty| {
        let p = app.service.pause(caller, id)?;
        let mut extra = Map::new();
        extra.insert("after_step".into(), json!(p.after_step));
        Ok((p.tracked, extra))
    })
    .await
}

pub async fn resume(
    State(app): State<Shared>,
    headers: HeaderMap,
    Path(id): Path<String>,
    body: Body,
) -> ApiResult<Json<Value>> {
    steer(app, headers, id, body, |app, caller, id, _: Empty| {
        Ok((app.service.resume(caller, id, false)?, Map::new()))
    })
    .await
}

pub async fn retry(
    State(app): State<Shared>,
    headers: HeaderMap,
    Path(id): Path<String>,
    body: Body,
) -> ApiResult<Json<Value>> {
    steer(app, headers, id, body, |app, caller, id, b: RetryBody| {
        Ok((app.service.retry(caller, id, b.step, false)?, Map::new()))
    })
    .await
}

pub async fn skip(
    State(app): State<Shared>,
    headers: HeaderMap,
    Path(id): Path<String>,
    body: Body,
) -> ApiResult<Json<Value>> {
    steer(app, headers, id, body, |app, caller, id, b: SkipBody| {
        if b.reason.trim().is_empty() {
            return Err(ApiError::invalid("skipping a step needs a reason"));
        }
        Ok((
            app.service.skip(caller, id, b.step, &b.reason, false)?,
            Map::new(),
        ))
    })
    .await
}

pub async fn complete(
    State(app): State<Shared>,
    headers: HeaderMap,
    Path((id, step)): Path<(String, u32)>,
    body: Body,
) -> ApiResult<Json<Value>> {
    steer(
        app,
        headers,
        id,
        body,
        move |app, caller, id, b: CompleteBody| {
            let mut outputs = sop_core::step_output::Outputs::new();
            for (k, v) in b.outputs {
                if let Some(problem) = sop_core::step_output::key_problem(&k) {
                    return Err(ApiError::invalid(format!("output `{k}`: {problem}")));
                }
                let text = match v {
                    Value::String(s) => s,
                    other => other.to_string(),
                };
                outputs.insert(k, text);
            }
            let done = StepCompletion {
                step: Some(step),
                note: b.note,
                outputs,
                failed: b.failed,
            };
            let (_, t) = app.service.complete_step(caller, id, &done, false)?;
            Ok((t, Map::new()))
        },
    )
    .await
}
