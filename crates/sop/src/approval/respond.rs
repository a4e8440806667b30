//! What `sop approve` and `sop reject` do around a decision: read the token, load the run (its
//! deadline applied), decide, say what happened, and go on with the run when it passed.

use super::decide::{Outcome, Request, decide};
use super::expiry;
use crate::commands::run_target::RunTarget;
use crate::config::Context;
use crate::engine::driver::continue_run;
use crate::engine::{Engine, Tracked, json};
use crate::exit::{Exit, Fail};
use sop_core::gate::{GateError, GateOutcome, Verdict, gate_label};
use std::io::BufRead as _;

/// Runs one decision on the run `target` names; `--json` prints the run object instead of
/// progress lines.
pub fn respond(ctx: &Context, target: &RunTarget, mut req: Request) -> anyhow::Result<Exit> {
    if req.verdict == Verdict::Reject && req.comment.as_deref().is_none_or(|c| c.trim().is_empty())
    {
        return Err(Fail::invalid(
            "a rejection needs --comment TEXT saying why; it goes into the audit trail",
        ));
    }
    if req.token.as_deref() == Some("-") {
        req.token = Some(read_token_from_stdin()?);
    }
    target.with_run(ctx, |eng, t| decide_and_go_on(eng, t, &req, target.json))
}

fn decide_and_go_on(
    eng: &Engine,
    t: &mut Tracked,
    req: &Request,
    json_out: bool,
) -> anyhow::Result<Exit> {
    let verb = req.verdict.as_str();
    match decide(eng, t, req)? {
        Outcome::Refused(e) => {
            if matches!(e, GateError::Expired { .. }) {
                // The deadline passed between loading the run and deciding: record it now.
                t.reload(eng)?;
                expiry::apply(eng, t)?;
            }
            Err(Fail::with(
                Exit::Failure,
                format!("cannot {verb} run {}: {e}", t.id()),
            ))
        }
        Outcome::Counted {
            actor,
            step,
            waiting_for,
        } => {
            eng.out.line(&format!(
                "✓ {actor} approved {} of run {}; it waits for {waiting_for}",
                gate_label(step),
                t.id()
            ));
            if json_out {
                t.reload(eng)?;
                json::print_run(eng, t)?;
            }
            Ok(Exit::Waiting)
        }
        Outcome::Detached { actor, step } => {
            eng.out.line(&format!(
                "✓ {actor} approved {} of run {}; the run is left for a server (`sop resume {}` runs it here)",
                gate_label(step),
                t.id(),
                t.id()
            ));
            if json_out {
                t.reload(eng)?;
                json::print_run(eng, t)?;
            }
            Ok(Exit::Success)
        }
        Outcome::Settled {
            step,
            outcome,
            mut tracked,
            decision,
            ..
        } => {
            let label = gate_label(step);
            eng.out.line(&match &outcome {
                GateOutcome::Approved { approvers } => format!(
                    "✓ {label} of run {} passed: approved by {}",
                    tracked.id(),
                    approvers.join(", ")
                ),
                GateOutcome::Rejected { by } => {
                    format!("✗ {label} of run {} rejected by {by}", tracked.id())
                }
                GateOutcome::Counted { .. } => String::new(),
            });
            continue_run(eng, &mut tracked, decision.action, json_out)
        }
    }
}

/// `--token -`: the token on one line of standard input, so it never shows in `ps`.
fn read_token_from_stdin() -> anyhow::Result<String> {
    let mut line = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut line)
        .map_err(|e| Fail::invalid(format!("cannot read the token from standard input: {e}")))?;
    let token = line.trim().to_string();
    if token.is_empty() {
        return Err(Fail::invalid(
            "--token - reads the token from standard input, which was empty",
        ));
    }
    Ok(token)
}
