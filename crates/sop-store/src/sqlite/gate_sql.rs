//! SQL for approval gates, their decisions and their (hashed) tokens.

use super::codec::{RowExt, json_text, missing_parent, opt_ts, stored, ts};
use crate::error::{Result, StoreError};
use crate::id::new_id;
use crate::records::{ApprovalToken, Gate, GateDecision, GateStatus, NewApprovalToken, NewGate};
use chrono::{DateTime, Utc};
use rusqlite::{Connection, Row, params};

const GATE_COLS: &str = "id, run_id, step, opened_at, expires_at, approvers, min_approvals, on_timeout, status, decided_at, remind_at";
const DECISION_COLS: &str = "gate_id, actor, decision, comment, at";
const TOKEN_COLS: &str = "gate_id, approver, hash, created_at, used_at, revoked";

fn decode_gate(row: &Row<'_>) -> Result<Gate> {
    Ok(Gate {
        id: row.text(0)?,
        run_id: row.text(1)?,
        step: row.u32(2)?,
        opened_at: row.time(3)?,
        expires_at: row.opt_time(4)?,
        approvers: row.json(5)?,
        min_approvals: row.u32(6)?,
        on_timeout: row.parsed(7)?,
        status: row.parsed(8)?,
        decided_at: row.opt_time(9)?,
        remind_at: row.opt_time(10)?,
    })
}

fn decode_decision(row: &Row<'_>) -> Result<GateDecision> {
    Ok(GateDecision {
        gate_id: row.text(0)?,
        actor: row.text(1)?,
        decision: row.parsed(2)?,
        comment: row.opt_text(3)?,
        at: row.time(4)?,
    })
}

fn decode_token(row: &Row<'_>) -> Result<ApprovalToken> {
    Ok(ApprovalToken {
        gate_id: row.text(0)?,
        approver: row.opt_text(1)?,
        hash: row.text(2)?,
        created_at: row.time(3)?,
        used_at: row.opt_time(4)?,
        revoked: row.int(5)? != 0,
    })
}

