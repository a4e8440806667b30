//! `sop emit EVENT [--data JSON]`: record an event; every SOP with a matching event trigger
//! whose condition holds gets a run, left `pending` for a server (or `sop resume`).

use super::arg_input;
use crate::config::Context;
use crate::exit::{Exit, Fail};
use crate::render::{events, json};
use serde_json::{Map, Value};
use sop_core::run::RunStatus;
use sop_core::template::value_kind;
use sop_engine::Caller;
use sop_engine::documents::EventDocument;
use sop_engine::engine::identity;
use sop_engine::ops::{EmitRequest, LeavePending};

#[derive(clap::Args)]
pub struct Args {
    /// The event's name: dot-separated lowercase words, e.g. deploy.failed.
    #[arg(value_name = "EVENT")]
    pub event: String,

    /// The event's data as a JSON object, e.g. '{"environment": "production"}': the names a
    /// trigger's condition reads and the variables of the runs it starts. `-` reads it from
    /// standard input, `@FILE` from a file.
    #[arg(long, value_name = "JSON")]
    pub data: Option<String>,

    /// Act as this user (default: $SOP_USER, else the OS user).
    #[arg(long = "as", value_name = "USER")]
    pub as_user: Option<String>,

    /// Print the event and its outcomes as JSON.
    #[arg(long)]
    pub json: bool,
}

pub fn run(ctx: &Context, args: Args) -> anyhow::Result<Exit> {
    let actor = identity::who(&ctx.settings, args.as_user.as_deref())?;
    let data = match &args.data {
        Some(v) => parse_data(&arg_input::resolve(v, "--data", &mut false)?)?,
        None => Map::new(),
    };
    let service = ctx.service()?;
    let caller = Caller::quiet(actor);
    let req = EmitRequest {
        event: args.event,
        data,
        source: "cli".into(),
    };
    let record = service.emit_event(&caller, &req, &mut LeavePending)?;
    let doc = EventDocument::new(&record);
    if args.json {
        json::print_doc(&doc)?;
        return Ok(Exit::Success);
    }
    println!("{}", events::heading(&doc));
    for line in events::outcome_lines(&doc) {
        println!("{line}");
    }
    // Nothing listens: most likely a typo of an event some SOP does listen to.
    if doc.outcomes.is_empty()
        && let Ok(catalog) = sop_engine::catalog::Catalog::open(ctx.settings.sop_dir())
    {
        let names: Vec<&str> = catalog
            .sops()
            .flat_map(|s| &s.triggers)
            .filter_map(|t| match t {
                sop_core::definition::Trigger::Event { event, .. } => Some(event.as_str()),
                _ => None,
            })
            .collect();
        if let Some(meant) = sop_core::suggest::closest(&doc.event, names) {
            println!("  did you mean `{meant}`?");
        }
    }
    let pending = doc
        .outcomes
        .iter()
        .filter(|o| o.run_status == Some(RunStatus::Pending))
        .count();
    if pending > 0 {
        let runs = if pending == 1 { "run is" } else { "runs are" };
        println!(
            "{}",
            match super::hand_off::LiveServers::of(&service)? {
                Some(s) => format!(
                    "{pending} {runs} left pending; {} will execute them",
                    s.subject()
                ),
                None => format!(
                    "{pending} {runs} left pending; no server is running on this database: start one with `sop serve`, or run each here with `sop resume RUN`"
                ),
            }
        );
    }
    Ok(Exit::Success)
}

fn parse_data(text: &str) -> anyhow::Result<Map<String, Value>> {
    match serde_json::from_str::<Value>(text) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(other) => Err(Fail::invalid(format!(
            "--data must be a JSON object such as '{{\"environment\": \"production\"}}', not {}",
            value_kind(&other)
        ))),
        Err(e) => Err(Fail::invalid(format!(
            "--data is not valid JSON: {e}\n  = help: quote it for the shell, e.g. --data '{{\"environment\": \"production\"}}'"
        ))),
    }
}
