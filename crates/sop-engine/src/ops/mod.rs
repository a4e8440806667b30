//! The operations surface: one [`Service`] per process holding the store, the settings and the
//! clock, and one method per thing a person, a program or a trigger can ask for. Requests and
//! results are typed values; adapters (CLI, server, scheduler) parse, call, and render.

mod audit;
mod caller;
mod facts;
mod gates;
mod reads;
mod run_control;
mod run_ids;
mod server;
mod service;
mod sops;
mod start;
mod tokens;

pub use caller::Caller;
pub use facts::{checked_fact_name, shown as shown_fact};
pub use gates::{GateDecision, GateRequest};
pub use reads::{RunList, RunRecord};
pub use run_control::{Cancelled, KillReport, Paused, StepCompletion};
pub use server::{DELIVERY_WINDOW, HEARTBEAT_EVERY, ServerIdentity};
pub use service::Service;
pub use sops::{SopStatus, WebhookTarget, parse_status};
pub use start::{DuplicateDelivery, Plan, StartRequest, Started};
pub use tokens::{CreatedToken, NewTokenRequest};
