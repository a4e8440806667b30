//! SQL for console sessions: insert, lookup by the cookie's hash, sign-out, forgetting.

use super::codec::{RowExt, ts};
use crate::error::{Result, StoreError};
use crate::records::ConsoleSession;
use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension, params};

const COLS: &str = "hash, user, scopes, token_id, csrf, created_at, expires_at";

pub fn insert(conn: &Connection, s: &ConsoleSession) -> Result<()> {
    let inserted = conn
        .prepare_cached(&format!(
            "INSERT INTO console_sessions ({COLS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)"
        ))?
        .execute(params![
            s.hash,
            s.user,
            s.scopes.join(","),
            s.token_id,
            s.csrf,
            ts(s.created_at),
            ts(s.expires_at),
        ]);
    match inserted {
        Ok(_) => Ok(()),
        Err(e) if e.sqlite_error_code() == Some(rusqlite::ErrorCode::ConstraintViolation) => {
            Err(StoreError::AlreadyExists {
                what: "console session",
                key: "(hash)".into(),
            })
        }
        Err(e) => Err(e.into()),
    }
}

pub fn by_hash(conn: &Connection, hash: &str) -> Result<Option<ConsoleSession>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {COLS} FROM console_sessions WHERE hash = ?1"
    ))?;
    stmt.query_row([hash], |row| Ok(decode(row)))
        .optional()?
        .transpose()
}

fn decode(row: &rusqlite::Row<'_>) -> Result<ConsoleSession> {
    Ok(ConsoleSession {
        hash: row.text(0)?,
        user: row.text(1)?,
        scopes: row
            .text(2)?
            .split(',')
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .collect(),
        token_id: row.opt_text(3)?,
        csrf: row.text(4)?,
        created_at: row.time(5)?,
        expires_at: row.time(6)?,
    })
}

pub fn delete(conn: &Connection, hash: &str) -> Result<bool> {
    Ok(conn
        .prepare_cached("DELETE FROM console_sessions WHERE hash = ?1")?
        .execute([hash])?
        > 0)
}

pub fn forget(conn: &Connection, now: DateTime<Utc>, token_id: Option<&str>) -> Result<u64> {
    Ok(conn
        .prepare_cached(
            "DELETE FROM console_sessions WHERE expires_at <= ?1 OR (?2 IS NOT NULL AND token_id = ?2)",
        )?
        .execute(params![ts(now), token_id])? as u64)
}
