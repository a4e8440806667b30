//! SQL for the notification outbox and its attempts.

use super::codec::{RowExt, opt_text, opt_ts, ts};
use crate::error::{Result, StoreError};
use crate::records::{
    AttemptOutcome, NewNotification, Notification, NotificationAttempt, NotificationCounts,
};
use chrono::{DateTime, Utc};
use rusqlite::{Connection, Row, params};

const COLS: &str = "id, event, channel, run_id, gate_id, body, created_at, due_at, attempts, \
                    last_error, sent_at, failed_at, message_ref";

fn decode(row: &Row<'_>) -> Result<Notification> {
    Ok(Notification {
        id: row.int(0)?,
        event: row.text(1)?,
        channel: row.text(2)?,
        run_id: row.opt_text(3)?,
        gate_id: row.opt_text(4)?,
        body: row.text(5)?,
        created_at: row.time(6)?,
        due_at: row.time(7)?,
        attempts: row.u32(8)?,
        last_error: row.opt_text(9)?,
        sent_at: row.opt_time(10)?,
        failed_at: row.opt_time(11)?,
        message_ref: row.opt_text(12)?,
    })
}

fn list(conn: &Connection, sql: &str, args: impl rusqlite::Params) -> Result<Vec<Notification>> {
    let mut stmt = conn.prepare_cached(sql)?;
    let mut rows = stmt.query(args)?;
    let mut out = Vec::new();
    while let Some(row) = rows.next()? {
        out.push(decode(row)?);
    }
    Ok(out)
}

pub fn get(conn: &Connection, id: i64) -> Result<Notification> {
    list(
        conn,
        &format!("SELECT {COLS} FROM notifications WHERE id = ?1"),
        [id],
    )?
    .pop()
    .ok_or_else(|| StoreError::NotFound {
        what: "notification",
        key: id.to_string(),
    })
}

pub fn insert(conn: &Connection, n: &NewNotification) -> Result<Notification> {
    conn.prepare_cached(
        "INSERT INTO notifications (event, channel, run_id, gate_id, body, created_at, due_at) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )?
    .execute(params![
        n.event,
        n.channel,
        opt_text(n.run_id.as_deref()),
        opt_text(n.gate_id.as_deref()),
        n.body,
        ts(n.created_at),
        ts(n.due_at),
    ])?;
    get(conn, conn.last_insert_rowid())
}

pub fn due(conn: &Connection, now: DateTime<Utc>, limit: u32) -> Result<Vec<Notification>> {
    list(
        conn,
        &format!(
            "SELECT {COLS} FROM notifications WHERE sent_at IS NULL AND failed_at IS NULL \
             AND due_at <= ?1 ORDER BY due_at, id LIMIT ?2"
        ),
        params![ts(now), limit],
    )
}

pub fn of_run(conn: &Connection, run_id: Option<&str>) -> Result<Vec<Notification>> {
    match run_id {
        Some(id) => list(
            conn,
            &format!("SELECT {COLS} FROM notifications WHERE run_id = ?1 ORDER BY id"),
            [id],
        ),
        None => list(
            conn,
            &format!("SELECT {COLS} FROM notifications ORDER BY id"),
            [],
        ),
    }
}

pub fn counts(conn: &Connection) -> Result<NotificationCounts> {
    Ok(conn.query_row(
        "SELECT \
           COALESCE(SUM(sent_at IS NULL AND failed_at IS NULL), 0), \
           COALESCE(SUM(sent_at IS NOT NULL), 0), \
           COALESCE(SUM(sent_at IS NULL AND failed_at IS NOT NULL), 0) \
         FROM notifications",
        [],
        |r| {
            Ok(NotificationCounts {
                pending: r.get::<_, i64>(0)? as u64,
                sent: r.get::<_, i64>(1)? as u64,
                failed: r.get::<_, i64>(2)? as u64,
            })
        },
    )?)
}

pub fn claim(
    conn: &Connection,
    id: i64,
    seen_due: DateTime<Utc>,
    until: DateTime<Utc>,
) -> Result<bool> {
    let changed = conn
        .prepare_cached(
            "UPDATE notifications SET due_at = ?3 WHERE id = ?1 AND due_at = ?2 \
             AND sent_at IS NULL AND failed_at IS NULL",
        )?
        .execute(params![id, ts(seen_due), ts(until)])?;
    Ok(changed == 1)
}

pub fn record(conn: &Connection, a: &NotificationAttempt) -> Result<Notification> {
    let before = get(conn, a.notification_id)?;
    conn.prepare_cached(
        "INSERT INTO notification_attempts (notification_id, at, outcome, error, message_ref, \
         next_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?
    .execute(params![
        a.notification_id,
        ts(a.at),
        a.outcome.as_str(),
        opt_text(a.error.as_deref()),
        opt_text(a.message_ref.as_deref()),
        opt_ts(a.next_at),
    ])?;
    let (sent, failed) = match a.outcome {
        AttemptOutcome::Sent => (Some(a.at), None),
        AttemptOutcome::GaveUp => (None, Some(a.at)),
        AttemptOutcome::Retry => (None, None),
    };
    conn.prepare_cached(
        "UPDATE notifications SET attempts = attempts + 1, last_error = ?2, sent_at = ?3, \
         failed_at = ?4, message_ref = COALESCE(?5, message_ref), due_at = ?6 WHERE id = ?1",
    )?
    .execute(params![
        a.notification_id,
        opt_text(a.error.as_deref()),
        opt_ts(sent),
        opt_ts(failed),
        opt_text(a.message_ref.as_deref()),
        ts(a.next_at.unwrap_or(before.due_at)),
    ])?;
    get(conn, a.notification_id)
}

pub fn attempts(conn: &Connection, id: i64) -> Result<Vec<NotificationAttempt>> {
    let mut stmt = conn.prepare_cached(
        "SELECT notification_id, at, outcome, error, message_ref, next_at \
         FROM notification_attempts WHERE notification_id = ?1 ORDER BY rowid",
    )?;
    let mut rows = stmt.query([id])?;
    let mut out = Vec::new();
    while let Some(r) = rows.next()? {
        out.push(NotificationAttempt {
            notification_id: r.int(0)?,
            at: r.time(1)?,
            outcome: r.parsed(2)?,
            error: r.opt_text(3)?,
            message_ref: r.opt_text(4)?,
            next_at: r.opt_time(5)?,
        });
    }
    Ok(out)
}
