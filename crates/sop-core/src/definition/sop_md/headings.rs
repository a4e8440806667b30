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
}
