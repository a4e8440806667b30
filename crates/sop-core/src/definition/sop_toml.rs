//! Reads SOP.toml: the `[sop]` table, `[[triggers]]` and `[conditions]`, strictly and in one
//! pass, so that every problem in the file is reported with its position.

use super::conditions::Conditions;
use super::conditions_table;
use super::names;
use super::reporter::Reporter;
use super::table_reader::TableReader;
use super::trigger::Trigger;
use super::trigger_table;
use super::{OnTimeout, SopMeta};
use crate::gate::Approver;
use crate::{Diagnostic, Duration, ExecutionMode, Priority};
use std::ops::Range;
use toml::de::{DeTable, DeValue};

const TOP_KEYS: &[&str] = &["sop", "triggers", "conditions"];
const SOP_KEYS: &[&str] = &[
    "name",
    "description",
    "version",
    "author",
    "priority",
    "execution_mode",
    "icon",
    "approval_timeout",
    "concurrency",
    "approvers",
    "min_approvals",
    "allow_self_approval",
    "on_timeout",
    "timeout",
    "workdir",
];

/// The default `approval_timeout`: the spec's 24-hour approval lifetime.
pub const DEFAULT_APPROVAL_TIMEOUT: Duration = Duration::from_secs(24 * 3600);

/// Everything SOP.toml defines.
#[derive(Debug, Clone)]
pub struct SopToml {
    pub meta: SopMeta,
    pub triggers: Vec<Trigger>,
    pub conditions: Conditions,
}

/// Parses SOP.toml of the folder `folder`; `file` is how the file is named in diagnostics.
pub fn parse(folder: &str, file: &str, text: &str) -> Result<SopToml, Vec<Diagnostic>> {
    let mut r = Reporter::new(file, text);
    let (doc, syntax_errors) = DeTable::parse_recoverable(text);
    for e in &syntax_errors {
        r.syntax(e);
    }
    let doc = doc.into_inner();
    TableReader::new(&doc, 0..0, "SOP.toml", TOP_KEYS).reject_unknown(&mut r);

    let meta = match doc.get_key_value("sop") {
        Some((key, v)) => match v.get_ref() {
            DeValue::Table(t) => meta(&mut r, folder, t, key.span()),
            other => {
                r.push(
                    r.at(
                        key.span(),
                        format!("`sop` must be a table, found a {}", other.type_str()),
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
                        format!("`conditions` must be a table, found a {}", other.type_str()),
                    )
                    .with_help("write a `[conditions]` header followed by `requires = [...]`"),
                );
                Conditions::default()
            }
        },
        None => Conditions::default(),
    };
    match meta {
        Some(meta) if !r.has_errors() => Ok(SopToml {
            meta,
            triggers,
            conditions,
        }),
        _ => Err(r.diags),
    }
}

fn meta(r: &mut Reporter, folder: &str, table: &DeTable, span: Range<usize>) -> Option<SopMeta> {
    let t = TableReader::new(table, span, "[sop]", SOP_KEYS);
    t.reject_unknown(r);
    let name = name(r, &t, folder);
    let version = t
        .string(r, "version")
        .and_then(|v| match semver::Version::parse(v.value) {
            Ok(_) => Some(v.value.to_string()),
            Err(e) => {
                r.push(
                    r.at(v.span, format!("`version` is not semantic versioning: {e}"))
                        .with_help("write MAJOR.MINOR.PATCH, e.g. version = \"1.0.0\""),
                );
                None
            }
        });
    let author = non_empty(r, &t, "author");
    let priority = t
        .choice(r, "priority", &Priority::ALL.map(Priority::as_str))
        .and_then(|v| v.value.parse().ok())
        .unwrap_or_default();
    let execution_mode = t
        .choice(
            r,
            "execution_mode",
            &ExecutionMode::ALL.map(ExecutionMode::as_str),
        )
        .and_then(|v| v.value.parse().ok())
        .unwrap_or_default();
    let icon = icon(r, &t);
    let approval_timeout = t
        .duration(r, "approval_timeout")
        .map_or(DEFAULT_APPROVAL_TIMEOUT, |d| d.value);
    let concurrency = t
        .integer(r, "concurrency", 1, 10_000)
        .map(|v| v.value as u32);
    let approvers = approvers(r, &t);
    let min_approvals = t.integer(r, "min_approvals", 1, 100);
    if let Some(min) = &min_approvals
        && !approvers.is_empty()
        && approvers.iter().all(|a| !a.starts_with('@'))
        && approvers.len() < min.value as usize
    {
        r.push(
            r.at(
                min.span.clone(),
                format!(
                    "`min_approvals` is {} but only {} approver(s) are listed, so no gate could ever pass",
                    min.value,
                    approvers.len()
                ),
            )
            .with_help("list more approvers, add a group (\"@ops\"), or lower `min_approvals`"),
        );
    }
    let allow_self_approval = t.boolean(r, "allow_self_approval").map(|v| v.value);
    let on_timeout = match t.choice(r, "on_timeout", &["expire", "cancel"]) {
        Some(v) if v.value == "cancel" => OnTimeout::Cancel,
        _ => OnTimeout::Expire,
    };
    let timeout = t.duration(r, "timeout").map(|d| d.value);
    let workdir = non_empty(r, &t, "workdir");
    let description = t
        .string(r, "description")
        .map(|v| v.value.trim().to_string())
        .unwrap_or_default();
    Some(SopMeta {
        name: name?,
        description,
        version,
        author,
        priority,
        execution_mode,
        icon,
        approval_timeout,
        concurrency,
        approvers,
        min_approvals: min_approvals.map_or(1, |v| v.value as u32),
        allow_self_approval,
        on_timeout,
        timeout,
        workdir,
    })
}

