//! What the store benchmarks share: runs to create, timing with percentiles, and the step
//! transition exactly as the engine writes it, on any backend.
#![allow(dead_code)]

use chrono::{DateTime, TimeZone, Utc};
use serde_json::json;
use sop_core::run::{RunStatus, StepStatus};
use sop_store::*;
use std::time::{Duration, Instant};

pub fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2025, 1, 1, 0, 0, 0).unwrap()
}

pub fn new_run(sop: &str, steps: u32, created_at: DateTime<Utc>, status: RunStatus) -> NewRun {
    NewRun {
        sop_name: sop.into(),
        definition_hash: "sha256:0123456789abcdef".into(),
        definition_snapshot: "x".repeat(2048),
        execution_mode: sop_core::gate::ResolvedMode::Auto,
        status,
        reason: None,
        trigger_type: "manual".into(),
        trigger_detail: json!(null),
        started_by: "bench".into(),
        variables: json!({"env": "prod", "service": "api"}),
        created_at,
        workdir: None,
        forced: false,
        conditions_due: false,
        steps: (1..=steps)
            .map(|number| NewStep {
                number,
                title: format!("Step {number}"),
            })
            .collect(),
    }
}

pub struct Figures(pub Vec<Duration>);

impl Figures {
    pub fn percentile(&mut self, p: f64) -> Duration {
        self.0.sort();
        let idx = ((self.0.len() as f64 - 1.0) * p).round() as usize;
        self.0[idx]
    }

    pub fn report(mut self, what: &str) {
        let ms = |d: Duration| d.as_secs_f64() * 1000.0;
        let n = self.0.len();
        let (p50, p99) = (self.percentile(0.50), self.percentile(0.99));
        println!(
            "{what:<44} p50 {:>8.3} ms   p99 {:>8.3} ms   (n={n})",
            ms(p50),
            ms(p99)
        );
    }
}

pub fn time(n: usize, mut f: impl FnMut(usize)) -> Figures {
    Figures(
        (0..n)
            .map(|i| {
                let start = Instant::now();
                f(i);
                start.elapsed()
            })
            .collect(),
    )
}

/// The transition as the engine writes it (`engine/commit.rs`): lease renewed, the run's status,
/// reason and current step compare-and-set, the finished step with its output and the next one
/// started, `step.finished` and `step.started` with the engine's details; a run whose snapshot
/// is the size of a real SOP's files. Each call commits one transition of a run of its own.
pub fn engine_transition<'a>(store: &'a dyn Store, owner: &str) -> impl FnMut(usize) + 'a {
    let steps = 40u32;
    let owner = owner.to_owned();
    let new = move || {
        let mut n = new_run("bench", steps, t0(), RunStatus::Running);
        n.definition_snapshot = "x".repeat(8 * 1024);
        n
    };
    let mut run = store.transaction(|tx| tx.insert_run(&new())).unwrap();
    let mut step = 0u32;
    move |_| {
        if step == steps {
            run = store.transaction(|tx| tx.insert_run(&new())).unwrap();
            step = 0;
        }
        step += 1;
        let (id, version, n) = (run.id.clone(), run.version, step);
        run = store
            .transaction(|tx| {
                tx.renew_lease(&id, &owner, t0() + chrono::Duration::seconds(60))
                    .or_else(|_| {
                        tx.acquire_lease(&id, &owner, t0(), t0() + chrono::Duration::seconds(60))
                            .map(|_| ())
                    })?;
                let run = tx.update_run(
                    &id,
                    &Expect::version(version),
                    &RunPatch {
                        reason: Some(None),
                        ..RunPatch::status(RunStatus::Running).with_current_step(n)
                    },
                )?;
                if n > 1 {
                    tx.update_step(
                        &id,
                        n - 1,
                        &StepPatch {
                            status: Some(StepStatus::Succeeded),
                            exit_code: Some(Some(0)),
                            finished_at: Some(Some(t0())),
                            duration_ms: Some(Some(3)),
                            output: Some(StepOutput {
                                tail: b"deployed api 1.2.3\n".to_vec(),
                                total_size: 19,
                                sha256: Some("ab".repeat(32)),
                            }),
                            process_group: Some(None),
                            ..StepPatch::default()
                        },
                    )?;
                }
                tx.update_step(
                    &id,
                    n,
                    &StepPatch {
                        status: Some(StepStatus::Running),
                        attempts: Some(1),
                        started_at: Some(Some(t0())),
                        finished_at: Some(None),
                        exit_code: Some(None),
                        duration_ms: Some(None),
                        process_group: Some(None),
                        ..StepPatch::default()
                    },
                )?;
                if n > 1 {
                    tx.audit(&AuditEvent::new(
                        t0(),
                        Some(&id),
                        "alice",
                        "step.finished",
                        json!({"step": n - 1, "from": "running", "to": "running", "exit_code": 0,
                               "duration_ms": 3, "output_size": 19, "output_sha256": "ab".repeat(32)}),
                    ))?;
                }
                tx.audit(&AuditEvent::new(
                    t0(),
                    Some(&id),
                    "alice",
                    "step.started",
                    json!({"step": n, "title": format!("Step {n}"), "attempt": 1}),
                ))?;
                Ok(run)
            })
            .unwrap();
    }
}
