//! SQL for received events.

use super::codec::{RowExt, big, json_text};
use super::conn::Conn;
use super::run_sql::{Values, refs};
use crate::error::{Result, StoreError};
use crate::records::{Event, EventFilter, EventOutcome, NewEvent};
use chrono::SubsecRound;
use postgres::Row;

fn decode(row: &Row) -> Result<Event> {
    Ok(Event {
        id: row.u64(0)?,
        name: row.text(1)?,
        source: row.opt_text(2)?,
        received_at: row.time(3)?,
        payload: row.json(4)?,
    })
}

pub fn insert(conn: &mut Conn, e: &NewEvent) -> Result<Event> {
    let id = conn
        .query_one(
            "INSERT INTO events (name, source, received_at, payload) VALUES ($1, $2, $3, $4) \
             RETURNING id",
            &[&e.name, &e.source, &e.received_at, &json_text(&e.payload)?],
        )?
        .u64(0)?;
    Ok(Event {
        id,
        name: e.name.clone(),
        source: e.source.clone(),
        payload: e.payload.clone(),
        received_at: e.received_at.trunc_subsecs(6),
    })
}

pub fn list(conn: &mut Conn, filter: &EventFilter) -> Result<Vec<Event>> {
    let mut values: Values = vec![Box::new(big(filter.after_id.unwrap_or(0)))];
    let mut sql =
        "SELECT id, name, source, received_at, payload FROM events WHERE id > $1".to_owned();
    if let Some(name) = &filter.name {
        values.push(Box::new(name.clone()));
        sql.push_str(" AND name = $2");
    }
    values.push(Box::new(i64::from(filter.limit)));
    let order = if filter.newest_first { "DESC" } else { "ASC" };
    sql.push_str(&format!(" ORDER BY id {order} LIMIT ${}", values.len()));
    conn.query(&sql, &refs(&values))?
        .iter()
        .map(decode)
        .collect()
}

const OUTCOME_COLS: &str = "event_id, sop, trigger_index, outcome, run_id, reason, decided_at";

fn decode_outcome(row: &Row) -> Result<EventOutcome> {
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

pub fn insert_outcome(conn: &mut Conn, o: &EventOutcome) -> Result<()> {
    let inserted = conn.execute(
        &format!(
            "INSERT INTO event_outcomes ({OUTCOME_COLS}) VALUES ($1, $2, $3, $4, $5, $6, $7) \
             ON CONFLICT (event_id, sop, trigger_index) DO NOTHING"
        ),
        &[
            &big(o.event_id),
            &o.sop,
            &i64::from(o.trigger),
            &o.outcome.as_str(),
            &o.run_id,
            &o.reason,
            &o.decided_at,
        ],
    )?;
    if inserted == 0 {
        return Err(StoreError::AlreadyExists {
            what: "event outcome",
            key: format!("event {} for {} trigger {}", o.event_id, o.sop, o.trigger),
        });
    }
    Ok(())
}

pub fn outcomes(conn: &mut Conn, event_ids: &[u64]) -> Result<Vec<EventOutcome>> {
    let ids: Vec<i64> = event_ids.iter().map(|id| big(*id)).collect();
    conn.query(
        &format!(
            "SELECT {OUTCOME_COLS} FROM event_outcomes WHERE event_id = ANY($1) \
             ORDER BY event_id, sop, trigger_index"
        ),
        &[&ids],
    )?
    .iter()
    .map(decode_outcome)
    .collect()
}

pub fn last_start(conn: &mut Conn, sop: &str, trigger: u32) -> Result<Option<EventOutcome>> {
    conn.query(
        &format!(
            "SELECT {OUTCOME_COLS} FROM event_outcomes \
             WHERE sop = $1 AND trigger_index = $2 AND outcome = 'started' \
             ORDER BY decided_at DESC LIMIT 1"
        ),
        &[&sop, &i64::from(trigger)],
    )?
    .first()
    .map(decode_outcome)
    .transpose()
}
