//! `ParseError`: a syntax or limit problem at a byte range of the expression source.

use crate::Diagnostic;
use serde::Serialize;
use std::ops::Range;

/// One problem in an expression's source. `span` holds byte offsets into the source.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize)]
#[error("{message}")]
pub struct ParseError {
    pub span: Range<usize>,
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub help: Option<String>,
}

impl ParseError {
    pub fn new(span: Range<usize>, message: impl Into<String>) -> Self {
        ParseError {
            span,
            message: message.into(),
            help: None,
        }
    }

    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    /// 1-based column of the problem in `src`, counted in characters.
    pub fn column(&self, src: &str) -> usize {
        let start = self.span.start.min(src.len());
        src.get(..start).map_or(start, |s| s.chars().count()) + 1
    }

    /// The problem as a [`Diagnostic`] against `src` (an expression given on its own, such as
    /// `sop eval`'s argument), ready for the caret rendering.
    pub fn to_diagnostic(&self, file: &str, src: &str) -> Diagnostic {
        let start = floor_char_boundary(src, self.span.start);
        let end = floor_char_boundary(src, self.span.end.max(start));
        let d = Diagnostic::at(file, src, start..end, self.message.clone());
        match &self.help {
            Some(h) => d.with_help(h.clone()),
            None => d,
        }
    }
}

fn floor_char_boundary(s: &str, mut i: usize) -> usize {
    i = i.min(s.len());
    while !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn column_counts_characters() {
        let e = ParseError::new(5..6, "x");
        assert_eq!(e.column("é = 1 ="), 5);
        assert_eq!(ParseError::new(0..1, "x").column(""), 1);
    }

    #[test]
    fn renders_a_caret_under_the_problem() {
        let src = "severity >= ";
        let e = ParseError::new(12..12, "expected a value after `>=`").with_help("e.g. 'high'");
        assert_eq!(
            e.to_diagnostic("expression", src).render(),
            "error: expected a value after `>=`\n  --> expression:1:13\n  |\n1 | severity >= \n  |             ^\n  = help: e.g. 'high'\n"
        );
    }
}
