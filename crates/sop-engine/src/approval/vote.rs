//! One decision on a gate, as one transaction: read the gate and its decisions, check the token
//! and who may decide, record the decision (or the refusal) with its audit entries, and — when
//! it settles the gate — hand the run to the engine in that same transaction.
//!
//! Concurrent deciders are serialised by the store's write lock and every check reads inside
//! the transaction, so each approver counts once and a gate is passed exactly once.

use super::authority;
use super::settings::load_groups;
use super::token;
use crate::engine::commit::{self, Written};
use crate::engine::{Change, Engine, LeaseUse, Tracked};
use chrono::{DateTime, Utc};
use serde_json::{Value, json};
use sop_core::definition::ApprovalAuth;
use sop_core::gate::{
    Authority, Choice, GateError, GateOutcome, GateStatus, GateView, TokenHolder, TokenView, Vote,
    check_token, count_vote, gate_label, select_gate,
};
use sop_core::run::{Decision, RunEvent, RunStatus, TransitionError, next};
use sop_store::{AuditEvent, Expect, Gate, GateDecision, RunPatch, StoreError, StoreExt, Tx};

/// What a person asked for.
#[derive(Debug, Clone)]
pub struct Request {
    /// The gate's step; `None` = the run's open gate.
    pub step: Option<u32>,
    pub choice: Choice,
    pub comment: Option<String>,
    /// `--as`, when given explicitly: a token issued to someone else refuses it.
    pub claimed: Option<String>,
    /// A token in plain text (`--token`).
    pub token: Option<String>,
    /// Leave the approved run to a server instead of running it here.
    pub detach: bool,
    /// The actor was authenticated (an API token), not merely claimed; an SOP with
    /// `approval_auth = "token"` counts only such decisions and those made with a gate token.
    pub authenticated: bool,
    /// Where the decision came from, for the audit trail: `cli`, `api` (with the API token's
    /// id), `console`, `mcp`, `approval link`, or the chat account (`slack:U0123`).
    pub channel: &'static str,
    /// What identifies the sender on that channel: the API token's id, the chat account's id.
    pub sender: Option<String>,
}

impl Request {
    /// How the decider is known, for the audit trail: a gate token, an authenticated sender
    /// (an API token, a signed chat press), or a name claimed.
    fn via(&self) -> &'static str {
        if self.token.is_some() {
            "token"
        } else if self.authenticated {
            "authenticated"
        } else {
            "identity"
        }
    }

    /// The audit detail's `channel` (and `sender`, when known).
    fn origin(&self, detail: &mut Value) {
        detail["channel"] = Value::from(self.channel);
        if let Some(sender) = &self.sender {
            detail["sender"] = Value::from(sender.as_str());
        }
    }
}

/// What became of the request.
pub enum VoteOutcome {
    /// Not counted; recorded in the audit trail.
    Refused(GateError),
    /// Counted; the gate still waits.
    Counted {
        actor: String,
        step: u32,
        waiting_for: String,
    },
    /// The gate passed or was rejected and the engine took the run on (`action` is what this
    /// process does next).
    Settled {
        step: u32,
        outcome: GateOutcome,
        tracked: Box<Tracked>,
        decision: Decision,
    },
    /// Approved with `--detach`: the run is `pending`, for a server to pick up.
    Detached { actor: String, step: u32 },
}

/// The transaction's result before the engine's view is brought up to date: a settled gate
/// carries what the transaction wrote.
struct Stored {
    outcome: VoteOutcome,
    written: Option<Box<Written>>,
}

impl From<VoteOutcome> for Stored {
    fn from(outcome: VoteOutcome) -> Self {
        Stored {
            outcome,
            written: None,
        }
    }
}

/// Decides `req` on the run `t` (already loaded, so recovered and with its deadline applied).
pub fn cast_vote(eng: &Engine, t: &Tracked, req: &Request) -> crate::Result<VoteOutcome> {
    let groups = load_groups(eng.settings)?;
    let policy = authority::policy(&t.sop);
    let now = eng.clock.now();
    let who = authority::authority(eng.settings, &groups, &policy, &t.run.started_by, now)?;
    let stored = eng
        .store
        .transaction(|tx| decide_in(tx, eng, t, req, &who, now));
    let stored = match stored {
        Ok(s) => s,
        Err(e) => {
            if let Some(refused) = e.aborted::<TransitionError>() {
                return Err(commit::refusal(refused.clone()));
            }
            return Err(e.into());
        }
    };
    let Stored {
        mut outcome,
        written,
    } = stored;
    if let (
        VoteOutcome::Settled {
            tracked, decision, ..
        },
        Some(written),
    ) = (&mut outcome, written)
    {
        commit::absorb(eng, tracked, *written, decision);
    }
    Ok(outcome)
}

