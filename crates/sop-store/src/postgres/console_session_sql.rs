//! SQL for console sessions: insert, lookup by the cookie's hash, sign-out, forgetting.

use super::codec::RowExt;
use super::conn::Conn;
use crate::error::{Result, StoreError};
use crate::records::ConsoleSession;
use chrono::{DateTime, Utc};
use postgres::Row;

const COLS: &str = "hash, \"user\", scopes, token_id, csrf, created_at, expires_at";

pub fn insert(conn: &mut Conn, s: &ConsoleSession) -> Result<()> {
    // ON CONFLICT keeps the transaction usable: a failed statement would abort all of it.
    let n = conn.execute(
        &format!(
            "INSERT INTO console_sessions ({COLS}) VALUES ($1, $2, $3, $4, $5, $6, $7) \
             ON CONFLICT DO NOTHING"
        ),
        &[
            &s.hash,
            &s.user,
            &s.scopes.join(","),
            &s.token_id,
            &s.csrf,
            &s.created_at,
            &s.expires_at,
        ],
    )?;
    if n == 0 {
        return Err(StoreError::AlreadyExists {
            what: "console session",
            key: "(hash)".into(),
        });
    }
    Ok(())
}

pub fn by_hash(conn: &mut Conn, hash: &str) -> Result<Option<ConsoleSession>> {
    let sql = format!("SELECT {COLS} FROM console_sessions WHERE hash = $1");
    conn.query_opt(&sql, &[&hash])?
        .as_ref()
        .map(decode)
        .transpose()
}

fn decode(row: &Row) -> Result<ConsoleSession> {
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

pub fn delete(conn: &mut Conn, hash: &str) -> Result<bool> {
    Ok(conn.execute("DELETE FROM console_sessions WHERE hash = $1", &[&hash])? > 0)
}

pub fn forget(conn: &mut Conn, now: DateTime<Utc>, token_id: Option<&str>) -> Result<u64> {
    conn.execute(
        "DELETE FROM console_sessions WHERE expires_at <= $1 OR ($2::text IS NOT NULL AND token_id = $2)",
        &[&now, &token_id],
    )
}
