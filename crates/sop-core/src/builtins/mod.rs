//! Built-in condition variables computed from an instant and configuration: business hours,
//! on-call rotations and maintenance windows.
//!
//! Every function here is pure: the instant arrives as a `DateTime<Utc>`, calendar files arrive
//! as text. The binary reads the clock, the environment and the files, then calls in.

mod business_hours;
mod calendar_reader;
mod hours_range;
mod local_time;
mod maintenance;
mod oncall;
#[cfg(test)]
mod proptests;
mod weekdays;

pub use business_hours::{BusinessHours, TimeFacts};
pub use hours_range::{HoursRange, HoursRangeError};
pub use local_time::{parse_instant, parse_zone, resolve_local};
pub use maintenance::{MaintenanceCalendar, MaintenanceStatus, OpenWindow, Window, WindowTimes};
pub use oncall::{OnCall, OnCallSchedule, OnCallStatus, Override, Rotation};
pub use weekdays::{day_name, is_weekday, parse_day};
