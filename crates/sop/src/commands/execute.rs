//! `sop execute NAME` (alias `sop run`): start a run of an SOP and drive it in the foreground.

use super::arg_input;
use super::run_target::finish;
use crate::config::Context;
use crate::exit::{Exit, Fail};
use crate::render::dry_run::{self, Verdicts};
use crate::render::progress::steps;
use crate::render::{Progress, exit_code, json};
use serde_json::{Map, Value};
use sop_core::condition;
use sop_core::definition::Sop;
use sop_core::template::value_kind;
use sop_engine::Caller;
use sop_engine::engine::{identity, redact};
use sop_engine::ops::StartRequest;

#[derive(clap::Args)]
pub struct Args {
    /// The SOP to run.
    #[arg(value_name = "NAME")]
    pub name: String,

    /// Variables as a JSON object, e.g. '{"severity": "high", "service": "api"}'; `-` reads it
    /// from standard input, `@FILE` from a file.
    #[arg(long, value_name = "JSON")]
    pub vars: Option<String>,

    /// Show the conditions, mode, gates and rendered steps; run nothing, record nothing.
    #[arg(long)]
    pub dry_run: bool,

    /// Start even when the conditions are not met or the SOP has no manual trigger (audited).
    #[arg(long)]
    pub force: bool,

    /// Record the run and print its id at once; `sop resume` (or a server) executes it.
    #[arg(long, conflicts_with = "dry_run")]
    pub detach: bool,

    /// Act as this user (default: $SOP_USER, else the OS user).
    #[arg(long = "as", value_name = "USER")]
    pub as_user: Option<String>,

    /// Print only the final run object, as JSON.
    #[arg(long)]
    pub json: bool,
}

pub fn run(ctx: &Context, args: Args) -> anyhow::Result<Exit> {
    let actor = identity::who(&ctx.settings, args.as_user.as_deref())?;
    let vars_text = match &args.vars {
        Some(v) => Some(arg_input::resolve(v, "--vars", &mut false)?),
        None => None,
    };
    let variables = parse_vars(vars_text.as_deref())?;
    let service = ctx.service()?;
    service
        .check_variables(&variables)
        .map_err(|e| Fail::invalid(format!("--vars: {}", e.message)))?;
    let mut req = StartRequest::manual(&args.name, variables);
    req.force = args.force;
    req.detach = args.detach;
    let plan = service.plan_run(&req)?;
    if !args.dry_run && !plan.missing.is_empty() && !plan.skips() {
        return Err(Fail::invalid(missing_message(&plan.sop, &plan.missing)));
    }
    if args.dry_run {
        let verdicts = Verdicts {
            conditions: &plan.verdict,
            plan: &plan.gates,
            needs_force: plan.needs_force.clone(),
            forced: args.force,
            missing: &plan.missing,
        };
        if args.json {
            json::print_doc(&sop_engine::documents::PlanDocument::new(&plan))?;
        } else {
            // As progress lines: a reader that went away changes nothing (no panic).
            let text = dry_run::text(&plan.sop, &plan.variables, &verdicts);
            let _ = std::io::Write::write_all(&mut std::io::stdout().lock(), text.as_bytes());
        }
        return Ok(match (plan.would_start(), plan.verdict.met) {
            (true, _) => Exit::Success,
            (false, _) if !plan.missing.is_empty() => Exit::Invalid,
            (false, false) => Exit::ConditionsUnmet,
            (false, true) => Exit::Invalid,
        });
    }
    let sop = &plan.sop;
    if !sop.has_manual_trigger() && !args.force {
        let triggers: Vec<String> = sop.triggers.iter().map(|t| t.to_string()).collect();
        return Err(Fail::invalid(format!(
            "`{}` has no manual trigger (its triggers: {}), so it does not start on demand\n  = help: add `[[triggers]] type = \"manual\"` to its SOP.toml, or pass --force to start it anyway (recorded in the audit trail)",
            sop.name(),
            if triggers.is_empty() {
                "none".to_string()
            } else {
                triggers.join(", ")
            }
        )));
    }
    let out = Progress::for_output(args.json);
    print_conditions(&out, &plan.verdict, &plan.variables);
    let caller = Caller::new(actor, &out).with_stop(ctx.stop.clone());
    let started = service.start_run(&caller, &req, plan)?;
    let mut t = started.tracked;
    if !args.json {
        let forced = if t.run.forced { " (forced)" } else { "" };
        out.line(&format!(
            "run {} of {} ({}){forced}",
            t.id(),
            t.run.sop_name,
            steps(t.step_count())
        ));
    }
    if let (Some(place), false) = (&started.queued, args.json) {
        out.line(&format!(
            "`{}` has {} active run(s), its limit (concurrency = {}, on_limit = \"queue\"): \
             this run waits, place {} in the queue, behind {}; its conditions are checked again \
             when it starts",
            t.run.sop_name,
            place.behind.len(),
            place.limit,
            place.place,
            place.behind.join(", ")
        ));
    }
    if let Some(action) = started.action {
        service.drive(&caller, &mut t, action)?;
    }
    if args.detach && !args.json && !t.run.status.is_terminal() {
        out.line(&super::hand_off::detached_line(ctx, &service, t.id())?);
        return Ok(exit_code(&t, &ctx.stop));
    }
    finish(ctx, &service, &out, &t, args.json)
}

/// `--vars`: a JSON object (absent = no variables).
fn parse_vars(text: Option<&str>) -> anyhow::Result<Map<String, Value>> {
    let Some(text) = text else {
        return Ok(Map::new());
    };
    match serde_json::from_str::<Value>(text) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(other) => Err(Fail::invalid(format!(
            "--vars must be a JSON object such as '{{\"severity\": \"high\"}}', not {}",
            value_kind(&other)
        ))),
        Err(e) => Err(Fail::invalid(format!(
            "--vars is not valid JSON: {e}\n  = help: quote it for the shell, e.g. --vars '{{\"service\": \"api\"}}'"
        ))),
    }
}

fn missing_message(sop: &Sop, problems: &[String]) -> String {
    format!(
        "cannot start `{}`:\n  {}\n  = help: pass the missing variables with --vars '{{\"name\": \"value\"}}'",
        sop.name(),
        problems.join("\n  ")
    )
}

fn print_conditions(out: &Progress, verdict: &condition::Verdict, vars: &Map<String, Value>) {
    if verdict.items.is_empty() {
        return;
    }
    let secrets = redact::secret_values(vars);
    let met = if verdict.met { "met" } else { "not met" };
    out.line(&format!("conditions: {met}"));
    for item in &verdict.items {
        let mark = if item.holds { '✓' } else { '✗' };
        out.line(&format!(
            "  {mark} {}",
            redact::hide(&item.detail, &secrets)
        ));
    }
}
