//! `sop list`: every SOP in the spec's Output Format, broken ones with their problems.

use crate::config::Context;
use crate::exit::Exit;
use sop_engine::catalog::Catalog;
use sop_engine::documents::SopListDocument;
use std::fmt::Write as _;
use std::io::Write as _;

/// How many problems of a broken SOP `sop list` shows before pointing at `sop check`.
const SHOWN_PROBLEMS: usize = 3;

#[derive(clap::Args)]
pub struct Args {
    /// Print JSON instead of text.
    #[arg(long)]
    pub json: bool,
}

pub fn run(ctx: &Context, args: Args) -> anyhow::Result<Exit> {
    let catalog = Catalog::open(&ctx.sop_dir())?;
    let total = catalog.entries().len();
    let invalid = catalog.entries().iter().filter(|e| e.sop.is_err()).count();
    let out = if args.json {
        let mut s =
            serde_json::to_string_pretty(&serde_json::to_value(SopListDocument::new(&catalog))?)?;
        s.push('\n');
        s
    } else {
        text(&catalog)
    };
    std::io::stdout().lock().write_all(out.as_bytes())?;
    // The process ends right after this; freeing every parsed SOP one by one would only delay
    // the exit (measurably so with a thousand SOPs).
    std::mem::forget(catalog);
    if invalid == 0 {
        return Ok(Exit::Success);
    }
    if !args.json {
        let verb = if invalid == 1 { "is" } else { "are" };
        eprintln!("error: {invalid} of {total} SOPs {verb} invalid; run `sop check` for details");
    }
    Ok(Exit::Invalid)
}

/// The spec's Output Format, SOPs sorted by name.
fn text(catalog: &Catalog) -> String {
    let mut out = String::from("=== SOP Engine ===\n");
    let _ = writeln!(out, "Available SOPs: {}", catalog.entries().len());
    for (i, entry) in catalog.entries().iter().enumerate() {
        let n = i + 1;
        match &entry.sop {
            Ok(sop) => {
                let m = &sop.meta;
                let triggers: Vec<String> = sop.triggers.iter().map(ToString::to_string).collect();
                let conditions = sop.conditions.summary();
                let _ = write!(
                    out,
                    "\n{n}. {} {} {} ({})\n   Triggers: {}\n   Conditions: {}\n",
                    m.name,
                    m.display_icon(),
                    m.priority.as_str().to_uppercase(),
                    m.execution_mode,
                    triggers.join(", "),
                    if conditions.is_empty() {
                        "none".to_string()
                    } else {
                        conditions.join(", ")
                    }
                );
            }
            Err(diags) => {
                let _ = writeln!(out, "\n{n}. {} ✗ INVALID", entry.name);
                for d in diags.iter().take(SHOWN_PROBLEMS) {
                    let _ = writeln!(out, "   error: {d}");
                }
                if diags.len() > SHOWN_PROBLEMS {
                    let _ = writeln!(
                        out,
                        "   ... and {} more; run `sop check {}`",
                        diags.len() - SHOWN_PROBLEMS,
                        entry.name
                    );
                }
            }
        }
    }
    out
}
