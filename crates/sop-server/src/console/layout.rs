//! The frame of every page (head, navigation, who is signed in, notices) and the two ways a
//! console request is answered: a page (GET) or an action that redirects back (POST).

use super::page_error::{PageError, PageResult};
use super::session::{Viewer, check_post, viewer};
use super::text::enc;
use crate::state::{App, Shared};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use maud::{DOCTYPE, Markup, html};
use std::collections::HashMap;

pub type Query = HashMap<String, String>;
pub type Form = HashMap<String, String>;

/// A page's title and body.
pub struct Page {
    pub title: String,
    pub body: Markup,
    /// Seconds after which the page shows itself again, unless its reader is typing.
    pub refresh: Option<u32>,
}

impl Page {
    pub fn new(title: impl Into<String>, body: Markup) -> Self {
        Page {
            title: title.into(),
            body,
            refresh: None,
        }
    }

    /// A list that changes while it is looked at (new gates, new runs) keeps itself current.
    pub fn refreshing(mut self, seconds: u32) -> Self {
        self.refresh = Some(seconds);
        self
    }
}

const NAV: &[(&str, &str)] = &[
    ("/", "SOPs"),
    ("/ui/runs", "Runs"),
    ("/ui/approvals", "Approvals"),
    ("/ui/schedules", "Events & schedules"),
    ("/ui/facts", "Facts"),
];

/// The whole document around `page`.
pub fn frame(page: &Page, viewer: Option<&Viewer>, q: &Query, here: &str) -> Markup {
    html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                meta name="color-scheme" content="light dark";
                title { (page.title) " · sop" }
                link rel="stylesheet" href="/ui/assets/console.css";
                // No icon file to fetch (a browser asks for /favicon.ico otherwise, a 404).
                link rel="icon" href="data:,";
                script src="/ui/assets/console.js" defer {}
            }
            body data-refresh=[page.refresh] {
                a.skip href="#main" { "Skip to content" }
                header.top {
                    a.brand href="/" { "sop" }
                    @if let Some(v) = viewer {
                        nav aria-label="Main" {
                            ul {
                                @for (href, label) in NAV {
                                    li { a href=(href) aria-current=[(*href == here).then_some("page")] { (label) } }
                                }
                            }
                        }
                        div.who {
                            span { "Signed in as " strong.user { (v.user()) } }
                            @if v.signed_in {
                                form method="post" action="/ui/signout" {
                                    input type="hidden" name="csrf" value=(v.csrf);
                                    button.link type="submit" { "Sign out" }
                                }
                            }
                        }
                    }
                }
                main #main {
                    @if let Some(e) = q.get("error") {
                        p.notice.error role="alert" { (e) }
                    }
                    @if let Some(d) = q.get("done") {
                        p.notice.done role="status" { (d) }
                    }
                    h1 { (page.title) }
                    (page.body)
                }
            }
        }
    }
}

fn html_response(status: StatusCode, markup: Markup, viewer: Option<&Viewer>) -> Response {
    let mut r = (status, markup.into_string()).into_response();
    let h = r.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert(
        "content-security-policy",
        HeaderValue::from_static(
            "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; frame-ancestors 'none'; form-action 'self'",
        ),
    );
    h.insert(
        "x-content-type-options",
        HeaderValue::from_static("nosniff"),
    );
    h.insert("referrer-policy", HeaderValue::from_static("same-origin"));
    if let Some(c) = viewer.and_then(|v| v.set_cookie.as_ref())
        && let Ok(v) = HeaderValue::from_str(c)
    {
        h.append(header::SET_COOKIE, v);
    }
    r
}

/// An error as a page of its own.
pub fn error_page(e: &PageError, viewer: Option<&Viewer>) -> Response {
    let title = e.status.canonical_reason().unwrap_or("Error");
    let page = Page::new(title, html! { p.notice.error role="alert" { (e.message) } });
    html_response(e.status, frame(&page, viewer, &Query::new(), ""), viewer)
}

/// Where a person who is not signed in is sent, coming back to `here` afterwards.
fn to_sign_in(here: &str) -> Response {
    Redirect::to(&format!("/ui/signin?next={}", enc(here))).into_response()
}

/// Answers a GET: who is looking, then `f` builds the page on a blocking thread.
pub async fn page<F>(app: Shared, headers: HeaderMap, q: Query, here: String, f: F) -> Response
where
    F: FnOnce(&App, &Viewer, &Query) -> PageResult<Page> + Send + 'static,
{
    let result = app
        .blocking(move |app| {
            let v = match viewer(app, &headers) {
                Ok(Some(v)) => v,
                Ok(None) => return Ok(to_sign_in(&with_query(&here, &q))),
                Err(e) => return Ok(error_page(&e, None)),
            };
            let built = f(app, &v, &q);
            Ok(match built {
                Ok(page) => {
                    let nav = here.split('?').next().unwrap_or("");
                    html_response(StatusCode::OK, frame(&page, Some(&v), &q, nav), Some(&v))
                }
                Err(e) => error_page(&e, Some(&v)),
            })
        })
        .await;
    result.unwrap_or_else(|e| error_page(&e.into(), None))
}

