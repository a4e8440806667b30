//! SQL for facts: upsert, lookup and listing against a given instant.

use super::codec::{RowExt, json_text, opt_ts, stored, ts};
use crate::error::Result;
use crate::records::Fact;
use chrono::{DateTime, Utc};
use rusqlite::{Connection, Row, params};

const FACT_COLS: &str = "name, value, set_at, expires_at, set_by";

fn decode(row: &Row<'_>) -> Result<Fact> {
    Ok(Fact {
        name: row.text(0)?,
        value: row.json(1)?,
        set_at: row.time(2)?,
        expires_at: row.opt_time(3)?,
        set_by: row.text(4)?,
    })
}

pub fn set(conn: &Connection, fact: &Fact) -> Result<Fact> {
    let name = Fact::normalize_name(&fact.name);
    conn.prepare_cached(
        "INSERT INTO facts (name, value, set_at, expires_at, set_by) VALUES (?1, ?2, ?3, ?4, ?5) \
         ON CONFLICT (name) DO UPDATE SET value = excluded.value, set_at = excluded.set_at, \
         expires_at = excluded.expires_at, set_by = excluded.set_by",
    )?
    .execute(params![
        name,
        json_text(&fact.value)?,
        ts(fact.set_at),
        opt_ts(fact.expires_at),
        fact.set_by
    ])?;
    Ok(Fact {
        name,
        value: fact.value.clone(),
        set_at: stored(fact.set_at),
        expires_at: fact.expires_at.map(stored),
        set_by: fact.set_by.clone(),
    })
}

pub fn unset(conn: &Connection, name: &str) -> Result<bool> {
    let n = conn
        .prepare_cached("DELETE FROM facts WHERE name = ?1")?
        .execute([Fact::normalize_name(name)])?;
    Ok(n > 0)
}

pub fn get(conn: &Connection, name: &str, now: DateTime<Utc>) -> Result<Option<Fact>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {FACT_COLS} FROM facts WHERE name = ?1 AND (expires_at IS NULL OR expires_at > ?2)"
    ))?;
    let mut rows = stmt.query(params![Fact::normalize_name(name), ts(now)])?;
    rows.next()?.map(decode).transpose()
}

pub fn list(conn: &Connection, now: DateTime<Utc>) -> Result<Vec<Fact>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {FACT_COLS} FROM facts WHERE expires_at IS NULL OR expires_at > ?1 ORDER BY name"
    ))?;
    let mut rows = stmt.query([ts(now)])?;
    let mut out = Vec::new();
    while let Some(row) = rows.next()? {
        out.push(decode(row)?);
    }
    Ok(out)
}

/// The stored fact, live or expired.
pub fn get_any(conn: &Connection, name: &str) -> Result<Option<Fact>> {
    let mut stmt =
        conn.prepare_cached(&format!("SELECT {FACT_COLS} FROM facts WHERE name = ?1"))?;
    let mut rows = stmt.query([Fact::normalize_name(name)])?;
    rows.next()?.map(decode).transpose()
}

/// Removes every fact expired at `now` and returns them.
pub fn take_expired(conn: &Connection, now: DateTime<Utc>) -> Result<Vec<Fact>> {
    let mut stmt = conn.prepare_cached(&format!(
        "DELETE FROM facts WHERE expires_at IS NOT NULL AND expires_at <= ?1 RETURNING {FACT_COLS}"
    ))?;
    let mut rows = stmt.query([ts(now)])?;
    let mut out = Vec::new();
    while let Some(row) = rows.next()? {
        out.push(decode(row)?);
    }
    out.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(out)
}
