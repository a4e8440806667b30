//! The `sop` binary: parses the command line and hands each subcommand to its module.

mod commands;
mod config;
mod error_output;
mod exit;
mod render;

use clap::{CommandFactory, FromArgMatches, Parser, Subcommand};
use config::Context;
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
    /// Evaluate a condition expression: prints its value; exits 0 when it holds, 1 when not.
    Eval(commands::eval::Args),
    /// Set, get, unset and list facts: named values conditions can require.
    Fact(commands::fact::Args),
    /// Start a run of an SOP and follow it (`--detach` records it for `sop resume` or a server).
    #[command(alias = "run")]
    Execute(commands::execute::Args),
    /// Record an event; SOPs with a matching event trigger start runs (left for a server).
    Emit(commands::emit::Args),
    /// Recent events, with the runs each started or why each matching SOP did not start.
    Events(commands::events::Args),
    /// Recent runs, or one run with its steps, gates and variables.
    Status(commands::status::Args),
    /// The stored output of a run's steps.
    Logs(commands::logs::Args),
    /// The step a run is at: its instructions, checklist, and what it waits for.
    Next(commands::next::Args),
    /// Report the waiting (manual) step done, or failed with --failed; the run goes on.
    Done(commands::done::Args),
    /// Stop a run before its next step.
    Pause(commands::pause::Args),
    /// Go on with a paused, pending or recovered run.
    Resume(commands::resume::Args),
    /// Stop a run now; a running step is terminated.
    Cancel(commands::cancel::Args),
    /// Run a failed or interrupted step again; the run goes on.
    Retry(commands::retry::Args),
    /// Go on without a failed, interrupted or manual step.
    Skip(commands::skip::Args),
    /// The audit trail of every event; `sop audit verify` checks it.
    Audit(commands::audit::Args),
    /// Remove the details of runs finished long ago (the audit trail is kept).
    Prune(commands::prune::Args),
    /// Upcoming fire times of the cron triggers and the last tick of each, with its run.
    Schedule(commands::schedule::Args),
    /// Approve a run's gate (or reject it with --reject); once it passes, the run goes on here.
    Approve(commands::approve::Args),
    /// Reject a run's gate: the run becomes rejected and nothing after the gate runs.
    Reject(commands::reject::Args),
    /// The gates waiting for a decision, what each waits for and when it expires.
    Pending(commands::pending::Args),
    /// Notifications: `sop notify test` sends a test message to the configured channels.
    Notify(commands::notify::Args),
    /// Serve the Model Context Protocol on stdio, for AI agents (see README).
    Mcp(commands::mcp::Args),
    /// Serve the HTTP API and webhook triggers, and execute runs.
    Serve(commands::serve::Args),
    /// The live `sop serve` nodes on this database, their heartbeat and the runs each drives.
    Nodes(commands::nodes::Args),
    /// Create, list and revoke API tokens for the server.
    Token(commands::token::Args),
}

impl Command {
    /// Whether the command may run steps in this process.
    fn drives_runs(&self) -> bool {
        matches!(
            self,
            Command::Execute(_)
                | Command::Done(_)
                | Command::Resume(_)
                | Command::Retry(_)
                | Command::Skip(_)
                | Command::Approve(_)
                | Command::Reject(_)
                | Command::Mcp(_)
                | Command::Serve(_)
        )
    }
}

fn main() -> ExitCode {
    let args: Vec<std::ffi::OsString> = std::env::args_os().collect();
    let parsed = Cli::command()
        .try_get_matches_from(&args)
        .and_then(|m| Cli::from_arg_matches(&m).map(|cli| (cli, m)));
    let (cli, json) = match parsed {
        Ok((cli, matches)) => (cli, error_output::wants_json(&matches)),
        Err(e) => return ExitCode::from(error_output::report_usage(&e, &args).code()),
    };
    if !cli.command.drives_runs() {
        // Like other Unix tools, a listing whose reader went away (`sop audit | head`) ends
        // quietly. Commands that drive a run keep ignoring SIGPIPE: a closed pipe must never
        // stop a run between its steps.
        // SAFETY: restoring a signal's default disposition has no preconditions.
        unsafe { libc::signal(libc::SIGPIPE, libc::SIG_DFL) };
    }
    let ctx = Context::new(cli.dir);
    // The server handles its signals itself, to shut down gracefully.
    if cli.command.drives_runs() && !matches!(cli.command, Command::Serve(_)) {
        ctx.catch_signals();
    }
    let result = match cli.command {
        Command::List(args) => commands::list::run(&ctx, args),
        Command::Nodes(args) => commands::nodes::run(&ctx, args),
        Command::Check(args) => commands::check::run(&ctx, args),
        Command::Show(args) => commands::show::run(&ctx, args),
        Command::Eval(args) => commands::eval::run(&ctx, args),
        Command::Fact(args) => commands::fact::run(&ctx, args),
        Command::Execute(args) => commands::execute::run(&ctx, args),
        Command::Emit(args) => commands::emit::run(&ctx, args),
        Command::Events(args) => commands::events::run(&ctx, args),
        Command::Status(args) => commands::status::run(&ctx, args),
        Command::Logs(args) => commands::logs::run(&ctx, args),
        Command::Next(args) => commands::next::run(&ctx, args),
        Command::Done(args) => commands::done::run(&ctx, args),
        Command::Pause(args) => commands::pause::run(&ctx, args),
        Command::Resume(args) => commands::resume::run(&ctx, args),
        Command::Cancel(args) => commands::cancel::run(&ctx, args),
        Command::Retry(args) => commands::retry::run(&ctx, args),
        Command::Skip(args) => commands::skip::run(&ctx, args),
        Command::Audit(args) => commands::audit::run(&ctx, args),
        Command::Prune(args) => commands::prune::run(&ctx, args),
        Command::Schedule(args) => commands::schedule::run(&ctx, args),
        Command::Notify(args) => commands::notify::run(&ctx, args),
        Command::Approve(args) => commands::approve::run(&ctx, args),
        Command::Reject(args) => commands::reject::run(&ctx, args),
        Command::Pending(args) => commands::pending::run(&ctx, args),
        Command::Mcp(args) => commands::mcp::run(&ctx, args),
        Command::Serve(args) => commands::serve::run(&ctx, args),
        Command::Token(args) => commands::token::run(&ctx, args),
    };
    match result {
        Ok(exit) => ExitCode::from(exit.code()),
        Err(err) => ExitCode::from(error_output::report(&err, json).code()),
    }
}
