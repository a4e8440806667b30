//! Issuing a gate's tokens in the transaction that opens it: one per person who may decide at
//! that instant, or one for the gate when anyone may. Only hashes reach the store.

use super::authority;
use super::outbox::IssuedToken;
use super::settings::load_groups;
use super::token;
use crate::engine::{Engine, Tracked};
use chrono::{DateTime, Utc};
use serde_json::{Value, json};
use sop_core::gate::{TokenHolder, token_grants};
use sop_store::{Gate, NewApprovalToken, Tx};

/// Issues the tokens of `gate` and returns what the `gate.opened` audit entry records about
/// them: to whom they went (never the tokens). A configuration problem (groups, on-call file,
/// randomness) issues none and says why; the gate can still be decided from the CLI.
pub fn issue_tokens(
    tx: &mut dyn Tx,
    eng: &Engine,
    t: &Tracked,
    gate: &Gate,
    now: DateTime<Utc>,
    issued_tokens: &mut Vec<IssuedToken>,
) -> sop_store::Result<Value> {
    let grants = match grants(eng, t, now) {
        Ok(g) => g,
        Err(e) => return Ok(json!({"issued": [], "not_issued": format!("{e:#}")})),
    };
    let mut issued = Vec::new();
    for holder in grants {
        let plain = match token::generate() {
            Ok(p) => p,
            Err(e) => return Ok(json!({"issued": issued, "not_issued": format!("{e:#}")})),
        };
        tx.insert_token(&NewApprovalToken {
            gate_id: gate.id.clone(),
            approver: holder.approver().map(String::from),
            hash: token::hash(&plain),
            created_at: now,
        })?;
        issued.push(json!(holder.approver().unwrap_or("anyone")));
        issued_tokens.push(IssuedToken {
            gate_id: gate.id.clone(),
            run_id: t.id().to_string(),
            sop: t.run.sop_name.clone(),
            step: gate.step,
            holder,
            token: plain,
            expires_at: gate.expires_at,
        });
    }
    Ok(json!({ "issued": issued }))
}

fn grants(eng: &Engine, t: &Tracked, now: DateTime<Utc>) -> crate::Result<Vec<TokenHolder>> {
    let groups = load_groups(eng.settings)?;
    let policy = authority::policy(&t.sop);
    let who = authority::authority(eng.settings, &groups, &policy, &t.run.started_by, now)?;
    Ok(token_grants(&who))
}
