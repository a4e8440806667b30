//! SQL for runs: create, conditional update, lookup by id or prefix, lists and counts.

use super::codec::{RowExt, json_text, opt_int, opt_text, opt_ts, stored, ts};
use crate::error::{Result, StoreError};
use crate::id::{ID_LEN, is_id_prefix, new_id};
use crate::records::{Expect, NewRun, Run, RunFilter, RunPatch, RunState, RunSummary};
use rusqlite::types::Value;
use rusqlite::{Connection, OptionalExtension, Row, params, params_from_iter};
use sop_core::run::RunStatus;

pub(super) const RUN_COLS: &str = "id, sop_name, definition_hash, status, reason, current_step, step_count, \
     trigger_type, started_by, created_at, started_at, finished_at, workdir, lease_owner, \
     lease_expires_at, version, forced, pruned_at, execution_mode, trigger_detail, variables, \
     definition_snapshot, conditions_due, deadline";

const SUMMARY_COLS: &str = "id, sop_name, status, reason, current_step, step_count, trigger_type, \
     started_by, created_at, started_at, finished_at, forced";

/// How many times a fresh id is drawn when one is already taken (25 random bits per second).
const ID_ATTEMPTS: usize = 16;

pub(super) fn decode(row: &Row<'_>) -> Result<Run> {
    Ok(Run {
        id: row.text(0)?,
        sop_name: row.text(1)?,
        definition_hash: row.text(2)?,
        status: row.parsed(3)?,
        reason: row.opt_text(4)?,
        current_step: row.opt_u32(5)?,
        step_count: row.u32(6)?,
        trigger_type: row.text(7)?,
        started_by: row.text(8)?,
        created_at: row.time(9)?,
        started_at: row.opt_time(10)?,
        finished_at: row.opt_time(11)?,
        workdir: row.opt_text(12)?,
        lease_owner: row.opt_text(13)?,
        lease_expires_at: row.opt_time(14)?,
        version: row.u64(15)?,
        forced: row.int(16)? != 0,
        pruned_at: row.opt_time(17)?,
        execution_mode: row.parsed(18)?,
        trigger_detail: row.json(19)?,
        variables: row.json(20)?,
        definition_snapshot: row.opt_text(21)?,
        conditions_due: row.int(22)? != 0,
        deadline: row.opt_time(23)?,
    })
}

fn decode_summary(row: &Row<'_>) -> Result<RunSummary> {
    Ok(RunSummary {
        id: row.text(0)?,
        sop_name: row.text(1)?,
        status: row.parsed(2)?,
        reason: row.opt_text(3)?,
        current_step: row.opt_u32(4)?,
        step_count: row.u32(5)?,
        trigger_type: row.text(6)?,
        started_by: row.text(7)?,
        created_at: row.time(8)?,
        started_at: row.opt_time(9)?,
        finished_at: row.opt_time(10)?,
        forced: row.int(11)? != 0,
    })
}

/// `'a', 'b', …` for statuses: fixed enum names, safe to inline.
pub(super) fn status_list(pred: impl Fn(RunStatus) -> bool) -> String {
    RunStatus::ALL
        .into_iter()
        .filter(|s| pred(*s))
        .map(|s| format!("'{}'", s.as_str()))
        .collect::<Vec<_>>()
        .join(", ")
}

pub fn insert(conn: &Connection, new: &NewRun) -> Result<Run> {
    let mut stmt = conn.prepare_cached(
        "INSERT INTO runs (id, sop_name, definition_hash, status, reason, current_step, step_count, \
         trigger_type, started_by, created_at, workdir, version, forced, execution_mode, \
         trigger_detail, variables, definition_snapshot, conditions_due) \
         VALUES (?1, ?2, ?3, ?4, ?5, NULL, ?6, ?7, ?8, ?9, ?10, 0, ?11, ?12, ?13, ?14, ?15, ?16) \
         ON CONFLICT (id) DO NOTHING",
    )?;
    let trigger_detail = json_text(&new.trigger_detail)?;
    let variables = json_text(&new.variables)?;
    let mut rng = rand::rng();
    let mut id = None;
    for _ in 0..ID_ATTEMPTS {
        let candidate = new_id(new.created_at, &mut rng);
        let inserted = stmt.execute(params![
            candidate,
            new.sop_name,
            new.definition_hash,
            new.status.as_str(),
            new.reason,
            new.steps.len() as i64,
            new.trigger_type,
            new.started_by,
            ts(new.created_at),
            new.workdir,
            new.forced as i64,
            new.execution_mode.as_str(),
            trigger_detail,
            variables,
            new.definition_snapshot,
            new.conditions_due as i64,
        ])?;
        if inserted == 1 {
            id = Some(candidate);
            break;
        }
    }
    let id = id.ok_or_else(|| StoreError::Busy("no free run id this second".into()))?;
    let mut step_stmt = conn.prepare_cached(
        "INSERT INTO steps (run_id, number, title, status) VALUES (?1, ?2, ?3, 'pending')",
    )?;
    for step in &new.steps {
        step_stmt.execute(params![id, step.number, step.title])?;
    }
    Ok(Run {
        id,
        sop_name: new.sop_name.clone(),
        definition_hash: new.definition_hash.clone(),
        definition_snapshot: Some(new.definition_snapshot.clone()),
        execution_mode: new.execution_mode,
        status: new.status,
        reason: new.reason.clone(),
        current_step: None,
        step_count: new.steps.len() as u32,
        trigger_type: new.trigger_type.clone(),
        trigger_detail: new.trigger_detail.clone(),
        started_by: new.started_by.clone(),
        variables: new.variables.clone(),
        created_at: stored(new.created_at),
        started_at: None,
        finished_at: None,
        workdir: new.workdir.clone(),
        lease_owner: None,
        lease_expires_at: None,
        version: 0,
        forced: new.forced,
        pruned_at: None,
        deadline: None,
        conditions_due: new.conditions_due,
    })
}

