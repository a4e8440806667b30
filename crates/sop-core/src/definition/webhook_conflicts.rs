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
    // Where a path is, is worked out only for a conflict: finding a trigger's span parses its
    // SOP.toml again, which a server reading the catalog on every delivery would pay for every
    // webhook of every SOP.
    let span = |i: usize, t: usize| {
        sop_toml::trigger_span(sops[i].toml_text, t, Some("path")).unwrap_or(0..0)
    };
    let mut owners: HashMap<&str, (usize, usize)> = HashMap::new();
    let mut out = Vec::new();
    for (i, s) in sops.iter().enumerate() {
        for (t, trigger) in s.sop.triggers.iter().enumerate() {
            let Trigger::Webhook { path, .. } = trigger else {
                continue;
            };
            match owners.get(path.as_str()) {
                Some(&(owner, owner_trigger)) => {
                    let first = &sops[owner];
                    let (line, col) =
                        LineIndex::new(first.toml_text).line_col(span(owner, owner_trigger).start);
                    let d = Diagnostic::at(
                        s.toml_file,
                        s.toml_text,
                        span(i, t),
                        format!(
                            "webhook path `{path}` is already used by SOP `{}`",
                            first.sop.name()
                        ),
                    )
                    .with_help(format!(
                        "each webhook path starts one SOP; change one of them (the other is at {}:{line}:{col})",
                        first.toml_file
                    ));
                    out.push((i, d));
                }
                None => {
                    owners.insert(path, (i, t));
                }
            }
        }
    }
    out
}
