//! Buttons pressed in chat: `POST /hooks/slack/interactions` (Slack's interactive payloads,
//! signed with the app's signing secret) and `POST /hooks/telegram` (Telegram's updates, with
//! the webhook's secret-token header). Each maps the chat account to a sop user through
//! `users.toml` and decides under every approval rule; the outcome reaches the original
//! message through the outbox.

use super::shared::hand_on;
use crate::error::{ApiError, ApiResult};
use crate::state::{App, Shared};
use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::HeaderMap;
use serde_json::{Value, json};
use sop_core::gate::{Choice, GateOutcome};
use sop_engine::notify::ChatUser;
use sop_engine::notify::http::{self, Outgoing};
use sop_engine::notify::slack::{APPROVE_ACTION, REJECT_ACTION};
use sop_engine::notify::slack_signature::verify;
use sop_engine::notify::telegram_poll::{Decider, handle_update};
use sop_engine::ops::GateDecision;
use std::sync::Arc;
use subtle::ConstantTimeEq;

pub async fn slack(
    State(app): State<Shared>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Json<Value>> {
    let header = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
    };
    let (ts, sig) = (
        header("x-slack-request-timestamp"),
        header("x-slack-signature"),
    );
    app.blocking(move |app| {
        let settings = app.service.notify_settings()?;
        let Some(secret) = &settings.slack_signing_secret else {
            return Err(ApiError::not_found(
                "Slack interactions are off: set SOP_SLACK_SIGNING_SECRET",
            ));
        };
        let now = app.service.clock().now().timestamp();
        verify(secret.expose(), ts.as_deref(), sig.as_deref(), &body, now)
            .map_err(|e| ApiError::unauthorized(e.to_string()))?;
        let form: Vec<(String, String)> = serde_urlencoded::from_bytes(&body)
            .map_err(|_| ApiError::bad_request("the body is not a form"))?;
        let payload: Value = form
            .iter()
            .find(|(k, _)| k == "payload")
            .and_then(|(_, v)| serde_json::from_str(v).ok())
            .ok_or_else(|| ApiError::bad_request("the form has no JSON `payload`"))?;
        let user = payload["user"]["id"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        let action = &payload["actions"][0];
        let choice = match action["action_id"].as_str() {
            Some(APPROVE_ACTION) => Choice::Approve,
            Some(REJECT_ACTION) => Choice::Reject,
            // Other actions (the link button) need no answer.
            _ => return Ok(Json(json!({}))),
        };
        let gate = action["value"].as_str().unwrap_or_default().to_string();
        let reply = decide(app, &ChatUser::Slack(user), &gate, choice);
        if let Some(url) = payload["response_url"]
            .as_str()
            .filter(|u| u.starts_with("https://") || u.starts_with("http://"))
        {
            let out = Outgoing {
                url: url.to_string(),
                headers: vec![("Content-Type", "application/json".into())],
                body: json!({"response_type": "ephemeral", "replace_original": false,
                             "text": reply})
                .to_string(),
            };
            if let Err(e) = http::post(&http::agent(settings.timeout), &out) {
                tracing::warn!(error = %e, "cannot reply to a Slack button press");
            }
        }
        Ok(Json(json!({})))
    })
    .await
}

pub async fn telegram(
    State(app): State<Shared>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Json<Value>> {
    let presented = headers
        .get("x-telegram-bot-api-secret-token")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let decider = decider(app.clone());
    app.blocking(move |app| {
        let settings = app.service.notify_settings()?;
        let Some(secret) = &settings.telegram_webhook_secret else {
            return Err(ApiError::not_found(
                "the Telegram webhook is off: set SOP_TELEGRAM_WEBHOOK_SECRET",
            ));
        };
        let ok: bool = presented
            .as_deref()
            .is_some_and(|p| p.as_bytes().ct_eq(secret.expose().as_bytes()).into());
        if !ok {
            return Err(ApiError::unauthorized(
                "the X-Telegram-Bot-Api-Secret-Token header is missing or wrong",
            ));
        }
        let update: Value = serde_json::from_slice(&body)
            .map_err(|_| ApiError::bad_request("the body is not a Telegram update"))?;
        if let Some(answer) = handle_update(&settings, &decider, &update)
            && let Err(e) = http::post(&http::agent(settings.timeout), &answer)
        {
            tracing::warn!(error = %e, "cannot answer a Telegram button press");
        }
        Ok(Json(json!({"ok": true})))
    })
    .await
}

/// The decider chat buttons use: decide, hand the run on, and say what happened.
pub fn decider(app: Shared) -> Decider {
    Arc::new(move |who, gate, choice| decide(&app, who, gate, choice))
}

fn decide(app: &App, who: &ChatUser, gate: &str, choice: Choice) -> String {
    match app.service.decide_from_chat(who, gate, choice) {
        Ok(cd) => {
            hand_on(app, cd.decision.tracked());
            let run = cd.decision.tracked().id().to_string();
            match &cd.decision {
                GateDecision::Counted { waiting_for, .. } => format!(
                    "{}'s approval is counted; run {run} still waits for {waiting_for}.",
                    cd.actor
                ),
                GateDecision::Detached { .. } => {
                    format!("Approved by {}; run {run} goes on.", cd.actor)
                }
                GateDecision::Settled { outcome, .. } => match outcome {
                    GateOutcome::Rejected { .. } => {
                        format!("Rejected by {}; run {run} stops.", cd.actor)
                    }
                    _ => format!("Approved by {}; run {run} goes on.", cd.actor),
                },
            }
        }
        Err(e) => format!("Not decided: {}", e.message),
    }
}
