//! The one rule that spans SOPs: a webhook path belongs to a single SOP.

use super::Sop;
use super::sop_toml;
use super::trigger::Trigger;
use crate::{Diagnostic, LineIndex};
use std::collections::HashMap;

/// A parsed SOP with the SOP.toml it came from, so conflicts can point into that file.
pub struct Sourced<'a> {
    pub sop: &'a Sop,
    pub toml_file: &'a str,
    pub toml_text: &'a str,
}

/// Every webhook path already claimed by an SOP earlier in `sops`, reported against the later
/// SOP (by index into `sops`). Callers pass SOPs sorted by name so the outcome is stable.
pub fn webhook_conflicts(sops: &[Sourced]) -> Vec<(usize, Diagnostic)> {
    let mut owners: HashMap<&str, (usize, String)> = HashMap::new();
    let mut out = Vec::new();
    for (i, s) in sops.iter().enumerate() {
        for (t, trigger) in s.sop.triggers.iter().enumerate() {
            let Trigger::Webhook { path, .. } = trigger else {
                continue;
            };
            let span = sop_toml::trigger_span(s.toml_text, t, Some("path")).unwrap_or(0..0);
            match owners.get(path.as_str()) {
                Some((owner, location)) => {
                    let d = Diagnostic::at(
                        s.toml_file,
                        s.toml_text,
                        span,
                        format!(
                            "webhook path `{path}` is already used by SOP `{}`",
                            sops[*owner].sop.name()
                        ),
                    )
                    .with_help(format!(
                        "each webhook path starts one SOP; change one of them (the other is at {location})"
                    ));
                    out.push((i, d));
                }
                None => {
                    let (line, col) = LineIndex::new(s.toml_text).line_col(span.start);
                    owners.insert(path, (i, format!("{}:{line}:{col}", s.toml_file)));
                }
            }
        }
    }
    out
}
