//! `sop schedule [NAME]`: the next fire times of every cron trigger (RFC 3339 with the zone's
//! offset, and the local wall time) and the last tick the scheduler decided, with its run.
//! Reads the SOPs and the store, so it works with or without a server.

use crate::config::Context;
use crate::exit::{Exit, Fail};
use crate::render::json;
use chrono::{DateTime, Utc};
use sop_engine::documents::{ScheduleEntryDocument, SchedulesDocument};
use std::fmt::Write as _;
use std::io::Write as _;

#[derive(clap::Args)]
pub struct Args {
    /// Only this SOP's cron triggers.
    pub name: Option<String>,
    /// How many upcoming fire times to show per trigger.
    #[arg(long, value_name = "N", default_value_t = 5)]
    pub next: usize,
    /// Count from this instant (RFC 3339, e.g. 2026-03-29T00:00:00Z) instead of now.
    #[arg(long, value_name = "RFC3339")]
    pub from: Option<String>,
    /// Print JSON instead of text.
    #[arg(long)]
    pub json: bool,
}

pub fn run(ctx: &Context, args: Args) -> anyhow::Result<Exit> {
    let from = match &args.from {
        Some(text) => Some(
            DateTime::parse_from_rfc3339(text.trim())
                .map_err(|e| {
                    Fail::invalid(format!(
                        "--from `{text}` is not an RFC 3339 time ({e}); write e.g. 2026-03-29T00:00:00Z"
                    ))
                })?
                .with_timezone(&Utc),
        ),
        None => None,
    };
    let service = ctx.service()?;
    let doc = service.schedules(args.name.as_deref(), args.next, from)?;
    if args.json {
        json::print_doc(&doc)?;
    } else {
        std::io::stdout().lock().write_all(text(&doc).as_bytes())?;
    }
    Ok(Exit::Success)
}

fn text(doc: &SchedulesDocument) -> String {
    if doc.schedules.is_empty() {
        return "No cron triggers.\n".into();
    }
    let mut out = String::new();
    for (i, s) in doc.schedules.iter().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        entry(&mut out, s);
    }
    out
}

fn entry(out: &mut String, s: &ScheduleEntryDocument) {
    let _ = writeln!(
        out,
        "{} — trigger {}: cron `{}` in {} (overlap {}, catch_up {})",
        s.sop, s.trigger, s.expression, s.timezone, s.overlap, s.catch_up
    );
    if s.next_local.is_empty() {
        let _ = writeln!(out, "  next: never");
    }
    for local in &s.next_local {
        let wall = DateTime::parse_from_rfc3339(local)
            .map(|t| t.format("%a %Y-%m-%d %H:%M:%S").to_string())
            .unwrap_or_default();
        let _ = writeln!(out, "  next: {local}  ({wall} local)");
    }
    match &s.last {
        None => {
            let _ = writeln!(out, "  last: none yet");
        }
        Some(last) => {
            let run = match (&last.run, &last.run_status) {
                (Some(id), Some(status)) => format!(", run {id} ({status})"),
                (Some(id), None) => format!(", run {id}"),
                _ => String::new(),
            };
            let _ = writeln!(out, "  last: {} {}{run}", last.scheduled_at, last.decision);
        }
    }
}
