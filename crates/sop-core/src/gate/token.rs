//! The pure rules of approval tokens: which tokens a gate issues and whether a presented one may
//! decide a given gate. Generating, hashing and comparing tokens is the binary's job.

use super::authority::Authority;
use super::gate_error::GateError;
use super::gate_view::GateView;
use chrono::{DateTime, Utc};
use serde::Serialize;

/// Whom a token speaks for.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(tag = "holder", content = "name", rename_all = "snake_case")]
pub enum TokenHolder {
    /// The gate's one token when anyone may approve; the decider is whoever presents it.
    Anyone,
    /// A token issued to one approver; presenting it decides as that approver.
    Approver(String),
}

impl TokenHolder {
    pub fn approver(&self) -> Option<&str> {
        match self {
            TokenHolder::Anyone => None,
            TokenHolder::Approver(a) => Some(a),
        }
    }
}

/// One token per person who may decide at the instant the gate opens, or one for the gate when
/// anyone may. The starter gets none when self-approval is off. Nobody eligible → no token (the
/// gate can still be decided from the CLI by whoever becomes eligible, or it expires).
pub fn token_grants(authority: &Authority) -> Vec<TokenHolder> {
    if authority.anyone() {
        vec![TokenHolder::Anyone]
    } else {
        authority
            .eligible()
            .map(|p| TokenHolder::Approver(p.to_string()))
            .collect()
    }
}

/// A stored token, found by the hash of the presented one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenView {
    pub run_id: String,
    pub step: u32,
    pub holder: TokenHolder,
    pub used_at: Option<DateTime<Utc>>,
    /// Set when its gate closed or its run was cancelled.
    pub revoked: bool,
}

/// Whether `token` (`None`: no stored token has the presented hash) may decide `gate`, and as
/// whom. `claimed` is an identity the person asserted explicitly (`--as`); a token issued to
/// someone else refuses it. Without a claim an approver's token decides as its approver, and the
/// gate's token as `identity`. Whoever it yields still has to pass [`super::decide`], so
/// authority and self-approval are checked at the instant of the decision.
pub fn check_token(
    token: Option<&TokenView>,
    gate: &GateView,
    identity: &str,
    claimed: Option<&str>,
) -> Result<String, GateError> {
    let token = token.ok_or(GateError::TokenUnknown)?;
    if token.run_id != gate.run_id || token.step != gate.step {
        return Err(GateError::TokenForeign { step: gate.step });
    }
    if let Some(at) = token.used_at {
        return Err(GateError::TokenUsed { at });
    }
    if token.revoked {
        return Err(GateError::TokenRevoked {
            step: gate.step,
            status: gate.status,
        });
    }
    match &token.holder {
        TokenHolder::Approver(holder) => match claimed {
            Some(actor) if actor != holder => Err(GateError::TokenHolder {
                holder: holder.clone(),
                actor: actor.to_string(),
            }),
            _ => Ok(holder.clone()),
        },
        TokenHolder::Anyone => Ok(claimed.unwrap_or(identity).to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::super::authority::tests::authority_in;
    use super::super::gate_view::tests::{gate, t};
    use super::super::groups::Groups;
    use super::*;
    use crate::Priority;

    fn authority(
        priority: Priority,
        approvers: &[&str],
        on_call: &[&str],
        starter: &str,
    ) -> Authority {
        let groups = Groups::new().with("ops", ["bob", "carol"]);
        authority_in(priority, approvers, on_call, &groups, starter)
    }

    fn token(holder: TokenHolder) -> TokenView {
        TokenView {
            run_id: "r1".into(),
            step: 1,
            holder,
            used_at: None,
            revoked: false,
        }
    }

    #[test]
    fn one_token_for_the_gate_when_anyone_may_approve() {
        assert_eq!(
            token_grants(&authority(Priority::Critical, &[], &[], "alice")),
            vec![TokenHolder::Anyone]
        );
    }

    #[test]
    fn one_token_per_eligible_approver_without_the_starter_when_self_approval_is_off() {
        let grants = token_grants(&authority(
            Priority::Critical,
            &["alice", "@ops", "@oncall"],
            &["dave", "bob"],
            "alice",
        ));
        assert_eq!(
            grants,
            ["bob", "carol", "dave"]
                .map(|p| TokenHolder::Approver(p.into()))
                .to_vec()
        );
        let grants = token_grants(&authority(Priority::Low, &["alice"], &[], "alice"));
        assert_eq!(grants, vec![TokenHolder::Approver("alice".into())]);
        assert!(token_grants(&authority(Priority::Low, &["@oncall"], &[], "x")).is_empty());
    }

    #[test]
    fn an_approver_token_decides_as_its_approver() {
        let g = gate(1, &[]);
        let tok = token(TokenHolder::Approver("bob".into()));
        assert_eq!(check_token(Some(&tok), &g, "tester", None).unwrap(), "bob");
        assert_eq!(
            check_token(Some(&tok), &g, "tester", Some("bob")).unwrap(),
            "bob"
        );
        assert_eq!(
            check_token(Some(&tok), &g, "tester", Some("mallory"))
                .unwrap_err()
                .to_string(),
            "the token was issued to bob; mallory cannot use it"
        );
        assert_eq!(TokenHolder::Approver("bob".into()).approver(), Some("bob"));
        assert_eq!(TokenHolder::Anyone.approver(), None);
    }

    #[test]
    fn the_gate_token_decides_as_whoever_presents_it() {
        let g = gate(1, &[]);
        let tok = token(TokenHolder::Anyone);
        assert_eq!(
            check_token(Some(&tok), &g, "tester", None).unwrap(),
            "tester"
        );
        assert_eq!(
            check_token(Some(&tok), &g, "tester", Some("erin")).unwrap(),
            "erin"
        );
    }

    #[test]
    fn unknown_foreign_used_and_revoked_tokens_are_refused() {
        let g = gate(1, &[]);
        assert_eq!(
            check_token(None, &g, "x", None),
            Err(GateError::TokenUnknown)
        );

        let mut other_step = token(TokenHolder::Anyone);
        other_step.step = 2;
        assert_eq!(
            check_token(Some(&other_step), &g, "x", None),
            Err(GateError::TokenForeign { step: 1 })
        );
        let mut other_run = token(TokenHolder::Anyone);
        other_run.run_id = "r2".into();
        assert_eq!(
            check_token(Some(&other_run), &g, "x", None),
            Err(GateError::TokenForeign { step: 1 })
        );

        let mut used = token(TokenHolder::Anyone);
        used.used_at = Some(t(9, 3));
        used.revoked = true;
        assert_eq!(
            check_token(Some(&used), &g, "x", None),
            Err(GateError::TokenUsed { at: t(9, 3) })
        );

        let mut revoked = token(TokenHolder::Approver("bob".into()));
        revoked.revoked = true;
        let mut expired = g.clone();
        expired.status = crate::gate::GateStatus::Expired;
        let err = check_token(Some(&revoked), &expired, "x", None).unwrap_err();
        assert_eq!(
            err.to_string(),
            format!(
                "the token was revoked: {} is expired",
                crate::gate::gate_label(g.step)
            )
        );
    }
}
