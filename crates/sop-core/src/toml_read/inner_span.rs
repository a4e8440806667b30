//! Where a range of a TOML string's *value* sits in the file: the quotes, and the newline that
//! opens a multi-line string, come before it; an escape makes what follows it move.

use super::{Located, Reporter};
use std::ops::Range;

/// The fragment span of `span`, a byte range of the text held by the TOML string `value`, so a
/// problem inside the text (a condition's token, a cron field) is shown at its own column.
/// When the string's escapes make the text and the file differ before `span` ends, offsets no
/// longer line up with the file: the whole string is pointed at rather than a wrong column.
pub fn inner_span(r: &Reporter, value: &Located<&str>, span: Range<usize>) -> Range<usize> {
    match verbatim_start(r, value, span.end) {
        Some(s) => s + span.start..s + span.end,
        None => value.span.clone(),
    }
}

/// Fragment offset of the first character inside the quotes, when the first `upto` bytes of the
/// value are written verbatim in the file (`"..."`, `'...'`, or their triple-quoted multi-line
/// forms, with no backslash before `upto`), so offsets up to there map 1:1.
fn verbatim_start(r: &Reporter, value: &Located<&str>, upto: usize) -> Option<usize> {
    let file_span = r.map(value.span.clone());
    let raw = r.text().get(file_span)?;
    let wanted = value.value.get(..upto)?;
    for quote in ["\"\"\"", "'''", "\"", "'"] {
        let Some(inner) = raw.strip_prefix(quote).and_then(|s| s.strip_suffix(quote)) else {
            continue;
        };
        // A newline right after the opening `"""` is not part of a multi-line string.
        let trimmed = match quote.len() {
            3 => inner
                .strip_prefix("\r\n")
                .or_else(|| inner.strip_prefix('\n'))
                .unwrap_or(inner),
            _ => inner,
        };
        let offset = quote.len() + (inner.len() - trimmed.len());
        // A backslash in a basic string starts an escape (`\\` reads as one byte, `\u0041` as
        // one letter), after which the value and the file drift apart; a literal string has
        // none, so its backslashes are text like any other.
        let basic = quote.starts_with('"');
        let prefix = trimmed.get(..upto)?;
        let verbatim = prefix == wanted && !(basic && prefix.contains('\\'));
        return verbatim.then_some(value.span.start + offset);
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The 1-based file offsets of `value[span]` inside `key = <raw>` (columns, on one line).
    fn column(raw: &str, value: &str, span: Range<usize>) -> (usize, usize) {
        let text = format!("key = {raw}\n");
        let r = Reporter::new("f.toml", &text);
        let located = Located {
            value,
            span: 6..6 + raw.len(),
        };
        let at = inner_span(&r, &located, span);
        (at.start + 1, at.end + 1)
    }

    #[test]
    fn offsets_inside_a_verbatim_string_map_past_the_quote() {
        assert_eq!(column("\"0  25 * * *\"", "0  25 * * *", 3..5), (11, 13));
        assert_eq!(column("'a\\b c'", "a\\b c", 4..5), (12, 13));
        assert_eq!(column("\"\"\"\nab\"\"\"", "ab", 1..2), (12, 13));
    }

    #[test]
    fn an_escape_before_the_range_points_at_the_whole_string() {
        // `\t` is one byte of the value but two in the file.
        assert_eq!(column("\"0\\t25 * * *\"", "0\t25 * * *", 2..4), (7, 20));
        // After the range, an escape changes nothing before it.
        assert_eq!(column("\"0 25\\t* * *\"", "0 25\t* * *", 2..4), (10, 12));
    }
}
