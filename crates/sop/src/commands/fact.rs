//! `sop fact`: named values with an optional expiry that conditions can require, e.g. a CI job
//! recording `tests_passed=true`.

use crate::commands::eval::show;
use crate::config::Context;
use crate::exit::{Exit, Fail};
use chrono::{DateTime, SecondsFormat, Utc};
use sop_core::Duration;
use sop_core::condition::is_bare_name;
use sop_engine::Clock;
use sop_engine::engine::{identity, redact};
use sop_store::{Fact, FactValues, Store, StoreExt};

#[derive(clap::Args)]
pub struct Args {
    #[command(subcommand)]
    pub action: Action,
}

#[derive(clap::Subcommand)]
pub enum Action {
    /// Set (or replace) a fact.
    Set {
        /// A name as conditions write it: letters, digits and `_`, not starting with a digit,
        /// optionally in dot-separated parts (`deploy.ok`); case-insensitive.
        name: String,
        /// Read as JSON when it is valid JSON (true, 85, "x", [1, 2]); otherwise kept as text.
        #[arg(allow_hyphen_values = true)]
        value: String,
        /// Forget the fact after this long, e.g. 2h, 30m, 7d.
        #[arg(long, value_name = "DURATION")]
        ttl: Option<String>,
        /// Record the fact as set by this user (default: $SOP_USER, else the OS user).
        #[arg(long = "as", value_name = "USER")]
        as_user: Option<String>,
    },
    /// Print a fact's value; exits 1 when it is not set or has expired.
    Get {
        /// The fact's name (case-insensitive).
        name: String,
    },
    /// Remove a fact; exits 1 when it was not set.
    Unset {
        /// The fact's name (case-insensitive).
        name: String,
        /// Record the removal as done by this user (default: $SOP_USER, else the OS user).
        #[arg(long = "as", value_name = "USER")]
        as_user: Option<String>,
    },
    /// List the facts that are set.
    List {
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
    },
}

pub fn run(ctx: &Context, args: Args) -> anyhow::Result<Exit> {
    let now = Clock::from_settings(&ctx.settings)?.now();
    match args.action {
        Action::Set {
            name,
            value,
            ttl,
            as_user,
        } => {
            let name = checked_name(&name)?;
            let expires_at = ttl.map(|t| expiry(&t, now)).transpose()?;
            let fact = Fact {
                name,
                value: parse_value(&value),
                set_at: now,
                expires_at,
                set_by: identity::who(&ctx.settings, as_user.as_deref())?,
            };
            let store = ctx.settings.open_store()?;
            let saved = store.transaction(|tx| {
                tx.expire_facts(now, &audited_values)?;
                tx.set_fact(&fact, audited_values(&fact.name))
            })?;
            let mut line = format!("{} = {}", saved.name, shown_value(&saved));
            if let Some(exp) = saved.expires_at {
                line.push_str(&format!(" (expires {})", rfc3339(exp)));
            }
            println!("{line}");
            Ok(Exit::Success)
        }
        Action::Get { name } => {
            let name = checked_name(&name)?;
            let store = ctx.settings.open_store()?;
            expire(store.as_ref(), now)?;
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
        Action::Unset { name, as_user } => {
            let name = checked_name(&name)?;
            let by = identity::who(&ctx.settings, as_user.as_deref())?;
            let store = ctx.settings.open_store()?;
            let values = audited_values(&name);
            let unset = store.transaction(|tx| {
                tx.expire_facts(now, &audited_values)?;
                tx.unset_fact(&name, &by, now, values)
            })?;
            if unset {
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
            let store = ctx.settings.open_store()?;
            expire(store.as_ref(), now)?;
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
                    "value": shown_value(f),
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
                shortened(&shown_value(f).to_string()),
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

/// The value as listings show it: a fact whose name marks it secret (`db_password`), or a
/// secret-named key inside it, shows `[redacted]`; `sop fact get NAME` still reads it whole.
fn shown_value(fact: &Fact) -> serde_json::Value {
    if redact::is_secret_name(&fact.name) {
        serde_json::Value::String(redact::REDACTED.into())
    } else {
        redact::redact(&fact.value)
    }
}

/// How a fact's values appear in the audit entries of its changes: not at all for a
/// secret-named fact, else with secret-named keys inside them redacted.
fn audited_values(name: &str) -> FactValues {
    if redact::is_secret_name(name) {
        FactValues::Redacted
    } else {
        FactValues::Filtered(redact::redact)
    }
}

/// Records the expiry of facts that lapsed since they were last touched. A transaction that
/// finds none writes nothing, so it costs no durable commit.
fn expire(store: &dyn Store, now: DateTime<Utc>) -> anyhow::Result<()> {
    store.transaction(|tx| tx.expire_facts(now, &audited_values))?;
    Ok(())
}

/// Widest value the text listing shows; `sop fact get` and `--json` give the whole value.
const SHOWN_VALUE_CHARS: usize = 60;

/// `text` cut to [`SHOWN_VALUE_CHARS`] with `…`, so one large value keeps the table readable.
fn shortened(text: &str) -> String {
    if text.chars().count() <= SHOWN_VALUE_CHARS {
        return text.to_string();
    }
    let mut cut: String = text.chars().take(SHOWN_VALUE_CHARS - 1).collect();
    cut.push('…');
    cut
}

/// Lower-cased. A fact is only useful if a condition can read it, so its name is a condition
/// name (ASCII letters, digits and `_`, not starting with a digit, not a keyword such as `and`),
/// optionally followed by `.key` parts of the same form (`deploy.ok`).
fn checked_name(name: &str) -> anyhow::Result<String> {
    let is_word = |part: &str| {
        part.chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
            && part.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
    };
    let mut parts = name.split('.');
    let ok = name.len() <= 128 && parts.next().is_some_and(is_bare_name) && parts.all(is_word);
    if ok {
        Ok(Fact::normalize_name(name))
    } else {
        Err(Fail::invalid(format!(
            "invalid fact name `{name}`: a condition could not read it\n  = help: use letters, \
             digits and `_`, not starting with a digit, optionally in dot-separated parts (e.g. \
             tests_passed, deploy.ok); at most 128 characters; not a keyword such as `and` or \
             `true`"
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
        assert_eq!(checked_name("_x.y_1").unwrap(), "_x.y_1");
        assert_eq!(checked_name("deploy.in").unwrap(), "deploy.in");
        for bad in [
            "", "a b", "x-y", ".x", "x.", "a..b", "rm;", "1abc", "deploy.2", "and", "TRUE", "é",
        ] {
            assert!(checked_name(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn long_values_are_cut_in_the_listing() {
        assert_eq!(shortened("true"), "true");
        let long = format!("\"{}\"", "x".repeat(100));
        let cut = shortened(&long);
        assert_eq!(cut.chars().count(), SHOWN_VALUE_CHARS);
        assert!(cut.ends_with('…'));
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
