//! What every command that acts on one run shares: the `RUN`, `--as` and `--json` arguments,
//! and opening the store, the engine and the run (recovered, deadlines applied) from them.

use crate::config::Context;
use crate::engine::{Engine, Progress, Tracked, identity};

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
    /// Opens the store and the engine for the acting person, loads the run, and hands both to
    /// `act`: the part of the command that is its own.
    pub fn with_run<T>(
        &self,
        ctx: &Context,
        act: impl FnOnce(&Engine, &mut Tracked) -> anyhow::Result<T>,
    ) -> anyhow::Result<T> {
        let store = sop_store::open_from_env()?;
        let actor = identity::who(self.as_user.as_deref())?;
        let eng = Engine::new(ctx, store.as_ref(), actor, Progress::for_output(self.json))?;
        let mut t = eng.load(&self.run)?;
        act(&eng, &mut t)
    }
}
