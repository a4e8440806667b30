//! Cost of the built-in condition variables at one instant: parsing the calendar files and
//! asking who is on call, whether a maintenance window is open and whether it is business hours.

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use criterion::{Criterion, criterion_group, criterion_main};
use sop_core::builtins::{BusinessHours, MaintenanceCalendar, OnCallSchedule};
use std::hint::black_box;

/// Three rotations (one with days and hours) and two overrides, as a team might keep them.
const ONCALL: &str = r#"
[[rotation]]
name = "primary"
people = ["alice", "bob", "carol", "dave", "erin"]
start = "2024-01-01T09:00:00"
shift = "7d"
timezone = "Europe/Berlin"

[[rotation]]
name = "secondary"
people = ["frank", "grace", "heidi"]
start = "2024-01-01T09:00:00"
shift = "7d"
timezone = "Europe/Berlin"

[[rotation]]
name = "office"
people = ["ivan", "judy"]
start = "2024-01-01T00:00:00"
shift = "1d"
days = ["mon", "tue", "wed", "thu", "fri"]
hours = "09:00-18:00"
timezone = "America/New_York"

[[override]]
person = "mallory"
rotation = "primary"
from = "2026-03-10T09:00:00"
to = "2026-03-11T09:00:00"

[[override]]
person = "oscar"
from = "2026-06-01T00:00:00Z"
to = "2026-06-02T00:00:00Z"
"#;

/// A nightly window crossing midnight, a weekly one and a one-off.
const MAINTENANCE: &str = r#"
[[window]]
name = "nightly"
start = "0 23 * * *"
duration = "3h"
timezone = "Europe/Berlin"

[[window]]
name = "weekly"
start = "0 22 * * sat"
duration = "1d"

[[window]]
name = "db-migration"
from = "2026-03-01T22:00:00Z"
to = "2026-03-02T02:00:00Z"
"#;

fn bench(c: &mut Criterion) {
    let at: DateTime<Utc> = "2026-03-29T00:30:00Z".parse().unwrap();
    let (oncall, diags) = OnCallSchedule::parse("oncall.toml", ONCALL, Tz::UTC);
    assert!(diags.is_empty(), "{diags:?}");
    let (maintenance, diags) = MaintenanceCalendar::parse("maintenance.toml", MAINTENANCE, Tz::UTC);
    assert!(diags.is_empty(), "{diags:?}");
    let business = BusinessHours::new(Tz::Europe__Berlin);

    c.bench_function("builtins/oncall_parse", |b| {
        b.iter(|| OnCallSchedule::parse("oncall.toml", black_box(ONCALL), Tz::UTC))
    });
    c.bench_function("builtins/oncall_at", |b| {
        b.iter(|| oncall.at(black_box(at)))
    });
    c.bench_function("builtins/maintenance_parse", |b| {
        b.iter(|| MaintenanceCalendar::parse("maintenance.toml", black_box(MAINTENANCE), Tz::UTC))
    });
    c.bench_function("builtins/maintenance_at", |b| {
        b.iter(|| maintenance.at(black_box(at)))
    });
    c.bench_function("builtins/business_hours_at", |b| {
        b.iter(|| business.at(black_box(at)))
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
