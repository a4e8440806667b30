//! The parsed form of one SOP folder: `SOP.toml` metadata and triggers plus `SOP.md` steps.
//!
//! Parsing takes file *contents* (never paths to open), so this module stays free of I/O.

mod conditions;
mod step;
mod trigger;

pub use conditions::{ConditionExpression, Conditions, Requirement};
pub use step::{ApprovalRequirement, CodeBlock, Step, StepKind, StepOptions};
pub use trigger::Trigger;

use crate::{Duration, ExecutionMode, Priority};
use serde::Serialize;

/// The `[sop]` table.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SopMeta {
    pub name: String,
    pub description: String,
    pub version: Option<String>,
    pub author: Option<String>,
    pub priority: Priority,
    pub execution_mode: ExecutionMode,
    pub icon: Option<String>,
    pub approval_timeout: Duration,
    /// Max active runs of this SOP; `None` = unlimited.
    pub concurrency: Option<u32>,
    /// Who may decide gates; empty = anyone. Entries are user names, `@oncall` or `@group`.
    pub approvers: Vec<String>,
    /// Distinct approvals a gate needs (quorum); default 1.
    pub min_approvals: u32,
    /// `None` = the default rule (false for high/critical, true otherwise).
    pub allow_self_approval: Option<bool>,
    /// What an unanswered gate does at its deadline. Never approves.
    pub on_timeout: OnTimeout,
    /// Default timeout of automated steps; `None` = the engine default (1h).
    pub timeout: Option<Duration>,
    /// Working directory of runs; `None` = a fresh temp dir per run.
    pub workdir: Option<String>,
}

/// What happens to an open gate at its deadline.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum OnTimeout {
    #[default]
    Expire,
    Cancel,
}

/// One fully parsed and validated SOP.
#[derive(Debug, Clone, Serialize)]
pub struct Sop {
    pub meta: SopMeta,
    pub triggers: Vec<Trigger>,
    pub conditions: Conditions,
    /// Markdown before the first step (title and introduction).
    pub preamble: String,
    pub steps: Vec<Step>,
    /// Hex SHA-256 over the SOP.toml and SOP.md contents; pins a run to the exact definition.
    pub content_hash: String,
}

impl Sop {
    pub fn name(&self) -> &str {
        &self.meta.name
    }

    pub fn has_manual_trigger(&self) -> bool {
        self.triggers.iter().any(|t| matches!(t, Trigger::Manual))
    }
}