fn collect<T>(
    conn: &Connection,
    sql: &str,
    params: impl rusqlite::Params,
    decode: fn(&Row<'_>) -> Result<T>,
) -> Result<Vec<T>> {
    let mut stmt = conn.prepare_cached(sql)?;
    let mut rows = stmt.query(params)?;
    let mut out = Vec::new();
    while let Some(row) = rows.next()? {
        out.push(decode(row)?);
    }
    Ok(out)
}

pub fn insert(conn: &Connection, new: &NewGate) -> Result<Gate> {
    let mut stmt = conn.prepare_cached(
        "INSERT INTO gates (id, run_id, step, opened_at, expires_at, approvers, min_approvals, \
         on_timeout, status, remind_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, 'open', ?9) \
         ON CONFLICT (id) DO NOTHING",
    )?;
    let approvers = json_text(&new.approvers)?;
    let mut rng = rand::rng();
    for _ in 0..16 {
        let id = new_id(new.opened_at, &mut rng);
        let inserted = stmt
            .execute(params![
                id,
                new.run_id,
                new.step,
                ts(new.opened_at),
                opt_ts(new.expires_at),
                approvers,
                new.min_approvals,
                new.on_timeout.as_str(),
                opt_ts(new.remind_at),
            ])
            .map_err(|e| missing_parent(e, "run", &new.run_id))?;
        if inserted == 1 {
            return Ok(Gate {
                id,
                run_id: new.run_id.clone(),
                step: new.step,
                opened_at: stored(new.opened_at),
                expires_at: new.expires_at.map(stored),
                approvers: new.approvers.clone(),
                min_approvals: new.min_approvals,
                on_timeout: new.on_timeout,
                status: GateStatus::Open,
                decided_at: None,
                remind_at: new.remind_at.map(stored),
            });
        }
    }
    Err(StoreError::Busy("no free gate id this second".into()))
}

pub fn get(conn: &Connection, gate_id: &str) -> Result<Gate> {
    let mut stmt = conn.prepare_cached(&format!("SELECT {GATE_COLS} FROM gates WHERE id = ?1"))?;
    let mut rows = stmt.query([gate_id])?;
    match rows.next()? {
        Some(row) => decode_gate(row),
        None => Err(StoreError::NotFound {
            what: "gate",
            key: gate_id.to_owned(),
        }),
    }
}

pub fn of_run(conn: &Connection, run_id: &str) -> Result<Vec<Gate>> {
    let sql =
        format!("SELECT {GATE_COLS} FROM gates WHERE run_id = ?1 ORDER BY step, opened_at, id");
    collect(conn, &sql, [run_id], decode_gate)
}

pub fn open(conn: &Connection) -> Result<Vec<Gate>> {
    // Gates without a deadline sort last.
    let sql = format!(
        "SELECT {GATE_COLS} FROM gates WHERE status = 'open' \
         ORDER BY CASE WHEN expires_at IS NULL THEN 1 ELSE 0 END, expires_at, opened_at, id"
    );
    collect(conn, &sql, [], decode_gate)
}

/// `MIN` over the index `gates_by_status (status, expires_at)`: one lookup, no gate read.
pub fn soonest_expiry(conn: &Connection) -> Result<Option<DateTime<Utc>>> {
    let mut stmt =
        conn.prepare_cached("SELECT MIN(expires_at) FROM gates WHERE status = 'open'")?;
    let mut rows = stmt.query([])?;
    match rows.next()? {
        Some(row) => row.opt_time(0),
        None => Ok(None),
    }
}

pub fn update_status(
    conn: &Connection,
    gate_id: &str,
    from: GateStatus,
    to: GateStatus,
    at: DateTime<Utc>,
) -> Result<Gate> {
    let decided_at = if to == GateStatus::Open {
        None
    } else {
        Some(at)
    };
    let sql = format!(
        "UPDATE gates SET status = ?1, decided_at = ?2 WHERE id = ?3 AND status = ?4 RETURNING {GATE_COLS}"
    );
    let mut stmt = conn.prepare_cached(&sql)?;
    let mut rows = stmt.query(params![
        to.as_str(),
        opt_ts(decided_at),
        gate_id,
        from.as_str()
    ])?;
    if let Some(row) = rows.next()? {
        return decode_gate(row);
    }
    let current = get(conn, gate_id)?;
    Err(StoreError::Conflict {
        what: "gate",
        id: gate_id.to_owned(),
        expected: format!("status {from}"),
        found: format!("status {}", current.status),
    })
}

pub fn insert_decision(conn: &Connection, d: &GateDecision) -> Result<()> {
    let inserted = conn
        .prepare_cached(
            "INSERT INTO gate_decisions (gate_id, actor, decision, comment, at) \
             VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (gate_id, actor) DO NOTHING",
        )?
        .execute(params![
            d.gate_id,
            d.actor,
            d.decision.as_str(),
            d.comment,
            ts(d.at)
        ])
        .map_err(|e| missing_parent(e, "gate", &d.gate_id))?;
    if inserted == 0 {
        return Err(StoreError::AlreadyExists {
            what: "decision by",
            key: format!("{} on gate {}", d.actor, d.gate_id),
        });
    }
    Ok(())
}

pub fn decisions(conn: &Connection, gate_id: &str) -> Result<Vec<GateDecision>> {
    let sql =
        format!("SELECT {DECISION_COLS} FROM gate_decisions WHERE gate_id = ?1 ORDER BY at, actor");
    collect(conn, &sql, [gate_id], decode_decision)
}

pub fn run_decisions(conn: &Connection, run_id: &str) -> Result<Vec<GateDecision>> {
    let sql = "SELECT d.gate_id, d.actor, d.decision, d.comment, d.at FROM gate_decisions d \
               JOIN gates g ON g.id = d.gate_id WHERE g.run_id = ?1 ORDER BY d.at, d.gate_id, d.actor";
    collect(conn, sql, [run_id], decode_decision)
}

pub fn insert_token(conn: &Connection, t: &NewApprovalToken) -> Result<ApprovalToken> {
    let inserted = conn
        .prepare_cached(
            "INSERT INTO approval_tokens (hash, gate_id, approver, created_at) \
             VALUES (?1, ?2, ?3, ?4) ON CONFLICT (hash) DO NOTHING",
        )?
        .execute(params![t.hash, t.gate_id, t.approver, ts(t.created_at)])
        .map_err(|e| missing_parent(e, "gate", &t.gate_id))?;
    if inserted == 0 {
        return Err(StoreError::AlreadyExists {
            what: "approval token",
            key: short(&t.hash),
        });
    }
    Ok(ApprovalToken {
        gate_id: t.gate_id.clone(),
        approver: t.approver.clone(),
        hash: t.hash.clone(),
        created_at: stored(t.created_at),
        used_at: None,
        revoked: false,
    })
}

fn short(hash: &str) -> String {
    hash.chars().take(12).collect()
}

pub fn tokens(conn: &Connection, gate_id: &str) -> Result<Vec<ApprovalToken>> {
    let sql = format!(
        "SELECT {TOKEN_COLS} FROM approval_tokens WHERE gate_id = ?1 ORDER BY created_at, hash"
    );
    collect(conn, &sql, [gate_id], decode_token)
}

pub fn token_by_hash(conn: &Connection, hash: &str) -> Result<Option<ApprovalToken>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {TOKEN_COLS} FROM approval_tokens WHERE hash = ?1"
    ))?;
    let mut rows = stmt.query([hash])?;
    rows.next()?.map(decode_token).transpose()
}

pub fn use_token(conn: &Connection, hash: &str, now: DateTime<Utc>) -> Result<ApprovalToken> {
    let sql = format!(
        "UPDATE approval_tokens SET used_at = ?1 WHERE hash = ?2 AND used_at IS NULL AND revoked = 0 \
         RETURNING {TOKEN_COLS}"
    );
    let mut stmt = conn.prepare_cached(&sql)?;
    let mut rows = stmt.query(params![ts(now), hash])?;
    if let Some(row) = rows.next()? {
        return decode_token(row);
    }
    match token_by_hash(conn, hash)? {
        None => Err(StoreError::NotFound {
            what: "approval token",
            key: short(hash),
        }),
        Some(t) => Err(StoreError::Conflict {
            what: "approval token",
            id: short(hash),
            expected: "unused".into(),
            found: match t.used_at {
                Some(at) => format!("used at {}", ts(at)),
                None => "revoked".into(),
            },
        }),
    }
}

pub fn revoke_tokens(conn: &Connection, gate_id: &str) -> Result<u64> {
    let n = conn
        .prepare_cached(
            "UPDATE approval_tokens SET revoked = 1 WHERE gate_id = ?1 AND used_at IS NULL AND revoked = 0",
        )?
        .execute([gate_id])?;
    Ok(n as u64)
}
