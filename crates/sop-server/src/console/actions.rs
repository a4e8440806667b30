//! `POST /ui/runs/ID/ACTION`: the forms of a run's page, each one operation with the scope the
//! API asks for (`approve` to decide gates, `run` for the rest) and every rule of the
//! operation (approvers, quorum, four-eyes). A run left pending goes to the pool.

use super::layout::{Form, act as respond, with_param};
use super::page_error::{PageError, PageResult};
use super::session::Viewer;
use crate::params::Path;
use crate::routes::shared::hand_on;
use crate::state::{App, Shared};
use axum::Form as FormBody;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;
use sop_core::gate::Choice;
use sop_engine::api_tokens::Scope;
use sop_engine::engine::Tracked;
use sop_engine::ops::{GateRequest, StepCompletion};

pub async fn act(
    State(app): State<Shared>,
    headers: HeaderMap,
    Path((id, action)): Path<(String, String)>,
    FormBody(form): FormBody<Form>,
) -> Response {
    respond(app, headers, form, move |app, viewer, form| {
        let id = app.service.resolve_run(&id)?;
        let (t, done) = perform(app, viewer, &id, &action, form)?;
        hand_on(app, &t);
        Ok(with_param(&format!("/ui/runs/{id}"), "done", &done))
    })
    .await
}

fn step(form: &Form) -> PageResult<Option<u32>> {
    match form.get("step").map(|s| s.trim()).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(s) => s
            .parse()
            .map(Some)
            .map_err(|_| PageError::invalid(format!("`{s}` is not a step number"))),
    }
}

fn text(form: &Form, key: &str) -> Option<String> {
    form.get(key)
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
}

fn perform(
    app: &App,
    viewer: &Viewer,
    id: &str,
    action: &str,
    form: &Form,
) -> PageResult<(Tracked, String)> {
    let caller = viewer.caller();
    let service = &app.service;
    if action == "approve" {
        viewer.require(Scope::Approve)?;
        let choice = match form.get("choice").map(String::as_str) {
            Some("approve") => Choice::Approve,
            Some("reject") => Choice::Reject,
            _ => return Err(PageError::invalid("choose Approve or Reject")),
        };
        let req = GateRequest {
            step: step(form)?,
            choice,
            comment: text(form, "comment"),
            claimed: None,
            token: None,
            detach: true,
            authenticated: viewer.signed_in,
            channel: "console",
            sender: None,
        };
        let decision = service.decide_gate(&caller, id, &req, false)?;
        let word = if choice == Choice::Approve {
            "Approved"
        } else {
            "Rejected"
        };
        return Ok((decision.tracked().clone(), word.to_string()));
    }
    viewer.require(Scope::Run)?;
    Ok(match action {
        "cancel" => (
            service
                .cancel(&caller, id, text(form, "reason").as_deref())?
                .tracked,
            "Cancelled".into(),
        ),
        "pause" => (service.pause(&caller, id)?.tracked, "Paused".into()),
        "resume" => (service.resume(&caller, id, false)?, "Resumed".into()),
        "retry" => (
            service.retry(&caller, id, step(form)?, false)?,
            "Retrying".into(),
        ),
        "skip" => {
            let n = step(form)?.ok_or_else(|| PageError::invalid("which step to skip?"))?;
            let reason = text(form, "reason")
                .ok_or_else(|| PageError::invalid("skipping a step needs a reason"))?;
            (
                service.skip(&caller, id, n, &reason, false)?,
                format!("Skipped step {n}"),
            )
        }
        "complete" => {
            let failed = form.get("failed").is_some_and(|v| v == "true");
            // The lines `$SOP_OUTPUT` takes, `KEY=value` each: what later steps read as
            // `steps.N.KEY`.
            let written = form.get("outputs").map(|o| o.trim()).unwrap_or("");
            let outputs = sop_core::step_output::parse(written.as_bytes())
                .map_err(|e| PageError::invalid(format!("the outputs cannot be read: {e}")))?;
            if failed && !outputs.is_empty() {
                return Err(PageError::invalid(
                    "a failed step has no outputs; clear the outputs or untick \"The step failed\"",
                ));
            }
            let n = step(form)?;
            if !failed {
                // The step's checklist as its definition has it: the boxes the form showed.
                let t = service.load_run(&caller, id)?;
                let items = n
                    .or_else(|| t.view.waiting_step().map(|s| s.number))
                    .and_then(|n| t.step_def(n))
                    .map_or(0, |d| d.checklist.len());
                if (0..items).any(|i| !form.contains_key(&format!("check{i}"))) {
                    return Err(PageError::invalid(
                        "tick every item of the checklist once it is done, or tick \"The step \
                         failed\" to report that it could not be",
                    ));
                }
            }
            let done = StepCompletion {
                step: n,
                note: text(form, "note"),
                outputs,
                failed,
            };
            let (_, t) = service.complete_step(&caller, id, &done, false)?;
            let note = if failed {
                "Step reported failed"
            } else {
                "Step completed"
            };
            (t, note.into())
        }
        other => {
            return Err(PageError::new(
                axum::http::StatusCode::NOT_FOUND,
                format!("a run has no action `{other}`"),
            ));
        }
    })
}
