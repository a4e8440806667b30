//! What a person watching a run sees: one line per step event, the step's own output, the
//! instructions of a manual step, and where the run ended. On a terminal a spinner shows the
//! running step ([`Live`]); elsewhere the same lines are printed plain. `--json` runs print none
//! of it.

use super::live::{Live, Stream};
use sop_core::definition::Step;
use sop_core::gate::{GateOutcome, gate_label};
use sop_core::run::{RunStatus, WaitReason};
use sop_engine::RunEvents;
use sop_engine::engine::Tracked;
use sop_engine::executor::StepResult;
use std::cell::Cell;
use std::io::Write;
use std::time::Duration;

#[derive(Debug)]
pub enum Progress {
    /// Lines on stdout; step output streams through as it arrives.
    Plain(OpenLines),
    /// The same lines, with a spinner under them for the running step (a terminal).
    Live(Live),
    /// Nothing: the command prints a JSON document at the end.
    Quiet,
}

/// Per stream (`[stdout, stderr]`), whether the step's output so far ends inside a line.
#[derive(Debug, Default)]
pub struct OpenLines([Cell<bool>; 2]);

impl Progress {
    /// What a command that follows a run shows: nothing with `--json` (it prints the run
    /// object at the end), else progress lines, live on a terminal.
    pub fn for_output(json: bool) -> Self {
        if json {
            Progress::Quiet
        } else if Live::wanted() {
            Progress::Live(Live::default())
        } else {
            Progress::Plain(OpenLines::default())
        }
    }

    pub fn is_quiet(&self) -> bool {
        matches!(self, Progress::Quiet)
    }

    pub fn line(&self, text: &str) {
        match self {
            Progress::Quiet => {}
            Progress::Live(live) => live.line(text),
            Progress::Plain(_) => {
                let text = super::terminal::for_stdout(text);
                let mut out = std::io::stdout().lock();
                let _ = writeln!(out, "{text}");
                let _ = out.flush();
            }
        }
    }

    /// Bytes a running step wrote to stdout (`stderr` false) or stderr.
    pub fn step_output(&self, stderr: bool, bytes: &[u8]) {
        let stream = if stderr {
            Stream::Stderr
        } else {
            Stream::Stdout
        };
        match self {
            Progress::Quiet => {}
            Progress::Live(live) => live.output(stream, bytes),
            Progress::Plain(open) => {
                stream.write(bytes);
                if let Some(last) = bytes.last() {
                    open.0[stream as usize].set(*last != b'\n');
                }
            }
        }
    }

    /// Takes the running step's spinner down (a step ended, or the run stopped for someone),
    /// and ends a last line of its output that had no newline, so the next line starts clean.
    fn end_step(&self) {
        match self {
            Progress::Live(live) => live.stop(),
            _ => self.end_lines(),
        }
    }

    /// Ends a last line of the step's output that had no newline.
    fn end_lines(&self) {
        match self {
            Progress::Live(live) => live.end_lines(),
            Progress::Plain(open) => {
                for stream in [Stream::Stdout, Stream::Stderr] {
                    if open.0[stream as usize].replace(false) {
                        stream.write(b"\n");
                    }
                }
            }
            Progress::Quiet => {}
        }
    }

    pub fn step_started(&self, t: &Tracked, step: &Step) {
        self.end_step();
        let label = format!(
            "step {}/{}: {}",
            step.number,
            t.step_count(),
            t.step_title(step)
        );
        self.line(&format!("▶ {label}"));
        if let Progress::Live(live) = self {
            live.start(label);
        }
    }

    /// `tolerated`: the step has `continue_on_error`, so a failure does not stop the run.
    pub fn step_finished(&self, step: u32, result: &StepResult, tolerated: bool) {
        self.end_step();
        let took = seconds(result.duration);
        match result.failure() {
            None => self.line(&format!("✓ step {step} succeeded ({took})")),
            Some(why) if tolerated => self.line(&format!(
                "✗ step {step} failed: {why} ({took}); continue_on_error, the run goes on"
            )),
            Some(why) => self.line(&format!("✗ step {step} failed: {why} ({took})")),
        }
    }

    pub fn step_cancelled(&self, step: u32, result: &StepResult) {
        self.end_step();
        self.line(&format!(
            "■ step {step} cancelled ({})",
            seconds(result.duration)
        ));
    }

    pub fn step_error(&self, step: u32, why: &str) {
        self.end_step();
        self.line(&format!("✗ step {step} failed: {why}"));
    }

