//! The settings `sop check` validates besides the SOPs: `SOP_TIMEZONE`, `SOP_BUSINESS_HOURS`,
//! `SOP_PRIORITY_MODES`, `SOP_GROUPS` and the groups file. A bad one is reported with the other
//! problems instead of stopping the check.

use crate::approval::ApprovalSettings;
use crate::scope::settings;
use chrono_tz::Tz;
use std::io::Write as _;
use std::path::Path;

/// What the check runs with, and what was wrong with the settings (each message names the
/// setting). Broken settings fall back to their defaults so the SOPs are still checked.
pub struct Settings {
    pub zone: Tz,
    pub approvals: ApprovalSettings,
    pub problems: Vec<String>,
}

pub fn load(sop_dir: &Path) -> Settings {
    let mut problems = Vec::new();
    let zone = settings::zone().unwrap_or_else(|e| {
        problems.push(format!("{e:#}"));
        Tz::UTC
    });
    // The zone's own problem is already reported; this adds only the hours' problem.
    if let Err(e) = settings::business_hours()
        && problems.is_empty()
    {
        problems.push(format!("{e:#}"));
    }
    let approvals = ApprovalSettings::load(sop_dir).unwrap_or_else(|e| {
        problems.push(format!("{e:#}"));
        ApprovalSettings::default()
    });
    Settings {
        zone,
        approvals,
        problems,
    }
}

/// A `FAIL settings` line on stdout and every problem on stderr, like an invalid SOP.
pub fn print_problems(problems: &[String]) -> std::io::Result<()> {
    if problems.is_empty() {
        return Ok(());
    }
    let n = problems.len();
    let mut out = std::io::stdout().lock();
    writeln!(
        out,
        "FAIL settings: {n} problem{}",
        if n == 1 { "" } else { "s" }
    )?;
    out.flush()?;
    let mut err = std::io::stderr().lock();
    for p in problems {
        writeln!(err, "error: {p}\n")?;
    }
    Ok(())
}
