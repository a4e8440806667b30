//! `/ui/schedules`: what starts on its own — recent events and the runs each started (or why a
//! matching SOP did not start), the upcoming fires of every cron trigger, and the SOPs that
//! other triggers (webhooks, events) start.

use super::layout::{Page, Query, page as respond};
use super::page_error::PageResult;
use super::session::Viewer;
use super::text::{enc, time, trigger};
use crate::params::Query as QueryParams;
use crate::state::{App, Shared};
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;
use maud::html;
use sop_core::definition::Trigger;
use sop_engine::api_tokens::Scope;
use sop_engine::documents::SopEntryDocument;

/// Fires listed per cron trigger.
const PER_TRIGGER: usize = 5;

/// Recent events listed.
const RECENT_EVENTS: u32 = 20;

pub async fn page(
    State(app): State<Shared>,
    headers: HeaderMap,
    QueryParams(q): QueryParams<Query>,
) -> Response {
    respond(app, headers, q, "/ui/schedules".into(), build).await
}

fn build(app: &App, viewer: &Viewer, _: &Query) -> PageResult<Page> {
    viewer.require(Scope::Read)?;
    let events = app.service.recent_events(RECENT_EVENTS)?;
    let fires = app.service.upcoming_fires(PER_TRIGGER)?;
    let list = app.service.list_sops()?;
    let others: Vec<(String, String)> = list
        .sops
        .iter()
        .filter_map(|e| match e {
            SopEntryDocument::Valid(s) => Some(s),
            SopEntryDocument::Invalid(_) => None,
        })
        .flat_map(|s| {
            s.triggers
                .iter()
                .filter(|t| matches!(t, Trigger::Webhook { .. } | Trigger::Event { .. }))
                .map(|t| (s.name.clone(), trigger(t)))
        })
        .collect();
    let body = html! {
        section aria-labelledby="recent-h" {
            h2 #recent-h { "Recent events" }
            @if events.is_empty() { p.muted { "No event has been received yet." } }
            @else {
                div.table-wrap { table {
                    thead { tr { th scope="col" { "Received" } th scope="col" { "Event" } th scope="col" { "What it did" } } }
                    tbody { @for r in &events { tr {
                        td { time datetime=(r.event.received_at.to_rfc3339()) { (time(&r.event.received_at)) } }
                        td { code { (r.event.name) } }
                        td {
                            @if r.outcomes.is_empty() { span.muted { "no SOP's trigger matched" } }
                            ul { @for (o, status) in &r.outcomes { li {
                                a href={"/ui/sops/" (enc(&o.sop))} { (o.sop) } " — " (o.outcome.as_str())
                                @if let Some(run) = &o.run_id {
                                    " " a href={"/ui/runs/" (enc(run))} { "run " (run) }
                                    @if let Some(st) = status { " (" (st) ")" }
                                }
                                @if let Some(why) = &o.reason { ": " (why) }
                            } } }
                        }
                    } } }
                } }
            }
        }
        section aria-labelledby="fires-h" {
            h2 #fires-h { "Upcoming cron fires" }
            @if fires.is_empty() { p.muted { "No SOP has a cron trigger." } }
            @else {
                div.table-wrap { table {
                    thead { tr { th scope="col" { "When" } th scope="col" { "SOP" } th scope="col" { "Schedule" } th scope="col" { "Zone" } } }
                    tbody { @for f in &fires { tr {
                        td { time datetime=(f.at.to_rfc3339()) data-countdown { (time(&f.at)) span.left {} } }
                        td { a href={"/ui/sops/" (enc(&f.sop))} { (f.sop) } }
                        td { code { (f.expression) } }
                        td { (f.timezone) }
                    } } }
                } }
            }
        }
        section aria-labelledby="events-h" {
            h2 #events-h { "Webhook and event triggers" }
            @if others.is_empty() { p.muted { "No SOP has a webhook or event trigger." } }
            ul { @for (sop, t) in &others { li { a href={"/ui/sops/" (enc(sop))} { (sop) } " — " code { (t) } } } }
            p.muted { "Runs they started are listed under " a href="/ui/runs" { "Runs" } " with their trigger." }
        }
    };
    Ok(Page::new("Events and schedules", body))
}
