//! The environment settings built-in variables read: `SOP_TIMEZONE`, `SOP_BUSINESS_HOURS`,
//! `SOP_DISK_PATH`.

use crate::exit::Fail;
use chrono_tz::Tz;
use sop_core::builtins::{BusinessHours, HoursRange, parse_zone};
use std::path::PathBuf;

/// The zone built-ins read local time in: `SOP_TIMEZONE`, else the system's zone, else UTC.
pub fn zone() -> anyhow::Result<Tz> {
    match std::env::var("SOP_TIMEZONE") {
        Ok(name) if !name.trim().is_empty() => {
            parse_zone(&name).map_err(|e| Fail::invalid(format!("SOP_TIMEZONE: {e}")))
        }
        _ => Ok(system_zone()),
    }
}

/// The process's zone as `date` sees it: `TZ` when it names an IANA zone (`Europe/Berlin`,
/// `:Europe/Berlin`), else the machine's (`/etc/localtime`), else UTC. A POSIX rule such as
/// `CET-1CEST` or a zone chrono-tz does not know falls through to the next source.
fn system_zone() -> Tz {
    let from_tz = std::env::var("TZ")
        .ok()
        .and_then(|tz| parse_zone(tz.trim().trim_start_matches(':')).ok());
    from_tz
        .or_else(|| {
            iana_time_zone::get_timezone()
                .ok()
                .and_then(|name| parse_zone(&name).ok())
        })
        .unwrap_or(Tz::UTC)
}

/// `SOP_BUSINESS_HOURS` (default `09:00-18:00`) in [`zone`].
pub fn business_hours() -> anyhow::Result<BusinessHours> {
    let zone = zone()?;
    let hours = match std::env::var("SOP_BUSINESS_HOURS") {
        Ok(text) if !text.trim().is_empty() => text.parse::<HoursRange>().map_err(|e| {
            Fail::invalid(format!(
                "SOP_BUSINESS_HOURS: {e}; write e.g. SOP_BUSINESS_HOURS=\"09:00-18:00\""
            ))
        })?,
        _ => HoursRange::BUSINESS,
    };
    Ok(BusinessHours { zone, hours })
}

/// The path whose filesystem `disk_usage` measures: `SOP_DISK_PATH`, default `/`.
pub fn disk_path() -> PathBuf {
    match std::env::var_os("SOP_DISK_PATH") {
        Some(p) if !p.is_empty() => PathBuf::from(p),
        _ => PathBuf::from("/"),
    }
}
