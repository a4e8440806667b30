//! What only the PostgreSQL backend has: migrations shared by nodes starting together, the
//! hashed text stored as hashed, lost races that PostgreSQL reports, and verified TLS.

#[path = "suite/mod.rs"]
mod suite;

mod pg_schema;

mod postgres_only {
    pub mod migrations;
    pub mod races;
    pub mod stored_text;
    pub mod tls;
}
