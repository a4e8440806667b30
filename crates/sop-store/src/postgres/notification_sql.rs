//! SQL for the notification outbox and its attempts.

use super::codec::RowExt;
use super::conn::Conn;
use crate::error::{Result, StoreError};
use crate::records::{
    AttemptOutcome, NewNotification, Notification, NotificationAttempt, NotificationCounts,
};
use chrono::{DateTime, Utc};
use postgres::Row;

const COLS: &str = "id, event, channel, run_id, gate_id, body, created_at, due_at, attempts, \
                    last_error, sent_at, failed_at, message_ref";

fn decode(row: &Row) -> Result<Notification> {
    Ok(Notification {
        id: row.int(0)?,
        event: row.text(1)?,
        channel: row.text(2)?,
        run_id: row.opt_text(3)?,
        gate_id: row.opt_text(4)?,
        body: row.text(5)?,
        created_at: row.time(6)?,
        due_at: row.time(7)?,
        attempts: row.col::<i32>(8)?.try_into().unwrap_or(0),
        last_error: row.opt_text(9)?,
        sent_at: row.opt_time(10)?,
        failed_at: row.opt_time(11)?,
        message_ref: row.opt_text(12)?,
    })
}

pub fn get(conn: &mut Conn, id: i64) -> Result<Notification> {
    let row = conn.query_opt(
        &format!("SELECT {COLS} FROM notifications WHERE id = $1"),
        &[&id],
    )?;
    match row {
        Some(r) => decode(&r),
        None => Err(StoreError::NotFound {
            what: "notification",
            key: id.to_string(),
        }),
    }
}

pub fn insert(conn: &mut Conn, n: &NewNotification) -> Result<Notification> {
    let row = conn.query_one(
        &format!(
            "INSERT INTO notifications (event, channel, run_id, gate_id, body, created_at, \
             due_at) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING {COLS}"
        ),
        &[
            &n.event,
            &n.channel,
            &n.run_id,
            &n.gate_id,
            &n.body,
            &n.created_at,
            &n.due_at,
        ],
    )?;
    decode(&row)
}

pub fn due(conn: &mut Conn, now: DateTime<Utc>, limit: u32) -> Result<Vec<Notification>> {
    conn.query(
        &format!(
            "SELECT {COLS} FROM notifications WHERE sent_at IS NULL AND failed_at IS NULL \
             AND due_at <= $1 ORDER BY due_at, id LIMIT $2"
        ),
        &[&now, &i64::from(limit)],
    )?
    .iter()
    .map(decode)
    .collect()
}

pub fn of_run(conn: &mut Conn, run_id: Option<&str>) -> Result<Vec<Notification>> {
    let rows = match run_id {
        Some(id) => conn.query(
            &format!("SELECT {COLS} FROM notifications WHERE run_id = $1 ORDER BY id"),
            &[&id],
        )?,
        None => conn.query(
            &format!("SELECT {COLS} FROM notifications ORDER BY id"),
            &[],
        )?,
    };
    rows.iter().map(decode).collect()
}

pub fn counts(conn: &mut Conn) -> Result<NotificationCounts> {
    let r = conn.query_one(
        "SELECT \
           count(*) FILTER (WHERE sent_at IS NULL AND failed_at IS NULL), \
           count(*) FILTER (WHERE sent_at IS NOT NULL), \
           count(*) FILTER (WHERE sent_at IS NULL AND failed_at IS NOT NULL) \
         FROM notifications",
        &[],
    )?;
    Ok(NotificationCounts {
        pending: r.u64(0)?,
        sent: r.u64(1)?,
        failed: r.u64(2)?,
    })
}

pub fn claim(
    conn: &mut Conn,
    id: i64,
    seen_due: DateTime<Utc>,
    until: DateTime<Utc>,
) -> Result<bool> {
    let changed = conn.execute(
        "UPDATE notifications SET due_at = $3 WHERE id = $1 AND due_at = $2 \
         AND sent_at IS NULL AND failed_at IS NULL",
        &[&id, &seen_due, &until],
    )?;
    Ok(changed == 1)
}

pub fn record(conn: &mut Conn, a: &NotificationAttempt) -> Result<Notification> {
    let before = get(conn, a.notification_id)?;
    conn.execute(
        "INSERT INTO notification_attempts (notification_id, at, outcome, error, message_ref, \
         next_at) VALUES ($1, $2, $3, $4, $5, $6)",
        &[
            &a.notification_id,
            &a.at,
            &a.outcome.as_str(),
            &a.error,
            &a.message_ref,
            &a.next_at,
        ],
    )?;
    let (sent, failed) = match a.outcome {
        AttemptOutcome::Sent => (Some(a.at), None),
        AttemptOutcome::GaveUp => (None, Some(a.at)),
        AttemptOutcome::Retry => (None, None),
    };
    conn.execute(
        "UPDATE notifications SET attempts = attempts + 1, last_error = $2, sent_at = $3, \
         failed_at = $4, message_ref = COALESCE($5, message_ref), due_at = $6 WHERE id = $1",
        &[
            &a.notification_id,
            &a.error,
            &sent,
            &failed,
            &a.message_ref,
            &a.next_at.unwrap_or(before.due_at),
        ],
    )?;
    get(conn, a.notification_id)
}

pub fn attempts(conn: &mut Conn, id: i64) -> Result<Vec<NotificationAttempt>> {
    conn.query(
        "SELECT notification_id, at, outcome, error, message_ref, next_at \
         FROM notification_attempts WHERE notification_id = $1 ORDER BY at",
        &[&id],
    )?
    .iter()
    .map(|r| {
        Ok(NotificationAttempt {
            notification_id: r.int(0)?,
            at: r.time(1)?,
            outcome: r.parsed(2)?,
            error: r.opt_text(3)?,
            message_ref: r.opt_text(4)?,
            next_at: r.opt_time(5)?,
        })
    })
    .collect()
}
