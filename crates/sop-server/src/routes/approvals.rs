//! The spec's `POST /api/sop/run/{id}/approve` and `GET /api/approvals/pending`.
//!
//! A decision is authorised by an API token with `approve` (the token's user is the actor,
//! under every approval rule), or — without any API token — by a gate token in the body. A
//! gate that passes leaves the run pending, and the pool drives it.

use super::shared::{caller, creds, hand_on, run_value};
use crate::auth::identify;
use crate::error::{ApiError, ApiResult};
use crate::params::Path;
use crate::state::Shared;
use axum::Json;
use axum::body::Body;
use axum::extract::State;
use axum::http::HeaderMap;
use serde::Deserialize;
use serde_json::{Value, json};
use sop_core::gate::Choice;
use sop_engine::Caller;
use sop_engine::api_tokens::Scope;
use sop_engine::ops::{GateDecision, GateRequest};

/// The actor of a decision made with a gate token and no API token, when the token names
/// nobody.
const GATE_TOKEN_ACTOR: &str = "gate-token";

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ApproveBody {
    #[serde(default, deserialize_with = "crate::body_schemas::whole_u32_opt")]
    step: Option<u32>,
    approved: bool,
    comment: Option<String>,
    token: Option<String>,
}

impl crate::body::ApiBody for ApproveBody {
    const SCHEMA: &'static str = "ApproveBody";
}

pub async fn approve(
    State(app): State<Shared>,
    headers: HeaderMap,
    Path(id): Path<String>,
    body: Body,
) -> ApiResult<Json<Value>> {
    let creds = creds(&headers);
    let body: ApproveBody = crate::body::json(&headers, body).await?;
    app.blocking(move |app| {
        let (caller, authenticated, token_id) = match (&body.token, creds.has_token()) {
            (Some(_), false) => (Caller::quiet(GATE_TOKEN_ACTOR).handing_off(), false, None),
            _ => {
                let (who, caller) = caller(app, &creds, Scope::Approve)?;
                let token_id = who.principal.token_id.clone();
                (caller, who.authenticated, token_id)
            }
        };
        let id = app.service.resolve_run(&id)?;
        let req = GateRequest {
            step: body.step,
            choice: if body.approved {
                Choice::Approve
            } else {
                Choice::Reject
            },
            comment: body.comment,
            claimed: None,
            token: body.token,
            detach: true,
            authenticated,
            channel: "api",
            // The API token's id (never the token): which token the decision came with.
            sender: token_id,
        };
        let decision = app.service.decide_gate(&caller, &id, &req, false)?;
        let (tracked, step) = match &decision {
            GateDecision::Counted { tracked, step, .. }
            | GateDecision::Detached { tracked, step, .. }
            | GateDecision::Settled { tracked, step, .. } => (tracked, *step),
        };
        hand_on(app, tracked);
        let run = run_value(app, tracked)?;
        let gate = run["gates"]
            .as_array()
            .and_then(|gates| gates.iter().rev().find(|g| g["step"] == json!(step)))
            .cloned()
            .ok_or_else(|| ApiError::internal("the decided gate is missing from the run"))?;
        Ok(Json(json!({"gate": gate, "run": run})))
    })
    .await
}

pub async fn pending(State(app): State<Shared>, headers: HeaderMap) -> ApiResult<Json<Value>> {
    let creds = creds(&headers);
    app.blocking(move |app| {
        let who = identify(app, &creds)?;
        if !who.principal.allows(Scope::Read) && !who.principal.allows(Scope::Approve) {
            return Err(ApiError::forbidden(
                "listing open gates needs the `read` or `approve` scope",
            ));
        }
        let caller = Caller::quiet(who.user().to_string());
        let gates = app.service.pending_gates(&caller, None)?;
        Ok(Json(json!({"gates": gates})))
    })
    .await
}
