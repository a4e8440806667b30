//! `{{ name }}` placeholders in step text and in commands.
//!
//! - A placeholder is `{{ name }}`; the spaces inside the braces are optional. Names are letters,
//!   digits, `_` and `-`, with `.` between the parts of a path: `{{ alert.labels.severity }}`
//!   walks into a JSON object, `{{ hosts.0 }}` into a list, and `{{ steps.2.version }}` is the
//!   output `version` of step 2. Names match case-insensitively when there is no exact match.
//! - Strings render as they are; numbers, booleans, `null`, lists and objects as compact JSON.
//! - `{{{{` is a literal `{{`; a `}}` outside a placeholder is literal already.
//! - An undefined name is an error that lists every undefined name; only the lenient renderings
//!   (for display) leave such a placeholder as written.
//! - In commands ([`CommandTemplate`], [`render_command`]) every value is substituted as one
//!   single-quoted shell word, so it reaches the program as data and never runs; see
//!   [`shell`](self::shell) for how quotes around the placeholder are handled. Where a placeholder
//!   is refused, the help names the environment variable that carries the same value
//!   (`"$SOP_VAR_NAME"`), which is the safe way to use a value in a command.

mod env_name;
mod error;
mod parse;
pub mod shell;
mod vars;

pub use env_name::var_env_name;
pub use error::{Problem, ProblemKind, TemplateError};
pub use parse::Placeholder;
pub use shell::shell_quote;
pub use vars::{Vars, value_kind, value_text};

use parse::Piece;
use shell::{Quoting, Refusal, Token};
use vars::LookupError;

/// A parsed template for plain text (step descriptions, checklists).
#[derive(Debug, Clone)]
pub struct Template {
    source: String,
    pieces: Vec<Piece>,
    /// Syntax problems found while parsing.
    problems: Vec<Problem>,
}

impl Template {
    /// Parses `source`, failing with every syntax problem.
    pub fn parse(source: &str) -> Result<Self, TemplateError> {
        Self::parse_all(source).checked()
    }

    fn parse_all(source: &str) -> Self {
        let (pieces, problems) = parse::parse(source);
        Template {
            source: source.to_string(),
            pieces,
            problems,
        }
    }

    fn checked(self) -> Result<Self, TemplateError> {
        if self.problems.is_empty() {
            Ok(self)
        } else {
            Err(TemplateError {
                problems: self.problems,
            })
        }
    }

    /// The placeholders, in source order.
    pub fn placeholders(&self) -> impl Iterator<Item = &Placeholder> {
        self.pieces.iter().filter_map(|p| match p {
            Piece::Var(v) => Some(v),
            Piece::Text(_) => None,
        })
    }

    /// Substitutes every placeholder; fails listing every undefined name.
    pub fn render(&self, vars: &Vars) -> Result<String, TemplateError> {
        self.render_with(vars, None, false)
    }

    /// Substitutes what is defined and leaves the rest as written; for display only.
    pub fn render_lenient(&self, vars: &Vars) -> String {
        self.render_with(vars, None, true).unwrap_or_default()
    }

    /// Text with each defined placeholder replaced by a mark ([`Marked::mark`]), and the
    /// values: for a renderer that must treat values as text whatever they hold (a Markdown
    /// page, where a value could otherwise become a link). The rest stays as written.
    pub fn render_marked(&self, vars: &Vars) -> Marked {
        let mut marked = Marked::default();
        for piece in &self.pieces {
            match piece {
                Piece::Text(text) => marked.text.push_str(text),
                Piece::Var(var) => match vars.lookup(&var.path) {
                    Ok(value) => {
                        marked.text.push_str(&Marked::mark(marked.values.len()));
                        marked.values.push(value_text(&value).into_owned());
                    }
                    Err(_) => marked.text.push_str(&self.source[var.span.clone()]),
                },
            }
        }
        marked
    }

