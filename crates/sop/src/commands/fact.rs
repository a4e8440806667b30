//! `sop fact`: named values with an optional expiry that conditions can require, e.g. a CI job
//! recording `tests_passed=true`.

use crate::commands::eval::show;
use crate::config::Context;
use crate::exit::{Exit, Fail};
use chrono::{DateTime, SecondsFormat, Utc};
use sop_core::Duration;
use sop_engine::Clock;
use sop_engine::documents::{FactDocument, shown_value};
use sop_engine::engine::identity;
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
            let store = sop_store::open_from_env()?;
            let saved = store.transaction(|tx| tx.set_fact(&fact))?;
            let mut line = format!("{} = {}", saved.name, shown_value(&saved));
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
        let rows: Vec<FactDocument> = facts.iter().map(FactDocument::new).collect();
        println!(
            "{}",
            serde_json::to_string_pretty(&serde_json::to_value(&rows)?)?
        );
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

/// The name as stored, or why a condition could not read it.
fn checked_name(name: &str) -> anyhow::Result<String> {
    Ok(sop_engine::ops::checked_fact_name(name)?)
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
