//! The operations every sop front end shares: reading SOPs, starting and driving runs,
//! deciding gates, facts, the audit trail. The CLI, the server and any other adapter call
//! [`Service`]; nothing here prints, reads process arguments or exits.

pub mod api_tokens;
pub mod approval;
pub mod catalog;
pub mod clock;
pub mod documents;
pub mod engine;
pub mod error;
pub mod events;
pub mod executor;
pub mod notify;
pub mod ops;
pub mod scope;
pub mod settings;
pub mod stop;

pub use clock::Clock;
pub use error::{Error, ErrorKind, Remedy, Result};
pub use events::{NoEvents, RunEvents};
pub use ops::{Caller, Service};
pub use settings::Settings;
pub use stop::StopSignal;
