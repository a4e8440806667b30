//! Deciding gates: approve or reject, by a person or with a token; the open gates.

use super::{Caller, Service};
use crate::Error;
use crate::approval::expiry;
use crate::approval::vote::{VoteOutcome, cast_vote};
use crate::engine::{Tracked, redact};
use sop_core::gate::{Choice, GateError};

pub use crate::approval::vote::Request as GateRequest;

/// What a decision did.
pub enum GateDecision {
    /// Counted; the gate still waits for `waiting_for`.
    Counted {
        tracked: Tracked,
        actor: String,
        step: u32,
        waiting_for: String,
    },
    /// Approved with `detach`: the run is `pending`, for a server to pick up.
    Detached {
        tracked: Tracked,
        actor: String,
        step: u32,
    },
    /// The gate passed or was rejected; the run went on (driven here when asked to).
    Settled {
        tracked: Tracked,
        step: u32,
        outcome: sop_core::gate::GateOutcome,
    },
}

impl GateDecision {
    pub fn tracked(&self) -> &Tracked {
        match self {
            GateDecision::Counted { tracked, .. }
            | GateDecision::Detached { tracked, .. }
            | GateDecision::Settled { tracked, .. } => tracked,
        }
    }
}

impl Service {
    /// Decides a gate of run `id` under every approval rule. A refusal is recorded in the audit
    /// trail and returned as a `Refused` error; a settled gate hands the run on, and it is
    /// driven in this thread when `drive`.
    pub fn decide_gate(
        &self,
        caller: &Caller,
        id: &str,
        req: &GateRequest,
        drive: bool,
    ) -> crate::Result<GateDecision> {
        if req.choice == Choice::Reject
            && req.comment.as_deref().is_none_or(|c| c.trim().is_empty())
        {
            return Err(Error::invalid(
                "a rejection needs a comment saying why; it goes into the audit trail",
            ));
        }
        let eng = self.engine(caller)?;
        let mut t = eng.load(id)?;
        let verb = req.choice.as_str();
        let masked;
        let req = match &req.comment {
            Some(c) => {
                masked = GateRequest {
                    comment: Some(redact::hide(c, &t.secrets())),
                    ..req.clone()
                };
                &masked
            }
            None => req,
        };
        match cast_vote(&eng, &t, req)? {
            VoteOutcome::Refused(e) => {
                if matches!(e, GateError::Expired { .. }) {
                    // The deadline passed between loading the run and deciding: record it now.
                    t.reload(&eng)?;
                    expiry::apply(&eng, &mut t)?;
                }
                let message = format!("cannot {verb} run {}: {e}", t.id());
                Err(if e.is_state() {
                    Error::conflict(message)
                } else {
                    Error::refused(message)
                })
            }
            VoteOutcome::Counted {
                actor,
                step,
                waiting_for,
            } => {
                t.reload(&eng)?;
                Ok(GateDecision::Counted {
                    tracked: t,
                    actor,
                    step,
                    waiting_for,
                })
            }
            VoteOutcome::Detached { actor, step } => {
                t.reload(&eng)?;
                Ok(GateDecision::Detached {
                    tracked: t,
                    actor,
                    step,
                })
            }
            VoteOutcome::Settled {
                step,
                outcome,
                mut tracked,
                decision,
            } => {
                caller.events.gate_settled(&tracked, step, &outcome);
                if drive {
                    self.drive(caller, &mut tracked, decision.action)?;
                }
                Ok(GateDecision::Settled {
                    tracked: *tracked,
                    step,
                    outcome,
                })
            }
        }
    }
}

impl Service {
    /// The open gates, with what each waits for; with `person`, only those `person` may decide.
    pub fn pending_gates(
        &self,
        caller: &Caller,
        person: Option<&str>,
    ) -> crate::Result<Vec<crate::approval::pending::PendingGate>> {
        crate::approval::pending::list(&self.engine(caller)?, person)
    }

    /// The open gates of one run.
    pub fn gates_of_run(
        &self,
        caller: &Caller,
        t: &Tracked,
    ) -> crate::Result<Vec<crate::approval::pending::PendingGate>> {
        crate::approval::pending::of_run(&self.engine(caller)?, t)
    }
}