pub fn update(conn: &Connection, id: &str, expect: &Expect, patch: &RunPatch) -> Result<Run> {
    update_returning(conn, id, expect, patch, RUN_COLS, decode)
}

/// [`update`], reading back only the columns of [`RunState`].
pub fn update_state(
    conn: &Connection,
    id: &str,
    expect: &Expect,
    patch: &RunPatch,
) -> Result<RunState> {
    let mut state = update_returning(conn, id, expect, patch, STATE_COLS, decode_state)?;
    state.variables = patch.variables.clone();
    Ok(state)
}

const STATE_COLS: &str = "status, reason, current_step, started_at, finished_at, workdir, \
     lease_owner, lease_expires_at, version, forced, pruned_at, conditions_due, deadline";

fn decode_state(row: &Row<'_>) -> Result<RunState> {
    Ok(RunState {
        status: row.parsed(0)?,
        reason: row.opt_text(1)?,
        current_step: row.opt_u32(2)?,
        started_at: row.opt_time(3)?,
        finished_at: row.opt_time(4)?,
        workdir: row.opt_text(5)?,
        lease_owner: row.opt_text(6)?,
        lease_expires_at: row.opt_time(7)?,
        version: row.u64(8)?,
        forced: row.int(9)? != 0,
        pruned_at: row.opt_time(10)?,
        conditions_due: row.int(11)? != 0,
        deadline: row.opt_time(12)?,
        variables: None,
    })
}

