//! Who a request acts for: `Authorization: Bearer TOKEN` (an API token, or the configured admin
//! token, which may name the actor with `X-SOP-Actor`), checked against the scope a route
//! needs. With no token configured at all (none in the environment, none live in the store),
//! requests act for the local user with every scope — the server only listens on loopback
//! then, unless `--insecure`.

use crate::error::{ApiError, ApiResult};
use crate::state::App;
use axum::http::HeaderMap;
use sop_engine::api_tokens::{Principal, Scope};
use sop_engine::engine::identity;

/// The credentials a request carried, copied out of its headers.
#[derive(Clone, Default)]
pub struct Credentials {
    bearer: Option<String>,
    /// `Authorization` was present but not a bearer token.
    malformed: bool,
    actor: Option<String>,
}

impl Credentials {
    pub fn from_headers(headers: &HeaderMap) -> Self {
        let actor = headers
            .get("x-sop-actor")
            .and_then(|v| v.to_str().ok())
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty());
        let Some(value) = headers.get(axum::http::header::AUTHORIZATION) else {
            return Credentials {
                actor,
                ..Credentials::default()
            };
        };
        let bearer = value
            .to_str()
            .ok()
            .and_then(|v| {
                let (scheme, rest) = v.trim().split_once(' ')?;
                scheme.eq_ignore_ascii_case("bearer").then(|| rest.trim())
            })
            .filter(|t| !t.is_empty())
            .map(str::to_string);
        Credentials {
            malformed: bearer.is_none(),
            bearer,
            actor,
        }
    }

    pub fn has_token(&self) -> bool {
        self.bearer.is_some() || self.malformed
    }
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
    if creds.malformed {
        return Err(ApiError::unauthorized(
            "the Authorization header must be `Bearer TOKEN`",
        ));
    }
    let service = &app.service;
    match &creds.bearer {
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
            let user = identity::who(service.settings(), creds.actor.as_deref())?;
            Ok(Who {
                principal: Principal {
                    user,
                    scopes: vec![Scope::Admin],
                    token_id: None,
                },
                authenticated: false,
            })
        }
        None => Err(ApiError::unauthorized(
            "this request needs an API token: send `Authorization: Bearer TOKEN` (`sop token create USER` makes one)",
        )),
    }
}

/// No token configured anywhere: every request acts for the local user.
pub fn open_mode(app: &App) -> ApiResult<bool> {
    if app.auth.has_admin_token() {
        return Ok(false);
    }
    let now = app.service.clock().now();
    Ok(!app.service.api_tokens()?.iter().any(|t| t.is_live(now)))
}
