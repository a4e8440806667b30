//! Text views of runs for people: the recent-runs table and one run in detail.

use super::progress::seconds;
use chrono::{DateTime, Utc};
use sop_core::gate::Choice;
use sop_core::run::{RunStatus, StepStatus};
use sop_engine::engine::Tracked;
use sop_engine::engine::redact;
use sop_store::{GateDecision, RunSummary, StepRun};
use std::fmt::Write as _;
use std::time::Duration;

/// Lines of output shown per step in `sop status RUN`; `sop logs` has the rest.
const TAIL_LINES: usize = 3;

pub fn time(at: DateTime<Utc>) -> String {
    at.format("%Y-%m-%d %H:%M:%SZ").to_string()
}

fn millis(ms: i64) -> String {
    seconds(Duration::from_millis(ms.max(0) as u64))
}

/// The recent-runs table of `sop status`.
pub fn table(runs: &[RunSummary], now: DateTime<Utc>) -> String {
    let rows: Vec<[String; 6]> = runs
        .iter()
        .map(|r| {
            [
                r.id.clone(),
                r.sop_name.clone(),
                r.status.to_string(),
                r.started_at
                    .or(Some(r.created_at))
                    .map(time)
                    .unwrap_or_default(),
                r.duration_ms(now).map(millis).unwrap_or_else(|| "-".into()),
                match r.current_step {
                    Some(n) => format!("{n}/{}", r.step_count),
                    None => format!("-/{}", r.step_count),
                },
            ]
        })
        .collect();
    let header = ["RUN", "SOP", "STATUS", "STARTED", "DURATION", "STEP"];
    let mut widths = header.map(str::len);
    for row in &rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let mut out = String::new();
    let mut line = |cells: [&str; 6]| {
        let mut l = String::new();
        for (i, cell) in cells.iter().enumerate() {
            if i + 1 == cells.len() {
                l.push_str(cell);
            } else {
                let _ = write!(l, "{cell:<w$}  ", w = widths[i]);
            }
        }
        out.push_str(l.trim_end());
        out.push('\n');
    };
    line(header);
    for row in &rows {
        line([&row[0], &row[1], &row[2], &row[3], &row[4], &row[5]]);
    }
    out
}

fn mark(status: StepStatus) -> char {
    match status {
        StepStatus::Pending => '·',
        StepStatus::Running => '▶',
        StepStatus::Waiting => '⏸',
        StepStatus::Succeeded => '✓',
        StepStatus::Failed => '✗',
        StepStatus::Skipped => '○',
        StepStatus::Cancelled => '■',
    }
}

/// One run in detail: who, when, definition, variables, every step, gates, and what to do.
/// `claimed_by`: the account that started the run when it is not the starter named (`--as`).
pub fn detail(
    t: &Tracked,
    decisions: &[GateDecision],
    claimed_by: Option<&str>,
    now: DateTime<Utc>,
) -> String {
    let r = &t.run;
    let mut out = format!("run {} · {} · {}\n", r.id, r.sop_name, r.status);
    let forced = if r.forced { ", forced" } else { "" };
    let starter = match claimed_by {
        Some(account) => format!("{} (as claimed by {account})", r.started_by),
        None => r.started_by.clone(),
    };
    let _ = writeln!(
        out,
        "started by {} ({}{forced}) at {}",
        starter,
        r.trigger_type,
        time(r.started_at.unwrap_or(r.created_at))
    );
    if let Some(start) = r.started_at {
        let end = r.finished_at.unwrap_or(now);
        let label = if r.finished_at.is_some() {
            "took"
        } else {
            "so far"
        };
        let _ = writeln!(out, "{label} {}", millis((end - start).num_milliseconds()));
    }
    if let Some(reason) = &r.reason {
        let _ = writeln!(out, "reason: {reason}");
    }
    if let (Some(deadline), Some(limit)) = (r.deadline, t.sop.meta.run_timeout) {
        let when = if r.status.is_active() && deadline > now {
            "times out at"
        } else {
            "deadline"
        };
        let _ = writeln!(out, "{when} {} (timeout {limit})", time(deadline));
    }
    let _ = writeln!(
        out,
        "definition: {}",
        r.definition_hash.get(..12).unwrap_or(&r.definition_hash)
    );
    let _ = writeln!(out, "mode: {}", t.plan.resolution);
    if let Some(dir) = &r.workdir {
        let _ = writeln!(out, "workdir: {dir}");
    }
    let vars = redact::redact(&r.variables);
    let vars = match &vars {
        serde_json::Value::Object(m) if m.is_empty() => "none".to_string(),
        serde_json::Value::Null => "none".to_string(),
        v => v.to_string(),
    };
    let _ = writeln!(out, "variables: {vars}");
    out.push_str("steps:\n");
    let secrets = t.secrets();
    let width = t
        .steps
        .iter()
        .map(|s| s.title.chars().count())
        .max()
        .unwrap_or(0);
    for s in &t.steps {
        step_line(&mut out, s, width, &secrets);
    }
    if t.gates.is_empty() {
        out.push_str("gates: none\n");
    } else {
        out.push_str("gates:\n");
        for g in &t.gates {
            let _ = writeln!(
                out,
                "  {} · {} · opened {}{}",
                sop_core::gate::gate_label(g.step),
                g.status,
                time(g.opened_at),
                g.expires_at
                    .map(|e| format!(" · expires {}", time(e)))
                    .unwrap_or_default()
            );
            for d in decisions.iter().filter(|d| d.gate_id == g.id) {
                let (mark, verb) = match d.decision {
                    Choice::Approve => ('✓', "approved"),
                    Choice::Reject => ('✗', "rejected"),
                };
                let comment = d
                    .comment
                    .as_deref()
                    .map(|c| format!(": {}", c.replace(char::is_control, " ")))
                    .unwrap_or_default();
                let _ = writeln!(
                    out,
                    "      {mark} {verb} by {} at {}{comment}",
                    d.actor,
                    time(d.at)
                );
            }
        }
    }
    if let Some(hint) = next_hint(t) {
        let _ = writeln!(out, "next: {hint}");
    }
    out
}

