//! The environment settings built-in variables read: `SOP_TIMEZONE`, `SOP_BUSINESS_HOURS`,
//! `SOP_DISK_PATH`.

use crate::{Error, Settings};
use chrono_tz::Tz;
use sop_core::builtins::{BusinessHours, HoursRange, parse_zone};
use std::path::PathBuf;

/// The zone built-ins read local time in: `SOP_TIMEZONE`, else the system's zone, else UTC.
pub fn zone(s: &Settings) -> crate::Result<Tz> {
    match s.var("SOP_TIMEZONE") {
        Some(name) => parse_zone(name).map_err(|e| Error::invalid(format!("SOP_TIMEZONE: {e}"))),
        None => Ok(system_zone(s)),
    }
}

/// The process's zone as `date` sees it: `TZ` when it names an IANA zone (`Europe/Berlin`,
/// `:Europe/Berlin`), else the machine's (`/etc/localtime`), else UTC. A POSIX rule such as
/// `CET-1CEST` or a zone chrono-tz does not know falls through to the next source.
fn system_zone(s: &Settings) -> Tz {
    let from_tz = s
        .raw_var("TZ")
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
pub fn business_hours(s: &Settings) -> crate::Result<BusinessHours> {
    let zone = zone(s)?;
    let hours = match s.var("SOP_BUSINESS_HOURS") {
        Some(text) => text.parse::<HoursRange>().map_err(|e| {
            Error::invalid(format!(
                "SOP_BUSINESS_HOURS: {e}; write e.g. SOP_BUSINESS_HOURS=\"09:00-18:00\""
            ))
        })?,
        None => HoursRange::BUSINESS,
    };
    Ok(BusinessHours { zone, hours })
}

/// The path whose filesystem `disk_usage` measures: `SOP_DISK_PATH`, default `/`.
pub fn disk_path(s: &Settings) -> PathBuf {
    PathBuf::from(
        s.raw_var("SOP_DISK_PATH")
            .filter(|p| !p.is_empty())
            .unwrap_or("/"),
    )
}
