//! `sop mcp [--as USER]`: serves the Model Context Protocol on stdin and stdout, so an AI
//! agent's client can list, start and drive SOPs as the user it acts for.

use crate::config::Context;
use crate::exit::Exit;
use sop_engine::engine::identity;

#[derive(clap::Args)]
pub struct Args {
    /// Act as this user (default: $SOP_USER, else the OS user). Every decision the agent takes
    /// is this user's, and recorded so, with the client's name beside it.
    #[arg(long = "as", value_name = "USER")]
    pub as_user: Option<String>,
}

pub fn run(ctx: &Context, args: Args) -> anyhow::Result<Exit> {
    let actor = identity::who(&ctx.settings, args.as_user.as_deref())?;
    let service = ctx.service()?;
    sop_mcp::serve_stdio(service, actor, ctx.stop.clone())?;
    Ok(Exit::Success)
}
