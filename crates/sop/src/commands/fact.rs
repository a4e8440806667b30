//! `sop fact`: named values with an optional expiry that conditions can require, e.g. a CI job
//! recording `tests_passed=true`.

use crate::commands::eval::show;
use crate::config::Context;
use crate::exit::{Exit, Fail};
use crate::render::json;
use chrono::{DateTime, SecondsFormat, Utc};
use sop_engine::documents::{FactDocument, shown_value};
use sop_engine::engine::identity;
use sop_engine::{Caller, ErrorKind};
use sop_store::Fact;

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
        /// Print the fact as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Print a fact's value; exits 1 when it is not set or has expired.
    Get {
        /// The fact's name (case-insensitive).
        name: String,
        /// Print the fact as JSON (its value as stored; secret-named ones too).
        #[arg(long)]
        json: bool,
    },
    /// Remove a fact; exits 1 when it was not set.
    Unset {
        /// The fact's name (case-insensitive).
        name: String,
        /// Record the removal as done by this user (default: $SOP_USER, else the OS user).
        #[arg(long = "as", value_name = "USER")]
        as_user: Option<String>,
        /// Print `{"unset": NAME}` as JSON.
        #[arg(long)]
        json: bool,
    },
    /// List the facts that are set.
    List {
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
    },
}

pub fn run(ctx: &Context, args: Args) -> anyhow::Result<Exit> {
    let service = ctx.service()?;
    match args.action {
        Action::Set {
            name,
            value,
            ttl,
            as_user,
            json,
        } => {
            let caller = Caller::quiet(identity::who(&ctx.settings, as_user.as_deref())?);
            let parsed = parse_value(&value);
            // `ture` is kept as the text it is, which a condition reads as true (any text is):
            // say so, since a typo of `true`/`false` most likely meant the boolean.
            if let Some(meant) = parsed
                .as_str()
                .and_then(|t| sop_core::suggest::closest(t.trim(), ["true", "false"]))
            {
                eprintln!(
                    "warning: `{value}` is not JSON, so it is kept as text; did you mean `{meant}`?"
                );
            }
            let saved = service
                .set_fact(&caller, &name, parsed, ttl.as_deref())
                .map_err(|e| flag_named(e, "ttl", "--ttl"))?;
            if json {
                json::print_doc(&FactDocument::new(&saved))?;
                return Ok(Exit::Success);
            }
            let mut line = format!("{} = {}", saved.name, shown_value(&saved));
            if let Some(exp) = saved.expires_at {
                line.push_str(&format!(" (expires {})", rfc3339(exp)));
            }
            println!("{line}");
            Ok(Exit::Success)
        }
        Action::Get { name, json } => match service.get_fact(&name) {
            Ok(fact) if json => {
                json::print(&serde_json::json!({
                    "name": fact.name,
                    "value": fact.value,
                    "set_at": rfc3339(fact.set_at),
                    "expires_at": fact.expires_at.map(rfc3339),
                    "set_by": fact.set_by,
                }))?;
                Ok(Exit::Success)
            }
            Ok(fact) => {
                println!("{}", show(&fact.value.into()));
                Ok(Exit::Success)
            }
            Err(e) if e.kind == ErrorKind::NotFound => Err(Fail::with(
                Exit::Failure,
                format!("{}; `sop fact list` lists facts", e.message),
            )),
            Err(e) => Err(e.into()),
        },
        Action::Unset {
            name,
            as_user,
            json,
        } => {
            let caller = Caller::quiet(identity::who(&ctx.settings, as_user.as_deref())?);
            match service.unset_fact(&caller, &name) {
                Ok(()) => {
                    let name = Fact::normalize_name(&name);
                    if json {
                        json::print(&serde_json::json!({ "unset": name }))?;
                    } else {
                        println!("unset {name}");
                    }
                    Ok(Exit::Success)
                }
                Err(e) if e.kind == ErrorKind::NotFound => {
                    Err(Fail::with(Exit::Failure, e.message))
                }
                Err(e) => Err(e.into()),
            }
        }
        Action::List { json } => list(&service.list_facts()?, json),
    }
}

/// An operation's error about `name` as the command line says it (`--ttl` for `ttl`).
fn flag_named(e: sop_engine::Error, name: &str, flag: &str) -> anyhow::Error {
    if e.kind == ErrorKind::Invalid && e.message.starts_with(name) {
        Fail::invalid(e.message.replacen(name, flag, 1))
    } else {
        e.into()
    }
}

fn list(facts: &[Fact], json: bool) -> anyhow::Result<Exit> {
    if json {
        let rows: Vec<FactDocument> = facts.iter().map(FactDocument::new).collect();
        json::print_doc(&rows)?;
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

fn parse_value(text: &str) -> serde_json::Value {
    sop_engine::ops::typed_fact_value(text)
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
        assert_eq!(parse_value("True"), serde_json::json!(true));
        assert_eq!(parse_value(" FALSE "), serde_json::json!(false));
        assert_eq!(parse_value("ture"), serde_json::json!("ture"));
    }
}
