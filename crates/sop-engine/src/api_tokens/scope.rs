//! What an API token may do, and who a request made with it acts for.

use crate::Error;
use serde::Serialize;

/// One permission of an API token. `admin` includes the others.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Scope {
    /// Every `GET`.
    Read,
    /// Starting and steering runs, facts, events.
    Run,
    /// Deciding gates.
    Approve,
    /// Managing tokens, forcing starts; includes every other scope.
    Admin,
}

impl Scope {
    pub const ALL: [Scope; 4] = [Scope::Read, Scope::Run, Scope::Approve, Scope::Admin];

    pub fn as_str(self) -> &'static str {
        match self {
            Scope::Read => "read",
            Scope::Run => "run",
            Scope::Approve => "approve",
            Scope::Admin => "admin",
        }
    }

    /// `read,run` (commas or spaces) as scopes, sorted and without duplicates.
    pub fn parse_list(text: &str) -> crate::Result<Vec<Scope>> {
        let mut out = Vec::new();
        for word in text.split([',', ' ']).filter(|w| !w.is_empty()) {
            let scope = Scope::ALL
                .into_iter()
                .find(|s| s.as_str().eq_ignore_ascii_case(word))
                .ok_or_else(|| {
                    Error::invalid(format!(
                        "unknown scope `{word}`; the scopes are read, run, approve and admin"
                    ))
                })?;
            if !out.contains(&scope) {
                out.push(scope);
            }
        }
        if out.is_empty() {
            return Err(Error::invalid(
                "a token needs at least one scope: read, run, approve or admin",
            ));
        }
        out.sort();
        Ok(out)
    }
}

/// Who an authenticated request acts for, and what it may do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Principal {
    /// The actor recorded for everything the request does.
    pub user: String,
    pub scopes: Vec<Scope>,
    /// The token's id; `None` for the configured admin token (`SOP_API_TOKEN`).
    pub token_id: Option<String>,
}

impl Principal {
    pub fn allows(&self, scope: Scope) -> bool {
        self.scopes.contains(&scope) || self.scopes.contains(&Scope::Admin)
    }

    /// The configured admin token may name the actor of a request (`X-SOP-Actor`).
    pub fn may_name_actor(&self) -> bool {
        self.token_id.is_none()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_parse_sorted_and_unknown_scopes_are_refused() {
        assert_eq!(
            Scope::parse_list("run, read,run").unwrap(),
            [Scope::Read, Scope::Run]
        );
        let e = Scope::parse_list("read,write").unwrap_err();
        assert!(e.message.contains("unknown scope `write`"), "{e}");
        assert!(Scope::parse_list(" , ").is_err());
    }

    #[test]
    fn admin_includes_every_scope() {
        let p = Principal {
            user: "root".into(),
            scopes: vec![Scope::Admin],
            token_id: Some("t".into()),
        };
        assert!(Scope::ALL.iter().all(|s| p.allows(*s)));
        let reader = Principal {
            scopes: vec![Scope::Read],
            ..p
        };
        assert!(reader.allows(Scope::Read) && !reader.allows(Scope::Approve));
        assert!(!reader.may_name_actor());
    }
}
