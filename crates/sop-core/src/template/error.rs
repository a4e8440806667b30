//! What can be wrong with a template or with rendering it: every problem, located, with a fix.

use std::fmt;
use std::ops::Range;

/// One problem in a template, at a byte range of its source.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// Byte range of the offending text in the template source.
    pub span: Range<usize>,
    /// 1-based line within the template.
    pub line: u32,
    /// 1-based column within the line, in characters.
    pub col: u32,
    pub kind: ProblemKind,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProblemKind {
    /// `{{` with no `}}` later on the same line.
    Unclosed,
    /// `{{ ... }}` whose content is not a variable name.
    InvalidName { text: String },
    /// The name is not defined (`detail` says which part is missing, when it is a path).
    Missing {
        name: String,
        detail: Option<String>,
    },
    /// Only a case-insensitive match exists, and more than one.
    Ambiguous {
        name: String,
        candidates: Vec<String>,
    },
    /// The value holds a NUL byte, which no shell command or argument can carry.
    NulInValue { name: String },
    /// The placeholder sits where the shell would not read a single-quoted word as plain data.
    ShellContext { reason: String, help: String },
}

impl Problem {
    /// What is wrong, in one sentence.
    pub fn message(&self) -> String {
        match &self.kind {
            ProblemKind::Unclosed => "`{{` is not closed by `}}` on the same line".to_string(),
            ProblemKind::InvalidName { text } => {
                format!("`{text}` is not a variable placeholder")
            }
            ProblemKind::Missing { name, detail } => match detail {
                Some(detail) => format!("`{name}` is not defined: {detail}"),
                None if is_step_path(name) => format!("no earlier step output `{name}`"),
                None => format!("variable `{name}` is not defined"),
            },
            ProblemKind::Ambiguous { name, candidates } => format!(
                "`{name}` matches several variables that differ only in case: {}",
                quoted_list(candidates)
            ),
            ProblemKind::NulInValue { name } => {
                format!("the value of `{name}` contains a NUL byte, which a command cannot carry")
            }
            ProblemKind::ShellContext { reason, .. } => reason.clone(),
        }
    }

    /// How to fix it.
    pub fn help(&self) -> String {
        match &self.kind {
            ProblemKind::Unclosed | ProblemKind::InvalidName { .. } => {
                "placeholders look like `{{ name }}`, `{{ alert.labels.severity }}` or \
                 `{{ alerts[0].status }}` (letters, digits, `_`, `-`, parts joined by `.`, lists \
                 indexed by `[N]` or `.N`); write `{{{{` for a literal `{{`"
                    .to_string()
            }
            ProblemKind::Missing { name, .. } if is_step_path(name) => {
                "a step's outputs exist once it has run and written `key=value` to $SOP_OUTPUT; \
                 refer only to earlier steps"
                    .to_string()
            }
            ProblemKind::Missing { name, .. } => {
                let root = name.split('.').next().unwrap_or(name);
                format!(
                    "pass it among the run's variables, e.g. {{\"{root}\": \"...\"}} (`--vars` at \
                     the command line)"
                )
            }
            ProblemKind::Ambiguous { .. } => {
                "write the name exactly as the variable is spelled".to_string()
            }
            ProblemKind::NulInValue { name } => {
                format!("remove the NUL byte from `{name}`, or pass binary data in a file")
            }
            ProblemKind::ShellContext { help, .. } => help.clone(),
        }
    }
}

fn is_step_path(name: &str) -> bool {
    name.split('.')
        .next()
        .is_some_and(|r| r.eq_ignore_ascii_case("steps"))
}

fn quoted_list(names: &[String]) -> String {
    names
        .iter()
        .map(|n| format!("`{n}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{}: {} (help: {})",
            self.line,
            self.col,
            self.message(),
            self.help()
        )
    }
}

/// Every problem found while parsing or rendering one template, in source order.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct TemplateError {
    pub problems: Vec<Problem>,
}

impl TemplateError {
    /// The names that were not defined, each once, in order of first use.
    pub fn missing(&self) -> Vec<&str> {
        let mut names: Vec<&str> = Vec::new();
        for p in &self.problems {
            if let ProblemKind::Missing { name, .. } = &p.kind
                && !names.contains(&name.as_str())
            {
                names.push(name);
            }
        }
        names
    }
}

impl fmt::Display for TemplateError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let missing = self.missing();
        let only_variables = !missing.is_empty()
            && self.problems.iter().all(|p| match &p.kind {
                ProblemKind::Missing { name, detail } => detail.is_none() && !is_step_path(name),
                _ => false,
            });
        if only_variables {
            let names = missing
                .iter()
                .map(|n| format!("`{n}`"))
                .collect::<Vec<_>>()
                .join(", ");
            let example = missing
                .iter()
                .map(|n| format!("\"{n}\": \"...\""))
                .collect::<Vec<_>>()
                .join(", ");
            let (noun, pronoun) = if missing.len() == 1 {
                ("undefined variable", "it")
            } else {
                ("undefined variables", "them")
            };
            return write!(
                f,
                "{noun} {names} (help: pass {pronoun} among the run's variables, e.g. {{{example}}} \
                 (`--vars` at the command line))"
            );
        }
        for (i, p) in self.problems.iter().enumerate() {
            if i > 0 {
                f.write_str("; ")?;
            }
            write!(f, "{p}")?;
        }
        Ok(())
    }
}
