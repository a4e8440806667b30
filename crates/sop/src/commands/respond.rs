//! What `sop approve` and `sop reject` share around a decision: the token from standard input,
//! the decision itself, what it did, and the run going on here when the gate passed.

use super::hand_off::Foreground;
use super::run_target::{RunTarget, finish};
use crate::config::Context;
use crate::exit::{Exit, Fail};
use crate::render::json;
use sop_core::gate::{Choice, gate_label};
use sop_engine::ops::{GateDecision, GateRequest};
use std::io::BufRead as _;

/// Runs one decision on the run `target` names; `--json` prints the run object instead of
/// progress lines.
pub fn respond(
    ctx: &Context,
    target: &RunTarget,
    mut req: GateRequest,
    foreground: &Foreground,
) -> anyhow::Result<Exit> {
    if req.choice == Choice::Reject && req.comment.as_deref().is_none_or(|c| c.trim().is_empty()) {
        return Err(Fail::invalid(
            "a rejection needs --comment TEXT saying why; it goes into the audit trail",
        ));
    }
    if req.token.as_deref() == Some("-") {
        req.token = Some(read_token_from_stdin()?);
    }
    let service = ctx.service()?;
    let out = target.progress();
    let server = foreground.server(&service)?;
    let caller = foreground.caller(target.caller(ctx, &out)?, &server);
    match service.decide_gate(&caller, &target.run, &req, true)? {
        GateDecision::Counted {
            tracked,
            actor,
            step,
            waiting_for,
        } => {
            out.line(&format!(
                "✓ {actor} approved {} of run {}; it waits for {waiting_for}",
                gate_label(step),
                tracked.id()
            ));
            if target.json {
                json::print_run(&service, &tracked)?;
            }
            Ok(Exit::Waiting)
        }
        GateDecision::Detached {
            tracked,
            actor,
            step,
        } => {
            let who = match &server {
                Some(s) => s.which_goes_on(),
                None => "a server".to_string(),
            };
            out.line(&format!(
                "✓ {actor} approved {} of run {}; the run is left for {who} (`sop resume {}` runs it here)",
                gate_label(step),
                tracked.id(),
                tracked.id()
            ));
            if target.json {
                json::print_run(&service, &tracked)?;
            }
            Ok(Exit::Success)
        }
        GateDecision::Settled { tracked, .. } => finish(ctx, &service, &out, &tracked, target.json),
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
