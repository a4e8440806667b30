//! The operations surface: one [`Service`] per process holding the store, the settings and the
//! clock, and one method per thing a person, a program or a trigger can ask for. Requests and
//! results are typed values; adapters (CLI, server, scheduler) parse, call, and render.

mod caller;
mod gates;
mod reads;
mod run_control;
mod service;
mod start;

pub use caller::Caller;
pub use gates::{GateDecision, GateRequest};
pub use reads::{RunList, RunRecord};
pub use run_control::{Cancelled, KillReport, Paused, StepCompletion};
pub use service::Service;
pub use start::{Plan, StartRequest, Started};

#[cfg(test)]
mod tests;
