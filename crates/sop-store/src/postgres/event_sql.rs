//! SQL for received events.

use super::codec::{RowExt, big, json_text};
use super::conn::Conn;
use super::run_sql::{Values, refs};
use crate::error::Result;
use crate::records::{Event, EventFilter, NewEvent};
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
    sql.push_str(&format!(" ORDER BY id LIMIT ${}", values.len()));
    conn.query(&sql, &refs(&values))?
        .iter()
        .map(decode)
        .collect()
}
