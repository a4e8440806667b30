//! `sop execute NAME` (alias `sop run`): start a run of an SOP and drive it in the foreground.

use super::arg_input;
use crate::catalog::Catalog;
use crate::config::Context;
use crate::engine::create::{NewRunRequest, create};
use crate::engine::dry_run::{self, Verdicts};
use crate::engine::progress::steps;
use crate::engine::snapshot::Snapshot;
use crate::engine::{Engine, Progress, driver, exit_code, identity, json, redact};
use crate::exit::{Exit, Fail};
use crate::{approval, executor, scope};
use serde_json::{Map, Value};
use sop_core::condition;
use sop_core::definition::Sop;
use sop_core::gate::GatePlan;
use sop_core::template::{ProblemKind, Vars, render_command, value_kind};
use std::collections::BTreeMap;

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

    /// Record the run and print its id at once; a server executes it.
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
    let actor = identity::who(args.as_user.as_deref())?;
    let catalog = Catalog::open(&ctx.sop_dir())?;
    catalog.sop(&args.name)?;
    let entry = catalog.entry(&args.name)?;
    let snapshot = Snapshot::read(entry)?;
    let sop = snapshot.parse(&args.name)?;
    let vars_text = match &args.vars {
        Some(v) => Some(arg_input::resolve(v, "--vars", &mut false)?),
        None => None,
    };
    let variables = parse_vars(vars_text.as_deref())?;
    executor::variable_env(&variables).map_err(|e| Fail::invalid(format!("--vars: {e}")))?;
    let missing = command_problems(&sop, &variables);
    if !args.dry_run && !missing.is_empty() {
        return Err(Fail::invalid(missing_message(&sop, &missing)));
    }

    let store = sop_store::open_from_env()?;
    let eng = Engine::new(ctx, store.as_ref(), actor, Progress::for_output(args.json))?;
    let vars_value = Value::Object(variables.clone());
    let now = eng.clock.now();
    let scope = scope::for_run(ctx, eng.store, &sop, "manual", &vars_value, now)?;
    let verdict = condition::evaluate(&sop.conditions, &scope);

    let mut needs_force = Vec::new();
    if !sop.has_manual_trigger() {
        needs_force.push("no manual trigger");
    }
    if !verdict.met {
        needs_force.push("conditions not met");
    }
    let modes = approval::settings::priority_modes()?;
    let plan = GatePlan::for_sop(&sop, &modes);
    let verdicts = Verdicts {
        conditions: &verdict,
        plan: &plan,
        needs_force: needs_force.clone(),
        forced: args.force,
        missing: &missing,
    };
    if args.dry_run {
        if args.json {
            json::print(&dry_run::json(&sop, &variables, &verdicts))?;
        } else {
            // As progress lines: a reader that went away changes nothing (no panic).
            let text = dry_run::text(&sop, &variables, &verdicts);
            let _ = std::io::Write::write_all(&mut std::io::stdout().lock(), text.as_bytes());
        }
        return Ok(match (verdicts.would_start(), verdict.met) {
            (true, _) => Exit::Success,
            (false, _) if !missing.is_empty() => Exit::Invalid,
            (false, false) => Exit::ConditionsUnmet,
            (false, true) => Exit::Invalid,
        });
    }
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
    print_conditions(&eng, &verdict, &variables);

    let forced = if args.force {
        needs_force.iter().map(|s| s.to_string()).collect()
    } else {
        Vec::new()
    };
    let created = create(
        &eng,
        &NewRunRequest {
            sop: &sop,
            snapshot: &snapshot,
            folder: &entry.dir,
            variables,
            trigger_type: "manual",
            trigger_detail: Value::Null,
            verdict: &verdict,
            plan: &plan,
            modes: &modes,
            forced,
            detach: args.detach,
        },
    )?;
    let mut t = created.tracked;
    if !args.json {
        let forced = if t.run.forced { " (forced)" } else { "" };
        eng.out.line(&format!(
            "run {} of {} ({}){forced}",
            t.id(),
            t.run.sop_name,
            steps(t.step_count())
        ));
    }
    if let Some(action) = created.action {
        driver::drive(&eng, &mut t, action)?;
    }
    if args.json {
        json::print_run(&eng, &t)?;
    } else if args.detach && !t.run.status.is_terminal() {
        eng.out.line(&format!(
            "run {} recorded as pending; a server will execute it",
            t.id()
        ));
    } else {
        eng.out.finished(&t);
    }
    Ok(exit_code(&t))
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

/// The commands that name a variable that was not given, as `file:line: step N `title`: …`. A
/// run with any would fail at that step anyway, after the earlier steps ran, so it is refused
/// before anything runs. Outputs of earlier steps (`steps.N.key`) are only known at run time
/// and are not checked here.
fn command_problems(sop: &Sop, variables: &Map<String, Value>) -> Vec<String> {
    let no_outputs = BTreeMap::new();
    let vars = Vars::new(variables).with_steps(&no_outputs);
    let mut problems = Vec::new();
    for step in &sop.steps {
        for block in step.commands() {
            let Err(e) = render_command(&block.code, &vars) else {
                continue;
            };
            for p in &e.problems {
                if let ProblemKind::Missing { name, .. } = &p.kind
                    && name.to_ascii_lowercase().starts_with("steps.")
                {
                    continue;
                }
                problems.push(format!(
                    "{}/SOP.md:{}: step {} `{}`: {}",
                    sop.name(),
                    block.line + p.line,
                    step.number,
                    step.title,
                    p.message()
                ));
            }
        }
    }
    problems
}

fn missing_message(sop: &Sop, problems: &[String]) -> String {
    format!(
        "cannot start `{}`:\n  {}\n  = help: pass the missing variables with --vars '{{\"name\": \"value\"}}'",
        sop.name(),
        problems.join("\n  ")
    )
}

fn print_conditions(eng: &Engine, verdict: &condition::Verdict, vars: &Map<String, Value>) {
    if verdict.items.is_empty() {
        return;
    }
    let secrets = redact::secret_values(vars);
    let met = if verdict.met { "met" } else { "not met" };
    eng.out.line(&format!("conditions: {met}"));
    for item in &verdict.items {
        let mark = if item.holds { '✓' } else { '✗' };
        eng.out.line(&format!(
            "  {mark} {}",
            redact::hide(&item.detail, &secrets)
        ));
    }
}
