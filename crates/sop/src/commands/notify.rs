//! `sop notify test [--channel C]`: send a test message now to every configured channel (or
//! one), and say which arrived. Webhook URLs and tokens are never printed.

use crate::config::Context;
use crate::exit::Exit;

#[derive(clap::Args)]
pub struct Args {
    #[command(subcommand)]
    pub action: Action,
}

#[derive(clap::Subcommand)]
pub enum Action {
    /// Send a test message to SOP_APPROVAL_CHANNEL's channels, or to --channel.
    Test(TestArgs),
}

#[derive(clap::Args)]
pub struct TestArgs {
    /// One channel or a comma-separated list: slack:#ops, telegram:CHAT_ID, webhook:URL.
    #[arg(long, value_name = "CHANNEL")]
    pub channel: Option<String>,

    /// Print JSON instead of text.
    #[arg(long)]
    pub json: bool,
}

pub fn run(ctx: &Context, args: Args) -> anyhow::Result<Exit> {
    let Action::Test(args) = args.action;
    let results = ctx.service()?.notify_test(args.channel.as_deref())?;
    let all = results.iter().all(|r| r.delivered);
    if args.json {
        crate::render::json::print(&serde_json::json!({ "deliveries": results }))?;
    } else {
        for r in &results {
            match &r.error {
                None => println!("{}: delivered", r.channel),
                Some(e) => println!("{}: not delivered: {e}", r.channel),
            }
        }
    }
    Ok(if all { Exit::Success } else { Exit::Failure })
}
