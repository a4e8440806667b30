//! SQL for approval gates, their decisions and their (hashed) tokens.
//!
//! Inserts that name a parent row check it in the statement (`WHERE EXISTS`) instead of letting
//! the foreign key fail: a failed statement would abort the whole PostgreSQL transaction, while
//! the caller may want to go on after a `NotFound` or `AlreadyExists`, as it can on SQLite.

use super::codec::{RowExt, json_text};
use super::conn::Conn;
use crate::error::{Result, StoreError};
use crate::id::new_id;
use crate::records::{ApprovalToken, Gate, GateDecision, GateStatus, NewApprovalToken, NewGate};
use chrono::{DateTime, SubsecRound, Utc};
use postgres::Row;

const GATE_COLS: &str = "id, run_id, step, opened_at, expires_at, approvers, min_approvals, \
     on_timeout, status, decided_at, remind_at";
const DECISION_COLS: &str = "gate_id, actor, decision, comment, at";
const TOKEN_COLS: &str = "gate_id, approver, hash, created_at, used_at, revoked";

fn decode_gate(row: &Row) -> Result<Gate> {
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

fn decode_decision(row: &Row) -> Result<GateDecision> {
    Ok(GateDecision {
        gate_id: row.text(0)?,
        actor: row.text(1)?,
        decision: row.parsed(2)?,
        comment: row.opt_text(3)?,
        at: row.time(4)?,
    })
}

fn decode_token(row: &Row) -> Result<ApprovalToken> {
    Ok(ApprovalToken {
        gate_id: row.text(0)?,
        approver: row.opt_text(1)?,
        hash: row.text(2)?,
        created_at: row.time(3)?,
        used_at: row.opt_time(4)?,
        revoked: row.flag(5)?,
    })
}

fn exists(conn: &mut Conn, sql: &str, key: &str) -> Result<bool> {
    Ok(conn.query_opt(sql, &[&key])?.is_some())
}

pub fn insert(conn: &mut Conn, new: &NewGate) -> Result<Gate> {
    let approvers = json_text(&new.approvers)?;
    let mut rng = rand::rng();
    for _ in 0..16 {
        let id = new_id(new.opened_at, &mut rng);
        let inserted = conn.execute(
            "INSERT INTO gates (id, run_id, step, opened_at, expires_at, approvers, \
             min_approvals, on_timeout, status, remind_at) \
             SELECT $1::TEXT, $2::TEXT, $3::BIGINT, $4::TIMESTAMPTZ, $5::TIMESTAMPTZ, $6::TEXT, \
             $7::BIGINT, $8::TEXT, 'open', $9::TIMESTAMPTZ WHERE EXISTS \
             (SELECT 1 FROM runs WHERE id = $2) ON CONFLICT (id) DO NOTHING",
            &[
                &id,
                &new.run_id,
                &i64::from(new.step),
                &new.opened_at,
                &new.expires_at,
                &approvers,
                &i64::from(new.min_approvals),
                &new.on_timeout.as_str(),
                &new.remind_at,
            ],
        )?;
        if inserted == 1 {
            return Ok(Gate {
                id,
                run_id: new.run_id.clone(),
                step: new.step,
                opened_at: new.opened_at.trunc_subsecs(6),
                expires_at: new.expires_at.map(|t| t.trunc_subsecs(6)),
                approvers: new.approvers.clone(),
                min_approvals: new.min_approvals,
                on_timeout: new.on_timeout,
                status: GateStatus::Open,
                decided_at: None,
                remind_at: new.remind_at.map(|t| t.trunc_subsecs(6)),
            });
        }
        if !exists(conn, "SELECT 1 FROM runs WHERE id = $1", &new.run_id)? {
            return Err(StoreError::NotFound {
                what: "run",
                key: new.run_id.clone(),
            });
        }
    }
    Err(StoreError::Busy("no free gate id this second".into()))
}

pub fn get(conn: &mut Conn, gate_id: &str) -> Result<Gate> {
    let sql = format!("SELECT {GATE_COLS} FROM gates WHERE id = $1");
    match conn.query_opt(&sql, &[&gate_id])? {
        Some(row) => decode_gate(&row),
        None => Err(StoreError::NotFound {
            what: "gate",
            key: gate_id.to_owned(),
        }),
    }
}

pub fn of_run(conn: &mut Conn, run_id: &str) -> Result<Vec<Gate>> {
    let sql =
        format!("SELECT {GATE_COLS} FROM gates WHERE run_id = $1 ORDER BY step, opened_at, id");
    conn.query(&sql, &[&run_id])?
        .iter()
        .map(decode_gate)
        .collect()
}

pub fn open(conn: &mut Conn) -> Result<Vec<Gate>> {
    // Gates without a deadline sort last.
    let sql = format!(
        "SELECT {GATE_COLS} FROM gates WHERE status = 'open' \
         ORDER BY expires_at NULLS LAST, opened_at, id"
    );
    conn.query(&sql, &[])?.iter().map(decode_gate).collect()
}

pub fn soonest_expiry(conn: &mut Conn) -> Result<Option<DateTime<Utc>>> {
    let rows = conn.query(
        "SELECT MIN(expires_at) FROM gates WHERE status = 'open'",
        &[],
    )?;
    match rows.first() {
        Some(row) => row.opt_time(0),
        None => Ok(None),
    }
}

pub fn update_status(
    conn: &mut Conn,
    gate_id: &str,
    from: GateStatus,
    to: GateStatus,
    at: DateTime<Utc>,
) -> Result<Gate> {
    let decided_at = (to != GateStatus::Open).then_some(at);
    let sql = format!(
        "UPDATE gates SET status = $1, decided_at = $2 WHERE id = $3 AND status = $4 \
         RETURNING {GATE_COLS}"
    );
    let row = conn.query_opt(&sql, &[&to.as_str(), &decided_at, &gate_id, &from.as_str()])?;
    if let Some(row) = row {
        return decode_gate(&row);
    }
    let current = get(conn, gate_id)?;
    Err(StoreError::Conflict {
        what: "gate",
        id: gate_id.to_owned(),
        expected: format!("status {from}"),
        found: format!("status {}", current.status),
    })
}

pub fn insert_decision(conn: &mut Conn, d: &GateDecision) -> Result<()> {
    let inserted = conn.execute(
        "INSERT INTO gate_decisions (gate_id, actor, decision, comment, at) \
         SELECT $1::TEXT, $2::TEXT, $3::TEXT, $4::TEXT, $5::TIMESTAMPTZ \
         WHERE EXISTS (SELECT 1 FROM gates WHERE id = $1) \
         ON CONFLICT (gate_id, actor) DO NOTHING",
        &[
            &d.gate_id,
            &d.actor,
            &d.decision.as_str(),
            &d.comment,
            &d.at,
        ],
    )?;
    if inserted == 1 {
        return Ok(());
    }
    if !exists(conn, "SELECT 1 FROM gates WHERE id = $1", &d.gate_id)? {
        return Err(StoreError::NotFound {
            what: "gate",
            key: d.gate_id.clone(),
        });
    }
    Err(StoreError::AlreadyExists {
        what: "decision by",
        key: format!("{} on gate {}", d.actor, d.gate_id),
    })
}

pub fn decisions(conn: &mut Conn, gate_id: &str) -> Result<Vec<GateDecision>> {
    let sql =
        format!("SELECT {DECISION_COLS} FROM gate_decisions WHERE gate_id = $1 ORDER BY at, actor");
    conn.query(&sql, &[&gate_id])?
        .iter()
        .map(decode_decision)
        .collect()
}

pub fn run_decisions(conn: &mut Conn, run_id: &str) -> Result<Vec<GateDecision>> {
    let sql = "SELECT d.gate_id, d.actor, d.decision, d.comment, d.at FROM gate_decisions d \
               JOIN gates g ON g.id = d.gate_id WHERE g.run_id = $1 \
               ORDER BY d.at, d.gate_id, d.actor";
    conn.query(sql, &[&run_id])?
        .iter()
        .map(decode_decision)
        .collect()
}

pub fn insert_token(conn: &mut Conn, t: &NewApprovalToken) -> Result<ApprovalToken> {
    let inserted = conn.execute(
        "INSERT INTO approval_tokens (hash, gate_id, approver, created_at) \
         SELECT $1::TEXT, $2::TEXT, $3::TEXT, $4::TIMESTAMPTZ \
         WHERE EXISTS (SELECT 1 FROM gates WHERE id = $2) \
         ON CONFLICT (hash) DO NOTHING",
        &[&t.hash, &t.gate_id, &t.approver, &t.created_at],
    )?;
    if inserted == 0 {
        if !exists(conn, "SELECT 1 FROM gates WHERE id = $1", &t.gate_id)? {
            return Err(StoreError::NotFound {
                what: "gate",
                key: t.gate_id.clone(),
            });
        }
        return Err(StoreError::AlreadyExists {
            what: "approval token",
            key: short(&t.hash),
        });
    }
    Ok(ApprovalToken {
        gate_id: t.gate_id.clone(),
        approver: t.approver.clone(),
        hash: t.hash.clone(),
        created_at: t.created_at.trunc_subsecs(6),
        used_at: None,
        revoked: false,
    })
}

fn short(hash: &str) -> String {
    hash.chars().take(12).collect()
}

pub fn tokens(conn: &mut Conn, gate_id: &str) -> Result<Vec<ApprovalToken>> {
    let sql = format!(
        "SELECT {TOKEN_COLS} FROM approval_tokens WHERE gate_id = $1 ORDER BY created_at, hash"
    );
    conn.query(&sql, &[&gate_id])?
        .iter()
        .map(decode_token)
        .collect()
}

pub fn token_by_hash(conn: &mut Conn, hash: &str) -> Result<Option<ApprovalToken>> {
    let sql = format!("SELECT {TOKEN_COLS} FROM approval_tokens WHERE hash = $1");
    conn.query_opt(&sql, &[&hash])?
        .as_ref()
        .map(decode_token)
        .transpose()
}

pub fn use_token(conn: &mut Conn, hash: &str, now: DateTime<Utc>) -> Result<ApprovalToken> {
    let sql = format!(
        "UPDATE approval_tokens SET used_at = $1 WHERE hash = $2 AND used_at IS NULL \
         AND NOT revoked RETURNING {TOKEN_COLS}"
    );
    if let Some(row) = conn.query_opt(&sql, &[&now, &hash])? {
        return decode_token(&row);
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
                Some(at) => format!("used at {}", crate::audit_chain::append::timestamp_text(at)),
                None => "revoked".into(),
            },
        }),
    }
}

pub fn revoke_tokens(conn: &mut Conn, gate_id: &str) -> Result<u64> {
    conn.execute(
        "UPDATE approval_tokens SET revoked = TRUE \
         WHERE gate_id = $1 AND used_at IS NULL AND NOT revoked",
        &[&gate_id],
    )
}
