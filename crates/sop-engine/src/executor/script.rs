//! One code block ready to run: its interpreter and its rendered command text.

use sop_core::definition::CodeBlock;
use sop_core::template::{self, TemplateError, Vars};

/// A command for `sh -c` or `bash -c`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Script {
    /// `sh` or `bash` (see [`CodeBlock::interpreter`]).
    pub interpreter: &'static str,
    /// The command, placeholders already replaced by shell-quoted values.
    pub code: String,
}

impl Script {
    /// A command exactly as written, without template rendering.
    #[cfg(test)]
    pub fn new(interpreter: &'static str, code: impl Into<String>) -> Self {
        Script {
            interpreter,
            code: code.into(),
        }
    }

    /// Renders a code block's `{{ name }}` placeholders as shell-quoted words.
    pub fn render(block: &CodeBlock, vars: &Vars) -> Result<Self, TemplateError> {
        Ok(Script {
            interpreter: block.interpreter(),
            code: template::render_command(&block.code, vars)?,
        })
    }
}
