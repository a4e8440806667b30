//! `/ui/runs`: recent runs, filterable by SOP and status, a page at a time through the store's
//! paged query (`before` is the last id of the previous page), so the first paint stays fast
//! however many runs the store holds.

use super::layout::{Page, Query, badge, page as respond};
use super::page_error::PageResult;
use super::session::Viewer;
use super::text::{duration_ms, enc, time};
use crate::params::Query as QueryParams;
use crate::state::{App, Shared};
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;
use maud::html;
use sop_core::run::RunStatus;
use sop_engine::api_tokens::Scope;
use sop_engine::ops::parse_status;
use sop_store::RunFilter;

/// Runs on one page.
pub const PAGE: u32 = 50;

pub async fn page(
    State(app): State<Shared>,
    headers: HeaderMap,
    QueryParams(q): QueryParams<Query>,
) -> Response {
    respond(app, headers, q, "/ui/runs".into(), build).await
}

fn build(app: &App, viewer: &Viewer, q: &Query) -> PageResult<Page> {
    viewer.require(Scope::Read)?;
    let sop = q.get("sop").map(|s| s.trim()).filter(|s| !s.is_empty());
    let status = q.get("status").map(|s| s.trim()).filter(|s| !s.is_empty());
    let statuses = match status {
        Some(s) => vec![parse_status(s)?],
        None => Vec::new(),
    };
    let filter = RunFilter {
        sop_name: sop.map(str::to_string),
        statuses,
        limit: PAGE,
    };
    let before = q.get("before").filter(|b| !b.is_empty());
    let list = app
        .service
        .list_runs_page(&viewer.caller(), &filter, before.map(String::as_str))?;
    let now = app.service.clock().now();
    let next = (list.runs.len() == PAGE as usize)
        .then(|| list.runs.last().map(|r| r.id.clone()))
        .flatten();
    let keep = format!(
        "sop={}&status={}",
        enc(sop.unwrap_or("")),
        enc(status.unwrap_or(""))
    );
    let body = html! {
        form.inline-form role="search" method="get" action="/ui/runs" {
            div { label for="sop" { "SOP" } input #sop type="text" name="sop" value=(sop.unwrap_or("")); }
            div {
                label for="status" { "Status" }
                select #status name="status" {
                    option value="" { "any" }
                    @for s in RunStatus::ALL {
                        @let word = s.to_string();
                        option value=(word) selected[status == Some(word.as_str())] { (word.replace('_', " ")) }
                    }
                }
            }
            button.secondary type="submit" { "Filter" }
        }
        div.table-wrap {
            table #runs {
                caption.muted { "Newest first, " (PAGE) " a page" }
                thead { tr {
                    th scope="col" { "Run" } th scope="col" { "SOP" } th scope="col" { "Status" }
                    th scope="col" { "Step" } th scope="col" { "Trigger" } th scope="col" { "Started by" }
                    th scope="col" { "Created" } th scope="col" { "Duration" }
                } }
                tbody {
                    @for r in &list.runs {
                        tr {
                            td { a href={"/ui/runs/" (r.id)} { code { (r.id) } } }
                            td { a href={"/ui/sops/" (enc(&r.sop_name))} { (r.sop_name) } }
                            td { (badge(&r.status.to_string())) }
                            td { (r.current_step.map(|s| s.to_string()).unwrap_or_default()) " / " (r.step_count) }
                            td { (r.trigger_type) }
                            td { (r.started_by) }
                            td { (time(&r.created_at)) }
                            td { @if let Some(s) = r.started_at { (duration_ms((r.finished_at.unwrap_or(now) - s).num_milliseconds())) } }
                        }
                    }
                }
            }
        }
        @if list.runs.is_empty() { p.muted { "No runs match." } }
        nav.pager aria-label="Pages" {
            @if before.is_some() { a href={"/ui/runs?" (keep)} { "Newest" } }
            @if let Some(n) = next { a href={"/ui/runs?" (keep) "&before=" (n)} { "Older →" } }
        }
    };
    Ok(Page::new("Runs", body).refreshing(10))
}
