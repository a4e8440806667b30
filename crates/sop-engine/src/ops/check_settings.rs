//! The settings `sop check` validates besides the SOPs: `SOP_TIMEZONE`, `SOP_BUSINESS_HOURS`,
//! `SOP_PRIORITY_MODES`, `SOP_GROUPS`, the groups file, `SOP_LEASE_TTL`, `SOP_KILL_GRACE` and
//! `SOP_RETRY_BACKOFF`. A bad one is reported with the other problems instead of stopping the
//! check.

use crate::approval::ApprovalSettings;
use crate::engine::settings::EngineSettings;
use crate::executor::{OWN_NAMES, is_own_name};
use crate::scope::settings;
use chrono_tz::Tz;
use sop_core::suggest;

/// Every `SOP_*` variable sop reads (or that the spec names), for spotting misspelt ones.
const KNOWN_VARIABLES: &[&str] = &[
    "SOP_DIR",
    "SOP_DATABASE_URL",
    "SOP_USER",
    "SOP_TIMEZONE",
    "SOP_BUSINESS_HOURS",
    "SOP_DISK_PATH",
    "SOP_PRIORITY_MODES",
    "SOP_GROUPS",
    "SOP_GROUPS_FILE",
    "SOP_APPROVAL_OUTBOX",
    "SOP_RETRY_BACKOFF",
    "SOP_KILL_GRACE",
    "SOP_LEASE_TTL",
    "SOP_NOW",
    "SOP_TRACE_FILE",
    "SOP_APPROVAL_CHANNEL",
    "SOP_NOTIFICATION_ENABLED",
    "SOP_PUBLIC_URL",
    "SOP_SLACK_BOT_TOKEN",
    "SOP_SLACK_BOT_TOKEN_FILE",
    "SOP_SLACK_SIGNING_SECRET",
    "SOP_SLACK_SIGNING_SECRET_FILE",
    "SOP_SLACK_API_URL",
    "SOP_TELEGRAM_BOT_TOKEN",
    "SOP_TELEGRAM_BOT_TOKEN_FILE",
    "SOP_TELEGRAM_WEBHOOK_SECRET",
    "SOP_TELEGRAM_WEBHOOK_SECRET_FILE",
    "SOP_TELEGRAM_API_URL",
    "SOP_TELEGRAM_POLL",
    "SOP_NOTIFY_WEBHOOK_SECRET",
    "SOP_NOTIFY_WEBHOOK_SECRET_FILE",
    "SOP_APPROVAL_REMINDER",
    "SOP_NOTIFY_TIMEOUT",
    "SOP_NOTIFY_RETRY_BASE",
    "SOP_NOTIFY_MAX_ATTEMPTS",
    "SOP_NOTIFY_POLL",
    "SOP_HTTP_HEADER_TIMEOUT",
    "SOP_HTTP_BODY_TIMEOUT",
    "SOP_HTTP_IDLE_TIMEOUT",
    "SOP_HTTP_DRAIN_WINDOW",
];

/// What the check runs with, and what was wrong with the settings (each message names the
/// setting). Broken settings fall back to their defaults so the SOPs are still checked.
pub struct CheckSettings {
    pub zone: Tz,
    pub approvals: ApprovalSettings,
    pub problems: Vec<String>,
    /// Environment variables that look like a misspelt setting; they have no effect.
    pub warnings: Vec<String>,
}

impl CheckSettings {
    pub fn load(s: &crate::Settings) -> Self {
        let mut problems = Vec::new();
        let zone = settings::zone(s).unwrap_or_else(|e| {
            problems.push(format!("{e:#}"));
            Tz::UTC
        });
        // The zone's own problem is already reported; this adds only the hours' problem.
        if let Err(e) = settings::business_hours(s)
            && problems.is_empty()
        {
            problems.push(format!("{e:#}"));
        }
        let approvals = ApprovalSettings::load(s).unwrap_or_else(|e| {
            problems.push(format!("{e:#}"));
            ApprovalSettings::default()
        });
        if let Err(e) = EngineSettings::load(s) {
            problems.push(format!("{e:#}"));
        }
        CheckSettings {
            zone,
            approvals,
            problems,
            warnings: misspelt_variables(s.names().map(std::ffi::OsString::from)),
        }
    }
}

/// `SOP_*` names that are not settings but close to one (`SOP_TIMEZON`), with a hint. Names
/// far from every setting are left alone: other tools may share the prefix.
fn misspelt_variables(names: impl Iterator<Item = std::ffi::OsString>) -> Vec<String> {
    let mut out: Vec<String> = names
        .filter_map(|k| k.into_string().ok())
        .filter(|k| k.starts_with("SOP_") && !KNOWN_VARIABLES.contains(&k.as_str()))
        // What a step's environment holds, for `sop` run inside a step.
        .filter(|k| !is_own_name(k))
        .filter_map(|k| {
            let known = KNOWN_VARIABLES.iter().copied().chain(OWN_NAMES);
            let close = suggest::closest(&k, known)?;
            Some(format!(
                "the environment variable {k} is not a setting and has no effect; did you mean \
                 {close}?"
            ))
        })
        .collect();
    out.sort();
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_variable_close_to_a_setting_is_flagged_and_others_are_not() {
        let names = [
            "SOP_TIMEZON",
            "SOP_DIR",
            "SOP_VAR_SEVERITY",
            "SOP_STEP_2_URL",
            "SOP_X",
        ]
        .map(std::ffi::OsString::from);
        assert_eq!(
            misspelt_variables(names.into_iter()),
            [
                "the environment variable SOP_TIMEZON is not a setting and has no effect; did you \
              mean SOP_TIMEZONE?"
            ]
        );
    }
}
