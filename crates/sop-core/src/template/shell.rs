//! Shell quoting, and where in a command each placeholder sits as far as the shell is concerned.
//!
//! A value is substituted as one single-quoted word (`'` becomes `'\''`), which a POSIX shell
//! reads as plain data. That only holds where the shell reads quotes at all, so the command text
//! around each placeholder is scanned the way `sh` and `bash` tokenise it:
//!
//! - unquoted: the value becomes `'value'`;
//! - inside `'...'`: the value's own quotes are escaped, closing and reopening the quote;
//! - inside `"..."`: the double quote is closed around `'value'` and reopened;
//! - inside a `#` comment: the placeholder is left as written (a comment runs nothing);
//! - anywhere else (backquotes, `$'...'`, `${...}`, `$((...))`, here-documents, right after a
//!   backslash or a `$`), and after constructs whose quoting cannot be told without running the
//!   shell, the placeholder is refused;
//! - where the value would be evaluated as code although it is quoted (arithmetic, variable
//!   names, scripts of `eval`, `sh -c`, `python -c`, `ssh`, stdin of an interpreter, the
//!   command name, `BASH_ENV=` and similar; see `evaluated.rs`), it is refused too.
//!
//! Every refusal's help names the environment variable holding the value (`"$SOP_VAR_NAME"`):
//! that, not this scan, is the safe way to use a value. The scan is a safety net.

mod builtins;
mod command;
mod evaluated;
mod help;
mod invocation;
mod lexer;
mod literal;
mod options;
mod programs;
mod variables;

#[cfg(test)]
mod tests;

/// `value` as one single-quoted shell word: `it's` → `'it'\''s'`.
pub fn shell_quote(value: &str) -> String {
    let mut out = String::with_capacity(value.len() + 2);
    out.push('\'');
    out.push_str(&escape_single(value));
    out.push('\'');
    out
}

/// The text that stands for `value` inside an open single quote.
pub(crate) fn escape_single(value: &str) -> String {
    value.replace('\'', r"'\''")
}

/// How a placeholder's value is written, given where it sits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Quoting {
    Unquoted,
    InSingleQuotes,
    InDoubleQuotes,
    InComment,
}

/// A placeholder position the shell would not read as plain data.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Refusal {
    pub reason: String,
    pub help: String,
}

/// A character of literal text, or placeholder number `n`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Token {
    Char(char),
    Hole(usize),
}

/// Decides the quoting of every placeholder in `tokens` (`holes` of them).
pub(crate) fn classify(tokens: &[Token], holes: usize) -> Vec<Result<Quoting, Refusal>> {
    lexer::Lexer::new(tokens, holes).run()
}