fn decide_in(
    tx: &mut dyn Tx,
    eng: &Engine,
    t: &Tracked,
    req: &Request,
    who: &Authority,
    now: DateTime<Utc>,
) -> sop_store::Result<Stored> {
    // Deciders of one gate on several nodes take turns here: each reads the decisions the one
    // before it committed, so a second decision is refused and audited as on one node.
    tx.lock_run(t.id())?;
    let run = tx.run(t.id())?;
    let gates = tx.gates(&run.id)?;
    let decisions = tx.run_decisions(&run.id)?;
    let views: Vec<GateView> = gates
        .iter()
        .map(|g| authority::view(g, &decisions))
        .collect();
    let identity = eng.actor.as_str();
    let refusal = Refusal {
        eng,
        run_id: &run.id,
        identity,
        req,
        now,
    };
    let planned: Vec<u32> = t.plan.gated_steps().collect();
    let view = match select_gate(&views, req.step, run.status, &planned) {
        Ok(v) => v,
        Err(e) => return refusal.record(tx, None, e),
    };
    let gate = gates
        .iter()
        .zip(&views)
        .find(|(_, v)| std::ptr::eq(*v, view))
        .map(|(g, _)| g)
        .ok_or_else(|| StoreError::Corrupt("a selected gate has no record".into()))?;

    if t.sop.meta.approval_auth == ApprovalAuth::Token && !req.authenticated && req.token.is_none()
    {
        let e = GateError::Unauthenticated {
            sop: t.sop.name().to_string(),
        };
        return refusal.record(tx, Some(gate), e);
    }
    let (actor, token_hash) = match &req.token {
        None => (identity.to_string(), None),
        Some(presented) => {
            let found = lookup_token(tx, presented)?;
            match check_token(found.as_ref(), view, identity, req.claimed.as_deref()) {
                Ok(actor) => (actor, Some(token::hash(presented))),
                Err(e) => return refusal.record(tx, Some(gate), e),
            }
        }
    };
    let asked = Vote {
        actor: actor.clone(),
        choice: req.choice,
    };
    let outcome = match count_vote(view, who, &asked, now) {
        Ok(o) => o,
        Err(e) => return refusal.record(tx, Some(gate), e),
    };

    tx.insert_decision(&GateDecision {
        gate_id: gate.id.clone(),
        actor: actor.clone(),
        decision: req.choice,
        comment: req.comment.clone(),
        at: now,
    })?;
    if let Some(hash) = &token_hash {
        let used = tx.use_token(hash, now)?;
        tx.audit(&eng.stamp(AuditEvent::new(
            now,
            Some(&run.id),
            actor.as_str(),
            "token.used",
            json!({"gate": gate.id, "step": gate.step, "holder": used.approver.as_deref().unwrap_or("anyone")}),
        )))?;
    }
    let (approvers, remaining) = match &outcome {
        GateOutcome::Counted {
            approvers,
            remaining,
        } => (approvers.clone(), *remaining),
        GateOutcome::Approved { approvers } => (approvers.clone(), 0),
        GateOutcome::Rejected { .. } => {
            (view.approvers().into_iter().map(String::from).collect(), 0)
        }
    };
    let mut detail = json!({
        "gate": gate.id,
        "step": gate.step,
        "label": gate_label(gate.step),
        "verdict": req.choice,
        "comment": req.comment,
        "via": if token_hash.is_some() { "token" } else { req.via() },
        "approvals": approvers,
        "remaining": remaining,
        "outcome": outcome.gate_status(),
    });
    req.origin(&mut detail);
    tx.audit(&eng.stamp(AuditEvent::new(
        now,
        Some(&run.id),
        actor.as_str(),
        "gate.decision",
        detail,
    )))?;

    let step = gate.step;
    match &outcome {
        GateOutcome::Counted { .. } => {
            // Bumps the run's version, so a concurrent transition decided on the older state
            // loses its compare-and-set and decides again.
            tx.update_run(
                &run.id,
                &Expect::version(run.version).and_status_in(&[RunStatus::AwaitingApproval]),
                &RunPatch::default(),
            )?;
            let mut after = view.clone();
            after.decisions.push(sop_core::gate::DecisionRecord {
                actor: actor.clone(),
                choice: req.choice,
                at: now,
            });
            Ok(VoteOutcome::Counted {
                actor,
                step,
                waiting_for: after.waiting_for(who),
            }
            .into())
        }
        GateOutcome::Approved { .. } if req.detach || eng.hand_off => {
            super::close::close(tx, gate, GateStatus::Approved, "gate_approved", &actor, now)?;
            tx.update_run(
                &run.id,
                &Expect::version(run.version).and_status_in(&[RunStatus::AwaitingApproval]),
                &RunPatch::status(RunStatus::Pending)
                    .with_reason(format!("{} approved; left for a server", gate_label(step))),
            )?;
            tx.audit(&eng.stamp(AuditEvent::new(
                now,
                Some(&run.id),
                actor.as_str(),
                "run.detached",
                json!({"from": RunStatus::AwaitingApproval, "to": RunStatus::Pending, "after": gate_label(step)}),
            )))?;
            Ok(VoteOutcome::Detached { actor, step }.into())
        }
        GateOutcome::Approved { .. } | GateOutcome::Rejected { .. } => {
            let steps = tx.steps(&run.id)?;
            let fresh = Tracked::build(
                eng,
                run,
                steps,
                gates.clone(),
                t.sop.clone(),
                t.plan.clone(),
            );
            let (event, lease) = match outcome {
                GateOutcome::Rejected { .. } => {
                    (RunEvent::GateRejected { step }, LeaseUse::Untouched)
                }
                _ => (RunEvent::GateApproved { step }, LeaseUse::Take),
            };
            let decision = next(&fresh.view, event, now).map_err(StoreError::abort)?;
            let mut change = Change::new(event, lease).detail("by", actor.as_str());
            if let GateOutcome::Rejected { by } = &outcome {
                change = change.reason(match &req.comment {
                    Some(c) => format!("rejected by {by}: {c}"),
                    None => format!("rejected by {by}"),
                });
            }
            let written = commit::write(tx, eng, &fresh, &decision, &change, now, None)?;
            Ok(Stored {
                outcome: VoteOutcome::Settled {
                    step,
                    outcome,
                    tracked: Box::new(fresh),
                    decision,
                },
                written: Some(Box::new(written)),
            })
        }
    }
}

