//! `/ui/approvals`: the gates waiting for the signed-in person, deadlines counting down, each
//! with its Approve and Reject buttons (for a person with the `approve` scope).

use super::layout::{Page, Query, badge, form_fields, page as respond};
use super::page_error::PageResult;
use super::session::Viewer;
use super::text::{enc, time};
use crate::params::Query as QueryParams;
use crate::state::{App, Shared};
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;
use maud::html;
use sop_engine::api_tokens::Scope;

pub async fn page(
    State(app): State<Shared>,
    headers: HeaderMap,
    QueryParams(q): QueryParams<Query>,
) -> Response {
    respond(app, headers, q, "/ui/approvals".into(), build).await
}

fn build(app: &App, viewer: &Viewer, _: &Query) -> PageResult<Page> {
    if !viewer.may(Scope::Read) {
        viewer.require(Scope::Approve)?;
    }
    let gates = app
        .service
        .pending_gates(&viewer.caller(), Some(viewer.user()))?;
    let body = html! {
        @if gates.is_empty() { p.muted { "Nothing waits for " (viewer.user()) "." } }
        @for g in &gates {
            section.card aria-label={"Gate of run " (g.run_id)} {
                h2 { a href={"/ui/runs/" (g.run_id)} { (g.sop) " — step " (g.step) ": " (g.gate) } }
                dl.meta {
                    dt { "Priority" } dd { (g.priority.to_string()) }
                    dt { "Started by" } dd { (g.started_by) }
                    dt { "Waiting for" } dd { (g.waiting_for) }
                    dt { "Approvals" } dd { (g.approvals.len()) " of " (g.min_approvals) @if !g.approvals.is_empty() { " (" (g.approvals.join(", ")) ")" } }
                    dt { "Deadline" } dd { time datetime=(g.expires_at.to_rfc3339()) data-countdown { (time(&g.expires_at)) span.left {} } }
                }
                @if g.may_decide == Some(false) {
                    p { (badge("waiting")) " You may not decide this gate." }
                } @else if viewer.may(Scope::Approve) {
                    @let here = format!("/ui/runs/{}", enc(&g.run_id));
                    form method="post" action={(here) "/approve"} {
                        (form_fields(viewer, "/ui/approvals"))
                        input type="hidden" name="step" value=(g.step);
                        label for={"comment-" (g.gate_id)} { "Comment" }
                        input id={"comment-" (g.gate_id)} type="text" name="comment";
                        div.actions {
                            button type="submit" name="choice" value="approve" { "Approve" }
                            button.danger type="submit" name="choice" value="reject" { "Reject" }
                        }
                    }
                }
            }
        }
    };
    Ok(Page::new("Approvals", body).refreshing(10))
}
