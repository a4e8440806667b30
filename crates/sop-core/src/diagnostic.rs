//! A problem found in user input, located at `file:line:col`, with a hint on how to fix it.

mod render;

use serde::Serialize;
use std::fmt;

/// One problem in one input file. Parsers collect these instead of stopping at the first, so a
/// user sees every problem in one pass.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct Diagnostic {
    /// The file the problem is in, as the user should see it (e.g. `sops/deploy/SOP.toml`).
    pub file: String,
    /// 1-based line; 0 when the problem concerns the file as a whole.
    pub line: u32,
    /// 1-based column in characters; 0 when the problem concerns the file or line as a whole.
    pub col: u32,
    /// What is wrong.
    pub message: String,
    /// How to fix it, when we know.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub help: Option<String>,
    /// The offending source line, for a caret display.
    #[serde(skip)]
    pub source_line: Option<String>,
    /// Width of the caret underline in characters (at least 1).
    #[serde(skip)]
    pub width: u32,
}

impl Diagnostic {
    /// A problem with a whole file (missing, unreadable, too large).
    pub fn file(file: impl Into<String>, message: impl Into<String>) -> Self {
        Diagnostic {
            file: file.into(),
            line: 0,
            col: 0,
            message: message.into(),
            help: None,
            source_line: None,
            width: 1,
        }
    }

    /// A problem at a byte range of `text`, which is the content of `file`.
    pub fn at(
        file: impl Into<String>,
        text: &str,
        span: std::ops::Range<usize>,
        message: impl Into<String>,
    ) -> Self {
        let index = LineIndex::new(text);
        let (line, col) = index.line_col(span.start);
        let col = text.get(..span.start).map_or(col, |b| {
            b[b.rfind('\n').map_or(0, |i| i + 1)..].chars().count() as u32 + 1
        });
        let source_line = index.line_text(text, line).to_string();
        let end = span
            .end
            .max(span.start + 1)
            .min(text.len().max(span.start + 1));
        let width = text
            .get(span.start..end.min(text.len()))
            .map(|s| s.lines().next().unwrap_or("").chars().count().max(1))
            .unwrap_or(1) as u32;
        Diagnostic {
            file: file.into(),
            line,
            col,
            message: message.into(),
            help: None,
            source_line: Some(source_line),
            width,
        }
    }

    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    /// `file:line:col`, `file:line` or `file`, whichever is known.
    pub fn location(&self) -> String {
        match (self.line, self.col) {
            (0, _) => self.file.clone(),
            (l, 0) => format!("{}:{l}", self.file),
            (l, c) => format!("{}:{l}:{c}", self.file),
        }
    }

    /// The rustc-style multi-line rendering: message, location, source line, caret, help.
    pub fn render(&self) -> String {
        render::render(self)
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.location(), self.message)?;
        if let Some(help) = &self.help {
            write!(f, " (help: {help})")?;
        }
        Ok(())
    }
}

/// Maps byte offsets to 1-based line and character columns.
#[derive(Debug, Clone)]
pub struct LineIndex {
    starts: Vec<usize>,
}

impl LineIndex {
    pub fn new(text: &str) -> Self {
        let mut starts = vec![0];
        starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        LineIndex { starts }
    }

    /// 1-based (line, column); the column counts characters, not bytes.
    pub fn line_col(&self, offset: usize) -> (u32, u32) {
        let line = match self.starts.binary_search(&offset) {
            Ok(i) => i,
            Err(i) => i - 1,
        };
        let start = self.starts[line];
        (line as u32 + 1, (offset - start) as u32 + 1)
    }

    /// The text of a 1-based line without its line ending.
    pub fn line_text<'a>(&self, text: &'a str, line: u32) -> &'a str {
        let i = (line as usize).saturating_sub(1).min(self.starts.len() - 1);
        let start = self.starts[i];
        let end = self.starts.get(i + 1).copied().unwrap_or(text.len());
        text.get(start..end)
            .unwrap_or("")
            .trim_end_matches(['\n', '\r'])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_col_counts_from_one() {
        let text = "ab\ncd\n";
        let idx = LineIndex::new(text);
        assert_eq!(idx.line_col(0), (1, 1));
        assert_eq!(idx.line_col(4), (2, 2));
        assert_eq!(idx.line_text(text, 2), "cd");
    }

    #[test]
    fn render_points_a_caret_at_the_column() {
        let text = "[sop]\nnmae = \"x\"\n";
        let d = Diagnostic::at("SOP.toml", text, 6..10, "unknown key `nmae`")
            .with_help("did you mean `name`?");
        assert_eq!(d.location(), "SOP.toml:2:1");
        assert_eq!(
            d.render(),
            "error: unknown key `nmae`\n  --> SOP.toml:2:1\n  |\n2 | nmae = \"x\"\n  | ^^^^\n  = help: did you mean `name`?\n"
        );
    }
}
