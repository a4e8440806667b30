//! Secrets: which names mark a value as secret, and hiding known secret values in text.
//!
//! Two rules work together, as in CI systems: a variable, fact or output whose *name* says it is
//! secret ([`is_secret_name`]) or that is declared `secret = true` has its value collected, and
//! every occurrence of such a value in text that is shown or stored is replaced by
//! [`REDACTED`] ([`SecretMask`], or [`StreamMask`] for output that arrives in chunks).

mod mask;
mod name;
mod stream;

pub use mask::{MIN_SECRET_CHARS, SecretMask};
pub use name::is_secret_name;
pub use stream::StreamMask;

/// What a secret value is replaced with.
pub const REDACTED: &str = "[redacted]";
