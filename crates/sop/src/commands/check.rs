//! `sop check`.

use crate::config::Context;
use crate::exit::Exit;

#[derive(clap::Args)]
pub struct Args {
    /// Print JSON instead of text.
    #[arg(long)]
    pub json: bool,
}

pub fn run(_ctx: &Context, _args: Args) -> anyhow::Result<Exit> {
    anyhow::bail!("`sop check` is not built yet")
}
