//! `sop show NAME`: one parsed SOP — metadata, triggers, conditions, and every step with its
//! kind, options, checklist and commands.

use crate::config::Context;
use crate::exit::Exit;
use sop_core::Priority;
use sop_core::definition::{ApprovalRequirement, OnTimeout, Sop, Step, StepKind, StepOptions};
use sop_core::parameters::StartOrigin;
use sop_engine::catalog::{Catalog, Entry};
use std::fmt::Write as _;
use std::io::Write as _;

#[derive(clap::Args)]
pub struct Args {
    /// The SOP to show.
    #[arg(value_name = "NAME")]
    pub name: String,

    /// Print JSON instead of text.
    #[arg(long)]
    pub json: bool,

    /// Print the SOP's parameters as JSON Schema (draft 2020-12) for a manual start.
    #[arg(long, conflicts_with = "json")]
    pub schema: bool,
}

pub fn run(ctx: &Context, args: Args) -> anyhow::Result<Exit> {
    let catalog = Catalog::open(&ctx.sop_dir())?;
    let entry = catalog.entry(&args.name)?;
    let sop = match &entry.sop {
        Ok(sop) => sop,
        Err(diags) => {
            if args.json {
                let out = sop_engine::documents::InvalidSopDocument::new(entry, diags);
                println!(
                    "{}",
                    serde_json::to_string_pretty(&serde_json::to_value(&out)?)?
                );
            } else {
                let mut err = std::io::stderr().lock();
                for d in diags {
                    writeln!(err, "{}", d.render())?;
                }
                writeln!(
                    err,
                    "error: SOP `{}` is invalid ({} problem{}); fix it and run `sop check {}`",
                    entry.name,
                    diags.len(),
                    if diags.len() == 1 { "" } else { "s" },
                    entry.name
                )?;
            }
            return Ok(Exit::Invalid);
        }
    };
    if args.schema {
        let schema = sop.parameters.json_schema(sop.name(), StartOrigin::Manual);
        println!("{}", serde_json::to_string_pretty(&schema)?);
        return Ok(Exit::Success);
    }
    let settings = sop_engine::approval::ApprovalSettings::load(&ctx.settings)?;
    let approvals = sop_engine::approval::plan::Summary::new(sop, &settings);
    let out = if args.json {
        let doc = sop_engine::documents::SopDocument::new(entry, sop, approvals.clone())?;
        let mut s = serde_json::to_string_pretty(&serde_json::to_value(&doc)?)?;
        s.push('\n');
        s
    } else {
        text(entry, sop, &approvals)
    };
    std::io::stdout().lock().write_all(out.as_bytes())?;
    Ok(Exit::Success)
}

fn text(entry: &Entry, sop: &Sop, approvals: &sop_engine::approval::plan::Summary) -> String {
    let m = &sop.meta;
    let mut out = format!(
        "{} {} {} ({})\n",
        m.name,
        m.display_icon(),
        m.priority.as_str().to_uppercase(),
        m.execution_mode
    );
    if !m.description.is_empty() {
        let _ = writeln!(out, "{}", m.description);
    }
    out.push('\n');
    let mut field = |label: &str, value: &str| {
        let _ = writeln!(out, "{:<14}{value}", format!("{label}:"));
    };
    if let Some(v) = &m.version {
        field("Version", v);
    }
    if let Some(a) = &m.author {
        field("Author", a);
    }
    let triggers: Vec<String> = sop.triggers.iter().map(trigger_text).collect();
    field("Triggers", &triggers.join(", "));
    let conditions = sop.conditions.summary();
    field(
        "Conditions",
        &if conditions.is_empty() {
            "none".to_string()
        } else {
            conditions.join(", ")
        },
    );
    field("Approvers", &approvers(sop));
    field("Approval", &approval(sop));
    field("Mode", &approvals.mode.to_string());
    field("Gates", &approvals.gates_text());
    for w in &approvals.warnings {
        field("Warning", w);
    }
    field(
        "Concurrency",
        &match m.concurrency {
            None => "unlimited".to_string(),
            Some(1) => "one active run at a time".to_string(),
            Some(n) => format!("at most {n} active runs"),
        },
    );
    field(
        "Run timeout",
        &m.run_timeout
            .map_or("none".to_string(), |t| format!("{t} from the run's start")),
    );
    field(
        "Step timeout",
        &m.step_timeout
            .map_or("the engine default".to_string(), |t| t.to_string()),
    );
    field(
        "Workdir",
        m.workdir
            .as_deref()
            .unwrap_or("a fresh temporary directory per run"),
    );
    field("Folder", &entry.dir.display().to_string());
    field("Content hash", &sop.content_hash);
    if !sop.parameters.is_empty() {
        out.push_str("\nParameters:\n");
        for p in sop.parameters.iter() {
            let _ = writeln!(out, "  {:<12}  {}", p.name, p.summary());
        }
    }
    if !sop.preamble.is_empty() {
        out.push('\n');
        indent(&mut out, "  ", &sop.preamble);
    }
    let _ = write!(out, "\nSteps ({}):\n", sop.steps.len());
    for step in &sop.steps {
        step_text(&mut out, step);
    }
    out
}

