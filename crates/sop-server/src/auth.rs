//! Who a request acts for: `Authorization: Bearer TOKEN` (an API token, or the configured admin
//! token, which may name the actor with `X-SOP-Actor`), or `Basic` with the token as the
//! password for senders that know no other scheme, checked against the scope a route needs.
//! With no token configured at all (none in the environment, none live in the store), requests
//! act for the local user with every scope — the server only listens on loopback then, unless
//! `--insecure`.

use crate::error::{ApiError, ApiResult};
use crate::state::App;
use axum::http::HeaderMap;
use sop_engine::api_tokens::{Principal, Scope};
use sop_engine::engine::identity;

/// The credentials a request carried, copied out of its headers.
#[derive(Clone, Default)]
pub struct Credentials {
    /// The token of `Authorization`, from either scheme.
    token: Option<String>,
    /// `Authorization` was present but carried no token.
    malformed: bool,
    actor: Option<String>,
    /// `X-SOP-Actor` was present but not UTF-8.
    actor_unreadable: bool,
}

impl Credentials {
    /// Whether the request names its actor (`X-SOP-Actor`).
    pub fn names_actor(&self) -> bool {
        self.actor.is_some()
    }

    pub fn from_headers(headers: &HeaderMap) -> Self {
        // A name is UTF-8 (`José`); a header that is not is refused, never read as no name.
        let (actor, actor_unreadable) = match headers.get("x-sop-actor") {
            None => (None, false),
            Some(v) => match std::str::from_utf8(v.as_bytes()) {
                Ok(s) => (Some(s.trim().to_string()).filter(|s| !s.is_empty()), false),
                Err(_) => (None, true),
            },
        };
        let Some(value) = headers.get(axum::http::header::AUTHORIZATION) else {
            return Credentials {
                actor,
                actor_unreadable,
                ..Credentials::default()
            };
        };
        let token = value.to_str().ok().and_then(token_of);
        Credentials {
            malformed: token.is_none(),
            token,
            actor,
            actor_unreadable,
        }
    }

    pub fn has_token(&self) -> bool {
        self.token.is_some() || self.malformed
    }
}

/// The token an `Authorization` value carries: `Bearer TOKEN`, or `Basic` credentials whose
/// password is the token (many webhook senders, Alertmanager's `basic_auth` and Grafana's
/// among them, offer only that); the user name is not read, since the token names its user.
fn token_of(value: &str) -> Option<String> {
    use base64::Engine as _;
    let (scheme, rest) = value.trim().split_once(' ')?;
    let rest = rest.trim();
    let token = if scheme.eq_ignore_ascii_case("bearer") {
        rest.to_string()
    } else if scheme.eq_ignore_ascii_case("basic") {
        let decoded = base64::engine::general_purpose::STANDARD
            .decode(rest)
            .ok()?;
        let credentials = String::from_utf8(decoded).ok()?;
        credentials.split_once(':')?.1.to_string()
    } else {
        return None;
    };
    (!token.is_empty()).then_some(token)
}

/// The actor of a request and whether that identity was proven by a token.
#[derive(Debug, Clone)]
pub struct Who {
    pub principal: Principal,
    /// Proven by a token (the admin token counts); false in the open mode.
    pub authenticated: bool,
}

impl Who {
    pub fn user(&self) -> &str {
        &self.principal.user
    }
}

/// Checks `creds` for `scope` (blocking: it reads the store).
pub fn authorize(app: &App, creds: &Credentials, scope: Scope) -> ApiResult<Who> {
    let who = identify(app, creds)?;
    if !who.principal.allows(scope) {
        return Err(ApiError::forbidden(format!(
            "the token of {} does not have the `{}` scope",
            who.user(),
            scope.as_str()
        )));
    }
    Ok(who)
}

