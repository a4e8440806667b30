//! The spec's `POST /api/sop/{name}/trigger` and the start every trigger route shares:
//! duplicate delivery keys answered with the first run, a free place in the pool reserved
//! before the run is recorded (so it starts in the creating transaction), or the run left
//! `pending` and queued when the pool is full.

use super::shared::{creds, wrap_run};
use crate::auth::authorize;
use crate::error::{ApiError, ApiResult};
use crate::params::Path;
use crate::state::{App, Shared};
use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::{Map, Value, json};
use sop_engine::api_tokens::Scope;
use sop_engine::documents::RunDocument;
use sop_engine::engine::redact;
use sop_engine::ops::{DuplicateDelivery, StartRequest};
use sop_engine::{Caller, ErrorKind};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TriggerBody {
    #[serde(default)]
    variables: Map<String, Value>,
    #[serde(default)]
    force: bool,
}

impl crate::body::ApiBody for TriggerBody {
    const SCHEMA: &'static str = "TriggerBody";
}

/// What a start did.
pub enum Outcome {
    /// Recorded and started (or queued): `202`.
    Started(Value),
    /// Recorded `skipped`: its conditions do not hold; the explanation says which.
    Skipped(Value, String),
    /// The delivery key was seen: the first delivery's run.
    Duplicate(Value),
}

pub async fn trigger(
    State(app): State<Shared>,
    headers: HeaderMap,
    Path(name): Path<String>,
    body: Body,
) -> ApiResult<Response> {
    let creds = creds(&headers);
    let bytes = crate::body::read(&headers, body).await?;
    let key = delivery_key(&headers).map(|k| format!("POST /api/sop/{name}/trigger\n{k}"));
    let outcome = app
        .blocking(move |app| {
            let who = authorize(app, &creds, Scope::Run)?;
            let body: TriggerBody = crate::body::parse(&headers, &bytes)?;
            if body.force && !who.principal.allows(Scope::Admin) {
                return Err(ApiError::forbidden(
                    "\"force\": true needs a token with the `admin` scope",
                ));
            }
            let catalog = app.service.require_sop(&name)?;
            let mut req = StartRequest::manual(&name, body.variables);
            req.catalog = Some(catalog);
            req.force = body.force;
            req.trigger_detail = json!({"via": "api"});
            req.delivery_key = key;
            // The body fits its schema; a start refused now is refused by the SOP as it is
            // (variables it lacks or cannot take, a definition with errors): a conflict.
            start(app, who.user(), req, true).map_err(ApiError::unfit_as_conflict)
        })
        .await?;
    Ok(match outcome {
        Outcome::Started(run) => accepted(run),
        Outcome::Duplicate(run) => (StatusCode::OK, axum::Json(wrap_run(run))).into_response(),
        Outcome::Skipped(run, why) => ApiError::new(
            StatusCode::CONFLICT,
            "conditions_not_met",
            format!("the conditions of the SOP do not hold, so the run was skipped: {why}"),
        )
        .with("run", run)
        .into_response(),
    })
}

/// `202` with the run and where to follow it.
pub fn accepted(run: Value) -> Response {
    let location = run
        .get("id")
        .and_then(Value::as_str)
        .map(|id| format!("/api/runs/{id}"));
    let mut response = (StatusCode::ACCEPTED, axum::Json(wrap_run(run))).into_response();
    if let Some(l) = location.and_then(|l| HeaderValue::from_str(&l).ok()) {
        response.headers_mut().insert(header::LOCATION, l);
    }
    response
}

