//! Sessions of the web console: an API token (or the admin token) exchanged for a random
//! cookie, of which the store keeps only the hash. A session acts with the token's user and
//! scopes and ends with sign-out, its expiry, or the token's revocation or expiry.

use super::Service;
use crate::api_tokens::{ApiAuth, Principal, Scope};
use crate::approval::token;
use serde_json::json;
use sop_store::{AuditEvent, ConsoleSession, StoreExt};
use subtle::ConstantTimeEq;

/// Every session cookie starts with this.
pub const SESSION_PREFIX: &str = "sopses_";

/// How long a session lasts at most (less when its token expires sooner).
pub const SESSION_LIFETIME: chrono::TimeDelta = chrono::TimeDelta::hours(12);

/// A session just made: the cookie's value (shown this once), its CSRF token and who it is.
pub struct SignedIn {
    pub cookie: String,
    pub csrf: String,
    pub principal: Principal,
    pub expires_at: chrono::DateTime<chrono::Utc>,
}

/// A live session: who it acts for and the CSRF token its forms must carry.
#[derive(Debug, Clone)]
pub struct Session {
    pub principal: Principal,
    pub csrf: String,
}

impl Service {
    /// Signs in with `presented` (an API token or the admin token). `None` when the token is
    /// not usable, whatever the reason, so a caller learns nothing more. Audited.
    pub fn console_sign_in(
        &self,
        auth: &ApiAuth,
        presented: &str,
    ) -> crate::Result<Option<SignedIn>> {
        let Some(principal) = self.authenticate(auth, presented.trim(), None)? else {
            return Ok(None);
        };
        let now = self.clock().now();
        let token_expiry = match &principal.token_id {
            Some(id) => self
                .api_tokens()?
                .into_iter()
                .find(|t| &t.id == id)
                .and_then(|t| t.expires_at),
            None => None,
        };
        let expires_at =
            token_expiry.map_or(now + SESSION_LIFETIME, |e| e.min(now + SESSION_LIFETIME));
        let cookie = token::generate_with(SESSION_PREFIX)?;
        let csrf = token::generate_with("")?;
        let session = ConsoleSession {
            hash: token::hash(&cookie),
            user: principal.user.clone(),
            scopes: principal
                .scopes
                .iter()
                .map(|s| s.as_str().to_string())
                .collect(),
            token_id: principal.token_id.clone(),
            csrf: csrf.clone(),
            created_at: now,
            expires_at,
        };
        self.store().transaction(|tx| {
            tx.forget_console_sessions(now, None)?;
            tx.insert_console_session(&session)?;
            tx.audit(&AuditEvent::new(
                now,
                None,
                principal.user.as_str(),
                "console.signed_in",
                json!({"token_id": principal.token_id, "expires_at": expires_at}),
            ))?;
            Ok(())
        })?;
        Ok(Some(SignedIn {
            cookie,
            csrf,
            principal,
            expires_at,
        }))
    }

    /// The live session `cookie` names: `None` when it is unknown, expired, or its token was
    /// revoked or has expired since.
    pub fn console_session(&self, cookie: &str) -> crate::Result<Option<Session>> {
        if !token::is_well_formed_with(cookie, SESSION_PREFIX) {
            return Ok(None);
        }
        let hash = token::hash(cookie);
        let Some(stored) = self.store().console_session(&hash)? else {
            return Ok(None);
        };
        let now = self.clock().now();
        let same: bool = hash.as_bytes().ct_eq(stored.hash.as_bytes()).into();
        if !same || !stored.is_live(now) {
            return Ok(None);
        }
        if let Some(id) = &stored.token_id {
            let live = self
                .api_tokens()?
                .iter()
                .any(|t| &t.id == id && t.is_live(now));
            if !live {
                return Ok(None);
            }
        }
        let scopes = stored
            .scopes
            .iter()
            .filter_map(|s| Scope::ALL.into_iter().find(|k| k.as_str() == s))
            .collect();
        Ok(Some(Session {
            principal: Principal {
                user: stored.user,
                scopes,
                token_id: stored.token_id,
            },
            csrf: stored.csrf,
        }))
    }

    /// Ends the session `cookie` names, if any. Audited when there was one.
    pub fn console_sign_out(&self, cookie: &str) -> crate::Result<()> {
        if !token::is_well_formed_with(cookie, SESSION_PREFIX) {
            return Ok(());
        }
        let hash = token::hash(cookie);
        let Some(stored) = self.store().console_session(&hash)? else {
            return Ok(());
        };
        let now = self.clock().now();
        self.store().transaction(|tx| {
            if tx.delete_console_session(&hash)? {
                tx.audit(&AuditEvent::new(
                    now,
                    None,
                    stored.user.as_str(),
                    "console.signed_out",
                    json!({"token_id": stored.token_id}),
                ))?;
            }
            Ok(())
        })?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Clock;
    use crate::ops::{Caller, NewTokenRequest};

    fn service(dir: &std::path::Path) -> Service {
        Service::in_dir(dir, Clock::system(), &[])
    }

    #[test]
    fn a_session_acts_for_the_token_and_ends_with_sign_out_or_revocation() {
        let dir = tempfile::tempdir().unwrap();
        let service = service(dir.path());
        let auth = ApiAuth::with_admin_token(None);
        let caller = Caller::quiet("admin");
        let made = service
            .create_api_token(
                &caller,
                &NewTokenRequest {
                    user: "alice".into(),
                    scopes: vec![Scope::Read, Scope::Approve],
                    expires_in: None,
                },
            )
            .unwrap();
        assert!(
            service
                .console_sign_in(&auth, "sopapi_nope")
                .unwrap()
                .is_none()
        );
        let signed = service
            .console_sign_in(&auth, &format!(" {} ", made.secret))
            .unwrap()
            .unwrap();
        assert!(signed.cookie.starts_with(SESSION_PREFIX));
        let session = service.console_session(&signed.cookie).unwrap().unwrap();
        assert_eq!(session.principal.user, "alice");
        assert!(session.principal.allows(Scope::Approve));
        assert!(!session.principal.allows(Scope::Run));
        assert_eq!(session.csrf, signed.csrf);
        assert!(service.console_session("garbage").unwrap().is_none());
        let audit = service.audit_entries(None).unwrap();
        let text = serde_json::to_string(&audit).unwrap();
        assert!(text.contains("console.signed_in"));
        assert!(!text.contains(&signed.cookie) && !text.contains(&made.secret));

        service.console_sign_out(&signed.cookie).unwrap();
        assert!(service.console_session(&signed.cookie).unwrap().is_none());

        let again = service
            .console_sign_in(&auth, &made.secret)
            .unwrap()
            .unwrap();
        assert!(service.console_session(&again.cookie).unwrap().is_some());
        service.revoke_api_token(&caller, &made.token.id).unwrap();
        assert!(service.console_session(&again.cookie).unwrap().is_none());
        assert!(
            service
                .console_sign_in(&auth, &made.secret)
                .unwrap()
                .is_none()
        );
    }
}
