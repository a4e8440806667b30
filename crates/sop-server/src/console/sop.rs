//! `/ui/sops/NAME`: one SOP — its procedure (SOP.md, sanitised), triggers with their next fire,
//! whether its conditions would hold now and why, its gates, recent runs — and the Run form
//! (variables as JSON, checked before sending) with a dry-run preview.

use super::layout::{Form, Page, Query, act, badge, form_fields, json_view, page as respond};
use super::page_error::{PageError, PageResult};
use super::session::Viewer;
use super::text::{enc, json_time, time, trigger};
use crate::params::{Path, Query as QueryParams};
use crate::routes::trigger::{Outcome, start};
use crate::state::{App, Shared};
use axum::Form as FormBody;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;
use maud::{Markup, PreEscaped, html};
use serde_json::{Map, Value, json};
use sop_core::definition::Trigger;
use sop_engine::api_tokens::Scope;
use sop_engine::documents::PlanDocument;
use sop_engine::ops::StartRequest;
use sop_store::RunFilter;

pub async fn page(
    State(app): State<Shared>,
    headers: HeaderMap,
    Path(name): Path<String>,
    QueryParams(q): QueryParams<Query>,
) -> Response {
    let here = format!("/ui/sops/{}", enc(&name));
    respond(app, headers, q, here, move |app, v, _| {
        build(app, v, &name, "{}")
    })
    .await
}

/// The SOP's page, its Run form holding `typed` (what was sent, when a preview refused it).
fn build(app: &App, viewer: &Viewer, name: &str, typed: &str) -> PageResult<Page> {
    viewer.require(Scope::Read)?;
    let doc = app.service.show_sop(name)?;
    let sop = app.service.sop_document(name)?;
    let markdown = app.service.sop_markdown(name)?;
    let checked = app.service.check_sops(&[name.to_string()])?;
    let schedules = checked
        .document
        .sops
        .first()
        .map(|c| c.schedules.clone())
        .unwrap_or_default();
    let conditions = app
        .service
        .plan_run(&StartRequest::manual(name, Map::new()))
        .map(|p| p.verdict);
    let runs = app.service.list_runs(
        &viewer.caller(),
        &RunFilter {
            sop_name: Some(name.to_string()),
            statuses: Vec::new(),
            limit: 10,
        },
    )?;
    let definition = Value::Object(doc.definition.clone());
    let here = format!("/ui/sops/{}", enc(name));
    let body = html! {
        @if !sop.valid {
            div.notice.error role="alert" #broken {
                @if sop.in_use.is_some() {
                    "The files of this SOP have problems; runs follow its last good version, shown here, until they are fixed."
                } @else {
                    "The files of this SOP have problems; it cannot run until they are fixed."
                }
                @for problem in &sop.problems { pre { (problem) } }
            }
        }
        p { span aria-hidden="true" { (doc.icon) } " " (sop.description) }
        dl.meta.card {
            dt { "Priority" } dd { (sop.priority.map(|p| p.to_string()).unwrap_or_default()) }
            dt { "Mode" } dd { (sop.execution_mode.map(|m| m.to_string()).unwrap_or_default()) }
            @if let Some(v) = &sop.version { dt { "Version" } dd { (v) } }
            dt { "Valid" } dd { @if sop.valid { (badge("yes")) } @else { (badge("invalid")) } }
        }
        @if viewer.may(Scope::Run) {
            section aria-labelledby="run-h" {
                h2 #run-h { "Run" }
                (run_form(viewer, name, &definition, &here, typed, by_hand(&sop.triggers)))
            }
        }
        section aria-labelledby="triggers-h" {
            h2 #triggers-h { "Triggers" }
            ul {
                @for t in &sop.triggers {
                    li {
                        code { (trigger(t)) }
                        @if let sop_core::definition::Trigger::Cron { expression, .. } = t {
                            @if let Some(s) = schedules.iter().find(|s| &s.expression == expression) {
                                " — next fire "
                                @match &s.next { Some(n) => { time datetime=(n) { (json_time(&json!(n))) } " " (s.timezone) }, None => { "never" } }
                            }
                        }
                    }
                }
            }
        }
        section aria-labelledby="conditions-h" {
            h2 #conditions-h { "Would the conditions hold now?" }
            @match &conditions {
                Ok(v) if v.items.is_empty() => { p.muted { "This SOP has no conditions." } }
                Ok(v) => {
                    p { @if v.met { (badge("yes")) " they hold now" } @else { (badge("no")) " they do not hold now" } }
                    ul { @for i in &v.items { li { @if i.holds { (badge("yes")) } @else { (badge("no")) } " " code { (i.source) } " — " (i.detail) } } }
                }
                // Variables it requires (none given here) are not a failure of the page.
                Err(e) if e.kind == sop_engine::ErrorKind::Invalid => {
                    p.muted #conditions-need-variables {
                        "That depends on the variables a run is given, and it cannot start without any: "
                        // The command-line help lines (`--vars ...`) are not for this page.
                        (e.message.lines().filter(|l| !l.trim_start().starts_with("= help:")).collect::<Vec<_>>().join(" "))
                        " Fill them in under Run and choose Dry-run preview to see."
                    }
                }
                Err(e) => { p.notice.error { (e.message) } }
            }
        }
        section aria-labelledby="gates-h" {
            h2 #gates-h { "Gates" }
            dl.meta.card {
                dt { "Mode" } dd { (doc.approvals.mode.to_string()) }
                dt { "Gates" } dd { (doc.approvals.gates_text()) }
                @if let Some(who) = &doc.approvals.approvals { dt { "Who decides" } dd { (who) } }
            }
            @for w in &doc.approvals.warnings { p.notice.error { "Warning: " (w) } }
        }
        section aria-labelledby="runs-h" {
            h2 #runs-h { "Recent runs" }
            @if runs.runs.is_empty() { p.muted { "No runs yet." } }
            ul { @for r in &runs.runs { li { a href={"/ui/runs/" (r.id)} { code { (r.id) } } " " (badge(&r.status.to_string())) " " (time(&r.created_at)) " by " (r.started_by) } } }
            p { a href={"/ui/runs?sop=" (enc(name))} { "All runs of " (name) } }
        }
        section aria-labelledby="procedure-h" {
            h2 #procedure-h { "Procedure (SOP.md)" }
            div.markdown.card { (PreEscaped(super::markdown::render(&markdown))) }
        }
    };
    Ok(Page::new(format!("SOP {name}"), body))
}

