//! SQL for the audit chain: append (with the head record and the key record), read, verify.
//!
//! One chain for every node: an append locks the head row (`FOR UPDATE`) in its transaction and
//! keeps it until commit, so appends from all nodes queue on that row and each continues from
//! the head the one before it wrote. The hashed fields are stored as the exact text hashed.

use super::LOCK_TIMEOUT;
use super::codec::{RowExt, big};
use super::conn::Conn;
use crate::audit_chain::append::{AuditSettings, ChainHead, next_entry};
use crate::audit_chain::{AuditKey, ChainVerifier, GENESIS_HASH, HashFormat, StoredEntry};
use crate::error::{Result, StoreError};
use crate::records::{AuditCheckpoint, AuditEntry, AuditEvent, VerifyReport};
use chrono::{DateTime, TimeDelta, Utc};
use postgres::Row;

/// How far an entry may be dated before the newest one and still be written (at the newest
/// one's time): its writer read the clock, then waited for the head's lock, up to the lock
/// timeout, while others appended. Nodes' clocks must agree at least this well.
pub const LAG_TOLERANCE: TimeDelta = TimeDelta::seconds(2 * LOCK_TIMEOUT.as_secs() as i64);

const AUDIT_COLS: &str =
    "seq, at, run_id, actor, kind, detail, prev_hash, hash, os_user, host, format";

/// Serialises appends when the head row is missing (deleted behind sop's back), which
/// `FOR UPDATE` cannot lock.
const HEADLESS_LOCK: &str =
    "SELECT pg_advisory_xact_lock(hashtextextended('sop.audit.' || current_schema(), 0))";

fn decode(row: &Row) -> Result<AuditEntry> {
    Ok(AuditEntry {
        seq: row.u64(0)?,
        at: parse_at(&row.text(1)?)?,
        run_id: row.opt_text(2)?,
        actor: row.text(3)?,
        os_user: row.opt_text(8)?,
        host: row.opt_text(9)?,
        kind: row.text(4)?,
        detail: row.json(5)?,
        prev_hash: row.text(6)?,
        hash: row.text(7)?,
    })
}

fn key_record(conn: &mut Conn) -> Result<Option<(u64, String)>> {
    conn.query_opt(
        "SELECT from_seq, key_id FROM audit_key ORDER BY from_seq LIMIT 1",
        &[],
    )?
    .map(|r| Ok((r.u64(0)?, r.text(1)?)))
    .transpose()
}

/// Locks the chain's head for this transaction and reads it with the key record, in one
/// statement: it runs in every transaction that audits.
pub fn load_head(conn: &mut Conn) -> Result<ChainHead> {
    let row = conn.query_opt(
        "SELECT h.seq, h.hash, h.at, k.from_seq, k.key_id FROM audit_head h \
         LEFT JOIN LATERAL (SELECT from_seq, key_id FROM audit_key ORDER BY from_seq LIMIT 1) k \
         ON TRUE WHERE h.id = 1 FOR UPDATE OF h",
        &[],
    )?;
    if let Some(row) = row {
        let key = match row.opt_int(3)? {
            Some(from) => Some((u64::try_from(from).unwrap_or(0), row.text(4)?)),
            None => None,
        };
        return Ok(ChainHead {
            seq: row.u64(0)?,
            hash: row.text(1)?,
            at: row.text(2)?,
            key,
        });
    }
    // No head record: continue after the last row; verify reports the missing head.
    conn.batch(HEADLESS_LOCK)?;
    let last = conn.query_opt(
        "SELECT seq, hash, at FROM audit ORDER BY seq DESC LIMIT 1",
        &[],
    )?;
    let (seq, hash, at) = match last {
        Some(r) => (r.u64(0)?, r.text(1)?, r.text(2)?),
        None => (0, GENESIS_HASH.to_owned(), String::new()),
    };
    Ok(ChainHead {
        seq,
        hash,
        at,
        key: key_record(conn)?,
    })
}

/// Records `head` as the chain's head (once per transaction, at its end).
pub fn store_head(conn: &mut Conn, head: &ChainHead) -> Result<()> {
    conn.execute(
        "INSERT INTO audit_head (id, seq, hash, at) VALUES (1, $1, $2, $3) \
         ON CONFLICT (id) DO UPDATE SET seq = excluded.seq, hash = excluded.hash, at = excluded.at",
        &[&big(head.seq), &head.hash, &head.at],
    )?;
    Ok(())
}

