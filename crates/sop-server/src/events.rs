//! What the server does with a run's progress: log lines, metrics, and the live output the
//! console shows. Step output is not logged (it may hold secrets); it is stored with the step
//! and served by `/logs`.

use crate::live_output::LiveOutput;
use crate::metrics::Metrics;
use sop_core::definition::Step;
use sop_engine::RunEvents;
use sop_engine::engine::Tracked;
use sop_engine::executor::StepResult;
use std::time::Duration;

pub struct ServerEvents<'a> {
    pub metrics: &'a Metrics,
    pub live: &'a LiveOutput,
    /// The run whose step runs now (one driver drives one run at a time).
    pub run: std::sync::Mutex<Option<String>>,
}

impl<'a> ServerEvents<'a> {
    pub fn new(metrics: &'a Metrics, live: &'a LiveOutput) -> Self {
        ServerEvents {
            metrics,
            live,
            run: std::sync::Mutex::new(None),
        }
    }

    fn current(&self) -> Option<String> {
        self.run.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }
}

impl RunEvents for ServerEvents<'_> {
    fn step_started(&self, t: &Tracked, step: &Step) {
        *self.run.lock().unwrap_or_else(|p| p.into_inner()) = Some(t.id().to_string());
        self.live.start(t.id(), step.number);
        tracing::info!(run = t.id(), sop = %t.run.sop_name, step = step.number, "step started");
    }

    fn step_output(&self, step: u32, _stderr: bool, bytes: &[u8]) {
        if let Some(run) = self.current() {
            self.live.push(&run, step, bytes);
        }
    }

    fn step_finished(&self, t: &Tracked, step: u32, result: &StepResult, _tolerated: bool) {
        self.live.finish(t.id());
        let outcome = if result.succeeded() {
            "succeeded"
        } else {
            "failed"
        };
        self.metrics
            .observe_step(&t.run.sop_name, outcome, result.duration);
        tracing::info!(
            run = t.id(),
            sop = %t.run.sop_name,
            step,
            outcome,
            exit_code = result.exit_code,
            duration_ms = result.duration.as_millis() as u64,
            "step finished"
        );
    }

    fn step_cancelled(&self, step: u32, result: &StepResult) {
        if let Some(run) = self.current() {
            self.live.finish(&run);
        }
        tracing::info!(
            step,
            duration_ms = result.duration.as_millis() as u64,
            "step cancelled"
        );
    }

    fn step_error(&self, step: u32, why: &str) {
        tracing::warn!(step, why, "step could not start");
    }

    fn retrying(&self, step: u32, attempt: u32, why: &str, delay: Duration) {
        tracing::info!(
            step,
            attempt,
            why,
            delay_ms = delay.as_millis() as u64,
            "retrying step"
        );
    }

    fn step_interrupted(&self, step: u32, signal: i32) {
        tracing::info!(step, signal, "step interrupted; the run is left resumable");
    }

    fn run_timed_out(&self, t: &Tracked, stopped: Option<u32>) {
        tracing::info!(run = t.id(), stopped_step = ?stopped, "run timed out (its timeout passed)");
    }

    fn run_dequeued(&self, t: &Tracked, run_id: &str) {
        tracing::info!(run = run_id, after = t.id(), sop = %t.run.sop_name, "queued run moved up; it starts when a worker is free");
    }

    fn recovered(&self, t: &Tracked) {
        tracing::info!(run = t.id(), status = %t.run.status, "run recovered from a process that died");
    }

    fn warning(&self, message: &str) {
        tracing::warn!(message, "run warning");
    }
}
