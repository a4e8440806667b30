//! The operations surface: one [`Service`] per process holding the store, the settings and the
//! clock, and one method per thing a person, a program or a trigger can ask for. Requests and
//! results are typed values; adapters (CLI, server, scheduler) parse, call, and render.

mod audit;
mod caller;
pub mod catalog;
pub mod check;
mod check_settings;
mod condition_names;
mod console_sessions;
mod events;
mod facts;
mod gates;
mod notify;
mod reads;
mod run_control;
mod run_ids;
pub mod schedule;
mod schedule_fire;
mod schedules;
mod server;
mod service;
mod sops;
mod start;
mod tokens;
pub mod webhook_secrets;

pub use caller::Caller;
pub use check::Checked;
pub use check_settings::CheckSettings;
pub use console_sessions::{SESSION_LIFETIME, SESSION_PREFIX, Session, SignedIn};
pub use events::{EmitRequest, EventRecord, Launcher, LeavePending};
pub use facts::{checked_name as checked_fact_name, typed_fact_value};
pub use gates::{GateDecision, GateRequest};
pub use notify::{ChatDecision, LinkState, TestDelivery};
pub use reads::{RunList, RunRecord};
pub use run_control::{Cancelled, KillReport, Paused, StepCompletion};
pub use schedule::{CronTrigger, cron_triggers};
pub use schedule_fire::{TickOutcome, fire_detail};
pub use schedules::UpcomingFire;
pub use server::{DELIVERY_WINDOW, HEARTBEAT_EVERY, ServerIdentity};
pub use service::Service;
pub use sops::{SopStatus, WebhookTarget, parse_status};
pub use start::{DuplicateDelivery, Plan, StartRequest, Started};
pub use tokens::{CreatedToken, NewTokenRequest};

#[cfg(test)]
mod tests;
#[cfg(test)]
mod timeout_tests;
