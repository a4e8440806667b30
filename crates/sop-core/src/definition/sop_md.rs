//! Reads SOP.md: the preamble, then `## Step N: Title` sections with their paragraphs, checklist
//! items, fenced code blocks and `<!-- sop: ... -->` options line.

mod headings;

use super::command_templates;
use super::md_text::{fence_is_closed, is_misspelt_options_comment, is_options_comment, item_text};
use super::options_comment;
use super::step::{CodeBlock, Step, StepKind, StepOptions};
use super::step_options;
use super::steps_order;
use crate::{Diagnostic, LineIndex};
use pulldown_cmark::{CodeBlockKind, Event, HeadingLevel, Options, Parser, Tag, TagEnd};
use std::ops::Range;

/// Everything SOP.md defines.
#[derive(Debug, Clone)]
pub struct SopMd {
    pub preamble: String,
    pub steps: Vec<Step>,
}

/// A step while its section is being read.
struct Draft {
    number: u32,
    title: String,
    heading: Range<usize>,
    description: Vec<String>,
    checklist: Vec<String>,
    blocks: Vec<CodeBlock>,
    /// Where each block's code starts in SOP.md, for locating placeholder problems.
    block_starts: Vec<usize>,
    options: Option<StepOptions>,
    /// True until the first block after the heading: only there may the options line appear.
    expect_options: bool,
}

/// A list item whose own text ends where its first nested block starts.
struct Item {
    slot: usize,
    start: usize,
    own_end: Option<usize>,
}

struct Code {
    lang: String,
    line: u32,
    fenced: bool,
    text: String,
    /// Byte offset in SOP.md of the first line of code.
    content_start: Option<usize>,
}

struct Walker<'a> {
    file: &'a str,
    text: &'a str,
    lines: LineIndex,
    diags: Vec<Diagnostic>,
    preamble_end: Option<usize>,
    steps: Vec<Draft>,
    items: Vec<Item>,
    code: Option<Code>,
    /// Nesting depth of the current event; 0 between top-level blocks.
    depth: usize,
    /// Start of the current top-level block.
    block_start: usize,
}

/// Parses SOP.md; `file` is how the file is named in diagnostics.
pub fn parse(file: &str, text: &str) -> Result<SopMd, Vec<Diagnostic>> {
    let mut w = Walker {
        file,
        text,
        lines: LineIndex::new(text),
        diags: Vec::new(),
        preamble_end: None,
        steps: Vec::new(),
        items: Vec::new(),
        code: None,
        depth: 0,
        block_start: 0,
    };
    let options = Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH;
    for (event, range) in Parser::new_ext(text, options).into_offset_iter() {
        match event {
            Event::Start(tag) => w.start(tag, range),
            Event::End(tag) => w.end(tag, range),
            Event::Text(t) => {
                if let Some(code) = &mut w.code {
                    code.content_start.get_or_insert(range.start);
                    code.text.push_str(&t);
                } else {
                    w.unspaced_step_heading(range);
                }
            }
            Event::InlineHtml(html) if is_options_comment(&html) => {
                w.error(
                    range,
                    "a `<!-- sop: ... -->` options line must be on its own line",
                    "put it on the line directly under the step heading",
                );
            }
            _ => {}
        }
    }
    w.finish()
}

