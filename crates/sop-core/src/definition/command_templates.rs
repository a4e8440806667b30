//! `{{ name }}` placeholders in the commands of automated steps: checked when the SOP loads, so
//! a placeholder the shell could misread is refused before any run, at its line in SOP.md.

use crate::Diagnostic;
use crate::template::CommandTemplate;

/// Checks the shell block whose code starts at byte `content_start` of `md`.
pub fn check(file: &str, md: &str, code: &str, content_start: usize, diags: &mut Vec<Diagnostic>) {
    // Every placeholder problem involves a `{{`; most commands have none.
    if !code.contains("{{") {
        return;
    }
    let Err(error) = CommandTemplate::parse(code) else {
        return;
    };
    for p in error.problems {
        let code_line_start = code[..p.span.start.min(code.len())]
            .rfind('\n')
            .map_or(0, |i| i + 1);
        let code_line = code[code_line_start..].lines().next().unwrap_or("");
        // Find the same line in SOP.md: fenced blocks inside list items lose their indentation
        // in `code`, so the column is re-based on the line as written.
        let mut md_line_start = md[..content_start].rfind('\n').map_or(0, |i| i + 1);
        for _ in 1..p.line {
            match md[md_line_start..].find('\n') {
                Some(i) => md_line_start += i + 1,
                None => break,
            }
        }
        let md_line = md[md_line_start..].lines().next().unwrap_or("");
        let indent = if md_line.ends_with(code_line) {
            md_line.len() - code_line.len()
        } else {
            0
        };
        let start = (md_line_start + indent + p.span.start - code_line_start).min(md.len());
        let end = (start + p.span.len()).min(md.len());
        diags.push(Diagnostic::at(file, md, start..end, p.message()).with_help(p.help()));
    }
}