    /// Printed above the spinner, which keeps turning through the wait and the next attempt.
    pub fn retrying(&self, step: u32, attempt: u32, why: &str, delay: Duration) {
        self.end_lines();
        self.line(&format!(
            "↻ step {step} attempt {attempt} failed ({why}); retrying in {}",
            seconds(delay)
        ));
    }

    /// This process was stopped by `signal` while `step` ran.
    pub fn step_interrupted(&self, step: u32, signal: i32) {
        self.end_step();
        self.line(&format!(
            "■ stopped by signal {signal} during step {step}; the step's processes were terminated"
        ));
    }

    pub fn run_timed_out(&self, t: &Tracked, stopped: Option<u32>) {
        self.end_step();
        let limit = t
            .sop
            .meta
            .run_timeout
            .map_or_else(String::new, |l| format!(" ({l})"));
        let what = match stopped {
            Some(step) => format!("; step {step} was stopped"),
            None => String::new(),
        };
        self.line(&format!(
            "⏱ the run's timeout{limit} passed{what}; nothing more of it runs"
        ));
    }

    pub fn run_dequeued(&self, t: &Tracked, run_id: &str) {
        self.end_step();
        self.line(&format!(
            "↑ run {run_id} of {} moved up from the queue and is pending: a running `sop serve` starts it, or `sop resume {run_id}`",
            t.run.sop_name
        ));
    }

    pub fn recovered(&self, t: &Tracked) {
        let what = match (t.run.status, t.view.wait_reason) {
            (RunStatus::Waiting, Some(WaitReason::Interrupted)) => {
                "a step was interrupted and waits for `sop retry` or `sop skip`"
            }
            _ => "its interrupted step will run again",
        };
        self.line(&format!(
            "↺ run {} was left behind by a process that died; {what}",
            t.id()
        ));
    }

    /// The instructions of a manual step and how to report it.
    pub fn manual_step(&self, t: &Tracked, step: &Step) {
        self.end_step();
        if self.is_quiet() {
            return;
        }
        let vars = t.variables();
        let outputs = t.outputs();
        let secrets = t.secrets();
        let text = sop_engine::documents::instructions(step, &vars, &outputs, &secrets);
        self.line(&format!(
            "⏸ step {}/{} is manual: {}",
            step.number,
            t.step_count(),
            step.title
        ));
        for l in text.lines() {
            self.line(&format!("  {l}"));
        }
        let id = t.id();
        self.line(&format!(
            "when it is done: sop done {id} [--note TEXT] [--output KEY=VALUE]"
        ));
        self.line(&format!(
            "if it failed:    sop done {id} --failed --note TEXT"
        ));
    }

    /// Where the run stands after this command, with what to do next.
    pub fn finished(&self, t: &Tracked) {
        self.end_step();
        let id = t.id();
        let at = t.run.current_step.unwrap_or(0);
        let reason = t.run.reason.as_deref().unwrap_or("");
        let line = match t.run.status {
            RunStatus::Succeeded => {
                format!(
                    "✓ run {id} succeeded ({}{})",
                    steps(t.step_count()),
                    took(t)
                )
            }
            // Timed out: no step failed, so there is nothing to retry or skip.
            RunStatus::Failed if t.view.stopping_failure().is_none() => {
                format!("✗ run {id} failed{}", suffix(reason))
            }
            RunStatus::Failed => format!(
                "✗ run {id} failed at step {at}{}\n  sop retry {id}    runs step {at} again\n  sop skip {id} --step {at} --reason TEXT    goes on without it",
                if reason.is_empty() {
                    String::new()
                } else {
                    format!(": {reason}")
                }
            ),
            RunStatus::Waiting if t.view.wait_reason == Some(WaitReason::Interrupted) => format!(
                "⏸ run {id} waits: step {at} was interrupted\n  sop retry {id}    runs it again\n  sop skip {id} --step {at} --reason TEXT    goes on without it"
            ),
            RunStatus::Waiting => format!("⏸ run {id} waits for step {at} (manual)"),
            RunStatus::Paused => {
                format!("⏸ run {id} is paused before step {at}; sop resume {id} goes on")
            }
            RunStatus::AwaitingApproval => sop_engine::approval::pending::how_to_approve(t),
            RunStatus::Cancelled => format!("■ run {id} cancelled{}", suffix(reason)),
            RunStatus::Rejected => format!("■ run {id} rejected{}", suffix(reason)),
            RunStatus::Expired => format!("■ run {id} expired{}", suffix(reason)),
            RunStatus::Skipped => format!("○ run {id} skipped: conditions not met"),
            RunStatus::Pending => format!("run {id} is pending"),
            RunStatus::Queued => format!(
                "⧗ run {id} is queued: it starts when a run of {} ends (a server starts it then, \
                 or `sop resume {id}` once it is pending); `sop cancel {id}` takes it out",
                t.run.sop_name
            ),
            RunStatus::Running => format!("▶ run {id} goes on in the process that runs step {at}"),
        };
        self.line(&line);
    }
}

