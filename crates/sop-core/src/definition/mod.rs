//! The parsed form of one SOP folder: `SOP.toml` metadata and triggers plus `SOP.md` steps.
//!
//! Parsing takes file *contents* (never paths to open), so this module stays free of I/O.

mod command_templates;
mod conditions;
mod conditions_table;
mod cron;
pub mod event_pattern;
mod expression;
mod md_text;
mod meta_table;
pub mod names;
mod on_limit;
mod optional_gaps;
mod options_comment;
mod schedule_policy;
mod sop_md;
mod sop_toml;
mod sop_values;
mod step;
mod step_heading;
mod step_options;
mod steps_order;
mod timeouts;
mod toml_json;
mod trigger;
mod trigger_table;
mod undeclared;
mod variables_table;
mod webhook_conflicts;

pub use conditions::{ConditionExpression, Conditions, Requirement};
pub use cron::{CronError, CronProblem, CronSchedule, explain_bad_field, parse_timezone};
pub use meta_table::DEFAULT_APPROVAL_TIMEOUT;
pub use on_limit::OnLimit;
pub use optional_gaps::optional_gap_warnings;
pub use schedule_policy::{CatchUp, Overlap};
pub use sop_md::SopMd;
pub use sop_toml::SopToml;
pub use step::{ApprovalRequirement, CodeBlock, Step, StepKind, StepOptions};
pub use step_options::MAX_RETRIES;
pub use timeouts::timeout_warnings;
pub use trigger::Trigger;
pub use webhook_conflicts::{Sourced, webhook_conflicts};

use crate::parameters::Parameters;
use crate::{Diagnostic, Duration, ExecutionMode, Priority};
use serde::Serialize;
use sha2::{Digest, Sha256};

/// The two files of one SOP folder, as text, with the names diagnostics should show.
#[derive(Debug, Clone, Copy)]
pub struct SopSource<'a> {
    /// The folder name, which the `[sop] name` must equal.
    pub folder: &'a str,
    pub toml_file: &'a str,
    pub toml: &'a str,
    pub md_file: &'a str,
    pub md: &'a str,
}

/// [`parse`] of an SOP given as text in the folder `name`, its files named `NAME/SOP.toml` and
/// `NAME/SOP.md` in diagnostics: as a test or a program embedding sop has it.
pub fn parse_named(name: &str, toml: &str, md: &str) -> Result<Sop, Vec<Diagnostic>> {
    let (toml_file, md_file) = (format!("{name}/SOP.toml"), format!("{name}/SOP.md"));
    parse(&SopSource {
        folder: name,
        toml_file: &toml_file,
        toml,
        md_file: &md_file,
        md,
    })
}

/// Parses and validates one SOP. Both files are always read in full, so the error list holds
/// every problem of both, SOP.toml's first, each in file order.
pub fn parse(source: &SopSource) -> Result<Sop, Vec<Diagnostic>> {
    let (toml, declared) = sop_toml::parse(source.folder, source.toml_file, source.toml);
    let md = sop_md::parse(source.md_file, source.md);
    let undeclared = undeclared::check(source.md_file, source.md, &declared);
    match (toml, md) {
        (Ok(toml), Ok(md)) if undeclared.is_empty() => Ok(Sop {
            meta: toml.meta,
            triggers: toml.triggers,
            conditions: toml.conditions,
            parameters: toml.parameters,
            preamble: md.preamble,
            steps: md.steps,
            content_hash: content_hash(source.toml, source.md),
        }),
        (toml, md) => {
            let mut diags = toml.err().unwrap_or_default();
            diags.extend(md.err().unwrap_or_default());
            diags.extend(undeclared);
            diags.sort_by(|a, b| {
                (a.file != source.toml_file, a.line, a.col).cmp(&(
                    b.file != source.toml_file,
                    b.line,
                    b.col,
                ))
            });
            Err(diags)
        }
    }
}

/// Hex SHA-256 of SOP.toml's length (8 bytes, little-endian), SOP.toml and SOP.md. The length
/// prefix keeps bytes from moving between the files unnoticed.
pub fn content_hash(toml: &str, md: &str) -> String {
    let mut h = Sha256::new();
    h.update((toml.len() as u64).to_le_bytes());
    h.update(toml.as_bytes());
    h.update(md.as_bytes());
    hex::encode(h.finalize())
}

impl SopMeta {
    /// The icon `sop list` shows: `icon` when set, else one per priority.
    pub fn display_icon(&self) -> &str {
        self.icon
            .as_deref()
            .unwrap_or_else(|| default_icon(self.priority))
    }
}

/// The icon of an SOP that sets none: critical 🚀, high ⚡, normal 🕐, low 🧹.
pub fn default_icon(priority: Priority) -> &'static str {
    match priority {
        Priority::Critical => "🚀",
        Priority::High => "⚡",
        Priority::Normal => "🕐",
        Priority::Low => "🧹",
    }
}

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
    /// What a start beyond `concurrency` does (refused, or queued).
    pub on_limit: OnLimit,
    /// Who may decide gates; empty = anyone. Entries are user names, `@oncall` or `@group`.
    pub approvers: Vec<String>,
    /// Distinct approvals a gate needs (quorum); default 1.
    pub min_approvals: u32,
    /// `None` = the default rule (false for high/critical, true otherwise).
    pub allow_self_approval: Option<bool>,
    /// What an unanswered gate does at its deadline. Never approves.
    pub on_timeout: OnTimeout,
    /// `timeout`: the limit of a whole run, from its start (pending time does not count); when
    /// it passes the run fails with reason `timeout`. `None` = no limit. Serialised under its
    /// key in SOP.toml.
    #[serde(rename = "timeout")]
    pub run_timeout: Option<Duration>,
    /// `step_timeout`: the default timeout of automated steps (a step's own `timeout` wins);
    /// `None` = the engine default (1h).
    pub step_timeout: Option<Duration>,
    /// Working directory of runs; `None` = a fresh temp dir per run.
    pub workdir: Option<String>,
    /// Which decisions on its gates count (`approval_auth`).
    pub approval_auth: ApprovalAuth,
    /// Where its notifications go instead of `SOP_APPROVAL_CHANNEL` (validated channel list).
    pub approval_channel: Option<String>,
    /// Which events it announces; `None` = [`crate::notify::DEFAULT_EVENTS`].
    pub notify_on: Option<Vec<crate::notify::NotifyEvent>>,
}

/// Which gate decisions count: any identity (`any`, the default), or only those made with an
/// authenticated API token or a gate token (`token`), so a self-asserted `--as` is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ApprovalAuth {
    #[default]
    Any,
    Token,
}

/// What happens to an open gate at its deadline.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, schemars::JsonSchema)]
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
    /// The `[variables.NAME]` declarations; empty when there are none.
    #[serde(skip_serializing_if = "Parameters::is_empty")]
    pub parameters: Parameters,
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

    /// The `secret_env` of this SOP's webhook trigger at `path` (`Some(None)` for one that
    /// takes an API token instead); `None` when none of its triggers serves `path`.
    pub fn webhook_secret(&self, path: &str) -> Option<&Option<String>> {
        self.triggers.iter().find_map(|t| match t {
            Trigger::Webhook {
                path: p,
                secret_env,
            } if p == path => Some(secret_env),
            _ => None,
        })
    }
}

#[cfg(test)]
mod parse_tests;
