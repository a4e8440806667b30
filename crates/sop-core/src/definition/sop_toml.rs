//! Reads SOP.toml: the `[sop]` table, `[[triggers]]`, `[conditions]` and `[variables]`, strictly and in one
//! pass, so that every problem in the file is reported with its position.

use super::SopMeta;
use super::conditions::Conditions;
use super::conditions_table;
use super::meta_table;
use super::trigger::Trigger;
use super::trigger_table;
use super::variables_table;
use crate::Diagnostic;
use crate::parameters::Parameters;
use crate::toml_read::Reporter;
use crate::toml_read::{TableReader, article};
use std::ops::Range;
use toml::de::{DeTable, DeValue};

const TOP_KEYS: &[&str] = &["sop", "triggers", "conditions", "variables"];

/// Everything SOP.toml defines.
#[derive(Debug, Clone)]
pub struct SopToml {
    pub meta: SopMeta,
    pub triggers: Vec<Trigger>,
    pub conditions: Conditions,
    pub parameters: Parameters,
}

/// Parses SOP.toml of the folder `folder`; `file` is how the file is named in diagnostics. The
/// names of the declared variables come back also when the file has problems, so that their
/// uses in SOP.md can be checked in the same pass.
pub fn parse(
    folder: &str,
    file: &str,
    text: &str,
) -> (Result<SopToml, Vec<Diagnostic>>, Vec<String>) {
    let mut r = Reporter::new(file, text);
    let (doc, syntax_errors) = DeTable::parse_recoverable(text);
    for e in &syntax_errors {
        r.syntax(e);
    }
    let doc = doc.into_inner();
    TableReader::new(&doc, 0..0, "SOP.toml", TOP_KEYS).reject_unknown(&mut r);

    let meta = match doc.get_key_value("sop") {
        Some((key, v)) => match v.get_ref() {
            DeValue::Table(t) => meta_table::parse(&mut r, folder, t, key.span()),
            other => {
                r.push(
                    r.at(
                        key.span(),
                        format!("`sop` must be a table, found {}", article(other.type_str())),
                    )
                    .with_help("start the file with a `[sop]` header"),
                );
                None
            }
        },
        None => {
            r.push(
                r.at(0..0, "SOP.toml has no [sop] table")
                    .with_help(format!("start the file with:\n[sop]\nname = \"{folder}\"")),
            );
            None
        }
    };
    let triggers = triggers(&mut r, &doc);
    let conditions = match doc.get_key_value("conditions") {
        Some((key, v)) => match v.get_ref() {
            DeValue::Table(t) => conditions_table::parse(&mut r, t, key.span()),
            other => {
                r.push(
                    r.at(
                        key.span(),
                        format!(
                            "`conditions` must be a table, found {}",
                            article(other.type_str())
                        ),
                    )
                    .with_help("write a `[conditions]` header followed by `requires = [...]`"),
                );
                Conditions::default()
            }
        },
        None => Conditions::default(),
    };
    let (parameters, declared) = variables_table::parse(&mut r, &doc);
    let result = match meta {
        Some(meta) if !r.has_errors() => Ok(SopToml {
            meta,
            triggers,
            conditions,
            parameters,
        }),
        _ => Err(r.diags),
    };
    (result, declared)
}

/// The `[[triggers]]` tables. An SOP without any is started by hand: the spec's own examples
/// (`incident-response`, `deploy-production`) declare none, so that reads as `manual`.
fn triggers(r: &mut Reporter, doc: &DeTable) -> Vec<Trigger> {
    let Some((key, value)) = doc.get_key_value("triggers") else {
        return vec![Trigger::Manual];
    };
    let DeValue::Array(items) = value.get_ref() else {
        r.push(
            r.at(key.span(), "`triggers` must be an array of tables")
                .with_help(
                    "write each trigger under its own `[[triggers]]` header (double brackets)",
                ),
        );
        return Vec::new();
    };
    let mut out: Vec<(Trigger, Range<usize>)> = Vec::new();
    for item in items.iter() {
        let DeValue::Table(table) = item.get_ref() else {
            if !r.is_damaged(&item.span()) {
                r.push(
                    r.at(item.span(), "each trigger must be a table")
                        .with_help("write each trigger under its own `[[triggers]]` header"),
                );
            }
            continue;
        };
        let Some(trigger) = trigger_table::parse(r, table, item.span()) else {
            continue;
        };
        if let Some((_, first)) = out.iter().find(|(t, _)| same_source(t, &trigger)) {
            let (line, _) = crate::LineIndex::new(r.text()).line_col(first.start);
            r.push(
                r.at(item.span(), format!("duplicate trigger `{trigger}`"))
                    .with_help(format!(
                        "the same trigger is already declared on line {line}; remove one"
                    )),
            );
            continue;
        }
        out.push((trigger, item.span()));
    }
    if items.is_empty() && !r.is_damaged(&value.span()) {
        r.push(
            r.at(
                key.span(),
                "`triggers` is empty, so nothing could ever start the SOP",
            )
            .with_help("add a trigger, e.g.\n[[triggers]]\ntype = \"manual\""),
        );
    }
    out.into_iter().map(|(t, _)| t).collect()
}

/// Two triggers that would start the SOP on the same occasion.
fn same_source(a: &Trigger, b: &Trigger) -> bool {
    match (a, b) {
        (Trigger::Manual, Trigger::Manual) => true,
        (Trigger::Webhook { path: p, .. }, Trigger::Webhook { path: q, .. }) => p == q,
        (
            Trigger::Cron {
                expression: e,
                timezone: z,
                ..
            },
            Trigger::Cron {
                expression: f,
                timezone: y,
                ..
            },
        ) => e == f && z == y,
        (
            Trigger::Event {
                event: e,
                condition: c,
                ..
            },
            Trigger::Event {
                event: f,
                condition: d,
                ..
            },
        ) => e == f && c == d,
        _ => false,
    }
}

/// The span of `key` (or of the whole table when `key` is `None`) in the `index`-th
/// `[[triggers]]` table of `text`; used to point at cross-SOP conflicts.
pub fn trigger_span(text: &str, index: usize, key: Option<&str>) -> Option<Range<usize>> {
    let (doc, _) = DeTable::parse_recoverable(text);
    let items = doc.get_ref().get("triggers")?.get_ref().as_array()?;
    let item = items.get(index)?;
    match key {
        None => Some(item.span()),
        Some(key) => Some(item.get_ref().as_table()?.get(key)?.span()),
    }
}
