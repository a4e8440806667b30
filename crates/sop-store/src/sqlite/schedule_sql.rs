//! SQL for the scheduler's decisions, one row per fire key.

use super::codec::{RowExt, json_text, ts};
use crate::error::Result;
use crate::records::{ScheduleFire, ScheduleFireFilter};
use chrono::{DateTime, Utc};
use rusqlite::types::Value;
use rusqlite::{Connection, Row, params, params_from_iter};
use sop_core::schedule::FireDecision;

const COLS: &str = "sop_name, trigger_key, scheduled_at, decision, run_id, recorded_at, detail";

fn decode(row: &Row<'_>) -> Result<ScheduleFire> {
    Ok(ScheduleFire {
        sop_name: row.text(0)?,
        trigger_key: row.text(1)?,
        scheduled_at: row.time(2)?,
        decision: row.parsed(3)?,
        run_id: row.opt_text(4)?,
        recorded_at: row.time(5)?,
        detail: row.json(6)?,
    })
}

/// Records `f` unless its fire key is taken; true when recorded.
pub fn insert(conn: &Connection, f: &ScheduleFire) -> Result<bool> {
    let n = conn
        .prepare_cached(&format!(
            "INSERT INTO schedule_fires ({COLS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) \
             ON CONFLICT DO NOTHING"
        ))?
        .execute(params![
            f.sop_name,
            f.trigger_key,
            ts(f.scheduled_at),
            f.decision.as_str(),
            f.run_id,
            ts(f.recorded_at),
            json_text(&f.detail)?,
        ])?;
    Ok(n == 1)
}

/// Moves a `queued` tick to `decision`; false when it is not queued (any more).
pub fn settle(
    conn: &Connection,
    key: (&str, &str, DateTime<Utc>),
    decision: FireDecision,
    run_id: Option<&str>,
    at: DateTime<Utc>,
) -> Result<bool> {
    let n = conn
        .prepare_cached(
            "UPDATE schedule_fires SET decision = ?4, run_id = ?5, recorded_at = ?6 \
             WHERE sop_name = ?1 AND trigger_key = ?2 AND scheduled_at = ?3 \
             AND decision = 'queued'",
        )?
        .execute(params![
            key.0,
            key.1,
            ts(key.2),
            decision.as_str(),
            run_id,
            ts(at)
        ])?;
    Ok(n == 1)
}

/// Decisions matching `filter`, latest tick first.
pub fn list(conn: &Connection, filter: &ScheduleFireFilter) -> Result<Vec<ScheduleFire>> {
    let mut sql = format!("SELECT {COLS} FROM schedule_fires WHERE 1 = 1");
    let mut values: Vec<Value> = Vec::new();
    let mut narrow = |column: &str, value: Option<String>| {
        if let Some(v) = value {
            values.push(Value::Text(v));
            sql.push_str(&format!(" AND {column} = ?{}", values.len()));
        }
    };
    narrow("sop_name", filter.sop_name.clone());
    narrow("trigger_key", filter.trigger_key.clone());
    narrow("decision", filter.decision.map(|d| d.as_str().to_string()));
    sql.push_str(" ORDER BY scheduled_at DESC, sop_name, trigger_key");
    values.push(Value::Integer(i64::from(filter.limit.max(1))));
    sql.push_str(&format!(" LIMIT ?{}", values.len()));
    let mut stmt = conn.prepare_cached(&sql)?;
    let mut rows = stmt.query(params_from_iter(values))?;
    let mut out = Vec::new();
    while let Some(row) = rows.next()? {
        out.push(decode(row)?);
    }
    Ok(out)
}