    fn render_with(
        &self,
        vars: &Vars,
        quoting: Option<&[Result<Quoting, Refusal>]>,
        lenient: bool,
    ) -> Result<String, TemplateError> {
        let mut out = String::with_capacity(self.source.len());
        let mut problems = if lenient {
            Vec::new()
        } else {
            self.problems.clone()
        };
        let mut hole = 0;
        for piece in &self.pieces {
            let var = match piece {
                Piece::Text(text) => {
                    out.push_str(text);
                    continue;
                }
                Piece::Var(var) => var,
            };
            let written = &self.source[var.span.clone()];
            let how = quoting.map(|q| q[hole].clone());
            hole += 1;
            let how = match how {
                None => None,
                Some(Ok(Quoting::InComment)) => {
                    out.push_str(written);
                    continue;
                }
                Some(Ok(q)) => Some(q),
                Some(Err(refusal)) => {
                    problems.push(self.shell_problem(var, &refusal));
                    out.push_str(written);
                    continue;
                }
            };
            let value = match vars.lookup(&var.path) {
                Ok(value) => value,
                Err(e) => {
                    let kind = match e {
                        LookupError::Missing(detail) => ProblemKind::Missing {
                            name: var.name.clone(),
                            detail,
                        },
                        LookupError::Ambiguous(candidates) => ProblemKind::Ambiguous {
                            name: var.name.clone(),
                            candidates,
                        },
                    };
                    problems.push(self.problem(var, kind));
                    out.push_str(written);
                    continue;
                }
            };
            let text = value_text(&value);
            match how {
                None => out.push_str(&text),
                Some(_) if text.contains('\0') => {
                    problems.push(self.problem(
                        var,
                        ProblemKind::NulInValue {
                            name: var.name.clone(),
                        },
                    ));
                    out.push_str(written);
                }
                Some(Quoting::Unquoted) => out.push_str(&shell_quote(&text)),
                Some(Quoting::InSingleQuotes) => out.push_str(&shell::escape_single(&text)),
                Some(Quoting::InDoubleQuotes) => {
                    out.push('"');
                    out.push_str(&shell_quote(&text));
                    out.push('"');
                }
                Some(Quoting::InComment) => out.push_str(written),
            }
        }
        if lenient || problems.is_empty() {
            Ok(out)
        } else {
            problems.sort_by_key(|p| p.span.start);
            Err(TemplateError { problems })
        }
    }

    fn problem(&self, var: &Placeholder, kind: ProblemKind) -> Problem {
        parse::problem(&self.source, var.span.clone(), kind)
    }

    /// A refused placeholder; the help names the environment variable that holds its value.
    fn shell_problem(&self, var: &Placeholder, refusal: &Refusal) -> Problem {
        self.problem(
            var,
            ProblemKind::ShellContext {
                reason: refusal.reason.clone(),
                help: env_name::shell_help(&refusal.help, &var.name, &var.path),
            },
        )
    }
}

/// A parsed template for a shell command: every value becomes one single-quoted word.
#[derive(Debug, Clone)]
pub struct CommandTemplate {
    template: Template,
    quoting: Vec<Result<Quoting, Refusal>>,
}

impl CommandTemplate {
    /// Parses `source`, failing with every syntax problem and every placeholder the shell would
    /// not read as plain data (inside backquotes, a here-document, ...). No values are needed,
    /// so this is what `sop check` runs on each code block.
    pub fn parse(source: &str) -> Result<Self, TemplateError> {
        let command = Self::parse_all(source);
        let mut problems = command.template.problems.clone();
        let vars = command.template.placeholders().zip(&command.quoting);
        for (var, quoting) in vars {
            if let Err(refusal) = quoting {
                problems.push(command.template.shell_problem(var, refusal));
            }
        }
        if problems.is_empty() {
            Ok(command)
        } else {
            problems.sort_by_key(|p| p.span.start);
            Err(TemplateError { problems })
        }
    }

