//! The `sop` binary: parses the command line and hands each subcommand to its module.

mod catalog;
mod clock;
mod commands;
mod config;
mod engine;
mod executor;
mod exit;
mod scope;

use clap::{Parser, Subcommand};
use config::Context;
use exit::{Exit, Fail};
use std::path::PathBuf;
use std::process::ExitCode;

/// A runbook engine for Standard Operating Procedures: repeatable, auditable, durable.
#[derive(Parser)]
#[command(name = "sop", version, about, propagate_version = true)]
struct Cli {
    /// The SOPs directory (default: $SOP_DIR, then SOP_DIR in ./.env, then /job/sops).
    #[arg(long, global = true, value_name = "DIR")]
    dir: Option<PathBuf>,

    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// List the available SOPs.
    List(commands::list::Args),
    /// Validate SOP definitions and report every problem.
    Check(commands::check::Args),
    /// Show one parsed SOP: metadata, triggers, conditions and steps.
    Show(commands::show::Args),
    /// Evaluate a condition expression: prints its value; a boolean exits 0 (true) or 1 (false).
    Eval(commands::eval::Args),
    /// Set, get, unset and list facts: named values conditions can require.
    Fact(commands::fact::Args),
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() {
                Exit::Invalid.code()
            } else {
                0
            });
        }
    };
    let ctx = Context::new(cli.dir);
    let result = match cli.command {
        Command::List(args) => commands::list::run(&ctx, args),
        Command::Check(args) => commands::check::run(&ctx, args),
        Command::Show(args) => commands::show::run(&ctx, args),
        Command::Eval(args) => commands::eval::run(&ctx, args),
        Command::Fact(args) => commands::fact::run(&ctx, args),
    };
    match result {
        Ok(exit) => ExitCode::from(exit.code()),
        Err(err) => {
            if let Some(fail) = err.downcast_ref::<Fail>() {
                eprintln!("error: {fail}");
                ExitCode::from(fail.exit.code())
            } else {
                eprintln!("error: {err:#}");
                ExitCode::from(Exit::Failure.code())
            }
        }
    }
}