fn step_line(out: &mut String, s: &StepRun, width: usize, secrets: &[String]) {
    let mut facts = Vec::new();
    if let Some(code) = s.exit_code {
        facts.push(format!("exit {code}"));
    }
    if s.attempts > 0 {
        let noun = if s.attempts == 1 {
            "attempt"
        } else {
            "attempts"
        };
        facts.push(format!("{} {noun}", s.attempts));
    }
    if let Some(ms) = s.duration_ms {
        facts.push(seconds(Duration::from_millis(ms)));
    }
    if let Some(note) = &s.note {
        // One line per step, whatever the note holds.
        let note = redact::hide(note, secrets).replace(char::is_control, " ");
        facts.push(format!("note: {note}"));
    }
    let line = format!(
        "  {:>2} {} {:<9}  {:<width$}  {}",
        s.number,
        mark(s.status),
        s.status.as_str(),
        s.title,
        facts.join(" · ")
    );
    out.push_str(line.trim_end());
    out.push('\n');
    let text = redact::hide(&s.output_text(), secrets);
    let lines: Vec<&str> = text.lines().collect();
    for l in &lines[lines.len().saturating_sub(TAIL_LINES)..] {
        let _ = writeln!(out, "       │ {l}");
    }
}

/// The command that moves the run on, if a person is needed.
pub fn next_hint(t: &Tracked) -> Option<String> {
    let id = t.id();
    let at = t.run.current_step.unwrap_or(1);
    Some(match t.run.status {
        RunStatus::Waiting if t.run.reason.as_deref() == Some("interrupted") => {
            format!("sop retry {id}  or  sop skip {id} --step {at} --reason TEXT")
        }
        RunStatus::Waiting => format!("sop done {id}  (sop next {id} shows the instructions)"),
        RunStatus::Paused => format!("sop resume {id}"),
        RunStatus::AwaitingApproval => format!("sop approve {id}"),
        // Timed out: nothing failed that could be retried or skipped.
        RunStatus::Failed if t.view.stopping_failure().is_none() => return None,
        RunStatus::Failed => format!("sop retry {id}  or  sop skip {id} --step {at} --reason TEXT"),
        RunStatus::Pending => format!("sop resume {id}"),
        _ => return None,
    })
}

/// What is left of a pruned run.
pub fn pruned(run: &sop_store::Run, steps: &[StepRun]) -> String {
    let mut out = format!("run {} · {} · {}\n", run.id, run.sop_name, run.status);
    let _ = writeln!(
        out,
        "started by {} ({}) at {}",
        run.started_by,
        run.trigger_type,
        time(run.started_at.unwrap_or(run.created_at))
    );
    if let Some(at) = run.pruned_at {
        let _ = writeln!(
            out,
            "pruned at {}: its definition, variables and step output are gone; `sop audit {}` has its history",
            time(at),
            run.id
        );
    }
    for s in steps {
        let _ = writeln!(
            out,
            "  {:>2} {} {:<9}  {}",
            s.number,
            mark(s.status),
            s.status.as_str(),
            s.title
        );
    }
    out
}
