//! SQL for API tokens: insert, lookup by hash, list, revoke, last use.

use super::codec::{RowExt, opt_ts, stored, ts};
use crate::error::{Result, StoreError};
use crate::records::{ApiToken, NewApiToken};
use chrono::{DateTime, Utc};
use rusqlite::{Connection, Row, params};

const COLS: &str =
    "id, hash, user, scopes, created_at, created_by, expires_at, revoked_at, last_used_at";

fn decode(row: &Row<'_>) -> Result<ApiToken> {
    Ok(ApiToken {
        id: row.text(0)?,
        hash: row.text(1)?,
        user: row.text(2)?,
        scopes: split_scopes(&row.text(3)?),
        created_at: row.time(4)?,
        created_by: row.text(5)?,
        expires_at: row.opt_time(6)?,
        revoked_at: row.opt_time(7)?,
        last_used_at: row.opt_time(8)?,
    })
}

fn split_scopes(text: &str) -> Vec<String> {
    text.split(',')
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect()
}

pub fn insert(conn: &Connection, new: &NewApiToken) -> Result<ApiToken> {
    let inserted = conn
        .prepare_cached(&format!(
            "INSERT INTO api_tokens ({COLS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, NULL, NULL)"
        ))?
        .execute(params![
            new.id,
            new.hash,
            new.user,
            new.scopes.join(","),
            ts(new.created_at),
            new.created_by,
            opt_ts(new.expires_at),
        ]);
    match inserted {
        Ok(_) => {}
        Err(e) if e.sqlite_error_code() == Some(rusqlite::ErrorCode::ConstraintViolation) => {
            return Err(StoreError::AlreadyExists {
                what: "API token",
                key: new.id.clone(),
            });
        }
        Err(e) => return Err(e.into()),
    }
    Ok(ApiToken {
        id: new.id.clone(),
        hash: new.hash.clone(),
        user: new.user.clone(),
        scopes: new.scopes.clone(),
        created_at: stored(new.created_at),
        created_by: new.created_by.clone(),
        expires_at: new.expires_at.map(stored),
        revoked_at: None,
        last_used_at: None,
    })
}

pub fn by_hash(conn: &Connection, hash: &str) -> Result<Option<ApiToken>> {
    let mut stmt =
        conn.prepare_cached(&format!("SELECT {COLS} FROM api_tokens WHERE hash = ?1"))?;
    let mut rows = stmt.query([hash])?;
    rows.next()?.map(decode).transpose()
}

pub fn list(conn: &Connection) -> Result<Vec<ApiToken>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {COLS} FROM api_tokens ORDER BY created_at, id"
    ))?;
    let mut rows = stmt.query([])?;
    let mut out = Vec::new();
    while let Some(row) = rows.next()? {
        out.push(decode(row)?);
    }
    Ok(out)
}

pub fn revoke(conn: &Connection, id: &str, at: DateTime<Utc>) -> Result<ApiToken> {
    conn.prepare_cached(
        "UPDATE api_tokens SET revoked_at = ?2 WHERE id = ?1 AND revoked_at IS NULL",
    )?
    .execute(params![id, ts(at)])?;
    let mut stmt = conn.prepare_cached(&format!("SELECT {COLS} FROM api_tokens WHERE id = ?1"))?;
    let mut rows = stmt.query([id])?;
    match rows.next()? {
        Some(row) => decode(row),
        None => Err(StoreError::NotFound {
            what: "API token",
            key: id.to_owned(),
        }),
    }
}

pub fn touch(conn: &Connection, id: &str, at: DateTime<Utc>) -> Result<()> {
    conn.prepare_cached("UPDATE api_tokens SET last_used_at = ?2 WHERE id = ?1")?
        .execute(params![id, ts(at)])?;
    Ok(())
}
