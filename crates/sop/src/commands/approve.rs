//! `sop approve RUN [--step N] [--comment TEXT] [--as USER] [--token TOKEN] [--reject]
//! [--detach]`: approve (or reject) a gate of a run; once it passes, the run goes on here.

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

    /// Why, for the audit trail.
    #[arg(long, value_name = "TEXT")]
    pub comment: Option<String>,

    /// Decide with an approval token (`-` reads it from standard input).
    #[arg(long, value_name = "TOKEN")]
    pub token: Option<String>,

    /// Reject instead of approving (needs --comment).
    #[arg(long)]
    pub reject: bool,

    /// Once the gate passes, leave the run to a server instead of running it here.
    #[arg(long, conflicts_with = "foreground")]
    pub detach: bool,

    #[command(flatten)]
    pub foreground: super::hand_off::Foreground,
}

pub fn run(ctx: &Context, args: Args) -> anyhow::Result<Exit> {
    let choice = if args.reject {
        Choice::Reject
    } else {
        Choice::Approve
    };
    let req = Request {
        step: args.step,
        choice,
        comment: args.comment,
        claimed: args.target.as_user.clone(),
        token: args.token,
        detach: args.detach,
        authenticated: false,
        channel: "cli",
        sender: None,
    };
    respond(ctx, &args.target, req, &args.foreground)
}
