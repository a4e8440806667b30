//! What every command that acts on one run shares: the `RUN`, `--as` and `--json` arguments,
//! the caller they make, and how a command that drove the run shows where it stands.

use crate::config::Context;
use crate::exit::Exit;
use crate::render::{Progress, exit_code, json};
use sop_engine::engine::{Tracked, identity};
use sop_engine::{Caller, Service};

/// `RUN [--as USER] [--json]`, flattened into each run-control command's arguments.
#[derive(clap::Args)]
pub struct RunTarget {
    /// A run id, or a prefix of one that matches a single run.
    #[arg(value_name = "RUN")]
    pub run: String,

    /// Act as this user (default: $SOP_USER, else the OS user).
    #[arg(long = "as", value_name = "USER")]
    pub as_user: Option<String>,

    /// Print only the final run object, as JSON.
    #[arg(long)]
    pub json: bool,
}

impl RunTarget {
    /// The acting person: `--as`, else `SOP_USER`, else the OS user.
    pub fn actor(&self, ctx: &Context) -> anyhow::Result<String> {
        Ok(identity::who(&ctx.settings, self.as_user.as_deref())?)
    }

    /// What this command prints while it drives the run.
    pub fn progress(&self) -> Progress {
        Progress::for_output(self.json)
    }

    /// The caller for this command, reporting to `out` and stopping on the command's signals.
    pub fn caller<'a>(&self, ctx: &Context, out: &'a Progress) -> anyhow::Result<Caller<'a>> {
        Ok(Caller::new(self.actor(ctx)?, out).with_stop(ctx.stop.clone()))
    }
}

/// Prints where `t` stands after this command (or the run object with `--json`) and returns the
/// run's exit code.
pub fn finish(
    ctx: &Context,
    service: &Service,
    out: &Progress,
    t: &Tracked,
    json_out: bool,
) -> anyhow::Result<Exit> {
    if json_out {
        json::print_run(service, t)?;
    } else {
        out.finished(t);
    }
    Ok(exit_code(t, &ctx.stop))
}
