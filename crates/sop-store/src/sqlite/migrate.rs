//! Versioned schema migrations, embedded in the binary. Applied versions are listed in the
//! `schema_migrations` table (SQLite's `user_version` holds the highest, for tools that read it).
//!
//! Policy: migrations only ever get appended; a released one is never edited. Versions need not
//! be contiguous: changes made side by side take their own numbers, and a database that lacks a
//! version below its highest gets it applied when a build knows it. Migrations must therefore
//! not depend on one another's order beyond their numbers. A database from a newer sop (a
//! version this build does not know) is refused rather than guessed at.

use crate::error::{Result, StoreError};
use rusqlite::{Connection, TransactionBehavior};
use std::collections::BTreeSet;

/// `(version, SQL)`, in order.
const MIGRATIONS: &[(i64, &str)] = &[
    (1, include_str!("../../migrations/0001_init.sql")),
    (
        2,
        include_str!("../../migrations/0002_audit_identity_key.sql"),
    ),
    (3, include_str!("../../migrations/0003_server.sql")),
    (4, include_str!("../../migrations/0004_schedule.sql")),
    (5, include_str!("../../migrations/0005_events.sql")),
    (6, include_str!("../../migrations/0006_notify.sql")),
    (7, include_str!("../../migrations/0007_console.sql")),
    (8, include_str!("../../migrations/0008_queue.sql")),
    (9, include_str!("../../migrations/0009_run_deadline.sql")),
    (
        10,
        include_str!("../../migrations/0010_active_deadlines.sql"),
    ),
    (11, include_str!("../../migrations/0011_claims.sql")),
];

/// The schema version this build writes.
pub const LATEST: i64 = MIGRATIONS[MIGRATIONS.len() - 1].0;

fn user_version(conn: &Connection) -> Result<i64> {
    Ok(conn.pragma_query_value(None, "user_version", |r| r.get(0))?)
}

/// The versions applied to the database. One made before the ledger existed has every known
/// version up to its `user_version`.
fn applied(conn: &Connection) -> Result<BTreeSet<i64>> {
    let ledger: bool = conn.query_row(
        "SELECT count(*) > 0 FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'",
        [],
        |r| r.get(0),
    )?;
    if ledger {
        let mut stmt = conn.prepare("SELECT version FROM schema_migrations")?;
        let versions = stmt.query_map([], |r| r.get(0))?;
        return Ok(versions.collect::<rusqlite::Result<_>>()?);
    }
    let top = user_version(conn)?;
    Ok(MIGRATIONS
        .iter()
        .map(|(v, _)| *v)
        .filter(|v| *v <= top)
        .collect())
}

fn missing(conn: &Connection, location: &str) -> Result<Vec<(i64, &'static str)>> {
    let done = applied(conn)?;
    let top = user_version(conn)?.max(done.last().copied().unwrap_or(0));
    let unknown = done.iter().any(|v| !MIGRATIONS.iter().any(|(m, _)| m == v));
    if top > LATEST || unknown {
        return Err(StoreError::NewerSchema {
            location: location.to_owned(),
            found: top,
            supported: LATEST,
        });
    }
    Ok(MIGRATIONS
        .iter()
        .filter(|(v, _)| !done.contains(v))
        .copied()
        .collect())
}

/// Brings the schema up to date. Safe when several processes open a new database at once: what
/// is applied is re-read under the write lock, so each migration runs exactly once.
pub fn migrate(conn: &mut Connection, location: &str) -> Result<()> {
    if missing(conn, location)?.is_empty() {
        return Ok(());
    }
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let todo = missing(&tx, location)?;
    let before = applied(&tx)?;
    tx.execute_batch("CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY)")?;
    for v in &before {
        tx.execute(
            "INSERT OR IGNORE INTO schema_migrations (version) VALUES (?1)",
            [v],
        )?;
    }
    for (v, sql) in todo {
        tx.execute_batch(sql)
            .map_err(|e| StoreError::Backend(format!("migration {v} failed: {e}").into()))?;
        tx.execute("INSERT INTO schema_migrations (version) VALUES (?1)", [v])?;
    }
    let top = applied(&tx)?.last().copied().unwrap_or(0);
    tx.pragma_update(None, "user_version", top)?;
    tx.commit()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn migrates_once_and_refuses_newer() {
        let mut conn = Connection::open_in_memory().unwrap();
        migrate(&mut conn, "mem").unwrap();
        assert_eq!(user_version(&conn).unwrap(), LATEST);
        migrate(&mut conn, "mem").unwrap();
        conn.pragma_update(None, "user_version", LATEST + 1)
            .unwrap();
        let err = migrate(&mut conn, "sqlite:/x.db").unwrap_err();
        assert_eq!(
            err.to_string(),
            format!(
                "the database sqlite:/x.db has schema version {}, but this sop understands only up to {LATEST}; upgrade sop, or point SOP_DATABASE_URL at another database",
                LATEST + 1
            )
        );
    }

    #[test]
    fn a_database_made_before_the_ledger_gets_the_versions_it_lacks() {
        let mut conn = Connection::open_in_memory().unwrap();
        conn.execute_batch(MIGRATIONS[0].1).unwrap();
        conn.pragma_update(None, "user_version", 1).unwrap();
        migrate(&mut conn, "mem").unwrap();
        let done = applied(&conn).unwrap();
        assert_eq!(
            done.into_iter().collect::<Vec<_>>(),
            MIGRATIONS.iter().map(|(v, _)| *v).collect::<Vec<_>>()
        );
        let tokens: i64 = conn
            .query_row("SELECT count(*) FROM api_tokens", [], |r| r.get(0))
            .unwrap();
        assert_eq!(tokens, 0);
    }

    #[test]
    fn a_version_missing_below_the_highest_is_applied() {
        let mut conn = Connection::open_in_memory().unwrap();
        migrate(&mut conn, "mem").unwrap();
        // As if the database came from a build that knew only the highest migration.
        conn.execute_batch(
            "DROP TABLE api_tokens; DROP TABLE servers; DROP TABLE deliveries; \
             DELETE FROM schema_migrations WHERE version = 3",
        )
        .unwrap();
        migrate(&mut conn, "mem").unwrap();
        assert!(applied(&conn).unwrap().contains(&3));
        let n: i64 = conn
            .query_row("SELECT count(*) FROM servers", [], |r| r.get(0))
            .unwrap();
        assert_eq!(n, 0);
    }

    #[test]
    fn an_unknown_applied_version_is_refused() {
        let mut conn = Connection::open_in_memory().unwrap();
        migrate(&mut conn, "mem").unwrap();
        conn.execute("INSERT INTO schema_migrations (version) VALUES (99)", [])
            .unwrap();
        assert!(matches!(
            migrate(&mut conn, "mem"),
            Err(StoreError::NewerSchema { .. })
        ));
    }
}
