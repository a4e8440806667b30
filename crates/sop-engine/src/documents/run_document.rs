//! [`RunDocument`]: one run with its steps, gates (each with its decisions) and the explanation
//! of its conditions, as `sop status RUN --json` prints it and the API returns it.

use super::RunFields;
use crate::engine::{Tracked, redact};
use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::{Map, Value};
use sop_core::definition::StepKind;
use sop_core::run::StepStatus;
use sop_store::{Choice, GateDecision, GateStatus, GateTimeoutAction, StepRun};

#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct RunDocument {
    #[serde(flatten)]
    pub run: RunFields,
    /// `person`, `decision`, ... while `waiting`.
    pub wait_reason: Option<&'static str>,
    pub steps: Vec<StepDocument>,
    pub gates: Vec<GateDocument>,
    /// `{"met", "items": [{"source", "holds", "detail"}]}` as recorded when the run was created;
    /// `null` when that record is gone.
    pub conditions: Value,
}

#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct StepDocument {
    pub number: u32,
    pub title: String,
    pub kind: Option<StepKind>,
    pub status: StepStatus,
    pub attempts: u32,
    pub exit_code: Option<i32>,
    pub started_at: Option<DateTime<Utc>>,
    pub finished_at: Option<DateTime<Utc>>,
    pub duration_ms: Option<u64>,
    /// The last 64 KiB of output as text, secret values hidden.
    pub output_tail: String,
    pub output_size: u64,
    pub output_sha256: Option<String>,
    pub process_group: Option<i32>,
    pub note: Option<String>,
    /// Secret-named outputs `[redacted]`, secret values hidden in the rest.
    pub outputs: Map<String, Value>,
}

#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct GateDocument {
    pub id: String,
    pub run_id: String,
    pub step: u32,
    pub opened_at: DateTime<Utc>,
    pub expires_at: Option<DateTime<Utc>>,
    pub approvers: Vec<String>,
    pub min_approvals: u32,
    pub on_timeout: GateTimeoutAction,
    pub status: GateStatus,
    pub decided_at: Option<DateTime<Utc>>,
    pub decisions: Vec<DecisionDocument>,
}

#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct DecisionDocument {
    pub actor: String,
    pub decision: Choice,
    pub comment: Option<String>,
    pub at: DateTime<Utc>,
}

impl RunDocument {
    /// The document of `t` at `now`, with the gates' `decisions` and the recorded explanation
    /// of its `conditions`.
    pub fn new(
        t: &Tracked,
        decisions: &[GateDecision],
        conditions: Value,
        now: DateTime<Utc>,
    ) -> Self {
        let run = &t.run;
        let secrets = t.secrets();
        RunDocument {
            run: RunFields::new(
                run,
                redact::redact_declared(&run.variables, &redact::declared_secrets(&t.sop)),
                now,
            ),
            wait_reason: t.view.wait_reason.map(|w| w.as_str()),
            steps: t
                .steps
                .iter()
                .map(|s| StepDocument::new(s, t.step_def(s.number).map(|d| d.kind), &secrets))
                .collect(),
            gates: t
                .gates
                .iter()
                .map(|g| GateDocument {
                    id: g.id.clone(),
                    run_id: g.run_id.clone(),
                    step: g.step,
                    opened_at: g.opened_at,
                    expires_at: g.expires_at,
                    approvers: g.approvers.clone(),
                    min_approvals: g.min_approvals,
                    on_timeout: g.on_timeout,
                    status: g.status,
                    decided_at: g.decided_at,
                    decisions: decisions
                        .iter()
                        .filter(|d| d.gate_id == g.id)
                        .map(|d| DecisionDocument {
                            actor: d.actor.clone(),
                            decision: d.decision,
                            comment: d.comment.clone(),
                            at: d.at,
                        })
                        .collect(),
                })
                .collect(),
            conditions,
        }
    }
}

impl StepDocument {
    pub fn new(s: &StepRun, kind: Option<StepKind>, secrets: &[String]) -> Self {
        StepDocument {
            number: s.number,
            title: s.title.clone(),
            kind,
            status: s.status,
            attempts: s.attempts,
            exit_code: s.exit_code,
            started_at: s.started_at,
            finished_at: s.finished_at,
            duration_ms: s.duration_ms,
            output_tail: shown_tail(s, secrets),
            output_size: s.output_size,
            output_sha256: s.output_sha256.clone(),
            process_group: s.process_group,
            note: s.note.clone(),
            outputs: shown_outputs(s, secrets),
        }
    }
}

/// A step's stored output tail with the run's secret values hidden.
pub fn shown_tail(step: &StepRun, secrets: &[String]) -> String {
    redact::hide(&String::from_utf8_lossy(&step.output_tail), secrets)
}

/// A step's outputs: secret-named ones `[redacted]`, secret values hidden in the rest.
pub fn shown_outputs(step: &StepRun, secrets: &[String]) -> Map<String, Value> {
    step.outputs
        .iter()
        .map(|(k, v)| {
            let shown = if redact::is_secret_name(k) {
                redact::REDACTED.to_string()
            } else {
                redact::hide(v, secrets)
            };
            (k.clone(), Value::String(shown))
        })
        .collect()
}
