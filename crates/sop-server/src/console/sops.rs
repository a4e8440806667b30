//! `/`: the SOPs — name, icon, priority, mode, triggers, conditions, validity, the next cron
//! fire and the last run's outcome — filterable by any of these words.

use super::layout::{Page, Query, badge, page as respond};
use super::page_error::PageResult;
use super::session::Viewer;
use super::text::{enc, trigger};
use crate::params::Query as QueryParams;
use crate::state::{App, Shared};
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;
use maud::html;
use sop_engine::api_tokens::Scope;
use sop_engine::documents::SopEntryDocument;
use sop_store::RunFilter;

pub async fn page(
    State(app): State<Shared>,
    headers: HeaderMap,
    QueryParams(q): QueryParams<Query>,
) -> Response {
    respond(app, headers, q, "/".into(), build).await
}

/// One row of the list, in words, so the filter matches what a person sees.
struct Row {
    name: String,
    icon: String,
    description: String,
    priority: String,
    mode: String,
    triggers: Vec<String>,
    conditions: Vec<String>,
    problems: usize,
    next_fire: Option<String>,
    last_run: Option<(String, String)>,
}

fn build(app: &App, viewer: &Viewer, q: &Query) -> PageResult<Page> {
    viewer.require(Scope::Read)?;
    let list = app.service.list_sops()?;
    let checked = app.service.check_sops(&[])?;
    let caller = viewer.caller();
    let mut rows = Vec::new();
    for entry in &list.sops {
        let mut row = match entry {
            SopEntryDocument::Valid(s) => Row {
                name: s.name.clone(),
                icon: s.icon.clone(),
                description: s.description.clone(),
                priority: s.priority.to_string(),
                mode: s.execution_mode.to_string(),
                triggers: s.triggers.iter().map(trigger).collect(),
                conditions: s.conditions.clone(),
                problems: 0,
                next_fire: None,
                last_run: None,
            },
            SopEntryDocument::Invalid(s) => Row {
                name: s.name.clone(),
                icon: "⚠".into(),
                description: String::new(),
                priority: String::new(),
                mode: String::new(),
                triggers: Vec::new(),
                conditions: Vec::new(),
                problems: s.errors.len().max(1),
                next_fire: None,
                last_run: None,
            },
        };
        row.next_fire = checked
            .document
            .sops
            .iter()
            .find(|c| c.name == row.name)
            .and_then(|c| c.schedules.iter().filter_map(|s| s.next.clone()).min());
        let filter = RunFilter {
            sop_name: Some(row.name.clone()),
            statuses: Vec::new(),
            limit: 1,
        };
        row.last_run = app
            .service
            .list_runs(&caller, &filter)?
            .runs
            .first()
            .map(|r| (r.id.clone(), r.status.to_string()));
        rows.push(row);
    }
    // Matched without case; the box shows what was typed.
    let typed = q.get("q").map(|s| s.trim().to_string()).unwrap_or_default();
    let needle = typed.to_lowercase();
    let shown: Vec<&Row> = rows
        .iter()
        .filter(|r| {
            needle.is_empty()
                || [
                    r.name.as_str(),
                    &r.description,
                    &r.priority,
                    &r.mode,
                    &r.triggers.join(" "),
                    &r.conditions.join(" "),
                ]
                .iter()
                .any(|t| t.to_lowercase().contains(&needle))
        })
        .collect();
    let body = html! {
        form.inline-form role="search" method="get" action="/" {
            div {
                label for="filter" { "Filter" }
                input #filter type="search" name="q" value=(typed) data-filter="sops"
                    placeholder="name, priority, trigger, condition…";
            }
            button.secondary type="submit" { "Filter" }
        }
        p.muted { span #sops-shown data-of=(rows.len()) { (shown.len()) " of " (rows.len()) } " SOPs in " code { (list.dir) } }
        div.table-wrap {
            table #sops {
                caption.muted { "SOPs" }
                thead { tr {
                    th scope="col" { "SOP" } th scope="col" { "Priority" } th scope="col" { "Mode" }
                    th scope="col" { "Triggers" } th scope="col" { "Conditions" } th scope="col" { "Valid" }
                    th scope="col" { "Next cron fire" } th scope="col" { "Last run" }
                } }
                tbody {
                    @for r in &shown {
                        tr {
                            td {
                                span aria-hidden="true" { (r.icon) } " "
                                a href={"/ui/sops/" (enc(&r.name))} { (r.name) }
                                @if !r.description.is_empty() { br; span.muted { (r.description) } }
                            }
                            td { (r.priority) }
                            td { (r.mode) }
                            td { @for t in &r.triggers { code { (t) } br; } }
                            td { @for c in &r.conditions { code { (c) } br; } }
                            td { @if r.problems == 0 { (badge("yes")) } @else { (badge("invalid")) " " (r.problems) " problem(s)" } }
                            td { @if let Some(n) = &r.next_fire { time datetime=(n) { (super::text::json_time(&serde_json::Value::String(n.clone()))) } } @else { span.muted { "—" } } }
                            td { @if let Some((id, status)) = &r.last_run { a href={"/ui/runs/" (id)} { (badge(status)) } } @else { span.muted { "never" } } }
                        }
                    }
                }
            }
        }
    };
    Ok(Page::new("SOPs", body))
}
