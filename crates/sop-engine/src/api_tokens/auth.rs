//! Recognising a presented API token: the configured admin token (`SOP_API_TOKEN` or
//! `SOP_API_TOKEN_FILE`), else a stored token found by its hash and compared in constant time.

use super::{Principal, Scope};
use crate::approval::token;
use crate::{Error, Settings};
use subtle::ConstantTimeEq;

/// Every API token starts with this, so secret scanners and people can recognise one.
pub const PREFIX: &str = "sopapi_";

/// The actor of requests made with the configured admin token that name nobody.
pub const ADMIN_TOKEN_USER: &str = "api-admin";

/// What a server checks tokens against: the hash of the configured admin token, if any.
#[derive(Clone)]
pub struct ApiAuth {
    admin_hash: Option<String>,
}

impl std::fmt::Debug for ApiAuth {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ApiAuth")
            .field("admin_token", &self.admin_hash.as_ref().map(|_| "[set]"))
            .finish()
    }
}

impl ApiAuth {
    /// Reads `SOP_API_TOKEN`, else the first line of the file `SOP_API_TOKEN_FILE` names.
    pub fn from_settings(settings: &Settings) -> crate::Result<Self> {
        let text = match (
            settings.var("SOP_API_TOKEN"),
            settings.var("SOP_API_TOKEN_FILE"),
        ) {
            (Some(t), _) => Some(t.trim().to_string()),
            (None, Some(path)) => {
                let content = std::fs::read_to_string(path).map_err(|e| {
                    Error::invalid(format!("SOP_API_TOKEN_FILE: cannot read {path}: {e}"))
                })?;
                Some(
                    content
                        .lines()
                        .next()
                        .unwrap_or_default()
                        .trim()
                        .to_string(),
                )
            }
            (None, None) => None,
        };
        if let Some(t) = &text
            && t.len() < 16
        {
            return Err(Error::invalid(
                "the admin API token (SOP_API_TOKEN or SOP_API_TOKEN_FILE) must be at least 16 characters; `sop token create` makes random ones",
            ));
        }
        Ok(ApiAuth {
            admin_hash: text.map(|t| token::hash(&t)),
        })
    }

    /// An admin token given as a value (tests, embedding).
    pub fn with_admin_token(admin: Option<&str>) -> Self {
        ApiAuth {
            admin_hash: admin.map(token::hash),
        }
    }

    pub fn has_admin_token(&self) -> bool {
        self.admin_hash.is_some()
    }

    /// Whether `presented` is the configured admin token (constant time).
    pub fn is_admin_token(&self, presented: &str) -> bool {
        self.admin_hash
            .as_ref()
            .is_some_and(|h| token::hash(presented).as_bytes().ct_eq(h.as_bytes()).into())
    }

    /// The principal of the configured admin token.
    pub fn admin(user: Option<&str>) -> Principal {
        Principal {
            user: user.unwrap_or(ADMIN_TOKEN_USER).to_string(),
            scopes: vec![Scope::Admin],
            token_id: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_admin_token_is_recognised_and_never_shown() {
        let auth = ApiAuth::with_admin_token(Some("a-long-admin-token-value"));
        assert!(auth.is_admin_token("a-long-admin-token-value"));
        assert!(!auth.is_admin_token("a-long-admin-token-valuE"));
        assert!(!format!("{auth:?}").contains("admin-token-value"));
        assert!(!ApiAuth::with_admin_token(None).is_admin_token(""));
    }

    #[test]
    fn a_short_admin_token_is_refused() {
        let s = Settings::from_vars(None, [("SOP_API_TOKEN".into(), "short".into())]);
        assert!(ApiAuth::from_settings(&s).is_err());
    }
}
