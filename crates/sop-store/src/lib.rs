//! Durable state for sop — runs, steps, gates, facts, audit — behind the [`Store`] trait.
//!
//! This is the only crate that knows SQL. SQLite (embedded) is the default backend.
