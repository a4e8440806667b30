//! Takes apart an options comment, `<!-- sop: ... -->`: where its TOML text lies and what is
//! wrong with its shape.

use std::ops::Range;

/// The TOML text of an options comment, as a range of the file.
pub struct OptionsComment {
    pub inner: Range<usize>,
    /// From the `<!--` to just after the `-->`.
    pub whole: Range<usize>,
}

/// A problem with the shape of the comment: where, what, and how to fix it.
pub type Problem = (Range<usize>, &'static str, &'static str);

/// Splits the HTML block at `block` of `text`, which starts with an options comment. Returns
/// the comment (when its TOML text can be found) and every shape problem.
pub fn split(text: &str, block: Range<usize>) -> (Option<OptionsComment>, Vec<Problem>) {
    let mut problems = Vec::new();
    let source = &text[block.clone()];
    let open = block.start + source.find("<!--").unwrap_or(0) + 4;
    let after_open = &text[open..block.end];
    let Some(close) = after_open.find("-->") else {
        problems.push((
            block.start..open,
            "this options comment is never closed",
            "end it with `-->` on the same line",
        ));
        return (None, problems);
    };
    let end = open + close + 3;
    if !text[end..block.end].trim().is_empty() {
        problems.push((
            end..block.end,
            "unexpected text after the options comment",
            "put the options comment on a line of its own",
        ));
    }
    let inside = &after_open[..close];
    let key = inside.to_ascii_lowercase().find("sop").map_or(0, |i| i + 3);
    let Some(toml) = inside[key..].trim_start().strip_prefix(':') else {
        problems.push((
            open..open + close,
            "step options are written `<!-- sop: key = value, ... -->`",
            "add the `:` after `sop`",
        ));
        return (None, problems);
    };
    let inner_end = open + close;
    let comment = OptionsComment {
        inner: inner_end - toml.len()..inner_end,
        whole: block.start..end,
    };
    (Some(comment), problems)
}
