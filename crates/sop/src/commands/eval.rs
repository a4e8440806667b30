//! `sop eval`: evaluates one condition expression the way an SOP's conditions are evaluated.

use super::arg_input;
use crate::config::Context;
use crate::error_output;
use crate::exit::{Exit, Fail};
use chrono::{DateTime, Utc};
use serde_json::json;
use sop_core::Diagnostic;
use sop_core::condition::{EvalError, Expr, Value};
use sop_engine::catalog::Catalog;
use sop_engine::clock::Clock;
use sop_engine::scope::{self, Subject};

/// The file label diagnostics show for an expression given on the command line.
const EXPR_LABEL: &str = "<expr>";

#[derive(clap::Args)]
pub struct Args {
    /// The expression, e.g. "severity >= 'high' && business_hours == true"; `-` reads it from
    /// standard input, `@FILE` from a file.
    #[arg(value_name = "EXPR", allow_hyphen_values = true)]
    pub expr: String,
    /// Run variables as a JSON object, e.g. '{"severity": "high"}'; `-` reads them from
    /// standard input, `@FILE` from a file (e.g. a webhook payload).
    #[arg(long, value_name = "JSON")]
    pub vars: Option<String>,
    /// Evaluate at this instant (RFC 3339) instead of now.
    #[arg(long, value_name = "RFC3339")]
    pub at: Option<String>,
    /// Show every sub-expression's value.
    #[arg(long)]
    pub explain: bool,
    /// Print {"value": ..., "explain": ...} as JSON.
    #[arg(long)]
    pub json: bool,
    /// Evaluate in the context of this SOP (for `sop.name`, `sop.priority`).
    #[arg(long, value_name = "NAME")]
    pub sop: Option<String>,
}

/// Prints the value. A boolean prints `true`/`false` and exits 0/1; so do other values by their
/// truth (`null`, `0`, `'no'` exit 1), and values without one (`'critical'`, lists) exit 0. A
/// syntax error exits 2 with a caret under the column; an evaluation error exits 1 with its
/// reason (the condition would not be met), also when a built-in it reads cannot be computed
/// (a broken oncall.toml, an unknown SOP_TIMEZONE).
pub fn run(ctx: &Context, mut args: Args) -> anyhow::Result<Exit> {
    let mut stdin_taken = false;
    args.expr = arg_input::resolve(&args.expr, "EXPR", &mut stdin_taken)?;
    if let Some(vars) = &args.vars {
        args.vars = Some(arg_input::resolve(vars, "--vars", &mut stdin_taken)?);
    }
    let expr = match Expr::parse(&args.expr) {
        Ok(expr) => expr,
        Err(errors) => return Ok(syntax_errors(&args, &errors)),
    };
    let vars = parse_vars(args.vars.as_deref())?;
    let now = match &args.at {
        Some(at) => parse_at(at)?,
        None => Clock::from_settings(&ctx.settings)?.now(),
    };
    let sop = match &args.sop {
        Some(name) => Some(Catalog::open(&ctx.sop_dir())?.sop(name)?.clone()),
        None => None,
    };
    let names: Vec<String> = expr.names().into_iter().map(str::to_string).collect();
    // Facts live in the database; open it only when a name could come from there.
    let needs_store = names.iter().any(|n| vars.get(n).is_none());
    let store = if needs_store {
        Some(ctx.settings.open_store()?)
    } else {
        None
    };
    let subject = Subject {
        sop: sop.as_ref(),
        trigger_type: None,
        vars: &vars,
        now,
    };
    let queries: Option<&dyn sop_store::Queries> = store.as_deref().map(|s| s as _);
    let scope = scope::build(&ctx.settings, queries, &subject, &names)?;

    let result = expr.eval(&scope);
    let explanation = (args.explain || args.json).then(|| expr.explain(&scope));
    if args.json {
        let mut out = json!({
            "value": result.as_ref().map_or(serde_json::Value::Null, Value::to_json),
            "explain": explanation,
        });
        if let Err(e) = &result {
            out["error"] =
                error_output::document(Exit::Failure, &e.to_string(), None)["error"].take();
        }
        println!("{}", serde_json::to_string_pretty(&out)?);
    } else if let Some(explanation) = &explanation {
        print!("{}", explanation.render());
    }
    match result {
        Ok(value) => {
            if !args.json && explanation.is_none() {
                println!("{}", show(&value));
            }
            // The exit code says whether the value holds as a condition, so a script's
            // `if sop eval NAME` fails closed when NAME is missing (`null`) or false-y. Values
            // with no truth value (`'critical'`, lists) are printed and exit 0.
            Ok(match value.truth() {
                Some(false) => Exit::Failure,
                _ => Exit::Success,
            })
        }
        Err(e) => {
            eprint!("{}", eval_error(&args.expr, &e));
            Ok(Exit::Failure)
        }
    }
}

fn syntax_errors(args: &Args, errors: &[sop_core::condition::ParseError]) -> Exit {
    let diags: Vec<Diagnostic> = errors
        .iter()
        .map(|e| e.to_diagnostic(EXPR_LABEL, &args.expr))
        .collect();
    if args.json {
        let message = match diags.first() {
            Some(first) => format!("syntax error: {}", first.message),
            None => "syntax error".to_string(),
        };
        let out = error_output::document(Exit::Invalid, &message, Some(json!(diags)));
        println!("{}", serde_json::to_string_pretty(&out).unwrap_or_default());
    }
    for d in &diags {
        eprint!("{}", d.render());
    }
    Exit::Invalid
}

/// An evaluation error with a caret under the sub-expression at fault, when known.
fn eval_error(src: &str, e: &EvalError) -> String {
    match e {
        EvalError::Type { message, span } if span.end <= src.len() => {
            Diagnostic::at(EXPR_LABEL, src, span.clone(), message.clone())
                .with_help("a condition that cannot be evaluated is not met")
                .render()
        }
        other => format!("error: {other}\n"),
    }
}

/// `--vars` as a JSON object; absent means no variables.
pub fn parse_vars(text: Option<&str>) -> anyhow::Result<serde_json::Value> {
    let Some(text) = text else {
        return Ok(serde_json::Value::Object(Default::default()));
    };
    match serde_json::from_str::<serde_json::Value>(text) {
        Ok(v @ serde_json::Value::Object(_)) => Ok(v),
        Ok(_) => Err(Fail::invalid(
            "--vars must be a JSON object, e.g. --vars '{\"severity\": \"high\"}'",
        )),
        Err(e) => Err(Fail::invalid(format!(
            "--vars is not valid JSON ({e}); write e.g. --vars '{{\"severity\": \"high\"}}'"
        ))),
    }
}

pub fn parse_at(text: &str) -> anyhow::Result<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(text.trim())
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| {
            Fail::invalid(format!(
                "--at `{text}` is not an RFC 3339 time ({e}); use e.g. 2026-01-31T09:30:00Z"
            ))
        })
}

/// A value as a shell script wants it: strings bare, everything else as JSON.
pub fn show(value: &Value) -> String {
    match value {
        Value::String(s) => s.to_string(),
        other => other.to_json().to_string(),
    }
}
