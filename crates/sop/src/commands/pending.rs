//! `sop pending [--as USER] [--json]`: the gates waiting for a decision, what each waits for
//! and when it expires.

use crate::approval::pending::{describe, list};
use crate::config::Context;
use crate::engine::{Engine, Progress, identity, json};
use crate::exit::Exit;

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
    let store = sop_store::open_from_env()?;
    let actor = identity::who(args.as_user.as_deref())?;
    let eng = Engine::new(ctx, store.as_ref(), actor.clone(), Progress::Quiet)?;
    let person = args.as_user.as_ref().map(|_| actor.as_str());
    let gates = list(&eng, person)?;
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
    let now = eng.clock.now();
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