    fn parse_all(source: &str) -> Self {
        let template = Template::parse_all(source);
        let mut tokens = Vec::with_capacity(source.len());
        let mut holes = 0;
        for piece in &template.pieces {
            match piece {
                Piece::Text(text) => tokens.extend(text.chars().map(Token::Char)),
                Piece::Var(_) => {
                    tokens.push(Token::Hole(holes));
                    holes += 1;
                }
            }
        }
        let quoting = shell::classify(&tokens, holes);
        CommandTemplate { template, quoting }
    }

    pub fn placeholders(&self) -> impl Iterator<Item = &Placeholder> {
        self.template.placeholders()
    }

    /// The command with every value shell-quoted; fails listing every problem.
    pub fn render(&self, vars: &Vars) -> Result<String, TemplateError> {
        self.template.render_with(vars, Some(&self.quoting), false)
    }

    /// The command with defined values quoted and every other placeholder left as written; for
    /// display (`--dry-run`) only.
    pub fn render_lenient(&self, vars: &Vars) -> String {
        self.template
            .render_with(vars, Some(&self.quoting), true)
            .unwrap_or_default()
    }
}

/// Every well-formed placeholder in `source`, in order; malformed ones are skipped (the parsers
/// of step text and commands report them).
pub fn placeholders_in(source: &str) -> Vec<Placeholder> {
    let (pieces, _) = parse::parse(source);
    pieces
        .into_iter()
        .filter_map(|p| match p {
            Piece::Var(v) => Some(v),
            Piece::Text(_) => None,
        })
        .collect()
}

/// Text whose values were set apart by [`Template::render_marked`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Marked {
    pub text: String,
    pub values: Vec<String>,
}

impl Marked {
    /// The mark standing for value `i`: its index between two private-use characters, which
    /// no markup language treats as syntax.
    pub fn mark(i: usize) -> String {
        format!("\u{E000}{i}\u{E001}")
    }

    /// `rendered` (made from [`Marked::text`]) with each mark replaced by `show(value)`.
    pub fn fill(&self, rendered: &str, show: impl Fn(&str) -> String) -> String {
        let mut out = String::with_capacity(rendered.len());
        let mut rest = rendered;
        while let Some(open) = rest.find('\u{E000}') {
            out.push_str(&rest[..open]);
            let after = &rest[open + '\u{E000}'.len_utf8()..];
            let value = after.find('\u{E001}').and_then(|close| {
                let i: usize = after[..close].parse().ok()?;
                Some((self.values.get(i)?, close))
            });
            match value {
                Some((value, close)) => {
                    out.push_str(&show(value));
                    rest = &after[close + '\u{E001}'.len_utf8()..];
                }
                None => {
                    out.push('\u{E000}');
                    rest = after;
                }
            }
        }
        out.push_str(rest);
        out
    }
}

/// [`Template::render_marked`] of step text.
pub fn render_text_marked(source: &str, vars: &Vars) -> Marked {
    Template::parse_all(source).render_marked(vars)
}

/// Renders step text, reporting syntax problems and undefined names together.
pub fn render_text(source: &str, vars: &Vars) -> Result<String, TemplateError> {
    Template::parse_all(source).render(vars)
}

/// Renders step text for display: what cannot be substituted stays as written.
pub fn render_text_lenient(source: &str, vars: &Vars) -> String {
    Template::parse_all(source).render_lenient(vars)
}

/// Renders a command, every value as one single-quoted word; reports every problem together.
pub fn render_command(source: &str, vars: &Vars) -> Result<String, TemplateError> {
    CommandTemplate::parse_all(source).render(vars)
}

/// Renders a command for display: what cannot be substituted safely stays as written.
pub fn render_command_lenient(source: &str, vars: &Vars) -> String {
    CommandTemplate::parse_all(source).render_lenient(vars)
}

#[cfg(test)]
mod tests;