impl Walker<'_> {
    fn error(&mut self, span: Range<usize>, message: impl Into<String>, help: impl Into<String>) {
        self.diags
            .push(Diagnostic::at(self.file, self.text, span, message).with_help(help));
    }

    fn start(&mut self, tag: Tag, range: Range<usize>) {
        if self.depth == 0 {
            self.block_start = range.start;
            match tag {
                Tag::Heading {
                    level: HeadingLevel::H2,
                    ..
                } => self.heading(range.clone()),
                Tag::Heading { level, .. } => self.misplaced_step_heading(level, range.clone()),
                _ => {}
            }
        }
        let nested = matches!(
            tag,
            Tag::List(_)
                | Tag::CodeBlock(_)
                | Tag::BlockQuote(_)
                | Tag::HtmlBlock
                | Tag::Heading { .. }
                | Tag::Table(_)
        );
        if nested && let Some(item) = self.items.last_mut() {
            item.own_end.get_or_insert(range.start);
        }
        match tag {
            Tag::Item => {
                if let Some(step) = self.steps.last_mut() {
                    step.checklist.push(String::new());
                    self.items.push(Item {
                        slot: step.checklist.len() - 1,
                        start: range.start,
                        own_end: None,
                    });
                }
            }
            Tag::CodeBlock(kind) => {
                let (lang, fenced) = match kind {
                    CodeBlockKind::Fenced(info) => (
                        info.split(|c: char| c.is_whitespace() || c == ',' || c == '{')
                            .next()
                            .unwrap_or("")
                            .to_ascii_lowercase(),
                        true,
                    ),
                    CodeBlockKind::Indented => (String::new(), false),
                };
                self.code = Some(Code {
                    lang,
                    line: self.lines.line_col(range.start).0,
                    fenced,
                    text: String::new(),
                    content_start: None,
                });
            }
            _ => {}
        }
        self.depth += 1;
    }

    fn end(&mut self, tag: TagEnd, range: Range<usize>) {
        self.depth = self.depth.saturating_sub(1);
        match tag {
            TagEnd::Item => {
                if let Some(item) = self.items.pop()
                    && let Some(step) = self.steps.last_mut()
                {
                    let own = &self.text[item.start..item.own_end.unwrap_or(range.end)];
                    step.checklist[item.slot] = item_text(own);
                }
            }
            TagEnd::CodeBlock => {
                if let Some(code) = self.code.take() {
                    if code.fenced && !fence_is_closed(&self.text[range.clone()]) {
                        self.error(
                            range.start..range.start + 3,
                            "this code block is never closed",
                            "close it with a line of three backticks (```); everything after it was read as code",
                        );
                    }
                    if let Some(step) = self.steps.last_mut() {
                        step.block_starts
                            .push(code.content_start.unwrap_or(range.end));
                        step.blocks.push(CodeBlock {
                            lang: code.lang,
                            code: code.text,
                            line: code.line,
                        });
                    }
                }
            }
            _ => {}
        }
        if self.depth == 0 {
            self.block_end(tag, self.block_start..range.end);
        }
    }

    /// A top-level block is complete: file it under the current step.
    fn block_end(&mut self, tag: TagEnd, range: Range<usize>) {
        let source = &self.text[range.clone()];
        if tag == TagEnd::HtmlBlock && is_options_comment(source) {
            self.options(range);
            return;
        }
        let own_heading = matches!(tag, TagEnd::Heading(HeadingLevel::H2))
            && self
                .steps
                .last()
                .is_some_and(|s| s.heading.start == range.start);
        if own_heading {
            return;
        }
        if let Some(step) = self.steps.last_mut() {
            step.expect_options = false;
        }
        if tag == TagEnd::HtmlBlock && source.trim_start().starts_with("<!--") {
            if is_misspelt_options_comment(source) {
                self.error(
                    range.start..range.start + source.trim_end().len(),
                    "this comment looks like a step options line, but only `sop:` marks one",
                    "write `<!-- sop: key = value, ... -->` directly under the step heading",
                );
            }
            if !source.contains("-->") {
                self.error(
                    range.start..range.start + 4,
                    "this HTML comment is never closed",
                    "close it with `-->`; everything after it was hidden",
                );
            }
            return;
        }
        let Some(step) = self.steps.last_mut() else {
            return;
        };
        if !matches!(tag, TagEnd::List(_) | TagEnd::CodeBlock) {
            step.description.push(source.trim().to_string());
        }
    }

    fn options(&mut self, range: Range<usize>) {
        let (comment, problems) = options_comment::split(self.text, range);
        for (span, message, help) in problems {
            self.error(span, message, help);
        }
        let Some(comment) = comment else {
            return;
        };
        let Some(step) = self.steps.last_mut().filter(|s| s.expect_options) else {
            let (msg, help) = if self.steps.last().is_some_and(|s| s.options.is_some()) {
                (
                    "this step already has an options line",
                    "merge the options into the first `<!-- sop: ... -->` line",
                )
            } else {
                (
                    "a `<!-- sop: ... -->` options line must come directly under a step heading",
                    "move it to the line after `## Step N: Title`",
                )
            };
            self.error(comment.whole, msg, help);
            return;
        };
        step.expect_options = false;
        step.options = Some(step_options::parse(
            self.file,
            step.number,
            self.text,
            comment.inner.start,
            &self.text[comment.inner],
            &mut self.diags,
        ));
    }

    fn finish(mut self) -> Result<SopMd, Vec<Diagnostic>> {
        if self.steps.is_empty() && self.diags.is_empty() {
            let message = if self.text.trim().is_empty() {
                "SOP.md is empty: it has no steps"
            } else {
                "SOP.md has no steps"
            };
            self.error(
                0..0,
                message,
                "a step is a level-2 heading: add `## Step 1: Title` followed by its text",
            );
        }
        let numbers: Vec<(u32, Range<usize>)> = self
            .steps
            .iter()
            .map(|s| (s.number, s.heading.clone()))
            .collect();
        steps_order::check(self.file, self.text, &self.lines, &numbers, &mut self.diags);
        for step in &self.steps {
            if step.options.as_ref().is_some_and(|o| o.manual) {
                continue;
            }
            for (block, start) in step.blocks.iter().zip(&step.block_starts) {
                if block.is_shell() {
                    command_templates::check(
                        self.file,
                        self.text,
                        &block.code,
                        *start,
                        &mut self.diags,
                    );
                }
            }
        }
        if !self.diags.is_empty() {
            return Err(self.diags);
        }
        let preamble = self.text[..self.preamble_end.unwrap_or(self.text.len())]
            .trim()
            .to_string();
        let lines = &self.lines;
        let steps = self
            .steps
            .into_iter()
            .map(|d| {
                let options = d.options.unwrap_or_default();
                let automated = !options.manual && d.blocks.iter().any(CodeBlock::is_shell);
                Step {
                    number: d.number,
                    title: d.title,
                    kind: if automated {
                        StepKind::Automated
                    } else {
                        StepKind::Manual
                    },
                    description: d.description.join("\n\n"),
                    checklist: d.checklist.into_iter().filter(|c| !c.is_empty()).collect(),
                    blocks: d.blocks,
                    options,
                    line: lines.line_col(d.heading.start).0,
                }
            })
            .collect();
        Ok(SopMd { preamble, steps })
    }
}
