//! Approval gates in the binary: settings, who may decide at an instant, tokens (random,
//! hashed, compared in constant time), opening a gate's tokens for the engine, decisions,
//! closing and expiry — each written in a store transaction with its audit entries.
//!
//! The engine calls in at three points: [`issue::issue_tokens`] when it opens a gate,
//! [`close::close_gates`] in every transition it writes, and [`expiry::apply`] whenever it
//! loads a run. [`outbox::deliver`] hands tokens out once their gate is committed.

pub mod authority;
pub mod close;
pub mod expiry;
pub mod issue;
pub mod outbox;
pub mod pending;
pub mod plan;
pub mod settings;
pub mod token;
pub mod vote;

pub use settings::ApprovalSettings;