/// Who `creds` are, whatever they may do.
pub fn identify(app: &App, creds: &Credentials) -> ApiResult<Who> {
    if creds.actor_unreadable {
        return Err(ApiError::bad_request(
            "X-SOP-Actor is not UTF-8 text: send the user's name as UTF-8 (e.g. `José`)",
        ));
    }
    if creds.malformed {
        return Err(ApiError::unauthorized(
            "the Authorization header must be `Bearer TOKEN`, or `Basic` with the token as the password",
        ));
    }
    let service = &app.service;
    match &creds.token {
        Some(token) => {
            let admin = app.auth.is_admin_token(token);
            if creds.actor.is_some() && !admin {
                return Err(ApiError::forbidden(
                    "only the admin token (SOP_API_TOKEN) may name the actor with X-SOP-Actor",
                ));
            }
            match service.authenticate(&app.auth, token, creds.actor.as_deref())? {
                Some(principal) => Ok(Who {
                    principal,
                    authenticated: true,
                }),
                None => Err(ApiError::unauthorized(
                    "the API token is unknown, revoked or expired",
                )),
            }
        }
        None if open_mode(app)? => {
            let user = match creds.actor.as_deref() {
                Some(name) => identity::named(name, "X-SOP-Actor")?,
                None => identity::who(service.settings(), None)?,
            };
            Ok(Who {
                principal: Principal {
                    user,
                    scopes: vec![Scope::Admin],
                    token_id: None,
                },
                authenticated: false,
            })
        }
        None => Err(no_token()),
    }
}

/// Refuses an API request that carries no credentials, before its body or query is read, when
/// tokens are configured: whoever has none learns nothing of what a route would take (its parse
/// and schema errors), and gets the `401` the document promises. Public routes (the OpenAPI
/// document) and the approval route, which a gate token in the body may authorise, pass.
pub async fn demand_credentials(
    axum::extract::State(app): axum::extract::State<crate::state::Shared>,
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    use axum::response::IntoResponse;
    let guarded = req
        .extensions()
        .get::<axum::extract::MatchedPath>()
        .is_some_and(|p| {
            let p = p.as_str();
            p.starts_with("/api/") && p != "/api/openapi.json" && p != "/api/sop/run/{id}/approve"
        });
    let carries = req
        .headers()
        .contains_key(axum::http::header::AUTHORIZATION);
    if !guarded || carries {
        return next.run(req).await;
    }
    // Only an anonymous request pays for the look at the token table.
    match app.blocking(open_mode).await {
        Ok(true) => next.run(req).await,
        Ok(false) => no_token().into_response(),
        Err(e) => e.into_response(),
    }
}

fn no_token() -> ApiError {
    ApiError::unauthorized(
        "this request needs an API token: send `Authorization: Bearer TOKEN` (`sop token create USER` makes one)",
    )
}

/// No token configured anywhere: every request acts for the local user.
pub fn open_mode(app: &App) -> ApiResult<bool> {
    if app.auth.has_admin_token() {
        return Ok(false);
    }
    let now = app.service.clock().now();
    Ok(!app.service.api_tokens()?.iter().any(|t| t.is_live(now)))
}

#[cfg(test)]
mod tests {
    use super::token_of;

    #[test]
    fn a_token_comes_as_bearer_or_as_the_basic_password() {
        assert_eq!(token_of("Bearer sopapi_x").as_deref(), Some("sopapi_x"));
        assert_eq!(token_of("bearer  sopapi_x ").as_deref(), Some("sopapi_x"));
        // base64("alertmanager:sopapi_x"): the user name is not read.
        assert_eq!(
            token_of("Basic YWxlcnRtYW5hZ2VyOnNvcGFwaV94").as_deref(),
            Some("sopapi_x")
        );
        // base64(":sopapi_x"), no user name.
        assert_eq!(token_of("Basic OnNvcGFwaV94").as_deref(), Some("sopapi_x"));
        for refused in [
            "sopapi_x",
            "Token sopapi_x",
            "Bearer ",
            "Basic not-base64!",
            "Basic YWxlcnRtYW5hZ2Vy",     // "alertmanager": no password
            "Basic YWxlcnRtYW5hZ2VyOg==", // "alertmanager:": an empty one
        ] {
            assert_eq!(token_of(refused), None, "{refused}");
        }
    }
}
