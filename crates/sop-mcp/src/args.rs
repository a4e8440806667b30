//! The arguments of each tool: what its input JSON Schema is generated from, and what the call's
//! `arguments` object is read into (unknown keys refused, so a misspelt one is reported).

use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::{Map, Value};
use sop_core::gate::Choice;
use sop_core::run::RunStatus;
use std::collections::BTreeMap;

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct NoArgs {}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SopName {
    /// The SOP's name, as `list_sops` gives it.
    pub name: String,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CheckArgs {
    /// The SOPs to check; every SOP when empty or absent.
    #[serde(default)]
    pub names: Vec<String>,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct StartArgs {
    /// The SOP to run.
    pub sop: String,
    /// The run's variables, e.g. {"service": "api", "severity": "high"}.
    #[serde(default)]
    #[schemars(schema_with = "crate::tools::variables_schema")]
    pub variables: Map<String, Value>,
    /// Start although the conditions do not hold or the SOP has no manual trigger (audited).
    #[serde(default)]
    pub force: bool,
    /// Return after at most this many seconds (default 30) with the run as it is then; the run
    /// goes on. Ignored by plan_run.
    #[serde(default)]
    pub wait_seconds: Option<u32>,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RunArg {
    /// A run id, or a prefix of one that matches a single run.
    pub run: String,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ListRunsArgs {
    /// Only runs of this SOP.
    #[serde(default)]
    pub sop: Option<String>,
    /// Only runs in this state.
    #[serde(default)]
    pub status: Option<RunStatus>,
    /// How many runs, newest first (default 20).
    #[serde(default)]
    #[schemars(range(min = 1, max = 1000))]
    pub limit: Option<u32>,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CompleteArgs {
    pub run: String,
    /// The step; default: the one the run waits at.
    #[serde(default)]
    pub step: Option<u32>,
    /// What was done, for the record; required when `failed`.
    #[serde(default)]
    pub note: Option<String>,
    /// Outputs later steps see as `steps.N.KEY`; none when `failed`.
    #[serde(default)]
    pub outputs: BTreeMap<String, String>,
    /// The step failed; `note` says why.
    #[serde(default)]
    pub failed: bool,
    /// Return after at most this many seconds (default 30) while later steps run.
    #[serde(default)]
    pub wait_seconds: Option<u32>,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CancelArgs {
    pub run: String,
    /// Why, for the audit trail.
    #[serde(default)]
    pub reason: Option<String>,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PendingArgs {
    /// Only the gates the acting user may decide now (and has not approved yet).
    #[serde(default)]
    pub mine: bool,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DecideArgs {
    pub run: String,
    /// `approve` or `reject`.
    pub decision: Choice,
    /// Why; required to reject. Goes into the audit trail.
    #[serde(default)]
    pub comment: Option<String>,
    /// The gate's step (0 = before the run starts); default: the run's open gate.
    #[serde(default)]
    pub step: Option<u32>,
    /// The gate token the approver received, where the SOP decides by token.
    #[serde(default)]
    pub token: Option<String>,
    /// Return after at most this many seconds (default 30) while the approved run goes on.
    #[serde(default)]
    pub wait_seconds: Option<u32>,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RetryArgs {
    pub run: String,
    /// The failed or interrupted step to run again; default: the one the run stopped at.
    #[serde(default)]
    pub step: Option<u32>,
    /// Return after at most this many seconds (default 30) while the run goes on.
    #[serde(default)]
    pub wait_seconds: Option<u32>,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SkipArgs {
    pub run: String,
    /// The failed or interrupted step to go on without.
    pub step: u32,
    /// Why it is skipped, for the audit trail.
    #[schemars(length(min = 1))]
    pub reason: String,
    /// Return after at most this many seconds (default 30) while the run goes on.
    #[serde(default)]
    pub wait_seconds: Option<u32>,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ResumeArgs {
    pub run: String,
    /// Return after at most this many seconds (default 30) while the run goes on.
    #[serde(default)]
    pub wait_seconds: Option<u32>,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FactName {
    /// The fact's name (case-insensitive), e.g. `tests_passed` or `deploy.ok`.
    pub name: String,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SetFactArgs {
    pub name: String,
    /// Any JSON value: true, 85, "green", [1, 2], {"ok": true}.
    pub value: Value,
    /// Forget the fact after this long, e.g. 2h, 30m, 7d.
    #[serde(default)]
    pub ttl: Option<String>,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct EmitArgs {
    /// The event's name: dot-separated lowercase words, e.g. `deploy.failed`.
    pub event: String,
    /// The event's data: the names a trigger's condition reads and the variables of the runs
    /// it starts.
    #[serde(default)]
    pub data: serde_json::Map<String, Value>,
}
