//! Step numbering: steps are numbered 1..n, in order, without gaps or repeats.

use crate::{Diagnostic, LineIndex};
use std::collections::HashMap;
use std::ops::Range;

const HELP: &str = "number the steps 1, 2, 3, ... in the order they appear";

/// Checks the numbers of the step headings, in document order, with each heading's span.
pub fn check(
    file: &str,
    text: &str,
    lines: &LineIndex,
    steps: &[(u32, Range<usize>)],
    diags: &mut Vec<Diagnostic>,
) {
    let mut seen: HashMap<u32, u32> = HashMap::new();
    let mut highest = 0;
    for (number, span) in steps {
        let number = *number;
        let message = if let Some(first) = seen.get(&number) {
            Some(format!(
                "step {number} appears twice (first on line {first})"
            ))
        } else if number < highest {
            Some(format!("step {number} comes after step {highest}"))
        } else if number > highest + 1 {
            Some(match highest {
                0 => format!("the first step must be step 1, not step {number}"),
                _ => {
                    let missing = if number == highest + 2 {
                        format!("step {} is missing", highest + 1)
                    } else {
                        format!("steps {} to {} are missing", highest + 1, number - 1)
                    };
                    format!("{missing}: step {highest} is followed by step {number}")
                }
            })
        } else {
            None
        };
        if let Some(message) = message {
            diags.push(Diagnostic::at(file, text, span.clone(), message).with_help(HELP));
        }
        seen.entry(number)
            .or_insert_with(|| lines.line_col(span.start).0);
        highest = highest.max(number);
    }
}
