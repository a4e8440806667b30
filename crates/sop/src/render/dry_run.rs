//! `sop execute --dry-run`: what a run would do, with nothing run and nothing recorded.

use serde_json::{Map, Value};
use sop_core::condition::Verdict;
use sop_core::definition::{Sop, Step, StepKind};
use sop_core::gate::GatePlan;
use sop_core::step_output::Outputs;
use sop_core::template::{Vars, render_command_lenient, render_text_lenient};
use sop_engine::documents::env_names;
use sop_engine::engine::redact;
use sop_engine::engine::settings::DEFAULT_STEP_TIMEOUT;
use std::collections::BTreeMap;
use std::fmt::Write as _;

/// What was decided about starting.
pub struct Verdicts<'a> {
    pub conditions: &'a Verdict,
    pub plan: &'a GatePlan,
    /// Why a start would need `--force`, and whether it was given.
    pub needs_force: Vec<&'static str>,
    pub forced: bool,
    /// Commands that name a variable `--vars` did not give: no start, `--force` or not.
    pub missing: &'a [String],
}

impl Verdicts<'_> {
    pub fn would_start(&self) -> bool {
        self.missing.is_empty() && (self.needs_force.is_empty() || self.forced)
    }
}

pub fn text(sop: &Sop, vars: &Map<String, Value>, v: &Verdicts) -> String {
    let secrets = redact::secret_values(vars);
    let mut out = format!(
        "dry run of {} ({}): nothing runs and no run is recorded\n",
        sop.name(),
        crate::render::progress::steps(sop.steps.len())
    );
    if v.conditions.items.is_empty() {
        out.push_str("conditions: none\n");
    } else {
        let met = if v.conditions.met { "met" } else { "not met" };
        let _ = writeln!(out, "conditions: {met}");
        for item in &v.conditions.items {
            let mark = if item.holds { '✓' } else { '✗' };
            let _ = writeln!(out, "  {mark} {}", redact::hide(&item.detail, &secrets));
        }
    }
    let _ = writeln!(out, "{}", v.plan);
    if !sop.parameters.is_empty() {
        out.push_str("parameters:\n");
        for p in sop.parameters.iter() {
            let _ = writeln!(out, "  {}: {}", p.name, p.summary());
        }
    }
    let _ = writeln!(out, "environment: {}", env_names(vars).join(", "));
    if let Some(limit) = sop.meta.run_timeout {
        let _ = writeln!(
            out,
            "timeout: {limit} for the whole run, from its start (then it fails: timeout)"
        );
    }
    out.push_str("steps:\n");
    let no_outputs = BTreeMap::new();
    for step in &sop.steps {
        step_text(&mut out, sop, step, vars, &no_outputs, &secrets);
    }
    if v.would_start() {
        let forced = if v.needs_force.is_empty() {
            String::new()
        } else {
            format!(" (forced: {})", v.needs_force.join(", "))
        };
        let _ = writeln!(out, "would start: yes{forced}");
    } else if v.missing.is_empty() {
        let _ = writeln!(
            out,
            "would start: no ({}); --force starts it anyway and records that in the audit trail",
            v.needs_force.join(", ")
        );
    } else {
        let mut reasons = vec!["variables missing"];
        if !v.forced {
            reasons.extend(&v.needs_force);
        }
        let _ = writeln!(out, "would start: no ({})", reasons.join(", "));
        for problem in v.missing {
            let _ = writeln!(out, "  {problem}");
        }
        out.push_str("  = help: pass the missing variables with --vars '{\"name\": \"value\"}'\n");
        if reasons.len() > 1 {
            let _ = writeln!(
                out,
                "  = help: --force starts it despite {}, and records that in the audit trail",
                v.needs_force.join(" and ")
            );
        }
    }
    out
}

fn step_text(
    out: &mut String,
    sop: &Sop,
    step: &Step,
    vars: &Map<String, Value>,
    outputs: &BTreeMap<u32, Outputs>,
    secrets: &[String],
) {
    let o = &step.options;
    let mut traits = vec![match step.kind {
        StepKind::Automated => "automated".to_string(),
        StepKind::Manual => "manual".to_string(),
    }];
    if step.kind == StepKind::Automated {
        let timeout = o.timeout.or(sop.meta.step_timeout).map_or_else(
            || sop_core::Duration::from_secs(DEFAULT_STEP_TIMEOUT.as_secs()).to_string(),
            |d| d.to_string(),
        );
        traits.push(format!("timeout {timeout}"));
    }
    if o.retries > 0 {
        traits.push(format!("retries {}", o.retries));
    }
    if o.continue_on_error {
        traits.push("continue_on_error".into());
    }
    if o.idempotent {
        traits.push("idempotent".into());
    }
    let _ = writeln!(
        out,
        "  {}. {} ({})",
        step.number,
        step.title,
        traits.join(", ")
    );
    if let Some(c) = &o.condition {
        // Earlier steps' outputs do not exist yet, so the condition is shown, not decided.
        let _ = writeln!(
            out,
            "     if: {} (decided when the run reaches the step)",
            redact::hide(c.source(), secrets)
        );
    }
    let vars = Vars::new(vars).with_steps(outputs);
    if step.kind == StepKind::Manual {
        let description = render_text_lenient(step.description.trim(), &vars);
        for line in description.lines().filter(|l| !l.trim().is_empty()) {
            let _ = writeln!(out, "     {}", redact::hide(line, secrets));
        }
        for item in &step.checklist {
            let item = render_text_lenient(item, &vars);
            let _ = writeln!(out, "     [ ] {}", redact::hide(&item, secrets));
        }
    }
    for block in step.commands() {
        let command = render_command_lenient(&block.code, &vars);
        let command = redact::hide(command.trim_end(), secrets);
        let mut lines = command.lines();
        if let Some(first) = lines.next() {
            let _ = writeln!(out, "     $ {} -c: {first}", block.interpreter());
        }
        for line in lines {
            let _ = writeln!(out, "       {line}");
        }
    }
}
