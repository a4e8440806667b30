//! How much human approval a run needs: auto, supervised, step_by_step or priority_based.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize, schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum ExecutionMode {
    /// No gate.
    Auto,
    /// One gate before step 1.
    #[default]
    Supervised,
    /// A gate before every step.
    StepByStep,
    /// Resolved from the priority (critical/high → auto, normal/low → supervised by default).
    PriorityBased,
}

impl ExecutionMode {
    pub const ALL: [ExecutionMode; 4] = [
        ExecutionMode::Auto,
        ExecutionMode::Supervised,
        ExecutionMode::StepByStep,
        ExecutionMode::PriorityBased,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ExecutionMode::Auto => "auto",
            ExecutionMode::Supervised => "supervised",
            ExecutionMode::StepByStep => "step_by_step",
            ExecutionMode::PriorityBased => "priority_based",
        }
    }
}

impl FromStr for ExecutionMode {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        ExecutionMode::ALL
            .into_iter()
            .find(|m| m.as_str() == s)
            .ok_or_else(|| {
                format!("unknown execution mode `{s}`; use auto, supervised, step_by_step or priority_based")
            })
    }
}

impl fmt::Display for ExecutionMode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}
