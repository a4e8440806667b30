//! Reading runs: the list (`sop`, `status`, `limit`, `before`), one run, its step output, what
//! it waits for next, and its audit trail.

use super::shared::{caller, creds, run_by_id, wrap_run};
use crate::error::{ApiError, ApiResult};
use crate::params::{Path, Query};
use crate::state::Shared;
use axum::Json;
use axum::extract::State;
use axum::http::HeaderMap;
use serde::Deserialize;
use serde_json::{Value, json};
use sop_engine::api_tokens::Scope;
use sop_engine::documents::RunSummaryDocument;
use sop_engine::ops::parse_status;
use sop_store::RunFilter;

/// The most runs one page lists.
const MAX_LIMIT: u32 = 1000;

#[derive(Deserialize)]
pub struct ListQuery {
    sop: Option<String>,
    status: Option<String>,
    limit: Option<u32>,
    before: Option<String>,
}

#[derive(Deserialize)]
pub struct LogsQuery {
    step: Option<u32>,
}

pub async fn list(
    State(app): State<Shared>,
    headers: HeaderMap,
    Query(q): Query<ListQuery>,
) -> ApiResult<Json<Value>> {
    let creds = creds(&headers);
    app.blocking(move |app| {
        let (_, caller) = caller(app, &creds, Scope::Read)?;
        let mut statuses = Vec::new();
        for s in q
            .status
            .iter()
            .flat_map(|s| s.split(','))
            .filter(|s| !s.is_empty())
        {
            statuses.push(parse_status(s.trim())?);
        }
        let limit = q.limit.unwrap_or(20);
        if limit == 0 || limit > MAX_LIMIT {
            return Err(ApiError::invalid(format!(
                "query parameter `limit`: `{limit}` is out of range; give 1 to {MAX_LIMIT}"
            )));
        }
        let filter = RunFilter {
            sop_name: q.sop.clone(),
            statuses,
            limit,
        };
        let before = match &q.before {
            Some(b) => Some(app.service.resolve_run(b)?),
            None => None,
        };
        let list = app
            .service
            .list_runs_page(&caller, &filter, before.as_deref())?;
        let now = app.service.clock().now();
        let runs: Vec<RunSummaryDocument> = list
            .runs
            .iter()
            .map(|r| RunSummaryDocument::new(r, now))
            .collect();
        let next = (runs.len() == limit as usize)
            .then(|| runs.last().map(|r| r.id.clone()))
            .flatten();
        Ok(Json(json!({"runs": runs, "next_before": next})))
    })
    .await
}

pub async fn one(
    State(app): State<Shared>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    let creds = creds(&headers);
    app.blocking(move |app| {
        let (_, caller) = caller(app, &creds, Scope::Read)?;
        Ok(Json(wrap_run(run_by_id(app, &caller, &id)?)))
    })
    .await
}

pub async fn logs(
    State(app): State<Shared>,
    headers: HeaderMap,
    Path(id): Path<String>,
    Query(q): Query<LogsQuery>,
) -> ApiResult<Json<Value>> {
    let creds = creds(&headers);
    app.blocking(move |app| {
        let (_, caller) = caller(app, &creds, Scope::Read)?;
        let run = run_by_id(app, &caller, &id)?;
        let steps: Vec<Value> = run["steps"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|s| q.step.is_none_or(|n| s["number"] == json!(n)))
            .map(|s| {
                json!({
                    "number": s["number"],
                    "title": s["title"],
                    "status": s["status"],
                    "exit_code": s["exit_code"],
                    "output": s.get("output_tail").cloned().unwrap_or(Value::Null),
                    "output_size": s.get("output_size").cloned().unwrap_or(Value::Null),
                    "output_sha256": s.get("output_sha256").cloned().unwrap_or(Value::Null),
                })
            })
            .collect();
        if let Some(n) = q.step
            && steps.is_empty()
        {
            return Err(ApiError::not_found(format!(
                "run {} has no step {n}",
                run["id"]
            )));
        }
        Ok(Json(json!({"run_id": run["id"], "steps": steps})))
    })
    .await
}

pub async fn next(
    State(app): State<Shared>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    let creds = creds(&headers);
    app.blocking(move |app| {
        let (_, caller) = caller(app, &creds, Scope::Read)?;
        let id = app.service.resolve_run(&id)?;
        let (_, next) = app.service.next_step(&caller, &id)?;
        Ok(Json(
            serde_json::to_value(next).map_err(sop_engine::Error::from)?,
        ))
    })
    .await
}

pub async fn audit(
    State(app): State<Shared>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    let creds = creds(&headers);
    app.blocking(move |app| {
        caller(app, &creds, Scope::Read)?;
        let id = app.service.resolve_run(&id)?;
        let entries = app.service.audit_entries(Some(&id))?;
        Ok(Json(json!({"run_id": id, "entries": entries})))
    })
    .await
}
