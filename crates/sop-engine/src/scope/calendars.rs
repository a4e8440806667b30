//! Reading `<SOP_DIR>/oncall.toml` and `<SOP_DIR>/maintenance.toml` for the pure parsers.

use chrono_tz::Tz;
use sop_core::Diagnostic;
use sop_core::builtins::{MaintenanceCalendar, OnCallSchedule};
use std::path::Path;

pub const ONCALL_FILE: &str = "oncall.toml";
pub const MAINTENANCE_FILE: &str = "maintenance.toml";

/// Calendar files are small; anything larger is a mistake, not a schedule.
const MAX_BYTES: u64 = 1024 * 1024;

/// A calendar file as found on disk.
#[derive(Debug)]
pub enum Loaded<T> {
    /// No such file: the feature is simply not configured.
    Missing,
    Valid(T),
    /// Unreadable or with problems; every problem, located.
    Invalid(Vec<Diagnostic>),
}

pub fn oncall(sop_dir: &Path, zone: Tz) -> Loaded<OnCallSchedule> {
    load(&sop_dir.join(ONCALL_FILE), |label, text| {
        OnCallSchedule::parse(label, text, zone)
    })
}

pub fn maintenance(sop_dir: &Path, zone: Tz) -> Loaded<MaintenanceCalendar> {
    load(&sop_dir.join(MAINTENANCE_FILE), |label, text| {
        MaintenanceCalendar::parse(label, text, zone)
    })
}

fn load<T>(path: &Path, parse: impl FnOnce(&str, &str) -> (T, Vec<Diagnostic>)) -> Loaded<T> {
    let label = path.display().to_string();
    match read(path) {
        Ok(None) => Loaded::Missing,
        Ok(Some(text)) => match parse(&label, &text) {
            (value, diags) if diags.is_empty() => Loaded::Valid(value),
            (_, diags) => Loaded::Invalid(diags),
        },
        Err(message) => Loaded::Invalid(vec![Diagnostic::file(label, message)]),
    }
}

fn read(path: &Path) -> Result<Option<String>, String> {
    let meta = match std::fs::metadata(path) {
        Ok(m) => m,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(format!("cannot read the file: {e}")),
    };
    if !meta.is_file() {
        return Err("is not a regular file".to_string());
    }
    if meta.len() > MAX_BYTES {
        return Err(format!(
            "is {} bytes; calendar files are limited to {MAX_BYTES} bytes",
            meta.len()
        ));
    }
    let bytes = std::fs::read(path).map_err(|e| format!("cannot read the file: {e}"))?;
    String::from_utf8(bytes).map(Some).map_err(|e| {
        format!(
            "is not UTF-8 (invalid byte at offset {})",
            e.utf8_error().valid_up_to()
        )
    })
}
