//! SQL for received events.

use super::codec::{RowExt, json_text, stored, ts};
use crate::error::{Result, StoreError};
use crate::records::{Event, EventFilter, EventOutcome, NewEvent};
use rusqlite::types::Value;
use rusqlite::{Connection, Row, params, params_from_iter};

fn decode(row: &Row<'_>) -> Result<Event> {
    Ok(Event {
        id: row.u64(0)?,
        name: row.text(1)?,
        source: row.opt_text(2)?,
        received_at: row.time(3)?,
        payload: row.json(4)?,
    })
}

pub fn insert(conn: &Connection, e: &NewEvent) -> Result<Event> {
    let id: i64 = conn
        .prepare_cached(
            "INSERT INTO events (name, source, received_at, payload) VALUES (?1, ?2, ?3, ?4) RETURNING id",
        )?
        .query_row(
            params![e.name, e.source, ts(e.received_at), json_text(&e.payload)?],
            |r| r.get(0),
        )?;
    Ok(Event {
        id: id as u64,
        name: e.name.clone(),
        source: e.source.clone(),
        payload: e.payload.clone(),
        received_at: stored(e.received_at),
    })
}

pub fn list(conn: &Connection, filter: &EventFilter) -> Result<Vec<Event>> {
    let mut values = vec![Value::Integer(filter.after_id.unwrap_or(0) as i64)];
    let mut sql =
        "SELECT id, name, source, received_at, payload FROM events WHERE id > ?1".to_owned();
    if let Some(name) = &filter.name {
        values.push(Value::Text(name.clone()));
        sql.push_str(" AND name = ?2");
    }
    values.push(Value::Integer(filter.limit.into()));
    let order = if filter.newest_first { "DESC" } else { "ASC" };
    sql.push_str(&format!(" ORDER BY id {order} LIMIT ?{}", values.len()));
    let mut stmt = conn.prepare_cached(&sql)?;
    let mut rows = stmt.query(params_from_iter(values))?;
    let mut out = Vec::new();
    while let Some(row) = rows.next()? {
        out.push(decode(row)?);
    }
    Ok(out)
}

const OUTCOME_COLS: &str = "event_id, sop, trigger_index, outcome, run_id, reason, decided_at";

fn decode_outcome(row: &Row<'_>) -> Result<EventOutcome> {
    Ok(EventOutcome {
        event_id: row.u64(0)?,
        sop: row.text(1)?,
        trigger: row.u32(2)?,
        outcome: row.parsed(3)?,
        run_id: row.opt_text(4)?,
        reason: row.opt_text(5)?,
        decided_at: row.time(6)?,
    })
}

pub fn insert_outcome(conn: &Connection, o: &EventOutcome) -> Result<()> {
    let inserted = conn
        .prepare_cached(&format!(
            "INSERT INTO event_outcomes ({OUTCOME_COLS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) \
             ON CONFLICT (event_id, sop, trigger_index) DO NOTHING"
        ))?
        .execute(params![
            o.event_id as i64,
            o.sop,
            o.trigger,
            o.outcome.as_str(),
            o.run_id,
            o.reason,
            ts(o.decided_at)
        ])?;
    if inserted == 0 {
        return Err(StoreError::AlreadyExists {
            what: "event outcome",
            key: format!("event {} for {} trigger {}", o.event_id, o.sop, o.trigger),
        });
    }
    Ok(())
}

pub fn outcomes(conn: &Connection, event_ids: &[u64]) -> Result<Vec<EventOutcome>> {
    let mut out = Vec::new();
    // One statement per id keeps the statement cached; callers ask for a page of events.
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {OUTCOME_COLS} FROM event_outcomes WHERE event_id = ?1 ORDER BY sop, trigger_index"
    ))?;
    for id in event_ids {
        let mut rows = stmt.query([*id as i64])?;
        while let Some(row) = rows.next()? {
            out.push(decode_outcome(row)?);
        }
    }
    Ok(out)
}

pub fn last_start(conn: &Connection, sop: &str, trigger: u32) -> Result<Option<EventOutcome>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {OUTCOME_COLS} FROM event_outcomes \
         WHERE sop = ?1 AND trigger_index = ?2 AND outcome = 'started' \
         ORDER BY decided_at DESC LIMIT 1"
    ))?;
    let mut rows = stmt.query(params![sop, trigger])?;
    rows.next()?.map(decode_outcome).transpose()
}