/// The stored token the presented text hashes to, with its gate; `None` for anything else. The
/// final comparison is constant-time, so nothing is learned from how long a refusal takes.
fn lookup_token(tx: &mut dyn Tx, presented: &str) -> sop_store::Result<Option<TokenView>> {
    if !token::is_well_formed(presented) {
        return Ok(None);
    }
    let Some(stored) = tx.token_by_hash(&token::hash(presented))? else {
        return Ok(None);
    };
    if !token::matches(presented, &stored.hash) {
        return Ok(None);
    }
    let gate = tx.gate(&stored.gate_id)?;
    Ok(Some(TokenView {
        run_id: gate.run_id,
        step: gate.step,
        holder: match stored.approver {
            Some(a) => TokenHolder::Approver(a),
            None => TokenHolder::Anyone,
        },
        used_at: stored.used_at,
        revoked: stored.revoked,
    }))
}

/// Everything a refusal's audit entry says.
struct Refusal<'a> {
    eng: &'a Engine<'a>,
    run_id: &'a str,
    identity: &'a str,
    req: &'a Request,
    now: DateTime<Utc>,
}

impl Refusal<'_> {
    /// Audits the refusal (committed: a refusal is a fact worth keeping) and returns it.
    fn record(
        &self,
        tx: &mut dyn Tx,
        gate: Option<&Gate>,
        error: GateError,
    ) -> sop_store::Result<Stored> {
        let mut detail = json!({
            "verdict": self.req.choice,
            "reason": error.kind(),
            "message": error.to_string(),
            "comment": self.req.comment,
            "via": self.req.via(),
        });
        self.req.origin(&mut detail);
        if let Some(g) = gate {
            detail["gate"] = Value::from(g.id.as_str());
            detail["step"] = Value::from(g.step);
        } else if let Some(step) = self.req.step {
            detail["step"] = Value::from(step);
        }
        let kind = if error.kind().starts_with("token_") {
            "token.refused"
        } else {
            "gate.refused"
        };
        tx.audit(&self.eng.stamp(AuditEvent::new(
            self.now,
            Some(self.run_id),
            self.identity,
            kind,
            detail,
        )))?;
        Ok(VoteOutcome::Refused(error).into())
    }
}
