//! One module per subcommand. Each parses its flags, calls into the core/store, prints.

pub mod approve;
pub mod arg_input;
pub mod audit;
pub mod cancel;
pub mod check;
pub mod check_at;
pub mod done;
pub mod eval;
pub mod execute;
pub mod fact;
pub mod list;
pub mod logs;
pub mod mcp;
pub mod next;
pub mod pause;
pub mod pending;
pub mod prune;
pub mod reject;
pub mod respond;
pub mod resume;
pub mod retry;
pub mod run_target;
pub mod show;
pub mod skip;
pub mod status;
