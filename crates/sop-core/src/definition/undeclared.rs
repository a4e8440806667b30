//! `{{ name }}` placeholders in SOP.md that name no declared variable: once an SOP declares its
//! parameters, a name used but not declared is most likely a typo, and would fail only when a
//! step runs.

use crate::Diagnostic;
use crate::suggest;
use crate::template::placeholders_in;

/// A diagnostic per placeholder whose first name is neither `declared` (matched as templates
/// match: exactly, else ignoring case) nor `steps`; nothing when the SOP declares no variables.
pub fn check(file: &str, md: &str, declared: &[String]) -> Vec<Diagnostic> {
    if declared.is_empty() || !md.contains("{{") {
        return Vec::new();
    }
    let declared: Vec<&str> = declared.iter().map(String::as_str).collect();
    placeholders_in(md)
        .into_iter()
        .filter_map(|placeholder| {
            let root = placeholder.path.first()?;
            if root.eq_ignore_ascii_case("steps")
                || declared.iter().any(|d| d.eq_ignore_ascii_case(root))
            {
                return None;
            }
            let help = match suggest::closest(root, declared.iter().copied()) {
                Some(c) => format!("did you mean `{c}`?"),
                None => format!(
                    "declare it in SOP.toml:\n[variables.{root}]\ntype = \"string\"\n(the declared \
                     variables are {})",
                    suggest::list(&declared)
                ),
            };
            Some(
                Diagnostic::at(
                    file,
                    md,
                    placeholder.span,
                    format!("`{root}` is not a declared variable of this SOP"),
                )
                .with_help(help),
            )
        })
        .collect()
}
