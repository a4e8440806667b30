//! Splits template source into literal text and `{{ name }}` placeholders.

use super::error::{Problem, ProblemKind};
use std::ops::Range;

/// One `{{ name }}` in the source.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Placeholder {
    /// The name as written, without braces and surrounding whitespace.
    pub name: String,
    /// The name split at `.`.
    pub path: Vec<String>,
    /// Byte range of the whole placeholder, braces included.
    pub span: Range<usize>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Piece {
    Text(String),
    Var(Placeholder),
}

/// Parses `source`; the problems found are returned alongside the pieces, and the text of a bad
/// placeholder is kept as literal text so a lenient rendering shows it as written.
pub(crate) fn parse(source: &str) -> (Vec<Piece>, Vec<Problem>) {
    let mut pieces = Vec::new();
    let mut problems = Vec::new();
    let mut text = String::new();
    let mut rest = 0;
    while let Some(found) = source[rest..].find("{{") {
        let open = rest + found;
        text.push_str(&source[rest..open]);
        if source[open + 2..].starts_with("{{") {
            text.push_str("{{");
            rest = open + 4;
            continue;
        }
        let line_end = source[open..].find('\n').map_or(source.len(), |i| open + i);
        let Some(close) = source[open + 2..line_end].find("}}").map(|i| open + 2 + i) else {
            problems.push(problem(source, open..line_end, ProblemKind::Unclosed));
            text.push_str("{{");
            rest = open + 2;
            continue;
        };
        let end = close + 2;
        let inner = source[open + 2..close].trim_matches([' ', '\t']);
        match split_name(inner) {
            Some(path) => {
                if !text.is_empty() {
                    pieces.push(Piece::Text(std::mem::take(&mut text)));
                }
                pieces.push(Piece::Var(Placeholder {
                    name: inner.to_string(),
                    path,
                    span: open..end,
                }));
            }
            None => {
                problems.push(problem(
                    source,
                    open..end,
                    ProblemKind::InvalidName {
                        text: source[open..end].to_string(),
                    },
                ));
                text.push_str(&source[open..end]);
            }
        }
        rest = end;
    }
    text.push_str(&source[rest..]);
    if !text.is_empty() {
        pieces.push(Piece::Text(text));
    }
    (pieces, problems)
}

/// `a.b-c.0` → `["a", "b-c", "0"]`, and `alerts[0].labels` → `["alerts", "0", "labels"]`: a
/// list indexed as conditions write it, the same as `alerts.0`. `None` unless every part is
/// letters, digits, `_` or `-`, every `[…]` holds digits, and the first part starts with a
/// letter or `_`.
fn split_name(inner: &str) -> Option<Vec<String>> {
    let first = inner.chars().next()?;
    if !(first.is_ascii_alphabetic() || first == '_') {
        return None;
    }
    let mut parts = Vec::new();
    for segment in inner.split('.') {
        let (key, mut indexes) = segment.split_at(segment.find('[').unwrap_or(segment.len()));
        let key_ok = !key.is_empty()
            && key
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
        if !key_ok {
            return None;
        }
        parts.push(key.to_string());
        while !indexes.is_empty() {
            let (index, rest) = indexes.strip_prefix('[')?.split_once(']')?;
            if index.is_empty() || !index.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            parts.push(index.to_string());
            indexes = rest;
        }
    }
    Some(parts)
}

/// A problem at `span`, with its line and character column.
pub(crate) fn problem(source: &str, span: Range<usize>, kind: ProblemKind) -> Problem {
    let before = &source[..span.start];
    let line = before.matches('\n').count() as u32 + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let col = source[line_start..span.start].chars().count() as u32 + 1;
    Problem {
        span,
        line,
        col,
        kind,
    }
}
