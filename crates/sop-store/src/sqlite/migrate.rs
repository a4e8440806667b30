//! Versioned schema migrations, embedded in the binary and tracked in SQLite's `user_version`.
//!
//! Policy: migrations only ever get appended; a released one is never edited. A database from a
//! newer sop is refused rather than guessed at.

use crate::error::{Result, StoreError};
use rusqlite::{Connection, TransactionBehavior};

/// `(version, SQL)`, in order. The SQL of version N takes a database from N-1 to N.
const MIGRATIONS: &[(i64, &str)] = &[
    (1, include_str!("../../migrations/0001_init.sql")),
    (
        2,
        include_str!("../../migrations/0002_audit_identity_key.sql"),
    ),
];

/// The schema version this build writes.
pub const LATEST: i64 = MIGRATIONS[MIGRATIONS.len() - 1].0;

fn version(conn: &Connection) -> Result<i64> {
    Ok(conn.pragma_query_value(None, "user_version", |r| r.get(0))?)
}

/// Brings the schema up to [`LATEST`]. Safe when several processes open a new database at once:
/// the version is re-read under the write lock, so each migration runs exactly once.
pub fn migrate(conn: &mut Connection, location: &str) -> Result<()> {
    let current = version(conn)?;
    check_not_newer(current, location)?;
    if current == LATEST {
        return Ok(());
    }
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let current = version(&tx)?;
    check_not_newer(current, location)?;
    for (v, sql) in MIGRATIONS.iter().filter(|(v, _)| *v > current) {
        tx.execute_batch(sql)
            .map_err(|e| StoreError::Backend(format!("migration {v} failed: {e}").into()))?;
        tx.pragma_update(None, "user_version", v)?;
    }
    tx.commit()?;
    Ok(())
}

fn check_not_newer(found: i64, location: &str) -> Result<()> {
    if found > LATEST {
        return Err(StoreError::NewerSchema {
            location: location.to_owned(),
            found,
            supported: LATEST,
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn migrates_once_and_refuses_newer() {
        let mut conn = Connection::open_in_memory().unwrap();
        migrate(&mut conn, "mem").unwrap();
        assert_eq!(version(&conn).unwrap(), LATEST);
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
}