/// Whether `path` names a page of this server: an absolute path, not `//host` nor `/\host`
/// (which browsers read as another host too) nor holding control characters.
pub fn is_local_path(path: &str) -> bool {
    path.starts_with('/')
        && !path.starts_with("//")
        && !path.contains('\\')
        && !path.chars().any(char::is_control)
}

/// Answers a POST: who acts, the CSRF and origin checks, then `f` acts on a blocking thread
/// and names where to go (303). A refused action goes back to the form's `back` page with the
/// reason shown there.
pub async fn act<F>(app: Shared, headers: HeaderMap, form: Form, f: F) -> Response
where
    F: FnOnce(&App, &Viewer, &Form) -> PageResult<String> + Send + 'static,
{
    let back = form
        .get("back")
        .filter(|b| is_local_path(b))
        .cloned()
        .unwrap_or_else(|| "/".to_string());
    let result = app
        .blocking(move |app| {
            let v = match viewer(app, &headers) {
                Ok(Some(v)) => v,
                // Signed out (in another tab, or the session ended) before this was sent:
                // after signing in, the page says that nothing was done.
                Ok(None) => {
                    let notice = "you were signed out, so this was not done; send it again";
                    return Ok(to_sign_in(&with_param(&back, "error", notice)));
                }
                Err(e) => return Ok(error_page(&e, None)),
            };
            let acted = check_post(&v, &headers, form.get("csrf").map(String::as_str))
                .and_then(|()| f(app, &v, &form));
            Ok(match acted {
                Ok(to) => Redirect::to(&to).into_response(),
                Err(e) => Redirect::to(&with_param(&back, "error", &e.message)).into_response(),
            })
        })
        .await;
    result.unwrap_or_else(|e| error_page(&e.into(), None))
}

/// `here` with the page's query, so that signing in comes back to the same filtered view (its
/// notices left out: they said what happened then).
fn with_query(here: &str, q: &Query) -> String {
    let mut keys: Vec<&String> = q.keys().filter(|k| *k != "error" && *k != "done").collect();
    if keys.is_empty() || here.contains('?') {
        return here.to_string();
    }
    keys.sort();
    let query: Vec<String> = keys
        .iter()
        .map(|k| format!("{}={}", enc(k), enc(&q[*k])))
        .collect();
    format!("{here}?{}", query.join("&"))
}

/// `path` with `key=value` added to its query (an earlier notice replaced).
pub fn with_param(path: &str, key: &str, value: &str) -> String {
    let (base, query) = path.split_once('?').unwrap_or((path, ""));
    let mut parts: Vec<&str> = query
        .split('&')
        .filter(|p| !p.is_empty() && !p.starts_with("error=") && !p.starts_with("done="))
        .collect();
    let added = format!("{key}={}", enc(value));
    parts.push(&added);
    format!("{base}?{}", parts.join("&"))
}

/// A hidden CSRF field and the page to come back to: every form has both.
pub fn form_fields(viewer: &Viewer, back: &str) -> Markup {
    html! {
        input type="hidden" name="csrf" value=(viewer.csrf);
        input type="hidden" name="back" value=(back);
    }
}

/// A status as a coloured word (the word carries the meaning; colour only helps).
pub fn badge(status: &str) -> Markup {
    html! { span class={"badge s-" (status)} { (status.replace('_', " ")) } }
}

/// A JSON value for reading: objects as a definition list, arrays as lists, the rest as text.
pub fn json_view(v: &serde_json::Value) -> Markup {
    use serde_json::Value;
    html! {
        @match v {
            Value::Object(map) => {
                dl.meta { @for (k, v) in map { dt { (k) } dd { (json_view(v)) } } }
            }
            Value::Array(items) if items.iter().all(|i| !i.is_object() && !i.is_array()) => {
                (items.iter().map(super::text::plain).collect::<Vec<_>>().join(", "))
            }
            Value::Array(items) => { ul { @for i in items { li { (json_view(i)) } } } }
            other => { (super::text::plain(other)) }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_notice_replaces_the_previous_one() {
        assert_eq!(with_param("/ui/runs/x", "done", "ok"), "/ui/runs/x?done=ok");
        assert_eq!(
            with_param("/ui/runs?sop=a&error=old", "error", "new one"),
            "/ui/runs?sop=a&error=new%20one"
        );
    }
}
