//! `sop serve`: the HTTP API and webhook triggers, the second front end of the operations in
//! [`sop_engine::Service`]. Handlers parse, call one operation on a blocking thread, and map
//! the result; runs are driven by a bounded pool of threads ([`dispatcher`]), a sweeper picks
//! up runs left pending by anyone and runs whose process died, and a deadline timer applies
//! gate deadlines on time.

mod auth;
mod body;
mod body_deadline;
mod body_schemas;
pub mod config;
mod connections;
mod console;
mod content_encoding;
mod deadline_timer;
mod dispatcher;
mod draining;
mod error;
mod events;
mod json_errors;
mod live_output;
pub mod logging;
mod metrics;
mod notifier;
pub mod openapi;
mod openapi_inputs;
mod openapi_schemas;
mod pages;
mod params;
mod parked_threads;
mod private_memory;
mod reload;
mod routes;
mod scheduler;
mod serve;
pub mod signature;
mod state;
mod sweeper;

pub use config::{LogFormat, ServerConfig, ServerError};
pub use serve::{Bound, bind};
