//! `/ui/runs/ID`: one run — the live part (what the signed-in person may do now, steps with
//! output and outputs, gates), its variables (secrets already redacted by the document) and
//! its audit trail with the chain's verification.

use super::layout::{Page, Query, json_view, page as respond};
use super::live::progress;
use super::page_error::PageResult;
use super::session::Viewer;
use super::text::{enc, json_time, plain, time};
use crate::params::{Path, Query as QueryParams};
use crate::routes::shared::run_by_id;
use crate::state::{App, Shared};
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;
use maud::html;
use sop_engine::api_tokens::Scope;

pub async fn page(
    State(app): State<Shared>,
    headers: HeaderMap,
    Path(id): Path<String>,
    QueryParams(q): QueryParams<Query>,
) -> Response {
    let here = format!("/ui/runs/{}", enc(&id));
    respond(app, headers, q, here, move |app, v, _| build(app, v, &id)).await
}

fn build(app: &App, viewer: &Viewer, id: &str) -> PageResult<Page> {
    viewer.require(Scope::Read)?;
    let caller = viewer.caller();
    let doc = run_by_id(app, &caller, id)?;
    let id = doc["id"].as_str().unwrap_or(id).to_string();
    let audit = app.service.audit_entries(Some(&id))?;
    let verified = app.service.verify_audit()?;
    let body = html! {
        dl.meta.card {
            dt { "SOP" } dd { a href={"/ui/sops/" (enc(&plain(&doc["sop_name"])))} { (plain(&doc["sop_name"])) } }
            dt { "Run" } dd { code { (id) } }
            dt { "Started by" } dd { (plain(&doc["started_by"])) " (" (plain(&doc["trigger_type"])) ")" }
            dt { "Created" } dd { (json_time(&doc["created_at"])) }
            @if doc["finished_at"].is_string() { dt { "Finished" } dd { (json_time(&doc["finished_at"])) } }
            dt { "Mode" } dd { (plain(&doc["execution_mode"])) }
        }
        section #actions aria-labelledby="actions-h" {
            h2 #actions-h { "Actions" }
            div #actions-live { (super::run_actions::of_run(app, viewer, &doc)) }
        }
        // A finished run has nothing more to stream; one that finishes while shown is shown
        // again whole (its end time, its audit trail).
        div #live data-live=[(!super::live::finished(doc["status"].as_str().unwrap_or_default()))
            .then(|| format!("/ui/runs/{id}/live"))] {
            (progress(app, &doc))
        }
        section aria-labelledby="vars-h" {
            h2 #vars-h { "Variables" }
            @if doc["variables"].as_object().is_some_and(|m| !m.is_empty()) { (json_view(&doc["variables"])) }
            @else { p.muted { "None." } }
        }
        section aria-labelledby="audit-h" {
            h2 #audit-h { "Audit trail" }
            p {
                @match &verified.problem {
                    None => { (super::layout::badge("yes")) " The audit chain verifies (" (verified.entries) " entries)." }
                    Some(p) => { (super::layout::badge("no")) " The audit chain does not verify: " (serde_json::to_string(p).unwrap_or_default()) }
                }
            }
            div.table-wrap {
                table {
                    thead { tr { th scope="col" { "#" } th scope="col" { "When" } th scope="col" { "Who" } th scope="col" { "What" } th scope="col" { "Detail" } } }
                    tbody {
                        @for e in &audit {
                            tr {
                                td { (e.seq) } td { (time(&e.at)) } td { (e.actor) } td { code { (e.kind) } }
                                td { @if !e.detail.is_null() { details { summary { "detail" } pre { (serde_json::to_string_pretty(&e.detail).unwrap_or_default()) } } } }
                            }
                        }
                    }
                }
            }
        }
    };
    Ok(Page::new(
        format!(
            "Run {} of {}",
            &id[..id.len().min(8)],
            plain(&doc["sop_name"])
        ),
        body,
    ))
}
