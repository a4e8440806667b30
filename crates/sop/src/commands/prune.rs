//! `sop prune --older-than 90d`: remove the details of runs finished long ago; their audit
//! entries stay, so the trail remains verifiable.

use crate::config::Context;
use crate::exit::{Exit, Fail};
use serde_json::json;
use sop_engine::clock::Clock;
use sop_engine::engine::identity;
use sop_store::{AuditEvent, StoreExt};

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
    let actor = identity::who(&ctx.settings, args.as_user.as_deref())?;
    let now = Clock::from_settings(&ctx.settings)?.now();
    let cutoff = now - age.as_chrono();
    let store = ctx.settings.open_store()?;
    let report = store.transaction(|tx| {
        let report = tx.prune(cutoff, now)?;
        tx.audit(&AuditEvent::new(
            now,
            None,
            actor.as_str(),
            "store.pruned",
            json!({"older_than": age.to_string(), "cutoff": cutoff, "report": report}),
        ))?;
        Ok(report)
    })?;
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
