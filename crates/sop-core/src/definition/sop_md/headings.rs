//! Step headings in SOP.md: a level-2 `## Step N: Title` starts a step; near misses and step
//! headings at other levels are errors.

use super::{Draft, Walker};
use crate::definition::md_text::heading_text;
use crate::definition::step_heading::{self, StepHeading};
use pulldown_cmark::HeadingLevel;
use std::ops::Range;

impl Walker<'_> {
    pub(super) fn heading(&mut self, range: Range<usize>) {
        let line_end = self.text[range.clone()]
            .find('\n')
            .map_or(range.end, |i| range.start + i);
        let text = heading_text(&self.text[range.start..line_end]);
        match step_heading::parse(text) {
            StepHeading::Step { number, title } => {
                self.preamble_end.get_or_insert(range.start);
                self.steps.push(Draft {
                    number,
                    title: title.to_string(),
                    heading: range.clone(),
                    description: Vec::new(),
                    checklist: Vec::new(),
                    blocks: Vec::new(),
                    block_starts: Vec::new(),
                    options: None,
                    expect_options: true,
                });
            }
            StepHeading::Malformed(reason) => {
                self.error(
                    range.start..line_end,
                    format!("malformed step heading: {reason}"),
                    "write step headings as `## Step N: Title`, e.g. `## Step 1: Assess impact`",
                );
            }
            StepHeading::Other if !self.steps.is_empty() => {
                self.error(
                    range.start..line_end,
                    "a level-2 heading after the first step must be a step heading",
                    "write `## Step N: Title`, or use `###` for a sub-section inside a step",
                );
            }
            StepHeading::Other => {}
        }
    }

    /// A heading of another level that reads as a step heading (`### Step 2: Deploy`) would
    /// silently become part of the step above it; it is an error instead.
    pub(super) fn misplaced_step_heading(&mut self, level: HeadingLevel, range: Range<usize>) {
        let line_end = self.text[range.clone()]
            .find('\n')
            .map_or(range.end, |i| range.start + i);
        let text = heading_text(&self.text[range.start..line_end]);
        if let StepHeading::Step { number, title } = step_heading::parse(text) {
            let hashes = "#".repeat(level as usize);
            self.error(
                range.start..line_end,
                format!(
                    "a step heading must be level 2 (`##`), not level {}",
                    level as usize
                ),
                format!(
                    "write `## Step {number}: {title}`; for a sub-section inside a step, use a \
                     title that does not start with `Step N:` (`{hashes} Details`)"
                ),
            );
        }
    }

    /// `##Step 3: Check` is a paragraph to Markdown (a heading needs a space after its `#`s), so
    /// the step would silently join the one above it; it is an error instead.
    pub(super) fn unspaced_step_heading(&mut self, range: Range<usize>) {
        let line_start = self.text[..range.start].rfind('\n').map_or(0, |i| i + 1);
        if !self.text[line_start..range.start].trim().is_empty() {
            return;
        }
        let line_end = self.text[range.start..]
            .find('\n')
            .map_or(self.text.len(), |i| range.start + i);
        let line = self.text[range.start..line_end].trim_end();
        let rest = line.trim_start_matches('#');
        let hashes = line.len() - rest.len();
        if hashes == 0 || hashes > 6 || rest.starts_with(char::is_whitespace) {
            return;
        }
        if let StepHeading::Step { number, title } = step_heading::parse(rest) {
            self.error(
                range.start..line_end,
                format!(
                    "`{}{}` is not a heading: Markdown needs a space after the `#`s",
                    "#".repeat(hashes),
                    rest.split(':').next().unwrap_or(rest)
                ),
                format!("write `## Step {number}: {title}`"),
            );
        }
    }
}
