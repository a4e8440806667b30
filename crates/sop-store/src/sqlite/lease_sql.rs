//! SQL for run leases: which process may advance a run, until when.
//!
//! Every write is a conditional UPDATE, so leases stay correct under any isolation level a future
//! backend uses, not only under SQLite's single writer.

use super::codec::{RowExt, ts};
use crate::error::{Result, StoreError};
use crate::records::LeaseGrant;
use chrono::{DateTime, Utc};
use rusqlite::{Connection, params};

struct Holder {
    owner: Option<String>,
    expires_at: Option<DateTime<Utc>>,
}

fn holder(conn: &Connection, run_id: &str) -> Result<Holder> {
    let mut stmt =
        conn.prepare_cached("SELECT lease_owner, lease_expires_at FROM runs WHERE id = ?1")?;
    let mut rows = stmt.query([run_id])?;
    match rows.next()? {
        Some(row) => Ok(Holder {
            owner: row.opt_text(0)?,
            expires_at: row.opt_time(1)?,
        }),
        None => Err(StoreError::NotFound {
            what: "run",
            key: run_id.to_owned(),
        }),
    }
}

fn held(run_id: &str, h: Holder, now: DateTime<Utc>) -> StoreError {
    StoreError::LeaseHeld {
        run_id: run_id.to_owned(),
        owner: h.owner.unwrap_or_default(),
        expires_at: h.expires_at.unwrap_or(now),
    }
}

pub fn acquire(
    conn: &Connection,
    run_id: &str,
    owner: &str,
    now: DateTime<Utc>,
    until: DateTime<Utc>,
) -> Result<LeaseGrant> {
    let before = holder(conn, run_id)?;
    let grant = match (&before.owner, before.expires_at) {
        (None, _) => LeaseGrant::Acquired,
        (Some(o), _) if o == owner => LeaseGrant::Renewed,
        (Some(o), Some(exp)) if exp <= now => LeaseGrant::TookOver {
            previous_owner: o.clone(),
            lapsed_at: exp,
        },
        (Some(o), None) => LeaseGrant::TookOver {
            previous_owner: o.clone(),
            lapsed_at: now,
        },
        (Some(_), Some(_)) => return Err(held(run_id, before, now)),
    };
    let changed = conn
        .prepare_cached(
            "UPDATE runs SET lease_owner = ?1, lease_expires_at = ?2 WHERE id = ?3 AND \
             (lease_owner IS NULL OR lease_owner = ?1 OR lease_expires_at IS NULL OR lease_expires_at <= ?4)",
        )?
        .execute(params![owner, ts(until), run_id, ts(now)])?;
    if changed == 0 {
        return Err(held(run_id, holder(conn, run_id)?, now));
    }
    Ok(grant)
}

pub fn renew(conn: &Connection, run_id: &str, owner: &str, until: DateTime<Utc>) -> Result<()> {
    let changed = conn
        .prepare_cached("UPDATE runs SET lease_expires_at = ?1 WHERE id = ?2 AND lease_owner = ?3")?
        .execute(params![ts(until), run_id, owner])?;
    if changed == 1 {
        return Ok(());
    }
    let h = holder(conn, run_id)?;
    match h.owner {
        None => Err(StoreError::Conflict {
            what: "run lease",
            id: run_id.to_owned(),
            expected: format!("held by {owner}"),
            found: "released".into(),
        }),
        Some(_) => Err(held(run_id, h, until)),
    }
}

pub fn release(conn: &Connection, run_id: &str, owner: &str) -> Result<bool> {
    let changed = conn
        .prepare_cached(
            "UPDATE runs SET lease_owner = NULL, lease_expires_at = NULL WHERE id = ?1 AND lease_owner = ?2",
        )?
        .execute(params![run_id, owner])?;
    Ok(changed == 1)
}
