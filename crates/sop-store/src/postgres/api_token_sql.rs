//! SQL for API tokens: insert, lookup by hash, list, revoke, last use.

use super::codec::RowExt;
use super::conn::Conn;
use crate::error::{Result, StoreError};
use crate::records::{ApiToken, NewApiToken};
use chrono::{DateTime, SubsecRound, Utc};
use postgres::Row;

const COLS: &str =
    "id, hash, \"user\", scopes, created_at, created_by, expires_at, revoked_at, last_used_at";

fn decode(row: &Row) -> Result<ApiToken> {
    Ok(ApiToken {
        id: row.text(0)?,
        hash: row.text(1)?,
        user: row.text(2)?,
        scopes: row
            .text(3)?
            .split(',')
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .collect(),
        created_at: row.time(4)?,
        created_by: row.text(5)?,
        expires_at: row.opt_time(6)?,
        revoked_at: row.opt_time(7)?,
        last_used_at: row.opt_time(8)?,
    })
}

pub fn insert(conn: &mut Conn, new: &NewApiToken) -> Result<ApiToken> {
    // ON CONFLICT keeps the transaction usable: a failed statement would abort all of it.
    let n = conn.execute(
        &format!(
            "INSERT INTO api_tokens ({COLS}) VALUES ($1, $2, $3, $4, $5, $6, $7, NULL, NULL) \
             ON CONFLICT DO NOTHING"
        ),
        &[
            &new.id,
            &new.hash,
            &new.user,
            &new.scopes.join(","),
            &new.created_at,
            &new.created_by,
            &new.expires_at,
        ],
    )?;
    if n == 0 {
        return Err(StoreError::AlreadyExists {
            what: "API token",
            key: new.id.clone(),
        });
    }
    Ok(ApiToken {
        id: new.id.clone(),
        hash: new.hash.clone(),
        user: new.user.clone(),
        scopes: new.scopes.clone(),
        created_at: new.created_at.trunc_subsecs(6),
        created_by: new.created_by.clone(),
        expires_at: new.expires_at.map(|t| t.trunc_subsecs(6)),
        revoked_at: None,
        last_used_at: None,
    })
}

pub fn by_hash(conn: &mut Conn, hash: &str) -> Result<Option<ApiToken>> {
    let sql = format!("SELECT {COLS} FROM api_tokens WHERE hash = $1");
    conn.query_opt(&sql, &[&hash])?
        .as_ref()
        .map(decode)
        .transpose()
}

pub fn list(conn: &mut Conn) -> Result<Vec<ApiToken>> {
    let sql = format!("SELECT {COLS} FROM api_tokens ORDER BY created_at, id");
    conn.query(&sql, &[])?.iter().map(decode).collect()
}

pub fn revoke(conn: &mut Conn, id: &str, at: DateTime<Utc>) -> Result<ApiToken> {
    conn.execute(
        "UPDATE api_tokens SET revoked_at = $2 WHERE id = $1 AND revoked_at IS NULL",
        &[&id, &at],
    )?;
    let sql = format!("SELECT {COLS} FROM api_tokens WHERE id = $1");
    match conn.query_opt(&sql, &[&id])? {
        Some(row) => decode(&row),
        None => Err(StoreError::NotFound {
            what: "API token",
            key: id.to_owned(),
        }),
    }
}

pub fn touch(conn: &mut Conn, id: &str, at: DateTime<Utc>) -> Result<()> {
    conn.execute(
        "UPDATE api_tokens SET last_used_at = $2 WHERE id = $1",
        &[&id, &at],
    )?;
    Ok(())
}
