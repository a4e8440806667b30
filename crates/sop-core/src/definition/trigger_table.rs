//! Reads one `[[triggers]]` table into a [`Trigger`], checking every key of its type.

use super::cron::{CronSchedule, parse_timezone};
use super::expression;
use super::names;
use super::schedule_policy::{CatchUp, Overlap};
use super::sop_values::SopValues;
use super::trigger::Trigger;
use crate::toml_read::Reporter;
use crate::toml_read::TableReader;
use crate::toml_read::inner_span;
use std::ops::Range;
use toml::de::DeTable;

const TYPES: &[&str] = &["manual", "cron", "webhook", "event"];
const MANUAL_KEYS: &[&str] = &["type"];
const CRON_KEYS: &[&str] = &["type", "expression", "timezone", "overlap", "catch_up"];
const WEBHOOK_KEYS: &[&str] = &["type", "path", "secret_env"];
const EVENT_KEYS: &[&str] = &["type", "event", "condition", "cooldown"];

/// Parses one trigger table; `None` when it is invalid (the problems are in `r`).
pub fn parse(r: &mut Reporter, table: &DeTable, span: Range<usize>) -> Option<Trigger> {
    let head = TableReader::new(table, span.clone(), "a trigger", &[]);
    if !head.has("type") {
        head.missing(r, "type", "type = \"manual\"");
        return None;
    }
    let kind = head.choice(r, "type", TYPES)?.value;
    let (what, keys) = match kind {
        "manual" => ("a manual trigger", MANUAL_KEYS),
        "cron" => ("a cron trigger", CRON_KEYS),
        "webhook" => ("a webhook trigger", WEBHOOK_KEYS),
        _ => ("an event trigger", EVENT_KEYS),
    };
    let t = TableReader::new(table, span, what, keys);
    let errors_before = r.diags.len();
    t.reject_unknown(r);
    let trigger = match kind {
        "manual" => Some(Trigger::Manual),
        "cron" => cron(r, &t),
        "webhook" => webhook(r, &t),
        _ => event(r, &t),
    };
    trigger.filter(|_| r.diags.len() == errors_before)
}

fn cron(r: &mut Reporter, t: &TableReader) -> Option<Trigger> {
    let overlap = t
        .choice(r, "overlap", Overlap::WORDS)
        .and_then(|w| Overlap::parse(w.value))
        .unwrap_or_default();
    let catch_up = t
        .choice(r, "catch_up", CatchUp::WORDS)
        .and_then(|w| CatchUp::parse(w.value))
        .unwrap_or_default();
    let timezone = t.string(r, "timezone").and_then(|tz| {
        if let Err(e) = parse_timezone(tz.value) {
            r.push(
                r.at(tz.span, e)
                    .with_help("use a name from the IANA database, e.g. \"UTC\", \"Europe/Paris\" or \"America/New_York\""),
            );
            return None;
        }
        Some(tz.value.to_string())
    });
    if !t.has("expression") {
        t.missing(r, "expression", "expression = \"0 2 * * *\"");
        return None;
    }
    let expr = t.string(r, "expression")?;
    let schedule = match CronSchedule::parse(expr.value) {
        Ok(s) => s,
        Err(e) => {
            // Each wrong field at its own column; a problem with the whole expression (or one
            // whose column the string's escapes hide) at the string.
            for problem in e.problems {
                let span = problem
                    .span
                    .map_or_else(|| expr.span.clone(), |s| inner_span(r, &expr, s));
                r.push(r.at(span, problem.message).with_help(
                    "write five fields `minute hour day-of-month month day-of-week`, e.g. \"0 2 * * *\" for 02:00 every day, or six with a leading second, e.g. \"*/30 * * * * *\"",
                ));
            }
            return None;
        }
    };
    if !schedule.ever_fires() {
        r.push(
            r.at(
                expr.span,
                format!("the cron expression `{}` never fires", expr.value),
            )
            .with_help(
                "check the day of month against the month (e.g. there is no 30th of February)",
            ),
        );
        return None;
    }
    Some(Trigger::Cron {
        expression: expr.value.trim().to_string(),
        timezone,
        overlap,
        catch_up,
    })
}

fn webhook(r: &mut Reporter, t: &TableReader) -> Option<Trigger> {
    let secret_env = t.string(r, "secret_env").and_then(|v| match names::env_var_problem(v.value) {
        Some(problem) => {
            r.push(
                r.at(v.span, format!("`secret_env`: {problem}"))
                    .with_help("name the environment variable that holds the secret, e.g. secret_env = \"INCIDENT_WEBHOOK_SECRET\""),
            );
            None
        }
        None => Some(v.value.to_string()),
    });
    if !t.has("path") {
        t.missing(r, "path", "path = \"/my-hook\"");
        return None;
    }
    let path = t.string(r, "path")?;
    if let Some(problem) = names::webhook_path_problem(path.value) {
        r.push(
            r.at(
                path.span,
                format!("invalid webhook path `{}`: {problem}", path.value),
            )
            .with_help(match names::reserved_path(path.value) {
                Some(_) => names::RESERVED_RULE,
                None => names::WEBHOOK_RULE,
            }),
        );
        return None;
    }
    Some(Trigger::Webhook {
        path: path.value.to_string(),
        secret_env,
    })
}

fn event(r: &mut Reporter, t: &TableReader) -> Option<Trigger> {
    let cooldown = t.duration(r, "cooldown").map(|d| d.value);
    let condition = t.string(r, "condition").and_then(|c| {
        expression::parse(r, &c)?;
        Some(c.value.to_string())
    });
    if !t.has("event") {
        t.missing(r, "event", "event = \"deploy.failed\"");
        return None;
    }
    let event = t.string(r, "event")?;
    if let Some(problem) = names::event_problem(event.value) {
        r.push(
            r.at(
                event.span,
                format!("invalid event `{}`: {problem}", event.value),
            )
            .with_help(names::EVENT_RULE),
        );
        return None;
    }
    Some(Trigger::Event {
        event: event.value.to_string(),
        condition,
        cooldown,
    })
}
