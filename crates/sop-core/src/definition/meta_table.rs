//! Reads the `[sop]` table of SOP.toml into [`SopMeta`].

use super::names;
use super::sop_values::SopValues;
use super::{ApprovalAuth, OnLimit, OnTimeout, SopMeta};
use crate::gate::Approver;
use crate::notify::NotifyEvent;
use crate::toml_read::Reporter;
use crate::toml_read::TableReader;
use crate::{Duration, ExecutionMode, Priority};
use std::ops::Range;
use toml::de::DeTable;

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
    "on_limit",
    "approvers",
    "min_approvals",
    "allow_self_approval",
    "on_timeout",
    "timeout",
    "step_timeout",
    "workdir",
    "approval_auth",
    "approval_channel",
    "notify_on",
];

/// The default `approval_timeout`: the spec's 24-hour approval lifetime.
pub const DEFAULT_APPROVAL_TIMEOUT: Duration = Duration::from_secs(24 * 3600);

/// Reads the `[sop]` table; `None` when a required key is missing or invalid.
pub fn parse(
    r: &mut Reporter,
    folder: &str,
    table: &DeTable,
    span: Range<usize>,
) -> Option<SopMeta> {
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
    let on_limit = on_limit(r, &t, concurrency.is_some());
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
    let run_timeout = t.duration(r, "timeout").map(|d| d.value);
    let step_timeout = t.duration(r, "step_timeout").map(|d| d.value);
    let approval_auth = match t.choice(r, "approval_auth", &["any", "token"]) {
        Some(v) if v.value == "token" => ApprovalAuth::Token,
        _ => ApprovalAuth::Any,
    };
    let workdir = non_empty(r, &t, "workdir");
    let approval_channel = approval_channel(r, &t);
    let notify_on = notify_on(r, &t);
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
        on_limit,
        approvers,
        min_approvals: min_approvals.map_or(1, |v| v.value as u32),
        allow_self_approval,
        on_timeout,
        run_timeout,
        step_timeout,
        workdir,
        approval_auth,
        approval_channel,
        notify_on,
    })
}

/// `on_limit`: only with `concurrency`, which sets the limit it acts on.
fn on_limit(r: &mut Reporter, t: &TableReader, has_concurrency: bool) -> OnLimit {
    let Some(v) = t.choice(r, "on_limit", OnLimit::WORDS) else {
        return OnLimit::default();
    };
    if !has_concurrency {
        r.push(
            r.at(
                v.span,
                "`on_limit` says what a start beyond `concurrency` does, but [sop] sets no `concurrency`",
            )
            .with_help("add e.g. concurrency = 1, or remove `on_limit`"),
        );
    }
    OnLimit::parse(v.value).unwrap_or_default()
}

/// `approval_channel`: the channel list, checked here so `sop check` points at the value.
fn approval_channel(r: &mut Reporter, t: &TableReader) -> Option<String> {
    let v = t.string(r, "approval_channel")?;
    match crate::notify::parse_channels(v.value) {
        Ok(_) => Some(v.value.trim().to_string()),
        Err(e) => {
            r.push(
                r.at(v.span, format!("invalid `approval_channel`: {e}"))
                    .with_help("e.g. approval_channel = \"slack:#ops,telegram:-100123\""),
            );
            None
        }
    }
}

/// `notify_on`: which events the SOP announces; `None` = the default set.
fn notify_on(r: &mut Reporter, t: &TableReader) -> Option<Vec<NotifyEvent>> {
    let list = t.string_list(r, "notify_on")?;
    let mut out = Vec::new();
    for item in list.value {
        match item.value.parse::<NotifyEvent>() {
            Ok(e) if out.contains(&e) => r.push(
                r.at(item.span, format!("`{e}` is listed twice in `notify_on`"))
                    .with_help("remove the duplicate"),
            ),
            Ok(e) => out.push(e),
            Err(()) => {
                let names = NotifyEvent::ALL.map(NotifyEvent::as_str);
                let hint = crate::suggest::hint(item.value, &names);
                r.push(
                    r.at(
                        item.span,
                        format!(
                            "`{}` is not an event of `notify_on`",
                            item.value.escape_debug()
                        ),
                    )
                    .with_help(hint),
                )
            }
        }
    }
    Some(out)
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