fn name(r: &mut Reporter, t: &TableReader, folder: &str) -> Option<String> {
    if !t.has("name") {
        t.missing(r, "name", &format!("name = \"{folder}\""));
        return None;
    }
    let name = t.string(r, "name")?;
    if let Some(problem) = names::sop_name_problem(name.value) {
        r.push(
            r.at(
                name.span,
                format!(
                    "invalid SOP name `{}`: {problem}",
                    name.value.escape_debug()
                ),
            )
            .with_help(names::SOP_NAME_RULE),
        );
        return None;
    }
    if name.value != folder {
        r.push(
            r.at(
                name.span,
                format!("name `{}` does not match its folder `{folder}`", name.value),
            )
            .with_help(format!(
                "the name is the folder name: write name = \"{folder}\" or rename the folder"
            )),
        );
        return None;
    }
    Some(name.value.to_string())
}

fn non_empty(r: &mut Reporter, t: &TableReader, key: &str) -> Option<String> {
    let v = t.string(r, key)?;
    if v.value.trim().is_empty() {
        r.push(
            r.at(v.span, format!("`{key}` is empty"))
                .with_help(format!("remove `{key}` or give it a value")),
        );
        return None;
    }
    Some(v.value.to_string())
}

/// An icon is shown in one terminal column group; long or multi-line text would wreck `sop list`.
fn icon(r: &mut Reporter, t: &TableReader) -> Option<String> {
    let v = t.string(r, "icon")?;
    let chars = v.value.chars().count();
    if chars == 0 || chars > 16 || v.value.chars().any(|c| c.is_whitespace() || c.is_control()) {
        r.push(
            r.at(v.span, "`icon` must be one short symbol without spaces")
                .with_help(
                    "use an emoji such as icon = \"🛠\", or remove the key for the default icon",
                ),
        );
        return None;
    }
    Some(v.value.to_string())
}

fn approvers(r: &mut Reporter, t: &TableReader) -> Vec<String> {
    let Some(list) = t.string_list(r, "approvers") else {
        return Vec::new();
    };
    let mut seen: Vec<Approver> = Vec::new();
    let mut out = Vec::new();
    for item in list.value {
        match item.value.parse::<Approver>() {
            Err(e) => r
                .push(r.at(item.span, e.to_string()).with_help(
                    "write a user name (\"alice\"), \"@oncall\", or a group (\"@ops\")",
                )),
            Ok(a) if seen.contains(&a) => r.push(
                r.at(item.span, format!("approver `{a}` is listed twice"))
                    .with_help("remove the duplicate"),
            ),
            Ok(a) => {
                seen.push(a);
                out.push(item.value.to_string());
            }
        }
    }
    out
}

fn triggers(r: &mut Reporter, doc: &DeTable) -> Vec<Trigger> {
    let Some((key, value)) = doc.get_key_value("triggers") else {
        let span = doc.get_key_value("sop").map_or(0..0, |(k, _)| k.span());
        r.push(
            r.at(
                span,
                "the SOP has no triggers, so nothing could ever start it",
            )
            .with_help("add a trigger, e.g.\n[[triggers]]\ntype = \"manual\""),
        );
        return Vec::new();
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
            },
            Trigger::Cron {
                expression: f,
                timezone: y,
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
