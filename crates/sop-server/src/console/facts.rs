//! `/ui/facts`: the facts conditions read — list, set (with an optional time to live) and
//! unset, each change audited by the operations.

use super::layout::{Form, Page, Query, act, form_fields, page as respond, with_param};
use super::page_error::{PageError, PageResult};
use super::session::Viewer;
use super::text::{enc, time};
use crate::params::{Path, Query as QueryParams};
use crate::state::{App, Shared};
use axum::Form as FormBody;
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
    respond(app, headers, q, "/ui/facts".into(), build).await
}

fn build(app: &App, viewer: &Viewer, _: &Query) -> PageResult<Page> {
    viewer.require(Scope::Read)?;
    let facts = app.service.list_facts()?;
    let may = viewer.may(Scope::Run);
    let body = html! {
        @if facts.is_empty() { p.muted { "No facts are set." } }
        @else {
            div.table-wrap { table #facts {
                thead { tr {
                    th scope="col" { "Name" } th scope="col" { "Value" } th scope="col" { "Set by" }
                    th scope="col" { "Set at" } th scope="col" { "Expires" }
                    @if may { th scope="col" { span.muted { "Action" } } }
                } }
                tbody { @for f in &facts { tr {
                    td { code { (f.name) } }
                    td { code { (sop_engine::documents::shown_value(f).to_string()) } }
                    td { (f.set_by) }
                    td { (time(&f.set_at)) }
                    td { @if let Some(e) = f.expires_at { (time(&e)) } @else { span.muted { "never" } } }
                    @if may { td {
                        form method="post" action={"/ui/facts/" (enc(&f.name)) "/unset"} {
                            (form_fields(viewer, "/ui/facts"))
                            button.secondary type="submit" aria-label={"Unset " (f.name)} { "Unset" }
                        }
                    } }
                } } }
            } }
        }
        @if may {
            h2 #set-h { "Set a fact" }
            form.card.inline-form method="post" action="/ui/facts" aria-labelledby="set-h" {
                (form_fields(viewer, "/ui/facts"))
                div { label for="fact-name" { "Name" } input #fact-name type="text" name="name" required; }
                div { label for="fact-value" { "Value (JSON, or text)" } input #fact-value type="text" name="value" required; }
                div { label for="fact-ttl" { "Time to live" } input #fact-ttl type="text" name="ttl" placeholder="2h"; }
                button type="submit" { "Set" }
            }
        }
    };
    Ok(Page::new("Facts", body))
}

pub async fn set(
    State(app): State<Shared>,
    headers: HeaderMap,
    FormBody(form): FormBody<Form>,
) -> Response {
    act(app, headers, form, |app, viewer, form| {
        viewer.require(Scope::Run)?;
        let name = form.get("name").map(|s| s.trim()).unwrap_or("");
        let text = form.get("value").map(|s| s.trim()).unwrap_or("");
        if name.is_empty() || text.is_empty() {
            return Err(PageError::invalid("a fact needs a name and a value"));
        }
        // Like `sop fact set`: JSON when it parses, else the text itself.
        let value = sop_engine::ops::typed_fact_value(text);
        let ttl = form.get("ttl").map(|s| s.trim()).filter(|s| !s.is_empty());
        let fact = app.service.set_fact(&viewer.caller(), name, value, ttl)?;
        Ok(with_param(
            "/ui/facts",
            "done",
            &format!("{} set", fact.name),
        ))
    })
    .await
}

pub async fn unset(
    State(app): State<Shared>,
    headers: HeaderMap,
    Path(name): Path<String>,
    FormBody(form): FormBody<Form>,
) -> Response {
    act(app, headers, form, move |app, viewer: &Viewer, _| {
        viewer.require(Scope::Run)?;
        app.service.unset_fact(&viewer.caller(), &name)?;
        Ok(with_param("/ui/facts", "done", &format!("{name} unset")))
    })
    .await
}
