//! Collects the diagnostics of one input file, mapping parser spans back into that file.

use crate::Diagnostic;
use std::ops::Range;
use toml::Spanned;
use toml::de::DeTable;

/// The diagnostics sink for one parsed fragment of one file. The fragment is the whole file for
/// SOP.toml, the calendars and the groups file, or the inside of a `<!-- sop: ... -->` comment
/// (wrapped in `{}` before parsing) for step options; spans from the fragment parser are mapped
/// back to file offsets.
pub struct Reporter<'a> {
    file: &'a str,
    text: &'a str,
    /// Where the fragment starts in `text`.
    base: usize,
    /// Bytes the parser saw before the fragment (the `{` around step options).
    prefix: usize,
    /// Length of the fragment in `text`.
    len: usize,
    /// Fragment spans the TOML parser already complained about; values there are recovery
    /// placeholders, so checking them again would only add noise.
    damaged: Vec<Range<usize>>,
    pub diags: Vec<Diagnostic>,
}

impl<'a> Reporter<'a> {
    /// A reporter for a whole file.
    pub fn new(file: &'a str, text: &'a str) -> Self {
        Reporter {
            file,
            text,
            base: 0,
            prefix: 0,
            len: text.len(),
            damaged: Vec::new(),
            diags: Vec::new(),
        }
    }

    /// A reporter for `text[base..base + len]`, parsed with `prefix` extra bytes in front.
    pub fn fragment(file: &'a str, text: &'a str, base: usize, len: usize, prefix: usize) -> Self {
        Reporter {
            file,
            text,
            base,
            prefix,
            len,
            damaged: Vec::new(),
            diags: Vec::new(),
        }
    }

    pub fn text(&self) -> &'a str {
        self.text
    }

    /// Maps a fragment span to a span of the file, clamped to the fragment and char boundaries.
    pub fn map(&self, span: Range<usize>) -> Range<usize> {
        let clamp = |p: usize| {
            let mut p = self.base + p.saturating_sub(self.prefix).min(self.len);
            while p > 0 && !self.text.is_char_boundary(p) {
                p -= 1;
            }
            p
        };
        let start = clamp(span.start);
        start..clamp(span.end).max(start)
    }

    /// A diagnostic at a fragment span.
    pub fn at(&self, span: Range<usize>, message: impl Into<String>) -> Diagnostic {
        Diagnostic::at(self.file, self.text, self.map(span), message)
    }

    pub fn push(&mut self, diagnostic: Diagnostic) {
        self.diags.push(diagnostic);
    }

    /// A diagnostic at a fragment span, with a help text when there is one.
    pub fn error(&mut self, span: Range<usize>, message: impl Into<String>, help: Option<&str>) {
        let mut d = self.at(span, message);
        if let Some(h) = help {
            d = d.with_help(h);
        }
        self.push(d);
    }

    /// Parses the whole file as a TOML document, recording its syntax errors; what could be read
    /// is returned, so the rest of the file is still checked.
    pub fn parse(&mut self) -> Spanned<DeTable<'a>> {
        let (doc, errors) = DeTable::parse_recoverable(self.text);
        for e in &errors {
            self.syntax(e);
        }
        doc
    }

    /// Records a syntax error from the TOML parser.
    pub fn syntax(&mut self, error: &toml::de::Error) {
        let span = error.span().unwrap_or(0..0);
        // The parser reports a missing value as a malformed empty literal string.
        let message = if span.is_empty() && error.message().starts_with("invalid literal string") {
            "expected a value after `=`"
        } else {
            error.message()
        };
        let help = if message.starts_with("duplicate key") {
            "a key, or a [table] header, may appear only once; remove or merge the repeated one"
        } else if message.starts_with("string values must be quoted") {
            "put text values in double quotes: key = \"value\""
        } else {
            "see https://toml.io for the syntax; strings need double quotes"
        };
        let d = self
            .at(span.clone(), format!("TOML syntax: {message}"))
            .with_help(help);
        if !self.diags.contains(&d) {
            self.damaged.push(span);
            self.diags.push(d);
        }
    }

    /// True when the parser already reported a syntax error inside `span`.
    pub fn is_damaged(&self, span: &Range<usize>) -> bool {
        self.damaged
            .iter()
            .any(|d| d.start < span.end.max(span.start + 1) && span.start < d.end.max(d.start + 1))
    }

    pub fn has_errors(&self) -> bool {
        !self.diags.is_empty()
    }

    /// The diagnostics in file order, as a person reads the file.
    pub fn finish(mut self) -> Vec<Diagnostic> {
        self.diags
            .sort_by(|a, b| (a.line, a.col, &a.message).cmp(&(b.line, b.col, &b.message)));
        self.diags
    }
}