/// The Run form: variables as a JSON object (the declared parameters as a hint), Run, and a
/// dry-run preview.
/// Whether a person may start the SOP as it is: it has a manual or a webhook trigger. Others
/// start from their schedule or events; an admin may still start one by hand, forced.
fn by_hand(triggers: &[Trigger]) -> bool {
    triggers
        .iter()
        .any(|t| matches!(t, Trigger::Manual | Trigger::Webhook { .. }))
}

fn run_form(
    viewer: &Viewer,
    name: &str,
    definition: &Value,
    back: &str,
    current: &str,
    by_hand: bool,
) -> Markup {
    if !by_hand && !viewer.may(Scope::Admin) {
        return html! {
            p.muted #run-by-triggers { "This SOP starts from its triggers only (it has no manual trigger); someone with the admin scope may start it by hand." }
        };
    }
    // `parameters` is the list of declared variables (`[variables.NAME]` in SOP.toml).
    let declared: Vec<(String, bool, String)> = definition
        .get("parameters")
        .and_then(Value::as_array)
        .map(|list| {
            list.iter()
                .filter_map(|p| {
                    let name = p.get("name")?.as_str()?.to_string();
                    let required = p.get("required").and_then(Value::as_bool).unwrap_or(false);
                    let about = p.get("description").and_then(Value::as_str).unwrap_or("");
                    Some((name, required, about.to_string()))
                })
                .collect()
        })
        .unwrap_or_default();
    html! {
        form.card method="post" action={"/ui/sops/" (enc(name)) "/run"} data-json="vars-error" {
            (form_fields(viewer, back))
            label for="variables" { "Variables (a JSON object)" }
            textarea #variables name="variables" spellcheck="false" aria-describedby="vars-help vars-error" { (current) }
            p #vars-help .help {
                @if declared.is_empty() { "It declares no variables; any JSON object, for example " code { "{\"service\": \"api\"}" } ", becomes the run's variables." }
                @else {
                    "Declared: "
                    @for (i, (name, required, about)) in declared.iter().enumerate() {
                        @if i > 0 { "; " }
                        code { (name) } @if *required { " (required)" } @if !about.is_empty() { " — " (about) }
                    }
                    "."
                }
            }
            p #vars-error .field-error aria-live="polite" {}
            @if !by_hand {
                input type="hidden" name="force" value="true";
                p.help { "It has no manual trigger: a run started here is recorded as forced by you." }
            }
            div.actions {
                button type="submit" { "Run " (name) }
                button.secondary type="submit" formaction={"/ui/sops/" (enc(name)) "/preview"} { "Dry-run preview" }
            }
        }
    }
}

