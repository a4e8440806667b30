//! The scheduler's decisions, with time passed in: which ticks of a cron trigger are due, which
//! of them run on time, which are caught up after a gap, which are recorded as missed, and what
//! each tick's outcome is called.

mod decision;
mod ticks;

pub use decision::FireDecision;
pub use ticks::{MISSED_COUNT_LIMIT, Missed, ON_TIME_WINDOW, TickPlan, plan_ticks};
