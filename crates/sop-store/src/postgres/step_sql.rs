//! SQL for a run's steps.

use super::codec::{RowExt, big, json_text};
use super::conn::Conn;
use super::run_sql::{Values, refs};
use crate::error::{Result, StoreError};
use crate::records::{StepPatch, StepRun};
use postgres::Row;

const STEP_COLS: &str = "run_id, number, title, status, attempts, exit_code, started_at, \
     finished_at, duration_ms, output_size, output_sha256, process_group, note, outputs, output_tail";

fn decode(row: &Row) -> Result<StepRun> {
    Ok(StepRun {
        run_id: row.text(0)?,
        number: row.u32(1)?,
        title: row.text(2)?,
        status: row.parsed(3)?,
        attempts: row.u32(4)?,
        exit_code: row.opt_i32(5)?,
        started_at: row.opt_time(6)?,
        finished_at: row.opt_time(7)?,
        duration_ms: row.opt_int(8)?.map(|d| d.max(0) as u64),
        output_size: row.u64(9)?,
        output_sha256: row.opt_text(10)?,
        process_group: row.opt_i32(11)?,
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

pub fn list(conn: &mut Conn, run_id: &str) -> Result<Vec<StepRun>> {
    let sql = format!("SELECT {STEP_COLS} FROM steps WHERE run_id = $1 ORDER BY number");
    conn.query(&sql, &[&run_id])?.iter().map(decode).collect()
}

pub fn get(conn: &mut Conn, run_id: &str, number: u32) -> Result<StepRun> {
    let sql = format!("SELECT {STEP_COLS} FROM steps WHERE run_id = $1 AND number = $2");
    match conn.query_opt(&sql, &[&run_id, &i64::from(number)])? {
        Some(row) => decode(&row),
        None => Err(not_found(run_id, number)),
    }
}

pub fn update(conn: &mut Conn, run_id: &str, number: u32, patch: &StepPatch) -> Result<StepRun> {
    let mut sets: Vec<String> = Vec::new();
    let mut values: Values = Vec::new();
    let mut set = |col: &str, v: Box<dyn postgres::types::ToSql + Sync>| {
        values.push(v);
        sets.push(format!("{col} = ${}", values.len()));
    };
    if let Some(s) = patch.status {
        set("status", Box::new(s.as_str()));
    }
    if let Some(a) = patch.attempts {
        set("attempts", Box::new(i64::from(a)));
    }
    if let Some(c) = patch.exit_code {
        set("exit_code", Box::new(c.map(i64::from)));
    }
    if let Some(t) = patch.started_at {
        set("started_at", Box::new(t));
    }
    if let Some(t) = patch.finished_at {
        set("finished_at", Box::new(t));
    }
    if let Some(d) = patch.duration_ms {
        set("duration_ms", Box::new(d.map(big)));
    }
    if let Some(out) = &patch.output {
        set("output_tail", Box::new(out.kept_tail().to_vec()));
        set("output_size", Box::new(big(out.total_size)));
        set("output_sha256", Box::new(out.sha256.clone()));
    }
    if let Some(g) = patch.process_group {
        set("process_group", Box::new(g.map(i64::from)));
    }
    if let Some(n) = &patch.note {
        set("note", Box::new(n.clone()));
    }
    if let Some(o) = &patch.outputs {
        set("outputs", Box::new(json_text(o)?));
    }
    if sets.is_empty() {
        return get(conn, run_id, number);
    }
    values.push(Box::new(run_id.to_owned()));
    values.push(Box::new(i64::from(number)));
    let sql = format!(
        "UPDATE steps SET {} WHERE run_id = ${} AND number = ${} RETURNING {STEP_COLS}",
        sets.join(", "),
        values.len() - 1,
        values.len()
    );
    match conn.query_opt(&sql, &refs(&values))? {
        Some(row) => decode(&row),
        None => Err(not_found(run_id, number)),
    }
}
