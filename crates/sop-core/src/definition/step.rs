//! One `## Step N: Title` section of SOP.md: its text, checklist, code blocks and options.

use crate::Duration;
use crate::condition::Expr;
use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum StepKind {
    /// Has at least one `sh`/`bash`/`shell` block and is not `manual = true`: the engine runs it.
    Automated,
    /// A person or an agent does it and reports it done.
    Manual,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum ApprovalRequirement {
    /// Gated only if the execution mode says so.
    #[default]
    Mode,
    /// `approval = "required"`: gated in every mode.
    Required,
}

/// The `<!-- sop: ... -->` options line under a step heading.
#[derive(Debug, Clone, PartialEq, Default, Serialize, schemars::JsonSchema)]
pub struct StepOptions {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub timeout: Option<Duration>,
    pub retries: u32,
    pub continue_on_error: bool,
    pub idempotent: bool,
    pub approval: ApprovalRequirement,
    pub manual: bool,
    /// `if = "..."`: the step runs only when this holds at the moment the run reaches it,
    /// otherwise it is skipped. Parsed when the SOP loads; serialised as its source.
    #[serde(
        rename = "if",
        skip_serializing_if = "Option::is_none",
        serialize_with = "condition_source"
    )]
    #[schemars(with = "Option<String>")]
    pub condition: Option<Expr>,
}

fn condition_source<S: serde::Serializer>(c: &Option<Expr>, s: S) -> Result<S::Ok, S::Error> {
    c.as_ref().map(Expr::source).serialize(s)
}

/// A fenced code block. Only `sh`, `bash` and `shell` blocks run.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CodeBlock {
    /// The info string's first word (`sh`, `bash`, `python`, ...); empty when none was given.
    pub lang: String,
    pub code: String,
    /// 1-based line in SOP.md of the opening fence.
    pub line: u32,
}

impl CodeBlock {
    pub fn is_shell(&self) -> bool {
        matches!(self.lang.as_str(), "sh" | "bash" | "shell")
    }

    /// The interpreter for this block: `bash` for bash blocks, `sh` otherwise.
    pub fn interpreter(&self) -> &'static str {
        if self.lang == "bash" { "bash" } else { "sh" }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Step {
    /// 1-based step number, as in the heading.
    pub number: u32,
    pub title: String,
    pub kind: StepKind,
    /// Paragraph text (Markdown), without the checklist and code blocks.
    pub description: String,
    /// Bullet items, in order.
    pub checklist: Vec<String>,
    /// Every fenced block in the step, in order.
    pub blocks: Vec<CodeBlock>,
    pub options: StepOptions,
    /// 1-based line of the heading in SOP.md.
    pub line: u32,
}

impl Step {
    /// The blocks the engine runs (empty for manual steps).
    pub fn commands(&self) -> impl Iterator<Item = &CodeBlock> {
        let automated = self.kind == StepKind::Automated;
        self.blocks
            .iter()
            .filter(move |b| automated && b.is_shell())
    }
}
