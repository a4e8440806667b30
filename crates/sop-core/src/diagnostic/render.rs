//! The rustc-style multi-line form of a [`Diagnostic`]: message, location, the source line with
//! a caret under the problem, and the help text, all aligned on one gutter.

use super::Diagnostic;

/// Widest excerpt of a source line shown, in characters. A longer line (a generated expression,
/// a minified file) is cut around the caret, so one bad line cannot flood the terminal.
const MAX_EXCERPT: usize = 100;

/// Characters kept before the caret when a long line is cut.
const CONTEXT_BEFORE: usize = 40;

pub(super) fn render(d: &Diagnostic) -> String {
    let source = d.source_line.as_deref().filter(|_| d.line > 0);
    let gutter = source.map_or(1, |_| d.line.to_string().len());
    let pad = " ".repeat(gutter);
    let mut out = format!("error: {}\n{pad} --> {}\n", d.message, d.location());
    if let Some(src) = source {
        let excerpt = Excerpt::new(src, d.col.saturating_sub(1) as usize, d.width as usize);
        out.push_str(&format!("{pad} |\n{} | {}\n", d.line, excerpt.text));
        out.push_str(&format!(
            "{pad} | {}{}\n",
            excerpt.indent,
            "^".repeat(excerpt.width)
        ));
    }
    if let Some(help) = &d.help {
        let mut lines = help.lines();
        out.push_str(&format!("{pad} = help: {}\n", lines.next().unwrap_or("")));
        // Continuation lines line up under the first line's text.
        for line in lines {
            out.push_str(&format!("{pad}         {line}\n"));
        }
    }
    out
}

/// The part of a source line that is shown, and where the caret goes in it.
struct Excerpt {
    text: String,
    /// Whitespace up to the caret (tabs kept, so the caret lines up under tabbed text).
    indent: String,
    width: usize,
}

impl Excerpt {
    /// `col` is the 0-based character column of the problem, `width` its length in characters.
    fn new(line: &str, col: usize, width: usize) -> Excerpt {
        let chars: Vec<char> = line.chars().collect();
        let col = col.min(chars.len());
        let (start, end) = if chars.len() <= MAX_EXCERPT {
            (0, chars.len())
        } else {
            let start = col
                .saturating_sub(CONTEXT_BEFORE)
                .min(chars.len() - MAX_EXCERPT);
            (start, start + MAX_EXCERPT)
        };
        let mut text = String::new();
        let mut indent = String::new();
        if start > 0 {
            text.push('…');
            indent.push(' ');
        }
        text.extend(&chars[start..end]);
        if end < chars.len() {
            text.push('…');
        }
        indent.extend(
            chars[start..col.max(start)]
                .iter()
                .map(|c| if *c == '\t' { '\t' } else { ' ' }),
        );
        let width = width.min(end.saturating_sub(col)).max(1);
        Excerpt {
            text,
            indent,
            width,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_gutter_aligns_location_caret_and_help_for_long_line_numbers() {
        let text = format!("{}bad = 1\n", "\n".repeat(11));
        let d = Diagnostic::at("f.toml", &text, 11..14, "unknown key `bad`")
            .with_help("first line\nsecond line");
        assert_eq!(
            render(&d),
            "error: unknown key `bad`\n   --> f.toml:12:1\n   |\n12 | bad = 1\n   | ^^^\n   \
             = help: first line\n           second line\n"
        );
    }

    #[test]
    fn a_long_line_is_cut_around_the_caret() {
        let line = format!("{}XYZ{}", "a".repeat(5000), "b".repeat(5000));
        let d = Diagnostic::at("e", &line, 5000..5003, "here");
        let out = render(&d);
        let lines: Vec<&str> = out.lines().collect();
        let shown = lines[3].strip_prefix("1 | ").unwrap();
        assert_eq!(shown.chars().count(), MAX_EXCERPT + 2, "{out}");
        assert!(shown.starts_with('…') && shown.ends_with('…'), "{out}");
        let caret = lines[4].strip_prefix("  | ").unwrap();
        let at = caret.find('^').unwrap();
        assert_eq!(shown.chars().nth(at), Some('X'), "{out}");
        assert_eq!(caret.trim(), "^^^", "{out}");
    }

    #[test]
    fn a_caret_at_the_end_of_a_long_line_is_shown() {
        let line = "x".repeat(300);
        let d = Diagnostic::at("e", &line, 300..300, "expected more");
        let out = render(&d);
        let lines: Vec<&str> = out.lines().collect();
        assert!(lines[3].starts_with("1 | …"), "{out}");
        assert!(!lines[3].ends_with('…'), "{out}");
        assert_eq!(
            lines[4],
            format!("  | {}^", " ".repeat(MAX_EXCERPT + 1)),
            "{out}"
        );
    }
}
