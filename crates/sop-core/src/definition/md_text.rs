//! Small text rules of SOP.md: heading text, list item text, options comments, closed fences.

/// True for `<!-- sop: ... -->` in any letter case (and near misses such as
/// `<!-- sop timeout = ... -->`, which the options parser then reports).
pub fn is_options_comment(html: &str) -> bool {
    comment_word(html).is_some_and(|(word, rest)| {
        word.eq_ignore_ascii_case("sop")
            && rest.starts_with(|c: char| c == ':' || c.is_whitespace())
    })
}

/// True for a comment that was surely meant as an options line but names it wrongly, such as
/// `<!-- sops: retries = 2 -->` or `<!-- sop-options: ... -->`: left alone, its options would
/// silently not apply.
pub fn is_misspelt_options_comment(html: &str) -> bool {
    comment_word(html).is_some_and(|(word, rest)| {
        let word = word.to_ascii_lowercase();
        word != "sop"
            && rest.trim_start().starts_with(':')
            && (word.starts_with("sop") || crate::suggest::closest(&word, ["sop"]).is_some())
    })
}

/// The first word of an HTML comment (letters, digits, `_`, `-`) and the text after it.
fn comment_word(html: &str) -> Option<(&str, &str)> {
    let s = html.trim_start().strip_prefix("<!--")?.trim_start();
    let end = s
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '-'))
        .unwrap_or(s.len());
    Some((&s[..end], &s[end..]))
}

/// The text of an ATX (`## Title ##`) or setext (`Title` + `---`) heading line.
pub fn heading_text(line: &str) -> &str {
    let t = line.trim();
    if !t.starts_with('#') {
        return t;
    }
    let t = t.trim_start_matches('#').trim();
    let closing = t.trim_end_matches('#');
    if closing.len() < t.len() && (closing.is_empty() || closing.ends_with([' ', '\t'])) {
        closing.trim_end()
    } else {
        t
    }
}

/// A list item's own text: marker and task box removed, lines joined.
pub fn item_text(source: &str) -> String {
    let s = source.trim_start();
    let s = s
        .strip_prefix(['-', '*', '+'])
        .or_else(|| {
            let digits = s.find(|c: char| !c.is_ascii_digit()).unwrap_or(0);
            (digits > 0)
                .then(|| s[digits..].strip_prefix(['.', ')']))
                .flatten()
        })
        .unwrap_or(s)
        .trim_start();
    let s = ["[ ] ", "[x] ", "[X] "]
        .iter()
        .find_map(|b| s.strip_prefix(b))
        .unwrap_or(s);
    s.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// Whether a fenced block's source ends with a closing fence. CommonMark lets an unclosed fence
/// run to the end of the document, which would silently swallow every later step.
pub fn fence_is_closed(source: &str) -> bool {
    fn strip(l: &str) -> &str {
        l.trim_start_matches(|c: char| c.is_whitespace() || c == '>')
            .trim_end()
    }
    let mut lines = source.lines().map(strip).filter(|l| !l.is_empty());
    let Some(first) = lines.next() else {
        return false;
    };
    let fence = first.chars().next().unwrap_or('`');
    let width = first.chars().take_while(|c| *c == fence).count();
    lines
        .next_back()
        .is_some_and(|last| last.chars().all(|c| c == fence) && last.chars().count() >= width)
}

#[cfg(test)]
mod tests {
    #[test]
    fn options_comments_in_any_case_and_their_misspellings() {
        use super::{is_misspelt_options_comment as misspelt, is_options_comment as options};
        assert!(options("<!-- sop: retries = 1 -->"));
        assert!(options("<!--SOP: retries = 1-->"));
        assert!(options("<!-- sop timeout = 1 -->"));
        assert!(!options("<!-- sops: retries = 1 -->"));
        assert!(!options("<!-- a note -->"));
        for near in [
            "<!-- sops: x -->",
            "<!-- sp: x -->",
            "<!-- sop-options: x -->",
        ] {
            assert!(misspelt(near), "{near}");
        }
        for other in [
            "<!-- TODO: x -->",
            "<!-- note: x -->",
            "<!-- sop: x -->",
            "<!-- stop -->",
        ] {
            assert!(!misspelt(other), "{other}");
        }
    }

    use super::*;

    #[test]
    fn options_comments_are_recognised() {
        assert!(is_options_comment("<!-- sop: retries = 1 -->"));
        assert!(is_options_comment("<!--sop:retries=1-->"));
        assert!(is_options_comment("<!-- sop retries = 1 -->"));
        assert!(!is_options_comment("<!-- sops are great -->"));
        assert!(!is_options_comment("<!-- note -->"));
    }

    #[test]
    fn heading_text_drops_markers() {
        assert_eq!(heading_text("## Step 1: Go ##"), "Step 1: Go");
        assert_eq!(heading_text("## C#"), "C#");
        assert_eq!(heading_text("Step 2: Setext"), "Step 2: Setext");
    }

    #[test]
    fn item_text_drops_markers_and_boxes() {
        assert_eq!(item_text("- Check dashboards\n"), "Check dashboards");
        assert_eq!(item_text("* [ ] Page on-call"), "Page on-call");
        assert_eq!(item_text("2. [x] Done\n   and dusted"), "Done and dusted");
        assert_eq!(item_text("+ `code` item"), "`code` item");
    }

    #[test]
    fn unclosed_fences_are_detected() {
        assert!(fence_is_closed("```sh\necho hi\n```\n"));
        assert!(fence_is_closed("````\n```\n````"));
        assert!(!fence_is_closed("```sh\necho hi\n"));
        assert!(!fence_is_closed("```\n"));
        assert!(!fence_is_closed("````\necho\n```\n"));
        assert!(fence_is_closed("  > ```\n  > x\n  > ```"));
    }
}
