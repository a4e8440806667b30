//! The store suite on PostgreSQL: every case in a new schema of the test database, dropped
//! after (see [`pg_schema`]).

mod pg_schema;
mod suite;

pub use pg_schema::pg_schema;

suite::store_suite!(crate::pg_schema);
