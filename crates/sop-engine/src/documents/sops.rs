//! The documents of SOP definitions: the catalog as `sop list --json` prints it, and one SOP as
//! `sop show NAME --json` does.

use crate::approval::plan::Summary;
use crate::catalog::{Catalog, Entry};
use schemars::JsonSchema;
use serde::Serialize;
use serde_json::{Map, Value};
use sop_core::definition::{Sop, Trigger};
use sop_core::{Diagnostic, ExecutionMode, Priority};

/// Every SOP of the directory, valid or not, sorted by name.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct SopListDocument {
    pub dir: String,
    pub count: usize,
    /// How many of them are valid.
    pub valid: usize,
    pub sops: Vec<SopEntryDocument>,
}

/// One SOP in the list: its summary, or the problems that make it invalid.
#[derive(Debug, Clone, Serialize, JsonSchema)]
#[serde(untagged)]
pub enum SopEntryDocument {
    Valid(SopSummaryDocument),
    Invalid(InvalidSopDocument),
}

/// A valid SOP in the list. Holds no secrets: a webhook's `secret_env` is a variable name,
/// never its value.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct SopSummaryDocument {
    pub name: String,
    /// Always `true`.
    pub valid: bool,
    pub description: String,
    pub version: Option<String>,
    pub icon: String,
    pub priority: Priority,
    pub execution_mode: ExecutionMode,
    pub triggers: Vec<Trigger>,
    /// Each condition in short form.
    pub conditions: Vec<String>,
    /// How many steps it has.
    pub steps: usize,
}

/// An SOP that does not load, with every problem found.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct InvalidSopDocument {
    pub name: String,
    /// Always `false`.
    pub valid: bool,
    pub errors: Vec<Diagnostic>,
}

impl SopListDocument {
    pub fn new(catalog: &Catalog) -> Self {
        let sops: Vec<SopEntryDocument> = catalog.entries().iter().map(entry).collect();
        SopListDocument {
            dir: catalog.dir().display().to_string(),
            count: sops.len(),
            valid: catalog.sops().count(),
            sops,
        }
    }
}

fn entry(e: &Entry) -> SopEntryDocument {
    match &e.sop {
        Ok(sop) => SopEntryDocument::Valid(SopSummaryDocument::new(sop)),
        Err(diags) => SopEntryDocument::Invalid(InvalidSopDocument::new(e, diags)),
    }
}

impl SopSummaryDocument {
    pub fn new(sop: &Sop) -> Self {
        let m = &sop.meta;
        SopSummaryDocument {
            name: m.name.clone(),
            valid: true,
            description: m.description.clone(),
            version: m.version.clone(),
            icon: m.display_icon().to_string(),
            priority: m.priority,
            execution_mode: m.execution_mode,
            triggers: sop.triggers.clone(),
            conditions: sop
                .conditions
                .summary()
                .into_iter()
                .map(String::from)
                .collect(),
            steps: sop.steps.len(),
        }
    }
}

impl InvalidSopDocument {
    pub fn new(e: &Entry, diags: &[Diagnostic]) -> Self {
        InvalidSopDocument {
            name: e.name.clone(),
            valid: false,
            errors: diags.to_vec(),
        }
    }
}

/// One valid SOP in full: its definition as parsed (`meta`, `triggers`, `conditions`,
/// `preamble`, `steps`, `content_hash`; see docs/sop-format.md), each step's `commands`, the
/// approvals a run meets under this process's settings, and where its files are.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct SopDocument {
    pub name: String,
    pub icon: String,
    /// Always `true`.
    pub valid: bool,
    pub approvals: Summary,
    pub files: SopFiles,
    /// The parsed definition's fields.
    #[serde(flatten)]
    pub definition: Map<String, Value>,
}

#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct SopFiles {
    pub toml: String,
    pub md: String,
}

impl SopDocument {
    pub fn new(entry: &Entry, sop: &Sop, approvals: Summary) -> crate::Result<Self> {
        let mut definition = match serde_json::to_value(sop) {
            Ok(Value::Object(map)) => map,
            Ok(_) | Err(_) => {
                return Err(crate::Error::internal(format!(
                    "SOP `{}` does not serialise as an object",
                    sop.name()
                )));
            }
        };
        // Declared parameters are shown even when there are none, so readers need not guess.
        definition.insert(
            "parameters".into(),
            serde_json::to_value(&sop.parameters).unwrap_or(Value::Null),
        );
        // What the engine runs, per step, so a reader need not apply the block rules itself.
        if let Some(Value::Array(steps)) = definition.get_mut("steps") {
            for (value, step) in steps.iter_mut().zip(&sop.steps) {
                let commands: Vec<Value> = step
                    .commands()
                    .map(|b| Value::String(b.code.clone()))
                    .collect();
                value["commands"] = Value::Array(commands);
            }
        }
        for typed in ["name", "icon", "valid", "approvals", "files"] {
            definition.remove(typed);
        }
        Ok(SopDocument {
            name: sop.meta.name.clone(),
            icon: sop.meta.display_icon().to_string(),
            valid: true,
            approvals,
            files: SopFiles {
                toml: entry.toml_file.clone(),
                md: entry.md_file.clone(),
            },
            definition,
        })
    }
}
