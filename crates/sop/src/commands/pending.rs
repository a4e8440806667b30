//! `sop pending [--as USER] [--json]`: the gates waiting for a decision, what each waits for
//! and when it expires.

use crate::config::Context;
use crate::exit::Exit;
use crate::render::json;
use sop_engine::Caller;
use sop_engine::approval::pending::describe;
use sop_engine::engine::identity;

#[derive(clap::Args)]
pub struct Args {
    /// Only the gates this user may decide now (and has not approved yet).
    #[arg(long = "as", value_name = "USER")]
    pub as_user: Option<String>,

    /// Print JSON instead of text.
    #[arg(long)]
    pub json: bool,
}

pub fn run(ctx: &Context, args: Args) -> anyhow::Result<Exit> {
    let service = ctx.service()?;
    let actor = identity::who(&ctx.settings, args.as_user.as_deref())?;
    let caller = Caller::quiet(actor.clone());

    let person = args.as_user.as_ref().map(|_| actor.as_str());
    let gates = service.pending_gates(&caller, person)?;
    if args.json {
        json::print(&serde_json::to_value(&gates)?)?;
        return Ok(Exit::Success);
    }
    if gates.is_empty() {
        match person {
            Some(p) => println!("no gate waits for a decision {p} may take"),
            None => println!("no gate waits for approval"),
        }
        return Ok(Exit::Success);
    }
    let now = service.clock().now();
    let noun = if gates.len() == 1 {
        "gate waits"
    } else {
        "gates wait"
    };
    println!("{} {noun} for approval:", gates.len());
    for g in &gates {
        println!();
        print!("{}", describe(g, now));
    }
    Ok(Exit::Success)
}
