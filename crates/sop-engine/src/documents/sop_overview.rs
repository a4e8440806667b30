//! [`SopOverviewDocument`]: one SOP as the API lists it — its metadata, triggers, whether it is valid
//! (with its problems when not) and, for one SOP, its steps.

use crate::catalog::Entry;
use serde::Serialize;
use sop_core::definition::{ApprovalAuth, Sop, StepKind, Trigger};
use sop_core::{ExecutionMode, Priority};

#[derive(Debug, Clone, Serialize)]
pub struct SopOverviewDocument {
    pub name: String,
    pub description: String,
    pub version: Option<String>,
    pub priority: Option<Priority>,
    pub execution_mode: Option<ExecutionMode>,
    pub triggers: Vec<Trigger>,
    pub approval_auth: Option<ApprovalAuth>,
    pub valid: bool,
    /// Every problem of an invalid SOP, rendered as `sop check` prints it.
    pub problems: Vec<String>,
    /// The version a server has in use: the files when valid, else the last valid version
    /// (whose metadata, triggers and steps this document then shows). `null` without a server.
    pub in_use: Option<InUseDocument>,
    /// Present for one SOP (`GET /api/sops/{name}`), absent in lists.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub steps: Option<Vec<StepSummary>>,
}

/// The version of an SOP a server serves.
#[derive(Debug, Clone, Serialize)]
pub struct InUseDocument {
    /// The content hash of SOP.toml and SOP.md, as runs record it.
    pub definition_hash: String,
    /// When the server loaded this version (RFC 3339).
    pub loaded_at: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct StepSummary {
    pub number: u32,
    pub title: String,
    pub kind: StepKind,
}

impl SopOverviewDocument {
    pub fn new(entry: &Entry, with_steps: bool) -> Self {
        match &entry.sop {
            Ok(sop) => Self::of_sop(&entry.name, sop, with_steps),
            Err(diags) => SopOverviewDocument {
                name: entry.name.clone(),
                description: String::new(),
                version: None,
                priority: None,
                execution_mode: None,
                triggers: Vec::new(),
                approval_auth: None,
                valid: false,
                problems: diags.iter().map(|d| d.render()).collect(),
                in_use: None,
                steps: with_steps.then(Vec::new),
            },
        }
    }

    /// The document of a valid SOP.
    pub fn of_sop(name: &str, sop: &Sop, with_steps: bool) -> Self {
        SopOverviewDocument {
            name: name.to_string(),
            description: sop.meta.description.clone(),
            version: sop.meta.version.clone(),
            priority: Some(sop.meta.priority),
            execution_mode: Some(sop.meta.execution_mode),
            triggers: sop.triggers.clone(),
            approval_auth: Some(sop.meta.approval_auth),
            valid: true,
            problems: Vec::new(),
            in_use: None,
            steps: with_steps.then(|| {
                sop.steps
                    .iter()
                    .map(|s| StepSummary {
                        number: s.number,
                        title: s.title.clone(),
                        kind: s.kind,
                    })
                    .collect()
            }),
        }
    }
}
