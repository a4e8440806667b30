//! What the signed-in person may do with a run now: the forms for approve/reject with a
//! comment, completing a manual step with its checklist, pause, resume, cancel, retry and skip.
//! None for a person without the scopes, and none the run's state does not allow; the
//! operations decide the rest (approvers, quorum, four-eyes) when a form is sent.

use super::layout::form_fields;
use super::live::finished;
use super::session::Viewer;
use super::text::time;
use crate::state::App;
use maud::{Markup, PreEscaped, html};
use serde_json::Value;
use sop_engine::api_tokens::Scope;
use sop_engine::approval::pending::PendingGate;
use sop_engine::documents::NextStepDocument;

/// The action forms for the run `doc`, as its page shows them.
pub fn of_run(app: &App, viewer: &Viewer, doc: &Value) -> Markup {
    let id = doc["id"].as_str().unwrap_or_default();
    let status = doc["status"].as_str().unwrap_or_default();
    let caller = viewer.caller();
    let next = if finished(status) && status != "failed" {
        None
    } else {
        app.service.next_step(&caller, id).ok().map(|(_, n)| n)
    };
    let gates: Vec<PendingGate> = if status == "awaiting_approval" {
        app.service
            .pending_gates(&caller, Some(viewer.user()))
            .unwrap_or_default()
            .into_iter()
            .filter(|g| g.run_id == id)
            .collect()
    } else {
        Vec::new()
    };
    actions(
        viewer,
        &format!("/ui/runs/{id}"),
        status,
        next.as_ref(),
        &gates,
    )
}

/// The forms for what the viewer may do with the run now; none for a person without the
/// scopes, and none the run's state does not allow.
fn actions(
    viewer: &Viewer,
    here: &str,
    status: &str,
    next: Option<&NextStepDocument>,
    gates: &[PendingGate],
) -> Markup {
    let act = |action: &str| format!("{here}/{action}");
    let may_run = viewer.may(Scope::Run);
    let may_approve = viewer.may(Scope::Approve);
    let manual = next
        .and_then(|n| n.step.as_ref().map(|s| (n, s)))
        .filter(|(n, _)| n.wait_reason == Some("manual_step"));
    let gate = gates.iter().find(|g| g.may_decide != Some(false));
    let show_gate = status == "awaiting_approval" && may_approve;
    let manual = manual.filter(|_| may_run);
    let show_control = may_run && !finished(status);
    // A failed run awaits a retry or a skip, unless it timed out (then nothing failed and
    // nothing awaits a decision).
    let show_failed = may_run && status == "failed" && next.is_none_or(|n| n.waiting_for.is_some());
    if !(show_gate || manual.is_some() || show_control || show_failed) {
        return html! { p.muted #no-actions { "Nothing you may do with this run now." } };
    }
    html! {
        @if show_gate {
            @if let Some(g) = gate {
                form.card method="post" action=(act("approve")) {
                    (form_fields(viewer, here))
                    input type="hidden" name="step" value=(g.step);
                    p { "Step " (g.step) " waits for " (g.waiting_for) ". "
                        "Deadline " time datetime=(g.expires_at.to_rfc3339()) data-countdown { (time(&g.expires_at)) span.left {} } }
                    label for="comment" { "Comment" }
                    textarea #comment name="comment" rows="2" {}
                    div.actions {
                        button type="submit" name="choice" value="approve" { "Approve" }
                        button.danger type="submit" name="choice" value="reject" { "Reject" }
                    }
                }
            } @else {
                p.muted { "The gate waits for someone else." }
            }
        }
        @if let Some((_, step)) = manual {
            form.card method="post" action=(act("complete")) {
                (form_fields(viewer, here))
                input type="hidden" name="step" value=(step.number);
                h3 { "Step " (step.number) ": " (step.title) }
                @if !step.description.is_empty() { div.markdown { (PreEscaped(super::markdown::render_marked(&step.description_marked))) } }
                @for block in &step.commands { pre { code { (block) } } }
                @if !step.checklist.is_empty() {
                    fieldset {
                        legend { "Checklist" }
                        @for (i, item) in step.checklist.iter().enumerate() {
                            label.inline { input type="checkbox" name={"check" (i)}; (item) }
                        }
                    }
                }
                label for="note" { "Note" }
                input #note type="text" name="note";
                label for="outputs" { "Outputs " span.muted { "(optional: " code { "KEY=value" } " a line, read by later steps as " code { "steps." (step.number) ".KEY" } ")" } }
                textarea #outputs name="outputs" rows="2" {}
                label.inline { input type="checkbox" name="failed" value="true"; "The step failed" }
                div.actions { button type="submit" { "Complete step " (step.number) } }
            }
        }
        @if show_control {
            div.actions {
                // A run at a gate or a manual step is already waiting for a person: pausing it
                // is refused, so it is not offered.
                @if matches!(status, "running" | "pending") || (status == "waiting" && manual.is_none()) {
                    form method="post" action=(act("pause")) { (form_fields(viewer, here)) button.secondary type="submit" { "Pause" } }
                }
                @if status == "paused" {
                    form method="post" action=(act("resume")) { (form_fields(viewer, here)) button type="submit" { "Resume" } }
                }
                form.inline-form method="post" action=(act("cancel")) {
                    (form_fields(viewer, here))
                    div { label for="reason" { "Reason" } input #reason type="text" name="reason"; }
                    button.danger type="submit" { "Cancel run" }
                }
            }
        }
        @if show_failed {
            @let failed = next.and_then(|n| n.step.as_ref()).map(|s| s.number);
            div.actions {
                form method="post" action=(act("retry")) { (form_fields(viewer, here)) button type="submit" { "Retry" @if let Some(f) = failed { " step " (f) } } }
                @if let Some(f) = failed {
                    form.inline-form method="post" action=(act("skip")) {
                        (form_fields(viewer, here))
                        input type="hidden" name="step" value=(f);
                        div { label for="skip-reason" { "Why skip step " (f) "?" } input #skip-reason type="text" name="reason" required; }
                        button.secondary type="submit" { "Skip step " (f) }
                    }
                }
            }
        }
    }
}