fn update_returning<T>(
    conn: &Connection,
    id: &str,
    expect: &Expect,
    patch: &RunPatch,
    columns: &str,
    decode: fn(&Row<'_>) -> Result<T>,
) -> Result<T> {
    let mut sets = vec!["version = version + 1".to_owned()];
    let mut values: Vec<Value> = Vec::new();
    let mut set = |col: &str, v: Value| {
        values.push(v);
        sets.push(format!("{col} = ?{}", values.len()));
    };
    if let Some(s) = patch.status {
        set("status", Value::Text(s.as_str().into()));
    }
    if let Some(r) = &patch.reason {
        set("reason", opt_text(r.as_deref()));
    }
    if let Some(s) = patch.current_step {
        set("current_step", opt_int(s.map(i64::from)));
    }
    if let Some(t) = patch.started_at {
        set("started_at", opt_ts(t));
    }
    if let Some(t) = patch.finished_at {
        set("finished_at", opt_ts(t));
    }
    if let Some(w) = &patch.workdir {
        set("workdir", opt_text(w.as_deref()));
    }
    if let Some(v) = &patch.variables {
        set("variables", Value::Text(json_text(v)?));
    }
    if let Some(f) = patch.forced {
        set("forced", Value::Integer(f as i64));
    }
    if let Some(t) = patch.deadline {
        set("deadline", opt_ts(t));
    }
    if let Some(d) = patch.conditions_due {
        set("conditions_due", Value::Integer(d as i64));
    }
    values.push(Value::Text(id.to_owned()));
    let mut sql = format!(
        "UPDATE runs SET {} WHERE id = ?{}",
        sets.join(", "),
        values.len()
    );
    if let Some(v) = expect.version {
        values.push(Value::Integer(v as i64));
        sql.push_str(&format!(" AND version = ?{}", values.len()));
    }
    if !expect.status_in.is_empty() {
        let list = status_list(|s| expect.status_in.contains(&s));
        sql.push_str(&format!(" AND status IN ({list})"));
    }
    sql.push_str(" RETURNING ");
    sql.push_str(columns);
    let mut stmt = conn.prepare_cached(&sql)?;
    let mut rows = stmt.query(params_from_iter(values))?;
    if let Some(row) = rows.next()? {
        return decode(row);
    }
    let found: Option<(i64, String)> = conn
        .query_row(
            "SELECT version, status FROM runs WHERE id = ?1",
            [id],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    match found {
        None => Err(not_found(id)),
        Some((version, status)) => Err(StoreError::Conflict {
            what: "run",
            id: id.to_owned(),
            expected: expect.describe(),
            found: format!("version {version}, status {status}"),
        }),
    }
}

fn not_found(key: &str) -> StoreError {
    StoreError::NotFound {
        what: "run",
        key: key.to_owned(),
    }
}

pub fn get(conn: &Connection, id: &str) -> Result<Run> {
    let mut stmt = conn.prepare_cached(&format!("SELECT {RUN_COLS} FROM runs WHERE id = ?1"))?;
    let mut rows = stmt.query([id])?;
    match rows.next()? {
        Some(row) => decode(row),
        None => Err(not_found(id)),
    }
}

pub fn find(conn: &Connection, prefix: &str) -> Result<Run> {
    let prefix = prefix.trim().to_ascii_lowercase();
    if !is_id_prefix(&prefix) {
        return Err(not_found(&prefix));
    }
    // A whole id is looked up as it is: an exact match wins over longer ids it begins, and
    // the engine names every run it drives so.
    if prefix.len() == ID_LEN {
        match get(conn, &prefix) {
            Err(StoreError::NotFound { .. }) => {}
            found => return found,
        }
    }
    // '~' sorts after every id character, so the range holds exactly the ids with this prefix.
    let mut stmt =
        conn.prepare_cached("SELECT id FROM runs WHERE id >= ?1 AND id < ?2 ORDER BY id LIMIT 11")?;
    let ids: Vec<String> = stmt
        .query_map(params![prefix, format!("{prefix}~")], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    match ids.as_slice() {
        [] => Err(not_found(&prefix)),
        [one] => get(conn, one),
        many if many.contains(&prefix) => get(conn, &prefix),
        many => {
            let mut candidates: Vec<String> = many.iter().take(10).cloned().collect();
            if many.len() > 10 {
                candidates.push("…".into());
            }
            Err(StoreError::AmbiguousPrefix { prefix, candidates })
        }
    }
}

pub fn list(conn: &Connection, filter: &RunFilter) -> Result<Vec<RunSummary>> {
    list_page(conn, filter, None)
}

/// [`list`], continuing after the run `before` (the last of the previous page): runs created
/// before it, in the same order. An unknown `before` gives an empty page.
pub fn list_page(
    conn: &Connection,
    filter: &RunFilter,
    before: Option<&str>,
) -> Result<Vec<RunSummary>> {
    let mut values: Vec<Value> = Vec::new();
    let mut conds: Vec<String> = Vec::new();
    if let Some(id) = before {
        values.push(Value::Text(id.to_owned()));
        let n = values.len();
        conds.push(format!(
            "(created_at, id) < (SELECT created_at, id FROM runs WHERE id = ?{n})"
        ));
    }
    if let Some(name) = &filter.sop_name {
        values.push(Value::Text(name.clone()));
        conds.push(format!("sop_name = ?{}", values.len()));
    }
    if !filter.statuses.is_empty() {
        conds.push(format!(
            "status IN ({})",
            status_list(|s| filter.statuses.contains(&s))
        ));
    }
    let where_clause = if conds.is_empty() {
        String::new()
    } else {
        format!(" WHERE {}", conds.join(" AND "))
    };
    values.push(Value::Integer(i64::from(filter.limit)));
    let sql = format!(
        "SELECT {SUMMARY_COLS} FROM runs{where_clause} ORDER BY created_at DESC, id DESC LIMIT ?{}",
        values.len()
    );
    let mut stmt = conn.prepare_cached(&sql)?;
    let mut rows = stmt.query(params_from_iter(values))?;
    let mut out = Vec::new();
    while let Some(row) = rows.next()? {
        out.push(decode_summary(row)?);
    }
    Ok(out)
}

pub fn count_active(conn: &Connection, sop_name: &str) -> Result<u64> {
    let sql = format!(
        "SELECT COUNT(*) FROM runs WHERE sop_name = ?1 AND status IN ({})",
        status_list(RunStatus::is_active)
    );
    let n: i64 = conn
        .prepare_cached(&sql)?
        .query_row([sop_name], |r| r.get(0))?;
    Ok(n as u64)
}
