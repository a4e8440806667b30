//! Signing in with an API token (from `sop token create`), exchanged for an HttpOnly,
//! SameSite=Lax session cookie; signing out ends the session in the store.

use super::layout::{Form, Page, Query, error_page, frame};
use super::page_error::PageError;
use super::session::{SESSION_COOKIE, check_post, cookie, set_cookie_value, viewer};
use crate::params::Query as QueryParams;
use crate::state::{App, Shared};
use axum::Form as FormBody;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use maud::{Markup, html};

/// Only a path of this site is a place to come back to.
fn local(next: Option<&String>) -> String {
    next.filter(|n| super::layout::is_local_path(n))
        .cloned()
        .unwrap_or_else(|| "/".to_string())
}

fn form_markup(next: &str, problem: Option<&str>) -> Markup {
    html! {
        @if let Some(p) = problem {
            p.notice.error role="alert" { (p) }
        }
        form.card.signin method="post" action="/ui/signin" {
            input type="hidden" name="next" value=(next);
            label for="token" { "API token" }
            input #token type="password" name="token" autocomplete="current-password" required
                autofocus aria-describedby="token-help";
            p #token-help .help {
                "A token from " code { "sop token create USER --scopes read,run,approve" }
                ". It is exchanged for a session cookie and not kept by the browser."
            }
            button type="submit" { "Sign in" }
        }
    }
}

fn respond(status: StatusCode, next: &str, problem: Option<&str>) -> Response {
    let page = Page::new("Sign in", form_markup(next, problem));
    let mut r = (status, frame(&page, None, &Query::new(), "").into_string()).into_response();
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    r
}

pub async fn form(
    State(app): State<Shared>,
    headers: HeaderMap,
    QueryParams(q): QueryParams<Query>,
) -> Response {
    let next = local(q.get("next"));
    let open = app
        .blocking(move |app| Ok(viewer(app, &headers).ok().flatten().is_some()))
        .await
        .unwrap_or(false);
    if open {
        return Redirect::to(&next).into_response();
    }
    respond(StatusCode::OK, &next, None)
}

pub async fn submit(
    State(app): State<Shared>,
    headers: HeaderMap,
    FormBody(form): FormBody<Form>,
) -> Response {
    let next = local(form.get("next"));
    let token = form.get("token").cloned().unwrap_or_default();
    if let Some(origin) = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok())
        && let Some(host) = headers.get(header::HOST).and_then(|v| v.to_str().ok())
        && origin != "null"
        && origin.split_once("://").map_or(origin, |(_, h)| h) != host
    {
        return respond(
            StatusCode::FORBIDDEN,
            &next,
            Some("sign in from the console itself"),
        );
    }
    let result = app
        .blocking(move |app: &App| {
            let signed = app.service.console_sign_in(&app.auth, &token)?;
            Ok(signed.map(|s| {
                let age = (s.expires_at - app.service.clock().now())
                    .num_seconds()
                    .max(1);
                set_cookie_value(app, SESSION_COOKIE, &s.cookie, Some(age))
            }))
        })
        .await;
    match result {
        Ok(Some(set)) => {
            let mut r = Redirect::to(&next).into_response();
            if let Ok(v) = HeaderValue::from_str(&set) {
                r.headers_mut().insert(header::SET_COOKIE, v);
            }
            r
        }
        Ok(None) => respond(
            StatusCode::UNAUTHORIZED,
            &next,
            Some("That token is unknown, revoked or expired."),
        ),
        Err(e) => error_page(&PageError::from(e), None),
    }
}

pub async fn sign_out(
    State(app): State<Shared>,
    headers: HeaderMap,
    FormBody(form): FormBody<Form>,
) -> Response {
    let result = app
        .blocking(move |app| {
            if let Ok(Some(v)) = viewer(app, &headers) {
                check_post(&v, &headers, form.get("csrf").map(String::as_str))
                    .map_err(|e| crate::error::ApiError::forbidden(e.message))?;
            }
            if let Some(c) = cookie(&headers, SESSION_COOKIE) {
                app.service.console_sign_out(&c)?;
            }
            Ok(set_cookie_value(app, SESSION_COOKIE, "", Some(0)))
        })
        .await;
    match result {
        Ok(clear) => {
            let mut r = Redirect::to("/ui/signin").into_response();
            if let Ok(v) = HeaderValue::from_str(&clear) {
                r.headers_mut().insert(header::SET_COOKIE, v);
            }
            r
        }
        Err(e) => error_page(&PageError::from(e), None),
    }
}
