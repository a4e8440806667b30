//! SQL for received events.

use super::codec::{RowExt, json_text, stored, ts};
use crate::error::Result;
use crate::records::{Event, EventFilter, NewEvent};
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
    sql.push_str(&format!(" ORDER BY id LIMIT ?{}", values.len()));
    let mut stmt = conn.prepare_cached(&sql)?;
    let mut rows = stmt.query(params_from_iter(values))?;
    let mut out = Vec::new();
    while let Some(row) = rows.next()? {
        out.push(decode(row)?);
    }
    Ok(out)
}
