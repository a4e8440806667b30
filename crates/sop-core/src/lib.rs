//! The pure core of sop: SOP definitions, the condition language and the run state machine.
//!
//! Nothing in this crate performs I/O or reads the clock: files arrive as text, time arrives as a
//! value. That is what makes every parsing and timing rule testable in isolation.

pub mod builtins;
pub mod condition;
pub mod definition;
pub mod diagnostic;
pub mod duration;
pub mod execution_mode;
pub mod gate;
pub mod json_depth;
pub mod notify;
pub mod parameters;
pub mod priority;
pub mod run;
pub mod schedule;
pub mod secret;
pub mod step_output;
pub mod suggest;
pub mod template;
pub mod toml_read;

pub use diagnostic::{Diagnostic, LineIndex};
pub use duration::Duration;
pub use execution_mode::ExecutionMode;
pub use priority::Priority;