/// The variables a form sent, as a JSON object.
fn variables(form: &Form) -> PageResult<Map<String, Value>> {
    let text = form.get("variables").map(|s| s.trim()).unwrap_or("");
    if text.is_empty() {
        return Ok(Map::new());
    }
    match serde_json::from_str::<Value>(text) {
        Ok(Value::Object(m)) => Ok(m),
        Ok(_) => Err(PageError::invalid(
            "the variables must be a JSON object, like {\"service\": \"api\"}",
        )),
        Err(e) => Err(PageError::invalid(format!(
            "the variables are not valid JSON: {e}"
        ))),
    }
}

pub async fn run(
    State(app): State<Shared>,
    headers: HeaderMap,
    Path(name): Path<String>,
    FormBody(form): FormBody<Form>,
) -> Response {
    act(app, headers, form, move |app, viewer, form| {
        viewer.require(Scope::Run)?;
        let vars = variables(form)?;
        let catalog = app.service.require_sop(&name)?;
        let mut req = StartRequest::manual(&name, vars);
        req.catalog = Some(catalog);
        req.force = viewer.may(Scope::Admin) && form.get("force").is_some_and(|v| v == "true");
        req.trigger_detail = json!({"via": "console"});
        let outcome = start(app, viewer.user(), req, true)?;
        let (run, note) = match outcome {
            Outcome::Started(run) | Outcome::Duplicate(run) => (run, "started".to_string()),
            Outcome::Skipped(run, why) => {
                (run, format!("skipped: its conditions do not hold ({why})"))
            }
        };
        let id = run["id"].as_str().unwrap_or_default();
        Ok(super::layout::with_param(
            &format!("/ui/runs/{id}"),
            "done",
            &format!("Run {note}"),
        ))
    })
    .await
}

pub async fn preview(
    State(app): State<Shared>,
    headers: HeaderMap,
    Path(name): Path<String>,
    FormBody(form): FormBody<Form>,
) -> Response {
    // A preview writes nothing, but it is a POST all the same: the same checks apply.
    let here = format!("/ui/sops/{}", enc(&name));
    let csrf = form.get("csrf").cloned();
    let checks = headers.clone();
    respond(app, headers, Query::new(), here.clone(), move |app, viewer, _| {
        super::session::check_post(viewer, &checks, csrf.as_deref())?;
        viewer.require(Scope::Read)?;
        let text = form.get("variables").cloned().unwrap_or_default();
        // Variables the SOP cannot take come back in its own page's form, with the reason:
        // not a page of their own, where what was typed would be lost.
        match preview_page(app, viewer, &name, &here, &form, &text) {
            Err(e) if e.status.is_client_error() && e.status != axum::http::StatusCode::FORBIDDEN => {
                let mut page = build(app, viewer, &name, &text)?;
                page.body = html! { p.notice.error role="alert" #preview-refused { (e.message) } (page.body) };
                Ok(page)
            }
            other => other,
        }
    })
    .await
}

/// The dry run of `name` with the variables `text` holds.
fn preview_page(
    app: &App,
    viewer: &Viewer,
    name: &str,
    here: &str,
    form: &Form,
    text: &str,
) -> PageResult<Page> {
    let vars = variables(form)?;
    let plan = app.service.plan_run(&StartRequest::manual(name, vars))?;
    let doc = PlanDocument::new(&plan);
    let definition = Value::Object(app.service.show_sop(name)?.definition);
    let hand = by_hand(&app.service.sop_document(name)?.triggers);
    let body = html! {
        p { a href=(here) { "← " (name) } }
        p.card {
            @if doc.would_start { (badge("yes")) " A run would start now" }
            @else { (badge("no")) " A run would not start now" }
            @if !doc.needs_force.is_empty() { " — needs forcing: " (doc.needs_force.join(", ")) }
        }
        @if !doc.missing_variables.is_empty() {
            h2 { "Missing variables" }
            ul { @for m in &doc.missing_variables { li { code { (m) } } } }
        }
        h2 { "Conditions" }
        ul { @for i in &doc.conditions.items { li { @if i.holds { (badge("yes")) } @else { (badge("no")) } " " code { (i.source) } " — " (i.detail) } } }
        h2 { "Mode and gates" }
        p { "Mode: " (serde_json::to_value(doc.mode).map(|v| super::text::plain(&v)).unwrap_or_default()) }
        (json_view(&serde_json::to_value(&doc.gates).unwrap_or(Value::Null)))
        h2 { "Steps" }
        ol { @for s in &doc.steps { li {
            strong { (s.title) } " "
            span.muted { (serde_json::to_value(s.kind).map(|v| super::text::plain(&v)).unwrap_or_default()) }
            @for c in &s.commands { pre { code { (c.command) } } }
        } } }
        @if viewer.may(Scope::Run) {
            h2 { "Run it" }
            (run_form(viewer, name, &definition, here, text, hand))
        }
    };
    Ok(Page::new(format!("Dry run of {name}"), body))
}
