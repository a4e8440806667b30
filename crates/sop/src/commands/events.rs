//! `sop events [--limit N]`: recent events, newest first, each with the runs it started or why
//! each matching SOP did not start.

use crate::config::Context;
use crate::exit::{Exit, Fail};
use crate::render::{events, json};
use sop_engine::documents::{EventDocument, EventListDocument};

#[derive(clap::Args)]
pub struct Args {
    /// How many events to show, newest first (1 to 1000).
    #[arg(long, value_name = "N", default_value_t = 20)]
    pub limit: u32,

    /// Print the events as JSON.
    #[arg(long)]
    pub json: bool,
}

pub fn run(ctx: &Context, args: Args) -> anyhow::Result<Exit> {
    if !(1..=1000).contains(&args.limit) {
        return Err(Fail::invalid(format!(
            "--limit must be between 1 and 1000, not {}",
            args.limit
        )));
    }
    let records = ctx.service()?.recent_events(args.limit)?;
    let doc = EventListDocument {
        events: records.iter().map(EventDocument::new).collect(),
    };
    if args.json {
        json::print_doc(&doc)?;
        return Ok(Exit::Success);
    }
    if doc.events.is_empty() {
        println!("no events recorded; `sop emit EVENT` records one");
    }
    for e in &doc.events {
        println!("{}", events::heading(e));
        for line in events::outcome_lines(e) {
            println!("{line}");
        }
    }
    Ok(Exit::Success)
}
