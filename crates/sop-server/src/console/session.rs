//! Who looks at a page: the session cookie's person (with the scopes of the token signed in
//! with), or — when no token is configured anywhere — the local user, as for the API. Forms
//! carry the session's CSRF token (with no session: a SameSite=Lax cookie's value, sent
//! back in the form), and a POST from another origin is refused.

use super::page_error::{PageError, PageResult};
use crate::state::App;
use axum::http::{HeaderMap, header};
use sop_engine::Caller;
use sop_engine::api_tokens::{Principal, Scope};
use subtle::ConstantTimeEq;

pub const SESSION_COOKIE: &str = "sop_session";
pub const CSRF_COOKIE: &str = "sop_csrf";

/// The person a page is for.
#[derive(Debug, Clone)]
pub struct Viewer {
    pub principal: Principal,
    /// What every form of this person's pages carries.
    pub csrf: String,
    /// Signed in (false: the open mode, acting for the local user).
    pub signed_in: bool,
    /// A `Set-Cookie` value to send: the open mode's new CSRF cookie.
    pub set_cookie: Option<String>,
}

impl Viewer {
    pub fn user(&self) -> &str {
        &self.principal.user
    }

    pub fn may(&self, scope: Scope) -> bool {
        self.principal.allows(scope)
    }

    /// The caller of an operation: runs handed on are left pending for the pool.
    pub fn caller(&self) -> Caller<'static> {
        Caller::quiet(self.user().to_string()).handing_off()
    }

    /// Refuses what `scope` does not allow, saying which scope is missing.
    pub fn require(&self, scope: Scope) -> PageResult<()> {
        if self.may(scope) {
            return Ok(());
        }
        Err(PageError::forbidden(format!(
            "{} may not do this: it needs a token with the `{}` scope",
            self.user(),
            scope.as_str()
        )))
    }
}

/// The value of the cookie `name`.
pub fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.trim().to_string())
        .filter(|v| !v.is_empty())
}

/// Who `headers` belong to; `None` means: sign in first. Blocking: it reads the store.
pub fn viewer(app: &App, headers: &HeaderMap) -> PageResult<Option<Viewer>> {
    if let Some(c) = cookie(headers, SESSION_COOKIE)
        && let Some(s) = app.service.console_session(&c)?
    {
        return Ok(Some(Viewer {
            principal: s.principal,
            csrf: s.csrf,
            signed_in: true,
            set_cookie: None,
        }));
    }
    if !crate::auth::open_mode(app)? {
        return Ok(None);
    }
    let user = sop_engine::engine::identity::who(app.service.settings(), None)?;
    let (csrf, set_cookie) = match cookie(headers, CSRF_COOKIE) {
        Some(c) if c.len() >= 16 => (c, None),
        _ => {
            let c = sop_engine::approval::token::generate_with("")?;
            let set = set_cookie_value(app, CSRF_COOKIE, &c, None);
            (c, Some(set))
        }
    };
    Ok(Some(Viewer {
        principal: Principal {
            user,
            scopes: vec![Scope::Admin],
            token_id: None,
        },
        csrf,
        signed_in: false,
        set_cookie,
    }))
}

/// A POST's checks before it acts: same origin, and the form's CSRF token is the viewer's.
pub fn check_post(viewer: &Viewer, headers: &HeaderMap, form_csrf: Option<&str>) -> PageResult<()> {
    if let (Some(origin), Some(host)) = (
        headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()),
        headers.get(header::HOST).and_then(|v| v.to_str().ok()),
    ) {
        let origin_host = origin.split_once("://").map_or(origin, |(_, h)| h);
        if origin != "null" && origin_host != host {
            return Err(PageError::forbidden(
                "this form was sent from another site; open the console and send it from there",
            ));
        }
    }
    let same: bool = form_csrf.is_some_and(|f| f.as_bytes().ct_eq(viewer.csrf.as_bytes()).into());
    if !same {
        return Err(PageError::forbidden(
            "the form is stale or was not sent by this console; reload the page and send it again",
        ));
    }
    Ok(())
}

/// Cookies are `Secure` when the console is reached over HTTPS (`SOP_PUBLIC_URL`).
fn secure(app: &App) -> bool {
    app.service
        .settings()
        .var("SOP_PUBLIC_URL")
        .is_some_and(|u| u.trim().to_ascii_lowercase().starts_with("https://"))
}

/// `Set-Cookie` for `name=value`: HttpOnly, SameSite=Lax, the whole site, `Secure` over
/// HTTPS; `max_age` seconds, or a browser-session cookie. Lax, not Strict: a link to a run
/// followed from chat or mail must open it signed in; forms are guarded by their CSRF field
/// and the origin check, and Lax keeps the cookie off other sites' POSTs anyway.
pub fn set_cookie_value(app: &App, name: &str, value: &str, max_age: Option<i64>) -> String {
    let mut c = format!("{name}={value}; Path=/; HttpOnly; SameSite=Lax");
    if let Some(age) = max_age {
        c.push_str(&format!("; Max-Age={age}"));
    }
    if secure(app) {
        c.push_str("; Secure");
    }
    c
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    #[test]
    fn cookies_are_found_by_name_among_several() {
        let mut h = HeaderMap::new();
        h.insert(
            header::COOKIE,
            HeaderValue::from_static("a=1; sop_session=sopses_x ; b=2"),
        );
        assert_eq!(cookie(&h, SESSION_COOKIE).as_deref(), Some("sopses_x"));
        assert_eq!(cookie(&h, "c"), None);
    }

    #[test]
    fn a_post_needs_the_viewers_csrf_token_and_the_same_origin() {
        let viewer = Viewer {
            principal: Principal {
                user: "ada".into(),
                scopes: vec![Scope::Read],
                token_id: None,
            },
            csrf: "0123456789abcdef".into(),
            signed_in: true,
            set_cookie: None,
        };
        let mut h = HeaderMap::new();
        h.insert(header::HOST, HeaderValue::from_static("127.0.0.1:8080"));
        assert!(check_post(&viewer, &h, Some("0123456789abcdef")).is_ok());
        assert!(check_post(&viewer, &h, Some("0123456789abcdeX")).is_err());
        assert!(check_post(&viewer, &h, None).is_err());
        h.insert(
            header::ORIGIN,
            HeaderValue::from_static("https://evil.example"),
        );
        assert!(check_post(&viewer, &h, Some("0123456789abcdef")).is_err());
        h.insert(
            header::ORIGIN,
            HeaderValue::from_static("http://127.0.0.1:8080"),
        );
        assert!(check_post(&viewer, &h, Some("0123456789abcdef")).is_ok());
        assert!(viewer.require(Scope::Run).is_err());
    }
}
