//! API tokens: create (the plain text is returned once), list, revoke, and authenticate a
//! presented token. Creation and revocation are audited without the token.

use super::{Caller, Service};
use crate::Error;
use crate::api_tokens::{ApiAuth, PREFIX, Principal, Scope};
use crate::approval::token;
use serde_json::json;
use sop_store::{ApiToken, AuditEvent, NewApiToken, StoreExt};
use subtle::ConstantTimeEq;

/// A token's last use is written at most this often, so a busy client costs no write per call.
const TOUCH_EVERY: chrono::TimeDelta = chrono::TimeDelta::seconds(60);

/// What `sop token create` asks for.
pub struct NewTokenRequest {
    pub user: String,
    pub scopes: Vec<Scope>,
    /// `None`: the token does not expire.
    pub expires_in: Option<sop_core::Duration>,
}

/// A created token: its record and, this once, its plain text.
pub struct CreatedToken {
    pub token: ApiToken,
    pub secret: String,
}

impl Service {
    pub fn create_api_token(
        &self,
        caller: &Caller,
        req: &NewTokenRequest,
    ) -> crate::Result<CreatedToken> {
        let user = crate::engine::identity::who(self.settings(), Some(&req.user))?;
        if req.expires_in.is_some_and(|d| d.as_std().is_zero()) {
            return Err(Error::invalid("--expires must be longer than 0s, e.g. 90d"));
        }
        let secret = token::generate_with(PREFIX)?;
        let now = self.clock().now();
        let id = token::generate_with("")?[..12].to_string();
        let new = NewApiToken {
            id,
            hash: token::hash(&secret),
            user,
            scopes: req.scopes.iter().map(|s| s.as_str().to_string()).collect(),
            created_at: now,
            created_by: caller.actor.clone(),
            expires_at: req.expires_in.map(|d| now + d.as_chrono()),
        };
        let stored = self.store().transaction(|tx| {
            let stored = tx.insert_api_token(&new)?;
            tx.audit(&AuditEvent::new(
                now,
                None,
                caller.actor.as_str(),
                "api_token.created",
                json!({
                    "id": stored.id,
                    "user": stored.user,
                    "scopes": stored.scopes,
                    "expires_at": stored.expires_at,
                }),
            ))?;
            Ok(stored)
        })?;
        Ok(CreatedToken {
            token: stored,
            secret,
        })
    }

    pub fn api_tokens(&self) -> crate::Result<Vec<ApiToken>> {
        Ok(self.store().api_tokens()?)
    }

    pub fn revoke_api_token(&self, caller: &Caller, id: &str) -> crate::Result<ApiToken> {
        let now = self.clock().now();
        Ok(self.store().transaction(|tx| {
            let token = tx.revoke_api_token(id, now)?;
            // Console sessions signed in with it end with it.
            tx.forget_console_sessions(now, Some(&token.id))?;
            tx.audit(&AuditEvent::new(
                now,
                None,
                caller.actor.as_str(),
                "api_token.revoked",
                json!({"id": token.id, "user": token.user}),
            ))?;
            Ok(token)
        })?)
    }

    /// Who `presented` acts for: the configured admin token (`actor` names the user, else
    /// [`crate::api_tokens::ADMIN_TOKEN_USER`]), or a live stored token. `None` for anything
    /// else — unknown, malformed, revoked or expired alike, so a caller learns nothing more.
    pub fn authenticate(
        &self,
        auth: &ApiAuth,
        presented: &str,
        actor: Option<&str>,
    ) -> crate::Result<Option<Principal>> {
        if auth.is_admin_token(presented) {
            let actor = actor
                .map(|a| crate::engine::identity::named(a, "X-SOP-Actor"))
                .transpose()?;
            return Ok(Some(ApiAuth::admin(actor.as_deref())));
        }
        if !token::is_well_formed_with(presented, PREFIX) {
            return Ok(None);
        }
        let hash = token::hash(presented);
        let Some(stored) = self.store().api_token_by_hash(&hash)? else {
            return Ok(None);
        };
        let now = self.clock().now();
        let same: bool = hash.as_bytes().ct_eq(stored.hash.as_bytes()).into();
        if !same || !stored.is_live(now) {
            return Ok(None);
        }
        if stored.last_used_at.is_none_or(|t| now - t >= TOUCH_EVERY) {
            // A lost race or a busy store only delays the record of use.
            let _ = self
                .store()
                .transaction(|tx| tx.touch_api_token(&stored.id, now));
        }
        let scopes = stored
            .scopes
            .iter()
            .filter_map(|s| Scope::ALL.into_iter().find(|k| k.as_str() == s))
            .collect();
        Ok(Some(Principal {
            user: stored.user,
            scopes,
            token_id: Some(stored.id),
        }))
    }
}
