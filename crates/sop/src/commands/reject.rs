//! `sop reject RUN [--step N] --comment TEXT [--as USER] [--token TOKEN]`: reject a gate; the
//! run becomes `rejected` and nothing after the gate runs.

use super::respond::respond;
use super::run_target::RunTarget;
use crate::config::Context;
use crate::exit::Exit;
use sop_core::gate::Choice;
use sop_engine::ops::GateRequest as Request;

#[derive(clap::Args)]
pub struct Args {
    #[command(flatten)]
    pub target: RunTarget,

    /// The gate's step (0 = before the run starts); default: the run's open gate.
    #[arg(long, value_name = "N")]
    pub step: Option<u32>,

    /// Why it is rejected, for the audit trail.
    #[arg(long, value_name = "TEXT", required = true)]
    pub comment: String,

    /// Decide with an approval token (`-` reads it from standard input).
    #[arg(long, value_name = "TOKEN")]
    pub token: Option<String>,
}

pub fn run(ctx: &Context, args: Args) -> anyhow::Result<Exit> {
    let req = Request {
        step: args.step,
        choice: Choice::Reject,
        comment: Some(args.comment),
        claimed: args.target.as_user.clone(),
        token: args.token,
        detach: false,
        authenticated: false,
        channel: "cli",
        sender: None,
    };
    // A rejection ends the run: nothing is left for a server.
    let here = super::hand_off::Foreground { foreground: true };
    respond(ctx, &args.target, req, &here)
}