fn trigger_text(t: &sop_core::definition::Trigger) -> String {
    use sop_core::definition::Trigger;
    match t {
        Trigger::Cron {
            timezone: Some(tz), ..
        } => format!("{t} ({tz})"),
        Trigger::Webhook {
            secret_env: Some(var),
            ..
        } => format!("{t} (signed with ${var})"),
        Trigger::Event {
            condition,
            cooldown,
            ..
        } => {
            let mut s = t.to_string();
            if let Some(c) = condition {
                let _ = write!(s, " when {c}");
            }
            if let Some(d) = cooldown {
                let _ = write!(s, " (cooldown {d})");
            }
            s
        }
        _ => t.to_string(),
    }
}

fn approvers(sop: &Sop) -> String {
    if sop.meta.approvers.is_empty() {
        "anyone".to_string()
    } else {
        sop.meta.approvers.join(", ")
    }
}

fn approval(sop: &Sop) -> String {
    let m = &sop.meta;
    let self_approval = m.allow_self_approval.unwrap_or(m.priority < Priority::High);
    format!(
        "{} approval{} per gate, self-approval {}, expires after {} ({})",
        m.min_approvals,
        if m.min_approvals == 1 { "" } else { "s" },
        if self_approval {
            "allowed"
        } else {
            "not allowed"
        },
        m.approval_timeout,
        match m.on_timeout {
            OnTimeout::Expire => "the gate expires",
            OnTimeout::Cancel => "the run is cancelled",
        }
    )
}

fn step_text(out: &mut String, step: &Step) {
    let kind = match step.kind {
        StepKind::Automated => "automated",
        StepKind::Manual => "manual",
    };
    let _ = write!(out, "\n{}. {} [{kind}]\n", step.number, step.title);
    if let Some(options) = options_text(&step.options) {
        let _ = writeln!(out, "   Options: {options}");
    }
    if let Some(c) = &step.options.condition {
        let _ = writeln!(out, "   If: {c} (decided when the run reaches the step)");
    }
    indent(out, "   ", &step.description);
    for item in &step.checklist {
        let _ = writeln!(out, "   - [ ] {item}");
    }
    let runs = step.kind == StepKind::Automated;
    for block in &step.blocks {
        let verb = if runs && block.is_shell() {
            "Runs"
        } else {
            "Shows"
        };
        let lang = if block.lang.is_empty() {
            "text"
        } else {
            &block.lang
        };
        let _ = writeln!(out, "   {verb} ({lang}, SOP.md line {}):", block.line);
        indent(out, "     ", &block.code);
    }
}

/// The options that differ from the defaults, or `None` when all are defaults.
fn options_text(o: &StepOptions) -> Option<String> {
    let mut parts = Vec::new();
    if let Some(t) = o.timeout {
        parts.push(format!("timeout {t}"));
    }
    if o.retries > 0 {
        parts.push(format!("retries {}", o.retries));
    }
    if o.continue_on_error {
        parts.push("continue on error".to_string());
    }
    if o.idempotent {
        parts.push("idempotent".to_string());
    }
    if o.approval == ApprovalRequirement::Required {
        parts.push("approval required".to_string());
    }
    if o.manual {
        parts.push("manual".to_string());
    }
    (!parts.is_empty()).then(|| parts.join(", "))
}

/// Appends `text` with every non-empty line prefixed, leaving blank lines blank.
fn indent(out: &mut String, prefix: &str, text: &str) {
    for line in text.lines() {
        if line.trim().is_empty() {
            out.push('\n');
        } else {
            let _ = writeln!(out, "{prefix}{line}");
        }
    }
}
