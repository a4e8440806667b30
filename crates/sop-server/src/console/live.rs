//! The live part of a run's page — its status, steps (status, timing, exit code, output, live
//! while a step runs here) and gates (who decided, with comments) — and the Server-Sent
//! Events stream that sends it again whenever it changes, until the run is finished.

use super::layout::{badge, json_view};
use super::session::{Viewer, viewer};
use super::text::{duration_ms, json_time, plain};
use crate::params::Path;
use crate::routes::shared::run_by_id;
use crate::state::{App, Shared};
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use maud::{Markup, html};
use serde_json::Value;
use sop_engine::api_tokens::Scope;
use std::collections::VecDeque;
use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;

/// How often the stream looks at the run: a store read per subscriber.
const EVERY: Duration = Duration::from_millis(250);

/// Whether a run in `status` is over.
pub fn finished(status: &str) -> bool {
    matches!(
        status,
        "succeeded" | "failed" | "cancelled" | "rejected" | "expired" | "skipped"
    )
}

/// The progress of the run `doc`: its status, steps and gates.
pub fn progress(app: &App, doc: &Value) -> Markup {
    let id = doc["id"].as_str().unwrap_or_default();
    let status = doc["status"].as_str().unwrap_or_default();
    let live = app.live.of(id);
    let steps = doc["steps"].as_array().cloned().unwrap_or_default();
    let gates = doc["gates"].as_array().cloned().unwrap_or_default();
    html! {
        div data-run-status=(status) {
            p.status {
                "Status: " (badge(status))
                // A waiting run's reason is its wait reason, said once below.
                @if let Some(r) = doc["reason"].as_str().filter(|r| Some(*r) != doc["wait_reason"].as_str()) { " — " (r) }
                @if let Some(w) = doc["wait_reason"].as_str() { " (waiting for " (w.replace('_', " ")) ")" }
            }

            h2 #steps-h { "Steps" }
            div.table-wrap {
                table aria-labelledby="steps-h" {
                    thead { tr {
                        th scope="col" { "#" } th scope="col" { "Step" } th scope="col" { "Status" }
                        th scope="col" { "Started" } th scope="col" { "Duration" } th scope="col" { "Exit" }
                        th scope="col" { "Output" }
                    } }
                    tbody {
                        @for s in &steps {
                            @let n = s["number"].as_u64().unwrap_or(0) as u32;
                            @let running = live.as_ref().filter(|(step, _)| *step == n && s["status"] == "running");
                            tr id={"step-" (n)} data-step-status=(plain(&s["status"])) {
                                td { (n) }
                                td { (plain(&s["title"])) br; span.muted { (plain(&s["kind"])) }
                                    @if let Some(note) = s["note"].as_str() { br; span.muted { "Note: " (note) } } }
                                td { (badge(s["status"].as_str().unwrap_or("pending")))
                                    @if s["attempts"].as_u64().unwrap_or(0) > 1 { br; span.muted { (s["attempts"]) " attempts" } } }
                                td { (json_time(&s["started_at"])) }
                                td { @if let Some(ms) = s["duration_ms"].as_i64() { (duration_ms(ms)) } }
                                td { @if let Some(c) = s["exit_code"].as_i64() { code { (c) } } }
                                td {
                                    @if let Some((_, text)) = running {
                                        details id={"out-" (n)} open {
                                            summary { "Live output" }
                                            pre aria-live="polite" { (text) }
                                        }
                                    } @else if !s["output_tail"].as_str().unwrap_or("").is_empty() {
                                        // A failed step's output is what its reader came for.
                                        details id={"out-" (n)} open[s["status"] == "failed"] {
                                            summary { "Output (" (s["output_size"]) " bytes)" }
                                            pre { (plain(&s["output_tail"])) }
                                        }
                                    }
                                    @if s["outputs"].as_object().is_some_and(|o| !o.is_empty()) {
                                        (json_view(&s["outputs"]))
                                    }
                                }
                            }
                        }
                    }
                }
            }
            @if !gates.is_empty() {
                h2 { "Gates" }
                @for g in &gates {
                    div.card {
                        p { "Before step " (g["step"]) ": " (badge(g["status"].as_str().unwrap_or(""))) }
                        dl.meta {
                            dt { "Approvers" } dd {
                                @match g["approvers"].as_array().filter(|a| !a.is_empty()) {
                                    Some(list) => { @for (i, a) in list.iter().enumerate() { @if i > 0 { ", " } code { (plain(a)) } } },
                                    None => { "anyone with the approve scope" },
                                }
                            }
                            dt { "Approvals needed" } dd { (g["min_approvals"]) }
                            dt { "Opened" } dd { (json_time(&g["opened_at"])) }
                            @if let Some(e) = g["expires_at"].as_str() {
                                dt { "Deadline" }
                                // Only an open gate counts down; a decided one keeps its deadline as a date.
                                @if g["status"] == "open" {
                                    dd { time datetime=(e) data-countdown { (json_time(&g["expires_at"])) span.left {} } }
                                } @else {
                                    dd { time datetime=(e) { (json_time(&g["expires_at"])) } }
                                }
                            }
                            @if g["decided_at"].is_string() { dt { "Decided" } dd { (json_time(&g["decided_at"])) } }
                        }
                        @let decisions = g["decisions"].as_array().cloned().unwrap_or_default();
                        @if !decisions.is_empty() {
                            ul.decisions {
                                @for d in &decisions {
                                    li { strong { (plain(&d["actor"])) } " " (badge(decided(&plain(&d["decision"]))))
                                        " " span.muted { (json_time(&d["at"])) }
                                        @if let Some(c) = d["comment"].as_str() { blockquote { (c) } } }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// `approve` → `approved`: how a decision reads once made.
fn decided(choice: &str) -> &str {
    match choice {
        "approve" => "approved",
        "reject" => "rejected",
        other => other,
    }
}

/// `GET /ui/runs/ID/live`: `progress` (status, steps, gates) and `actions` (what the viewer
/// may do), each sent whenever it changes — actions only on a change of state, so a form being
/// filled in is not replaced while a step prints — then `end` once the run is finished.
pub async fn stream(
    State(app): State<Shared>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    let check = {
        let (headers, id) = (headers.clone(), id.clone());
        app.blocking(move |app| {
            let v = match viewer(app, &headers) {
                Ok(Some(v)) if v.may(Scope::Read) => v,
                _ => return Ok(None),
            };
            let id = run_by_id(app, &v.caller(), &id)?["id"].clone();
            Ok(Some((v, id)))
        })
        .await
    };
    let (viewer, id) = match check {
        Ok(Some((v, Value::String(id)))) => (v, id),
        Ok(_) => return (StatusCode::UNAUTHORIZED, "sign in first").into_response(),
        Err(e) => return (e.status, e.message).into_response(),
    };
    let state = Watch {
        app,
        headers,
        viewer: Arc::new(viewer),
        id,
        progress: String::new(),
        actions: String::new(),
        queue: VecDeque::new(),
        done: false,
    };
    let events = futures_util::stream::unfold(state, |mut w| async move {
        loop {
            if let Some(event) = w.queue.pop_front() {
                return Some((Ok::<_, Infallible>(event), w));
            }
            // A stopping server ends its streams, or its graceful shutdown would wait for every
            // open page; the browser reconnects by itself once it is back.
            if w.done || w.app.draining() {
                return None;
            }
            if !w.progress.is_empty() {
                tokio::time::sleep(EVERY).await;
            }
            w.look().await;
        }
    });
    Sse::new(events)
        .keep_alive(KeepAlive::default())
        .into_response()
}

/// One subscriber's view of one run: what it was sent last, and what to send next.
struct Watch {
    app: Shared,
    /// The request's, to check at each look that its session still stands.
    headers: HeaderMap,
    viewer: Arc<Viewer>,
    id: String,
    progress: String,
    actions: String,
    queue: VecDeque<Event>,
    done: bool,
}

impl Watch {
    /// Reads the run once and queues what changed.
    async fn look(&mut self) {
        let (id, who) = (self.id.clone(), Arc::clone(&self.viewer));
        let headers = self.headers.clone();
        let read = self
            .app
            .blocking(move |app| {
                // Signed out (or the session ended) in another tab: the page stops here.
                if !matches!(viewer(app, &headers), Ok(Some(v)) if v.may(Scope::Read)) {
                    return Ok(None);
                }
                let doc = run_by_id(app, &who.caller(), &id)?;
                let over = finished(doc["status"].as_str().unwrap_or_default());
                let actions = super::run_actions::of_run(app, &who, &doc).into_string();
                Ok(Some((progress(app, &doc).into_string(), actions, over)))
            })
            .await;
        let Ok(read) = read else {
            self.queue
                .push_back(Event::default().event("end").data("gone"));
            self.done = true;
            return;
        };
        let Some((progress, actions, over)) = read else {
            self.queue
                .push_back(Event::default().event("end").data("signed out"));
            self.done = true;
            return;
        };
        if progress != self.progress {
            self.queue
                .push_back(Event::default().event("progress").data(progress.clone()));
            self.progress = progress;
        }
        if actions != self.actions {
            self.queue
                .push_back(Event::default().event("actions").data(actions.clone()));
            self.actions = actions;
        }
        if over {
            self.queue
                .push_back(Event::default().event("end").data("finished"));
            self.done = true;
        }
    }
}
