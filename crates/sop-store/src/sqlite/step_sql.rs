//! SQL for a run's steps.

use super::codec::{RowExt, json_text, opt_int, opt_text, opt_ts};
use crate::error::{Result, StoreError};
use crate::records::{StepPatch, StepRun};
use rusqlite::types::Value;
use rusqlite::{Connection, Row, params, params_from_iter};

const STEP_COLS: &str = "run_id, number, title, status, attempts, exit_code, started_at, \
     finished_at, duration_ms, output_size, output_sha256, process_group, note, outputs, output_tail";

fn decode(row: &Row<'_>) -> Result<StepRun> {
    Ok(StepRun {
        run_id: row.text(0)?,
        number: row.u32(1)?,
        title: row.text(2)?,
        status: row.parsed(3)?,
        attempts: row.u32(4)?,
        exit_code: row
            .opt_int(5)?
            .map(|c| i32::try_from(c).map_err(|_| StoreError::corrupt(format!("exit code {c}"))))
            .transpose()?,
        started_at: row.opt_time(6)?,
        finished_at: row.opt_time(7)?,
        duration_ms: row.opt_int(8)?.map(|d| d.max(0) as u64),
        output_size: row.u64(9)?,
        output_sha256: row.opt_text(10)?,
        process_group: row
            .opt_int(11)?
            .map(|g| i32::try_from(g).map_err(|_| StoreError::corrupt(format!("pgid {g}"))))
            .transpose()?,
        note: row.opt_text(12)?,
        outputs: row.json(13)?,
        output_tail: row.blob(14)?,
    })
}

fn not_found(run_id: &str, number: u32) -> StoreError {
    StoreError::NotFound {
        what: "step",
        key: format!("{run_id} step {number}"),
    }
}

pub fn list(conn: &Connection, run_id: &str) -> Result<Vec<StepRun>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {STEP_COLS} FROM steps WHERE run_id = ?1 ORDER BY number"
    ))?;
    let mut rows = stmt.query([run_id])?;
    let mut out = Vec::new();
    while let Some(row) = rows.next()? {
        out.push(decode(row)?);
    }
    Ok(out)
}

pub fn get(conn: &Connection, run_id: &str, number: u32) -> Result<StepRun> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {STEP_COLS} FROM steps WHERE run_id = ?1 AND number = ?2"
    ))?;
    let mut rows = stmt.query(params![run_id, number])?;
    match rows.next()? {
        Some(row) => decode(row),
        None => Err(not_found(run_id, number)),
    }
}

pub fn update(conn: &Connection, run_id: &str, number: u32, patch: &StepPatch) -> Result<StepRun> {
    let mut sets: Vec<String> = Vec::new();
    let mut values: Vec<Value> = Vec::new();
    let mut set = |col: &str, v: Value| {
        values.push(v);
        sets.push(format!("{col} = ?{}", values.len()));
    };
    if let Some(s) = patch.status {
        set("status", Value::Text(s.as_str().into()));
    }
    if let Some(a) = patch.attempts {
        set("attempts", Value::Integer(a.into()));
    }
    if let Some(c) = patch.exit_code {
        set("exit_code", opt_int(c.map(i64::from)));
    }
    if let Some(t) = patch.started_at {
        set("started_at", opt_ts(t));
    }
    if let Some(t) = patch.finished_at {
        set("finished_at", opt_ts(t));
    }
    if let Some(d) = patch.duration_ms {
        set(
            "duration_ms",
            opt_int(d.map(|d| d.min(i64::MAX as u64) as i64)),
        );
    }
    if let Some(out) = &patch.output {
        set("output_tail", Value::Blob(out.kept_tail().to_vec()));
        set(
            "output_size",
            Value::Integer(out.total_size.min(i64::MAX as u64) as i64),
        );
        set("output_sha256", opt_text(out.sha256.as_deref()));
    }
    if let Some(g) = patch.process_group {
        set("process_group", opt_int(g.map(i64::from)));
    }
    if let Some(n) = &patch.note {
        set("note", opt_text(n.as_deref()));
    }
    if let Some(o) = &patch.outputs {
        set("outputs", Value::Text(json_text(o)?));
    }
    if sets.is_empty() {
        return get(conn, run_id, number);
    }
    values.push(Value::Text(run_id.to_owned()));
    values.push(Value::Integer(number.into()));
    let sql = format!(
        "UPDATE steps SET {} WHERE run_id = ?{} AND number = ?{} RETURNING {STEP_COLS}",
        sets.join(", "),
        values.len() - 1,
        values.len()
    );
    let mut stmt = conn.prepare_cached(&sql)?;
    let mut rows = stmt.query(params_from_iter(values))?;
    match rows.next()? {
        Some(row) => decode(row),
        None => Err(not_found(run_id, number)),
    }
}