/// Appends `e` after `head` (locked and loaded by the caller for this transaction).
pub fn append(
    conn: &mut Conn,
    head: &mut ChainHead,
    settings: &AuditSettings,
    e: &AuditEvent,
) -> Result<AuditEntry> {
    let (new, entry) = next_entry(head, settings, e, LAG_TOLERANCE)?;
    if let Some(key_id) = &new.records_key {
        conn.execute(
            "INSERT INTO audit_key (from_seq, key_id) VALUES ($1, $2)",
            &[&big(new.seq), key_id],
        )?;
    }
    conn.execute(
        "INSERT INTO audit (seq, at, run_id, actor, kind, detail, prev_hash, hash, os_user, \
         host, format) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
        &[
            &big(new.seq),
            &new.at,
            &e.run_id,
            &e.actor,
            &e.kind,
            &new.detail,
            &new.prev_hash,
            &new.hash,
            &settings.origin.os_user,
            &settings.origin.host,
            &new.format.code(),
        ],
    )?;
    Ok(entry)
}

pub fn entries(conn: &mut Conn, run_id: Option<&str>) -> Result<Vec<AuditEntry>> {
    let rows = match run_id {
        Some(id) => conn.query(
            &format!("SELECT {AUDIT_COLS} FROM audit WHERE run_id = $1 ORDER BY seq"),
            &[&id],
        )?,
        None => conn.query(&format!("SELECT {AUDIT_COLS} FROM audit ORDER BY seq"), &[])?,
    };
    rows.iter().map(decode).collect()
}

fn head_row(conn: &mut Conn) -> Result<Option<(u64, String, String)>> {
    conn.query_opt("SELECT seq, hash, at FROM audit_head WHERE id = 1", &[])?
        .map(|r| Ok((r.u64(0)?, r.text(1)?, r.text(2)?)))
        .transpose()
}

/// The newest entry as a checkpoint; `None` for an empty trail.
pub fn head_checkpoint(conn: &mut Conn) -> Result<Option<AuditCheckpoint>> {
    match head_row(conn)? {
        Some((seq, hash, at)) if seq > 0 => Ok(Some(AuditCheckpoint {
            seq,
            hash,
            at: parse_at(&at)?,
        })),
        _ => Ok(None),
    }
}

fn parse_at(at: &str) -> Result<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(at)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| StoreError::corrupt(format!("bad audit time `{at}`: {e}")))
}

/// Streams the chain through the verifier, reading every field as the raw stored text, in one
/// snapshot so the chain and its head are seen at the same instant.
pub fn verify(
    conn: &mut Conn,
    key: Option<&AuditKey>,
    checkpoints: &[AuditCheckpoint],
) -> Result<VerifyReport> {
    conn.batch("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")?;
    conn.in_transaction = true;
    let result = verify_in(conn, key, checkpoints);
    conn.batch("COMMIT")?;
    conn.in_transaction = false;
    result
}

fn verify_in(
    conn: &mut Conn,
    key: Option<&AuditKey>,
    checkpoints: &[AuditCheckpoint],
) -> Result<VerifyReport> {
    let keyed = key_record(conn)?;
    let mut verifier = ChainVerifier::new(
        key,
        keyed.as_ref().map(|(seq, id)| (*seq, id.as_str())),
        checkpoints,
    );
    conn.for_each_row(
        &format!("SELECT {AUDIT_COLS} FROM audit ORDER BY seq"),
        |row| {
            let code = row.int(10)?;
            let format = HashFormat::from_code(code)
                .ok_or_else(|| StoreError::corrupt(format!("unknown audit hash format {code}")))?;
            let (at, run_id, actor, kind) =
                (row.text(1)?, row.opt_text(2)?, row.text(3)?, row.text(4)?);
            let (detail, prev_hash, hash) = (row.text(5)?, row.text(6)?, row.text(7)?);
            let (os_user, host) = (row.opt_text(8)?, row.opt_text(9)?);
            let entry = StoredEntry {
                seq: row.u64(0)?,
                at: &at,
                run_id: run_id.as_deref(),
                actor: &actor,
                os_user: os_user.as_deref(),
                host: host.as_deref(),
                kind: &kind,
                detail: &detail,
                prev_hash: &prev_hash,
                format,
            };
            Ok(verifier.check(&entry, &hash))
        },
    )?;
    let head = head_row(conn)?;
    Ok(verifier.finish(head.as_ref().map(|(s, h, _)| (*s, h.as_str()))))
}
