//! Versioned schema migrations for PostgreSQL, embedded in the binary and recorded in
//! `sop_migrations`, applied at start under an advisory lock: nodes starting together wait for
//! each other and each migration runs once.
//!
//! Policy, as for SQLite: migrations only ever get appended; a released one is never edited.
//! Versions need not be contiguous: changes made side by side take their own numbers, and a
//! database that lacks a version below its highest gets it applied when a build knows it. A
//! database migrated by a newer sop (a version this build does not know) is refused rather than
//! guessed at.

use super::conn::Conn;
use crate::error::{Result, StoreError};

/// `(version, SQL)`, in order.
const MIGRATIONS: &[(i64, &str)] = &[
    (1, include_str!("../../migrations_pg/0001_init.sql")),
    (2, include_str!("../../migrations_pg/0002_server.sql")),
    (3, include_str!("../../migrations_pg/0003_schedule.sql")),
    (4, include_str!("../../migrations_pg/0004_events.sql")),
    (5, include_str!("../../migrations_pg/0005_notify.sql")),
    (6, include_str!("../../migrations_pg/0006_console.sql")),
    (7, include_str!("../../migrations_pg/0007_nodes.sql")),
    (8, include_str!("../../migrations_pg/0008_queue.sql")),
    (9, include_str!("../../migrations_pg/0009_run_deadline.sql")),
    (
        10,
        include_str!("../../migrations_pg/0010_active_deadlines.sql"),
    ),
    (11, include_str!("../../migrations_pg/0011_claims.sql")),
];

/// The PostgreSQL schema version this build writes.
pub const LATEST: i64 = MIGRATIONS[MIGRATIONS.len() - 1].0;

/// The advisory lock migrations hold: one per schema (`current_schema()`), so databases side by
/// side in one server's schemas migrate independently.
const LOCK: &str = "hashtextextended('sop.migrate.' || current_schema(), 0)";

/// Brings the schema up to [`LATEST`].
pub fn migrate(conn: &mut Conn, location: &str) -> Result<()> {
    conn.batch(&format!("SELECT pg_advisory_lock({LOCK})"))?;
    let result = migrate_locked(conn, location);
    // A session lock outlives transactions: give it back whatever happened.
    let unlocked = conn.batch(&format!("SELECT pg_advisory_unlock({LOCK})"));
    result.and(unlocked)
}

fn migrate_locked(conn: &mut Conn, location: &str) -> Result<()> {
    conn.batch(
        "CREATE TABLE IF NOT EXISTS sop_migrations (\
         version BIGINT PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())",
    )?;
    let applied: Vec<i64> = conn
        .query("SELECT version FROM sop_migrations ORDER BY version", &[])?
        .iter()
        .map(|row| row.get(0))
        .collect();
    if let Some(unknown) = applied
        .iter()
        .find(|v| !MIGRATIONS.iter().any(|(m, _)| m == *v))
    {
        return Err(StoreError::NewerSchema {
            location: location.to_owned(),
            found: applied.last().copied().unwrap_or(*unknown).max(*unknown),
            supported: LATEST,
        });
    }
    for (version, sql) in MIGRATIONS.iter().filter(|(v, _)| !applied.contains(v)) {
        // Each migration and its record in one transaction: a failed one leaves nothing behind.
        let script = format!(
            "BEGIN; {sql}\nINSERT INTO sop_migrations (version) VALUES ({version}); COMMIT;"
        );
        if let Err(e) = conn.batch(&script) {
            let _ = conn.batch("ROLLBACK");
            return Err(StoreError::Backend(
                format!("migration {version} failed: {e}").into(),
            ));
        }
    }
    Ok(())
}
