//! SQL for facts: upsert, lookup and listing against a given instant.

use super::codec::{RowExt, json_text};
use super::conn::Conn;
use crate::error::Result;
use crate::records::Fact;
use chrono::{DateTime, SubsecRound, Utc};
use postgres::Row;

const FACT_COLS: &str = "name, value, set_at, expires_at, set_by";

fn decode(row: &Row) -> Result<Fact> {
    Ok(Fact {
        name: row.text(0)?,
        value: row.json(1)?,
        set_at: row.time(2)?,
        expires_at: row.opt_time(3)?,
        set_by: row.text(4)?,
    })
}

pub fn set(conn: &mut Conn, fact: &Fact) -> Result<Fact> {
    let name = Fact::normalize_name(&fact.name);
    conn.execute(
        "INSERT INTO facts (name, value, set_at, expires_at, set_by) VALUES ($1, $2, $3, $4, $5) \
         ON CONFLICT (name) DO UPDATE SET value = excluded.value, set_at = excluded.set_at, \
         expires_at = excluded.expires_at, set_by = excluded.set_by",
        &[
            &name,
            &json_text(&fact.value)?,
            &fact.set_at,
            &fact.expires_at,
            &fact.set_by,
        ],
    )?;
    Ok(Fact {
        name,
        value: fact.value.clone(),
        set_at: fact.set_at.trunc_subsecs(6),
        expires_at: fact.expires_at.map(|t| t.trunc_subsecs(6)),
        set_by: fact.set_by.clone(),
    })
}

pub fn unset(conn: &mut Conn, name: &str) -> Result<bool> {
    let n = conn.execute(
        "DELETE FROM facts WHERE name = $1",
        &[&Fact::normalize_name(name)],
    )?;
    Ok(n > 0)
}

pub fn get(conn: &mut Conn, name: &str, now: DateTime<Utc>) -> Result<Option<Fact>> {
    let sql = format!(
        "SELECT {FACT_COLS} FROM facts WHERE name = $1 AND (expires_at IS NULL OR expires_at > $2)"
    );
    conn.query_opt(&sql, &[&Fact::normalize_name(name), &now])?
        .as_ref()
        .map(decode)
        .transpose()
}

pub fn list(conn: &mut Conn, now: DateTime<Utc>) -> Result<Vec<Fact>> {
    let sql = format!(
        "SELECT {FACT_COLS} FROM facts WHERE expires_at IS NULL OR expires_at > $1 ORDER BY name"
    );
    conn.query(&sql, &[&now])?.iter().map(decode).collect()
}

/// The stored fact, live or expired.
pub fn get_any(conn: &mut Conn, name: &str) -> Result<Option<Fact>> {
    let sql = format!("SELECT {FACT_COLS} FROM facts WHERE name = $1");
    conn.query_opt(&sql, &[&Fact::normalize_name(name)])?
        .as_ref()
        .map(decode)
        .transpose()
}

/// Removes every fact expired at `now` and returns them.
pub fn take_expired(conn: &mut Conn, now: DateTime<Utc>) -> Result<Vec<Fact>> {
    let sql = format!(
        "DELETE FROM facts WHERE expires_at IS NOT NULL AND expires_at <= $1 RETURNING {FACT_COLS}"
    );
    let mut out = conn
        .query(&sql, &[&now])?
        .iter()
        .map(decode)
        .collect::<Result<Vec<_>>>()?;
    out.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(out)
}
