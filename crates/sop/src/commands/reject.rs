//! `sop reject RUN [--step N] --comment TEXT [--as USER] [--token TOKEN]`: reject a gate; the
//! run becomes `rejected` and nothing after the gate runs.

use crate::approval::decide::Request;
use crate::approval::respond::respond;
use crate::config::Context;
use crate::exit::Exit;
use sop_core::gate::Verdict;

#[derive(clap::Args)]
pub struct Args {
    /// A run id, or a prefix of one that matches a single run.
    #[arg(value_name = "RUN")]
    pub run: String,

    /// The gate's step (0 = before the run starts); default: the run's open gate.
    #[arg(long, value_name = "N")]
    pub step: Option<u32>,

    /// Why it is rejected, for the audit trail.
    #[arg(long, value_name = "TEXT", required = true)]
    pub comment: String,

    /// Decide as this user (default: $SOP_USER, else the OS user).
    #[arg(long = "as", value_name = "USER")]
    pub as_user: Option<String>,

    /// Decide with an approval token (`-` reads it from standard input).
    #[arg(long, value_name = "TOKEN")]
    pub token: Option<String>,

    /// Print only the final run object, as JSON.
    #[arg(long)]
    pub json: bool,
}

pub fn run(ctx: &Context, args: Args) -> anyhow::Result<Exit> {
    let req = Request {
        run: args.run,
        step: args.step,
        verdict: Verdict::Reject,
        comment: Some(args.comment),
        claimed: args.as_user,
        token: args.token,
        detach: false,
    };
    respond(ctx, req, args.json)
}
