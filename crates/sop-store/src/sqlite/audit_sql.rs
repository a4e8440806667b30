//! SQL for the audit chain: append (with the head record), read, verify.

use super::codec::{RowExt, json_text, stored, ts};
use crate::audit_chain::{ChainVerifier, GENESIS_HASH, StoredEntry, entry_hash};
use crate::error::Result;
use crate::records::{AuditEntry, AuditEvent, VerifyReport};
use rusqlite::{Connection, OptionalExtension, Row, params};

const AUDIT_COLS: &str = "seq, at, run_id, actor, kind, detail, prev_hash, hash";

fn decode(row: &Row<'_>) -> Result<AuditEntry> {
    Ok(AuditEntry {
        seq: row.u64(0)?,
        at: row.time(1)?,
        run_id: row.opt_text(2)?,
        actor: row.text(3)?,
        kind: row.text(4)?,
        detail: row.json(5)?,
        prev_hash: row.text(6)?,
        hash: row.text(7)?,
    })
}

fn head(conn: &Connection) -> Result<Option<(u64, String)>> {
    Ok(conn
        .prepare_cached("SELECT seq, hash FROM audit_head WHERE id = 1")?
        .query_row([], |r| Ok((r.get::<_, i64>(0)? as u64, r.get(1)?)))
        .optional()?)
}

/// Appends after the recorded head (not after the last row: if rows were deleted, the gap stays
/// visible instead of being papered over by new entries).
pub fn append(conn: &Connection, e: &AuditEvent) -> Result<AuditEntry> {
    let (prev_seq, prev_hash) = match head(conn)? {
        Some(h) => h,
        None => conn
            .query_row(
                "SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1",
                [],
                |r| Ok((r.get::<_, i64>(0)? as u64, r.get(1)?)),
            )
            .optional()?
            .unwrap_or((0, GENESIS_HASH.to_owned())),
    };
    let seq = prev_seq + 1;
    let at = ts(e.at);
    let detail = json_text(&e.detail)?;
    let hash = entry_hash(&StoredEntry {
        seq,
        at: &at,
        run_id: e.run_id.as_deref(),
        actor: &e.actor,
        kind: &e.kind,
        detail: &detail,
        prev_hash: &prev_hash,
    });
    conn.prepare_cached(
        "INSERT INTO audit (seq, at, run_id, actor, kind, detail, prev_hash, hash) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    )?
    .execute(params![
        seq as i64, at, e.run_id, e.actor, e.kind, detail, prev_hash, hash
    ])?;
    conn.prepare_cached(
        "INSERT INTO audit_head (id, seq, hash) VALUES (1, ?1, ?2) \
         ON CONFLICT (id) DO UPDATE SET seq = excluded.seq, hash = excluded.hash",
    )?
    .execute(params![seq as i64, hash])?;
    Ok(AuditEntry {
        seq,
        at: stored(e.at),
        run_id: e.run_id.clone(),
        actor: e.actor.clone(),
        kind: e.kind.clone(),
        detail: e.detail.clone(),
        prev_hash,
        hash,
    })
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

/// Streams the chain through the verifier, reading every field as the raw stored text.
pub fn verify(conn: &Connection) -> Result<VerifyReport> {
    let mut stmt = conn.prepare(&format!("SELECT {AUDIT_COLS} FROM audit ORDER BY seq"))?;
    let mut rows = stmt.query([])?;
    let mut verifier = ChainVerifier::default();
    while let Some(row) = rows.next()? {
        let at = row.text(1)?;
        let run_id = row.opt_text(2)?;
        let actor = row.text(3)?;
        let kind = row.text(4)?;
        let detail = row.text(5)?;
        let prev_hash = row.text(6)?;
        let hash = row.text(7)?;
        let entry = StoredEntry {
            seq: row.u64(0)?,
            at: &at,
            run_id: run_id.as_deref(),
            actor: &actor,
            kind: &kind,
            detail: &detail,
            prev_hash: &prev_hash,
        };
        if !verifier.check(&entry, &hash) {
            break;
        }
    }
    let head = head(conn)?;
    Ok(verifier.finish(head.as_ref().map(|(s, h)| (*s, h.as_str()))))
}