/// The engine reports here while it drives a run in this process.
impl RunEvents for Progress {
    fn step_started(&self, t: &Tracked, step: &Step) {
        Progress::step_started(self, t, step);
    }

    fn step_output(&self, _step: u32, stderr: bool, bytes: &[u8]) {
        Progress::step_output(self, stderr, bytes);
    }

    fn step_finished(&self, _t: &Tracked, step: u32, result: &StepResult, tolerated: bool) {
        Progress::step_finished(self, step, result, tolerated);
    }

    fn step_cancelled(&self, step: u32, result: &StepResult) {
        Progress::step_cancelled(self, step, result);
    }

    fn step_error(&self, step: u32, why: &str) {
        Progress::step_error(self, step, why);
    }

    fn retrying(&self, step: u32, attempt: u32, why: &str, delay: Duration) {
        Progress::retrying(self, step, attempt, why, delay);
    }

    fn step_interrupted(&self, step: u32, signal: i32) {
        Progress::step_interrupted(self, step, signal);
    }

    fn step_condition(&self, step: u32, holds: bool, explanation: &str) {
        if holds {
            self.line(&format!("· step {step} condition met: {explanation}"));
        } else {
            self.line(&format!(
                "○ step {step} skipped by its condition: {explanation}"
            ));
        }
    }

    fn run_timed_out(&self, t: &Tracked, stopped: Option<u32>) {
        Progress::run_timed_out(self, t, stopped);
    }

    fn run_dequeued(&self, t: &Tracked, run_id: &str) {
        Progress::run_dequeued(self, t, run_id);
    }

    fn recovered(&self, t: &Tracked) {
        Progress::recovered(self, t);
    }

    fn manual_step(&self, t: &Tracked, step: &Step) {
        Progress::manual_step(self, t, step);
    }

    fn step_completed(&self, step: u32, failed: bool, by: &str) {
        self.line(&if failed {
            format!("✗ step {step} marked failed by {by}")
        } else {
            format!("✓ step {step} done by {by}")
        });
    }

    fn step_skipped(&self, step: u32, by: &str) {
        self.line(&format!("○ step {step} skipped by {by}"));
    }

    fn gate_settled(&self, t: &Tracked, step: u32, outcome: &GateOutcome) {
        let label = gate_label(step);
        self.line(&match outcome {
            GateOutcome::Approved { approvers } => format!(
                "✓ {label} of run {} passed: approved by {}",
                t.id(),
                approvers.join(", ")
            ),
            GateOutcome::Rejected { by } => {
                format!("✗ {label} of run {} rejected by {by}", t.id())
            }
            GateOutcome::Counted { .. } => String::new(),
        });
    }

    fn warning(&self, message: &str) {
        eprintln!("warning: {message}");
    }
}

/// `1 step`, `3 steps`.
pub fn steps(n: usize) -> String {
    if n == 1 {
        "1 step".into()
    } else {
        format!("{n} steps")
    }
}

fn suffix(reason: &str) -> String {
    if reason.is_empty() {
        String::new()
    } else {
        format!(": {reason}")
    }
}

fn took(t: &Tracked) -> String {
    match (t.run.started_at, t.run.finished_at) {
        (Some(a), Some(b)) => {
            let ms = (b - a).num_milliseconds().max(0) as u64;
            format!(", {}", seconds(Duration::from_millis(ms)))
        }
        _ => String::new(),
    }
}

/// `0.01s`, `12.30s`, `3m05s`, `2h01m`.
pub fn seconds(d: Duration) -> String {
    let s = d.as_secs();
    if s < 60 {
        format!("{:.2}s", d.as_secs_f64())
    } else if s < 3600 {
        format!("{}m{:02}s", s / 60, s % 60)
    } else {
        format!("{}h{:02}m", s / 3600, (s % 3600) / 60)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_naturally() {
        assert_eq!(seconds(Duration::from_millis(12)), "0.01s");
        assert_eq!(seconds(Duration::from_secs(185)), "3m05s");
        assert_eq!(seconds(Duration::from_secs(7260)), "2h01m");
    }
}
