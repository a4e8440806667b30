//! What people and programs see of runs: progress lines and the live view, reports, the dry
//! run's text, `--json` documents, and the exit code a run's state maps to.

pub mod dry_run;
pub mod events;
pub mod exit_code;
pub mod json;
pub mod live;
pub mod progress;
pub mod report;
pub mod terminal;

pub use exit_code::exit_code;
pub use progress::Progress;
