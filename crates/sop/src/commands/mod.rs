//! One module per subcommand. Each parses its flags, calls into the core/store, prints.

pub mod check;
pub mod check_at;
pub mod eval;
pub mod fact;
pub mod list;
pub mod show;
