//! Per-person API tokens: what a token may do ([`Scope`]), who a request acts for
//! ([`Principal`]), and how a presented token is recognised ([`ApiAuth`]).

mod auth;
mod scope;

pub use auth::{ADMIN_TOKEN_USER, ApiAuth, PREFIX};
pub use scope::{Principal, Scope};
