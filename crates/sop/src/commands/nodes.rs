//! `sop nodes [--json]`: the live `sop serve` nodes on this database, their heartbeat, and the
//! runs each drives.

use crate::config::Context;
use crate::exit::Exit;
use std::fmt::Write as _;
use std::io::Write as _;

#[derive(clap::Args)]
pub struct Args {
    /// Print JSON instead of text.
    #[arg(long)]
    pub json: bool,
}

pub fn run(ctx: &Context, args: Args) -> anyhow::Result<Exit> {
    let nodes = ctx.service()?.nodes()?;
    let out = if args.json {
        let mut s = serde_json::to_string_pretty(&nodes)?;
        s.push('\n');
        s
    } else if nodes.is_empty() {
        "no live node: start one with `sop serve`\n".to_string()
    } else {
        let mut out = String::new();
        for n in &nodes {
            let runs = if n.runs.is_empty() {
                "no run".to_string()
            } else {
                format!("{} run(s): {}", n.runs.len(), n.runs.join(", "))
            };
            let _ = writeln!(
                out,
                "{} on {} (pid {}), heartbeat {:.1}s ago, {runs}",
                n.listen,
                n.host,
                n.pid,
                n.heartbeat_age_ms as f64 / 1000.0
            );
        }
        out
    };
    std::io::stdout().lock().write_all(out.as_bytes())?;
    Ok(Exit::Success)
}
