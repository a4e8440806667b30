//! `sop prune --older-than 90d`: remove the details of runs finished long ago; their audit
//! entries stay, so the trail remains verifiable.

use crate::config::Context;
use crate::exit::{Exit, Fail};
use sop_engine::Caller;
use sop_engine::engine::identity;

#[derive(clap::Args)]
pub struct Args {
    /// Prune runs that finished more than this long ago, e.g. 90d, 12w, 36h.
    #[arg(long, value_name = "AGE")]
    pub older_than: String,

    /// Act as this user (default: $SOP_USER, else the OS user).
    #[arg(long = "as", value_name = "USER")]
    pub as_user: Option<String>,

    /// Print JSON instead of text.
    #[arg(long)]
    pub json: bool,
}

pub fn run(ctx: &Context, args: Args) -> anyhow::Result<Exit> {
    let age: sop_core::Duration = args
        .older_than
        .parse()
        .map_err(|e| Fail::invalid(format!("--older-than: {e}")))?;
    let caller = Caller::quiet(identity::who(&ctx.settings, args.as_user.as_deref())?);
    let (report, cutoff) = ctx.service()?.prune(&caller, age)?;
    if args.json {
        crate::render::json::print(&serde_json::to_value(report)?)?;
    } else {
        println!(
            "pruned {} runs finished before {} ({} steps, {} events, {} tokens); their audit entries are kept",
            report.runs,
            crate::render::report::time(cutoff),
            report.steps,
            report.events,
            report.tokens
        );
    }
    Ok(Exit::Success)
}
