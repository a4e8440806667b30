//! SQL for run leases: which process may advance a run, until when.
//!
//! Taking a lease locks the run's row (`FOR UPDATE`) before deciding, so nodes racing for one
//! run queue on that row and each sees the lease as the one before it left it. A claim of
//! runs by several nodes (`FOR UPDATE SKIP LOCKED`) builds on the same row lock.

use super::codec::RowExt;
use super::conn::Conn;
use super::run_sql::not_found;
use crate::error::{Result, StoreError};
use crate::records::LeaseGrant;
use chrono::{DateTime, Utc};

struct Holder {
    owner: Option<String>,
    expires_at: Option<DateTime<Utc>>,
}

fn holder(conn: &mut Conn, run_id: &str, lock: bool) -> Result<Holder> {
    let sql = if lock {
        "SELECT lease_owner, lease_expires_at FROM runs WHERE id = $1 FOR UPDATE"
    } else {
        "SELECT lease_owner, lease_expires_at FROM runs WHERE id = $1"
    };
    match conn.query_opt(sql, &[&run_id])? {
        Some(row) => Ok(Holder {
            owner: row.opt_text(0)?,
            expires_at: row.opt_time(1)?,
        }),
        None => Err(not_found(run_id)),
    }
}

/// Locks run `run_id`'s row until the transaction ends (see [`crate::Tx::lock_run`]).
pub fn lock_run(conn: &mut Conn, run_id: &str) -> Result<()> {
    holder(conn, run_id, true).map(|_| ())
}

fn held(run_id: &str, h: Holder, now: DateTime<Utc>) -> StoreError {
    StoreError::LeaseHeld {
        run_id: run_id.to_owned(),
        owner: h.owner.unwrap_or_default(),
        expires_at: h.expires_at.unwrap_or(now),
    }
}

pub fn acquire(
    conn: &mut Conn,
    run_id: &str,
    owner: &str,
    now: DateTime<Utc>,
    until: DateTime<Utc>,
) -> Result<LeaseGrant> {
    let before = holder(conn, run_id, true)?;
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
    conn.execute(
        "UPDATE runs SET lease_owner = $1, lease_expires_at = $2 WHERE id = $3",
        &[&owner, &until, &run_id],
    )?;
    Ok(grant)
}

pub fn renew(conn: &mut Conn, run_id: &str, owner: &str, until: DateTime<Utc>) -> Result<()> {
    let changed = conn.execute(
        "UPDATE runs SET lease_expires_at = $1 WHERE id = $2 AND lease_owner = $3",
        &[&until, &run_id, &owner],
    )?;
    if changed == 1 {
        return Ok(());
    }
    let h = holder(conn, run_id, false)?;
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

pub fn release(conn: &mut Conn, run_id: &str, owner: &str) -> Result<bool> {
    let changed = conn.execute(
        "UPDATE runs SET lease_owner = NULL, lease_expires_at = NULL \
         WHERE id = $1 AND lease_owner = $2",
        &[&run_id, &owner],
    )?;
    Ok(changed == 1)
}
