//! SQL for the audit chain: append (with the head record and the key record), read, verify.
//!
//! Appends continue from the recorded head, not from the last row: if rows were deleted, the gap
//! stays visible instead of being papered over by new entries. A transaction reads the head once
//! and writes it once, at its end, however many entries it appends.

use super::BUSY_TIMEOUT;
use super::codec::RowExt;
use crate::audit_chain::append::{AuditSettings, ChainHead, next_entry};
use crate::audit_chain::{AuditKey, ChainVerifier, GENESIS_HASH, HashFormat, StoredEntry};
use crate::error::{Result, StoreError};
use crate::records::{AuditCheckpoint, AuditEntry, AuditEvent, VerifyReport};
use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension, Row, params};

/// How far an entry may be dated before the newest one and still be written (at the newest
/// one's time): a writer reads the clock before it waits, up to the busy timeout, for the
/// write lock. Anything earlier is a clock set back, refused.
pub const LAG_TOLERANCE: chrono::TimeDelta =
    chrono::TimeDelta::seconds(2 * BUSY_TIMEOUT.as_secs() as i64);

const AUDIT_COLS: &str =
    "seq, at, run_id, actor, kind, detail, prev_hash, hash, os_user, host, format";

fn decode(row: &Row<'_>) -> Result<AuditEntry> {
    Ok(AuditEntry {
        seq: row.u64(0)?,
        at: row.time(1)?,
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

/// The recorded head; for a database without one (new, or its head row deleted), the last row.
fn head(conn: &Connection) -> Result<Option<(u64, String, String)>> {
    let recorded = conn
        .prepare_cached(
            "SELECT seq, hash, COALESCE(at, (SELECT at FROM audit WHERE audit.seq = audit_head.seq), '') \
             FROM audit_head WHERE id = 1",
        )?
        .query_row([], |r| Ok((r.get::<_, i64>(0)? as u64, r.get(1)?, r.get(2)?)))
        .optional()?;
    Ok(recorded)
}

fn key_record(conn: &Connection) -> Result<Option<(u64, String)>> {
    Ok(conn
        .prepare_cached("SELECT from_seq, key_id FROM audit_key ORDER BY from_seq LIMIT 1")?
        .query_row([], |r| Ok((r.get::<_, i64>(0)? as u64, r.get(1)?)))
        .optional()?)
}

/// The head and the key record in one statement: it runs in every transaction that audits.
pub fn load_head(conn: &Connection) -> Result<ChainHead> {
    let (head, key) = conn
        .prepare_cached(
            "SELECT h.seq, h.hash, COALESCE(h.at, (SELECT at FROM audit WHERE audit.seq = h.seq), ''), \
             k.from_seq, k.key_id \
             FROM (SELECT 1) LEFT JOIN audit_head h ON h.id = 1 \
             LEFT JOIN (SELECT from_seq, key_id FROM audit_key ORDER BY from_seq LIMIT 1) k",
        )?
        .query_row([], |r| {
            let head = match r.get::<_, Option<i64>>(0)? {
                Some(seq) => Some((seq as u64, r.get::<_, String>(1)?, r.get::<_, String>(2)?)),
                None => None,
            };
            let key = match r.get::<_, Option<i64>>(3)? {
                Some(from) => Some((from as u64, r.get::<_, String>(4)?)),
                None => None,
            };
            Ok((head, key))
        })?;
    let (seq, hash, at) = match head {
        Some(h) => h,
        // No head record (a new database, or its head deleted): continue after the last row.
        None => conn
            .query_row(
                "SELECT seq, hash, at FROM audit ORDER BY seq DESC LIMIT 1",
                [],
                |r| Ok((r.get::<_, i64>(0)? as u64, r.get(1)?, r.get(2)?)),
            )
            .optional()?
            .unwrap_or((0, GENESIS_HASH.to_owned(), String::new())),
    };
    Ok(ChainHead { seq, hash, at, key })
}

/// Records `head` as the chain's head (once per transaction, at its end).
pub fn store_head(conn: &Connection, head: &ChainHead) -> Result<()> {
    conn.prepare_cached(
        "INSERT INTO audit_head (id, seq, hash, at) VALUES (1, ?1, ?2, ?3) \
         ON CONFLICT (id) DO UPDATE SET seq = excluded.seq, hash = excluded.hash, at = excluded.at",
    )?
    .execute(params![head.seq as i64, head.hash, head.at])?;
    Ok(())
}

/// Appends `e` after `head` (loaded by the caller for this transaction) and advances it.
pub fn append(
    conn: &Connection,
    head: &mut ChainHead,
    settings: &AuditSettings,
    e: &AuditEvent,
) -> Result<AuditEntry> {
    let (new, entry) = next_entry(head, settings, e, LAG_TOLERANCE)?;
    if let Some(key_id) = &new.records_key {
        conn.prepare_cached("INSERT INTO audit_key (from_seq, key_id) VALUES (?1, ?2)")?
            .execute(params![new.seq as i64, key_id])?;
    }
    conn.prepare_cached(
        "INSERT INTO audit (seq, at, run_id, actor, kind, detail, prev_hash, hash, os_user, host, format) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
    )?
    .execute(params![
        new.seq as i64,
        new.at,
        e.run_id,
        e.actor,
        e.kind,
        new.detail,
        new.prev_hash,
        new.hash,
        settings.origin.os_user,
        settings.origin.host,
        new.format.code()
    ])?;
    Ok(entry)
}

pub fn entries(conn: &Connection, run_id: Option<&str>) -> Result<Vec<AuditEntry>> {
    let mut stmt = match run_id {
        Some(_) => conn.prepare_cached(&format!(
            "SELECT {AUDIT_COLS} FROM audit WHERE run_id = ?1 ORDER BY seq"
        ))?,
        None => conn.prepare_cached(&format!("SELECT {AUDIT_COLS} FROM audit ORDER BY seq"))?,
    };
    let mut rows = match run_id {
        Some(id) => stmt.query([id])?,
        None => stmt.query([])?,
    };
    let mut out = Vec::new();
    while let Some(row) = rows.next()? {
        out.push(decode(row)?);
    }
    Ok(out)
}

/// The newest entry as a checkpoint; `None` for an empty trail.
pub fn head_checkpoint(conn: &Connection) -> Result<Option<AuditCheckpoint>> {
    match head(conn)? {
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
        .map_err(|e| StoreError::corrupt(format!("bad audit head time `{at}`: {e}")))
}

/// Streams the chain through the verifier, reading every field as the raw stored text.
pub fn verify(
    conn: &Connection,
    key: Option<&AuditKey>,
    checkpoints: &[AuditCheckpoint],
) -> Result<VerifyReport> {
    // One read transaction, so the chain and its head are seen at the same instant.
    conn.execute_batch("BEGIN")?;
    let result = verify_in(conn, key, checkpoints);
    conn.execute_batch("COMMIT")?;
    result
}

fn verify_in(
    conn: &Connection,
    key: Option<&AuditKey>,
    checkpoints: &[AuditCheckpoint],
) -> Result<VerifyReport> {
    let keyed = key_record(conn)?;
    let mut verifier = ChainVerifier::new(
        key,
        keyed.as_ref().map(|(seq, id)| (*seq, id.as_str())),
        checkpoints,
    );
    let mut stmt = conn.prepare(&format!("SELECT {AUDIT_COLS} FROM audit ORDER BY seq"))?;
    let mut rows = stmt.query([])?;
    while let Some(row) = rows.next()? {
        let at = row.text(1)?;
        let run_id = row.opt_text(2)?;
        let actor = row.text(3)?;
        let kind = row.text(4)?;
        let detail = row.text(5)?;
        let prev_hash = row.text(6)?;
        let hash = row.text(7)?;
        let os_user = row.opt_text(8)?;
        let host = row.opt_text(9)?;
        let code = row.int(10)?;
        let format = HashFormat::from_code(code)
            .ok_or_else(|| StoreError::corrupt(format!("unknown audit hash format {code}")))?;
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
        if !verifier.check(&entry, &hash) {
            break;
        }
    }
    let head = head(conn)?;
    Ok(verifier.finish(head.as_ref().map(|(s, h, _)| (*s, h.as_str()))))
}
