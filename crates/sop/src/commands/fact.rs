//! `sop fact`: named values with an optional expiry that conditions can require, e.g. a CI job
//! recording `tests_passed=true`.

use crate::clock::Clock;
use crate::commands::eval::show;
use crate::config::Context;
use crate::exit::{Exit, Fail};
use chrono::{DateTime, SecondsFormat, Utc};
use sop_core::Duration;
use sop_store::{Fact, StoreExt};

#[derive(clap::Args)]
pub struct Args {
    #[command(subcommand)]
    pub action: Action,
}

#[derive(clap::Subcommand)]
pub enum Action {
    /// Set (or replace) a fact.
    Set {
        /// Letters, digits, `_` and `.`; case-insensitive.
        name: String,
        /// Read as JSON when it is valid JSON (true, 85, "x", [1, 2]); otherwise kept as text.
        #[arg(allow_hyphen_values = true)]
        value: String,
        /// Forget the fact after this long, e.g. 2h, 30m, 7d.
        #[arg(long, value_name = "DURATION")]
        ttl: Option<String>,
    },
    /// Print a fact's value; exits 1 when it is not set or has expired.
    Get { name: String },
    /// Remove a fact; exits 1 when it was not set.
    Unset { name: String },
    /// List the facts that are set.
    List {
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
    },
}

pub fn run(_ctx: &Context, args: Args) -> anyhow::Result<Exit> {
    let now = Clock::from_env()?.now();
    match args.action {
        Action::Set { name, value, ttl } => {
            let name = checked_name(&name)?;
            let expires_at = ttl.map(|t| expiry(&t, now)).transpose()?;
            let fact = Fact {
                name,
                value: parse_value(&value),
                set_at: now,
                expires_at,
                set_by: actor(),
            };
            let store = sop_store::open_from_env()?;
            let saved = store.transaction(|tx| tx.set_fact(&fact))?;
            let mut line = format!("{} = {}", saved.name, saved.value);
            if let Some(exp) = saved.expires_at {
                line.push_str(&format!(" (expires {})", rfc3339(exp)));
            }
            println!("{line}");
            Ok(Exit::Success)
        }
        Action::Get { name } => {
            let name = checked_name(&name)?;
            let store = sop_store::open_from_env()?;
            match store.fact(&name, now)? {
                Some(fact) => {
                    println!("{}", show(&fact.value.into()));
                    Ok(Exit::Success)
                }
                None => Err(Fail::with(
                    Exit::Failure,
                    format!(
                        "fact `{name}` is not set (or has expired); `sop fact list` lists facts"
                    ),
                )),
            }
        }
        Action::Unset { name } => {
            let name = checked_name(&name)?;
            let store = sop_store::open_from_env()?;
            if store.transaction(|tx| tx.unset_fact(&name))? {
                println!("unset {name}");
                Ok(Exit::Success)
            } else {
                Err(Fail::with(
                    Exit::Failure,
                    format!("fact `{name}` is not set"),
                ))
            }
        }
        Action::List { json } => {
            let store = sop_store::open_from_env()?;
            list(&store.facts(now)?, json)
        }
    }
}

fn list(facts: &[Fact], json: bool) -> anyhow::Result<Exit> {
    if json {
        let rows: Vec<serde_json::Value> = facts
            .iter()
            .map(|f| {
                serde_json::json!({
                    "name": f.name,
                    "value": f.value,
                    "set_at": rfc3339(f.set_at),
                    "expires_at": f.expires_at.map(rfc3339),
                    "set_by": f.set_by,
                })
            })
            .collect();
        println!("{}", serde_json::to_string_pretty(&rows)?);
        return Ok(Exit::Success);
    }
    if facts.is_empty() {
        println!("No facts are set.");
        return Ok(Exit::Success);
    }
    let rows: Vec<[String; 4]> = facts
        .iter()
        .map(|f| {
            [
                f.name.clone(),
                f.value.to_string(),
                f.expires_at.map_or_else(|| "-".to_string(), rfc3339),
                f.set_by.clone(),
            ]
        })
        .collect();
    let header = ["NAME", "VALUE", "EXPIRES", "SET BY"].map(String::from);
    let widths: Vec<usize> = (0..4)
        .map(|i| {
            std::iter::once(&header)
                .chain(&rows)
                .map(|r| r[i].chars().count())
                .max()
                .unwrap_or(0)
        })
        .collect();
    for row in std::iter::once(&header).chain(&rows) {
        let cells: Vec<String> = row
            .iter()
            .zip(&widths)
            .map(|(c, w)| format!("{c:<w$}"))
            .collect();
        println!("{}", cells.join("  ").trim_end());
    }
    Ok(Exit::Success)
}

/// Lower-cased; letters, digits, `_` and `.` between non-empty parts (`deploy.ok`).
fn checked_name(name: &str) -> anyhow::Result<String> {
    let ok = !name.is_empty()
        && name.len() <= 128
        && name
            .split('.')
            .all(|part| !part.is_empty() && part.chars().all(|c| c.is_alphanumeric() || c == '_'));
    if ok {
        Ok(Fact::normalize_name(name))
    } else {
        Err(Fail::invalid(format!(
            "invalid fact name `{name}`: use letters, digits, `_` and `.` (e.g. tests_passed, \
             deploy.ok), at most 128 characters"
        )))
    }
}

/// JSON when `text` is valid JSON, otherwise the text itself as a string.
fn parse_value(text: &str) -> serde_json::Value {
    serde_json::from_str(text).unwrap_or_else(|_| serde_json::Value::String(text.to_string()))
}

fn expiry(ttl: &str, now: DateTime<Utc>) -> anyhow::Result<DateTime<Utc>> {
    let d: Duration = ttl
        .parse()
        .map_err(|e| Fail::invalid(format!("--ttl: {e}")))?;
    if d.as_secs() == 0 {
        return Err(Fail::invalid("--ttl must be longer than 0s, e.g. --ttl 2h"));
    }
    Ok(now + d.as_chrono())
}

/// Who sets the fact: `SOP_USER`, else the login name.
fn actor() -> String {
    ["SOP_USER", "USER", "LOGNAME"]
        .iter()
        .find_map(|k| std::env::var(k).ok().filter(|v| !v.trim().is_empty()))
        .unwrap_or_else(|| "unknown".to_string())
}

fn rfc3339(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_lower_cased_and_checked() {
        assert_eq!(checked_name("Tests_Passed").unwrap(), "tests_passed");
        assert_eq!(checked_name("deploy.ok").unwrap(), "deploy.ok");
        for bad in ["", "a b", "x-y", ".x", "x.", "a..b", "rm;"] {
            assert!(checked_name(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn values_are_json_when_they_can_be() {
        assert_eq!(parse_value("true"), serde_json::json!(true));
        assert_eq!(parse_value("85"), serde_json::json!(85));
        assert_eq!(parse_value("\"x\""), serde_json::json!("x"));
        assert_eq!(parse_value("[1, 2]"), serde_json::json!([1, 2]));
        assert_eq!(parse_value("staging ok"), serde_json::json!("staging ok"));
    }
}
