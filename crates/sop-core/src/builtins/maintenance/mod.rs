//! `maintenance_window` and `maintenance_window_name`: whether an instant falls in one of the
//! windows of `maintenance.toml`.

mod parse;
mod window;

pub use window::{Window, WindowTimes};

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use serde::Serialize;

/// A parsed `maintenance.toml`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct MaintenanceCalendar {
    /// In file order; the first open window names `maintenance_window_name`.
    pub windows: Vec<Window>,
}

/// One window open at the instant asked about.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OpenWindow {
    pub name: String,
    /// When this occurrence opened (inclusive).
    pub from: DateTime<Utc>,
    /// When it closes (exclusive).
    pub to: DateTime<Utc>,
    /// The window's zone, for showing the times.
    #[serde(skip)]
    pub zone: Tz,
}

/// Every window open at one instant, in file order.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct MaintenanceStatus {
    pub open: Vec<OpenWindow>,
}

impl MaintenanceCalendar {
    /// Parses `maintenance.toml`; every problem comes back at once, located.
    pub fn parse(file: &str, text: &str, default_zone: Tz) -> (Self, Vec<crate::Diagnostic>) {
        parse::parse(file, text, default_zone)
    }

    pub fn at(&self, at: DateTime<Utc>) -> MaintenanceStatus {
        let open = self
            .windows
            .iter()
            .filter_map(|w| {
                let (from, to) = w.occurrence_at(at)?;
                Some(OpenWindow {
                    name: w.name.clone(),
                    from,
                    to,
                    zone: w.zone,
                })
            })
            .collect();
        MaintenanceStatus { open }
    }
}

impl MaintenanceStatus {
    /// `maintenance_window`.
    pub fn active(&self) -> bool {
        !self.open.is_empty()
    }

    /// `maintenance_window_name`: the first open window in file order.
    pub fn name(&self) -> Option<&str> {
        self.open.first().map(|w| w.name.as_str())
    }

    /// The explanation: `nightly until 2026-01-16 02:00 Europe/Berlin`.
    pub fn note(&self) -> String {
        match self.open.first() {
            None => "no maintenance window is open".to_string(),
            Some(w) => {
                let to = w.to.with_timezone(&w.zone);
                format!(
                    "{} until {} {}",
                    w.name,
                    to.format("%Y-%m-%d %H:%M"),
                    w.zone
                )
            }
        }
    }
}

#[cfg(test)]
mod tests;
