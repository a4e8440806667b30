//! SQL for the scheduler's decisions, one row per fire key.

use super::codec::{RowExt, json_text};
use super::conn::Conn;
use crate::error::Result;
use crate::records::{ScheduleFire, ScheduleFireFilter};
use chrono::{DateTime, Utc};
use postgres::Row;
use postgres::types::ToSql;
use sop_core::schedule::FireDecision;

const COLS: &str = "sop_name, trigger_key, scheduled_at, decision, run_id, recorded_at, detail";

fn decode(row: &Row) -> Result<ScheduleFire> {
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
pub fn insert(conn: &mut Conn, f: &ScheduleFire) -> Result<bool> {
    let n = conn.execute(
        &format!(
            "INSERT INTO schedule_fires ({COLS}) VALUES ($1, $2, $3, $4, $5, $6, $7) \
             ON CONFLICT DO NOTHING"
        ),
        &[
            &f.sop_name,
            &f.trigger_key,
            &f.scheduled_at,
            &f.decision.as_str(),
            &f.run_id,
            &f.recorded_at,
            &json_text(&f.detail)?,
        ],
    )?;
    Ok(n == 1)
}

/// Moves a `queued` tick to `decision`; false when it is not queued (any more).
pub fn settle(
    conn: &mut Conn,
    key: (&str, &str, DateTime<Utc>),
    decision: FireDecision,
    run_id: Option<&str>,
    at: DateTime<Utc>,
) -> Result<bool> {
    let n = conn.execute(
        "UPDATE schedule_fires SET decision = $4, run_id = $5, recorded_at = $6 \
         WHERE sop_name = $1 AND trigger_key = $2 AND scheduled_at = $3 \
         AND decision = 'queued'",
        &[&key.0, &key.1, &key.2, &decision.as_str(), &run_id, &at],
    )?;
    Ok(n == 1)
}

/// Decisions matching `filter`, latest tick first.
pub fn list(conn: &mut Conn, filter: &ScheduleFireFilter) -> Result<Vec<ScheduleFire>> {
    let mut sql = format!("SELECT {COLS} FROM schedule_fires WHERE 1 = 1");
    let decision = filter.decision.map(|d| d.as_str().to_string());
    let limit = i64::from(filter.limit.max(1));
    let mut params: Vec<&(dyn ToSql + Sync)> = Vec::new();
    for (column, value) in [
        ("sop_name", &filter.sop_name),
        ("trigger_key", &filter.trigger_key),
        ("decision", &decision),
    ] {
        if let Some(v) = value {
            params.push(v);
            sql.push_str(&format!(" AND {column} = ${}", params.len()));
        }
    }
    sql.push_str(" ORDER BY scheduled_at DESC, sop_name, trigger_key");
    params.push(&limit);
    sql.push_str(&format!(" LIMIT ${}", params.len()));
    conn.query(&sql, &params)?.iter().map(decode).collect()
}