/// `Idempotency-Key`, else GitHub's `X-GitHub-Delivery`.
/// A key longer than [`MAX_DELIVERY_KEY`] bytes, or not printable ASCII, is kept as
/// `sha256:` and its hash, so a sender's retries are still recognised.
pub fn delivery_key(headers: &HeaderMap) -> Option<String> {
    let raw = ["idempotency-key", "x-github-delivery"]
        .iter()
        .find_map(|h| headers.get(*h))?
        .as_bytes()
        .trim_ascii();
    if raw.is_empty() {
        return None;
    }
    match std::str::from_utf8(raw) {
        Ok(key)
            if key.len() <= MAX_DELIVERY_KEY
                && key.bytes().all(|b| b == b' ' || b.is_ascii_graphic()) =>
        {
            Some(key.to_string())
        }
        _ => {
            use sha2::Digest;
            Some(format!("sha256:{}", hex::encode(sha2::Sha256::digest(raw))))
        }
    }
}

/// The longest delivery key kept as it was sent.
pub const MAX_DELIVERY_KEY: usize = 256;

/// Starts `req` for `user`. `manual_or_webhook`: a start through the API counts as manual when
/// the SOP has a manual trigger, else as a webhook start when it has one of those.
pub fn start(
    app: &App,
    user: &str,
    mut req: StartRequest,
    manual_or_webhook: bool,
) -> ApiResult<Outcome> {
    if app.draining() {
        return Err(draining());
    }
    let service = &app.service;
    if let Some(key) = &req.delivery_key
        && let Some(first) = service.delivered_run(key)?
    {
        return duplicate(app, user, &first);
    }
    let mut plan = service.plan_run(&req)?;
    if manual_or_webhook && !plan.sop.has_manual_trigger() {
        if plan.sop.triggers.iter().any(|t| t.kind() == "webhook") {
            req.trigger_type = "webhook".into();
            plan = service.plan_run(&req)?;
        } else if !req.force {
            return Err(ApiError::conflict(format!(
                "`{}` has neither a manual nor a webhook trigger, so it does not start through the API; an admin may pass \"force\": true",
                plan.sop.name()
            )));
        }
    }
    let secrets = redact::secret_values(&req.variables);
    let why: Vec<String> = plan
        .verdict
        .items
        .iter()
        .filter(|i| !i.holds)
        .map(|i| redact::hide(&i.detail, &secrets))
        .collect();
    let slot = app.dispatcher.try_reserve();
    req.detach = slot.is_none();
    let caller = Caller::quiet_owning(user.to_string(), slot.as_ref().map(|s| s.owner.clone()));
    let started = match service.start_run(&caller, &req, plan) {
        Ok(s) => s,
        Err(e) if e.kind == ErrorKind::Conflict => {
            if let Some(dup) = e.source_as::<DuplicateDelivery>() {
                return duplicate(app, user, &dup.run_id);
            }
            return Err(e.into());
        }
        Err(e) => return Err(e.into()),
    };
    let skipped = started.tracked.run.status == sop_core::run::RunStatus::Skipped;
    // The run goes to its thread first; the answer is built from the state it was created in.
    // A new run has no gate decisions yet and its conditions were just written, so its
    // document needs nothing read back from the store.
    let created = started.tracked.clone();
    match (slot, started.action) {
        (Some(slot), Some(action)) => slot.drive(started.tracked, action, user.to_string()),
        _ => super::shared::hand_on(app, &started.tracked),
    }
    let doc = RunDocument::new(&created, &[], started.conditions, service.clock().now());
    let doc = serde_json::to_value(doc).map_err(sop_engine::Error::from)?;
    Ok(if skipped {
        Outcome::Skipped(doc, why.join("; "))
    } else {
        Outcome::Started(doc)
    })
}

fn duplicate(app: &App, user: &str, run_id: &str) -> ApiResult<Outcome> {
    let caller = Caller::quiet(user.to_string()).handing_off();
    Ok(Outcome::Duplicate(super::shared::run_by_id(
        app, &caller, run_id,
    )?))
}

pub fn draining() -> ApiError {
    ApiError::new(
        StatusCode::SERVICE_UNAVAILABLE,
        "draining",
        "the server is shutting down; send this again to another server or later",
    )
}
