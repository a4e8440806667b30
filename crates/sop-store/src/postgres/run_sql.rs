//! SQL for runs: create, conditional update, lookup by id or prefix, lists and counts.

use super::codec::{RowExt, big, json_text};
use super::conn::Conn;
use crate::error::{Result, StoreError};
use crate::id::{ID_LEN, is_id_prefix, new_id};
use crate::records::{Expect, NewRun, Run, RunFilter, RunPatch, RunState, RunSummary};
use chrono::SubsecRound;
use postgres::Row;
use postgres::types::ToSql;
use sop_core::run::RunStatus;

pub(super) const RUN_COLS: &str = "id, sop_name, definition_hash, status, reason, current_step, \
     step_count, trigger_type, started_by, created_at, started_at, finished_at, workdir, \
     lease_owner, lease_expires_at, version, forced, pruned_at, execution_mode, trigger_detail, \
     variables, definition_snapshot, conditions_due, deadline";

const SUMMARY_COLS: &str = "id, sop_name, status, reason, current_step, step_count, trigger_type, \
     started_by, created_at, started_at, finished_at, forced";

/// How many times a fresh id is drawn when one is already taken (25 random bits per second).
const ID_ATTEMPTS: usize = 16;

/// A list of statement parameters built up at run time.
pub(super) type Values = Vec<Box<dyn ToSql + Sync>>;

pub(super) fn refs(values: &Values) -> Vec<&(dyn ToSql + Sync)> {
    values.iter().map(|v| v.as_ref()).collect()
}

pub(super) fn decode(row: &Row) -> Result<Run> {
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
        forced: row.flag(16)?,
        pruned_at: row.opt_time(17)?,
        execution_mode: row.parsed(18)?,
        trigger_detail: row.json(19)?,
        variables: row.json(20)?,
        definition_snapshot: row.opt_text(21)?,
        conditions_due: row.flag(22)?,
        deadline: row.opt_time(23)?,
    })
}

fn decode_summary(row: &Row) -> Result<RunSummary> {
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
        forced: row.flag(11)?,
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

pub fn insert(conn: &mut Conn, new: &NewRun) -> Result<Run> {
    let trigger_detail = json_text(&new.trigger_detail)?;
    let variables = json_text(&new.variables)?;
    let step_count = new.steps.len() as i64;
    let mut rng = rand::rng();
    let mut id = None;
    for _ in 0..ID_ATTEMPTS {
        let candidate = new_id(new.created_at, &mut rng);
        let inserted = conn.execute(
            "INSERT INTO runs (id, sop_name, definition_hash, status, reason, current_step, \
             step_count, trigger_type, started_by, created_at, workdir, version, forced, \
             execution_mode, trigger_detail, variables, definition_snapshot, conditions_due) \
             VALUES ($1, $2, $3, $4, $5, NULL, $6, $7, $8, $9, $10, 0, $11, $12, $13, $14, $15, \
             $16) \
             ON CONFLICT (id) DO NOTHING",
            &[
                &candidate,
                &new.sop_name,
                &new.definition_hash,
                &new.status.as_str(),
                &new.reason,
                &step_count,
                &new.trigger_type,
                &new.started_by,
                &new.created_at,
                &new.workdir,
                &new.forced,
                &new.execution_mode.as_str(),
                &trigger_detail,
                &variables,
                &new.definition_snapshot,
                &new.conditions_due,
            ],
        )?;
        if inserted == 1 {
            id = Some(candidate);
            break;
        }
    }
    let id = id.ok_or_else(|| StoreError::Busy("no free run id this second".into()))?;
    if !new.steps.is_empty() {
        // All steps in one statement: one round trip whatever the run's length.
        let numbers: Vec<i64> = new.steps.iter().map(|s| i64::from(s.number)).collect();
        let titles: Vec<&str> = new.steps.iter().map(|s| s.title.as_str()).collect();
        conn.execute(
            "INSERT INTO steps (run_id, number, title, status) \
             SELECT $1, n, t, 'pending' FROM unnest($2::BIGINT[], $3::TEXT[]) AS s (n, t)",
            &[&id, &numbers, &titles],
        )?;
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
        created_at: new.created_at.trunc_subsecs(6),
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

/// A compare-and-set: the UPDATE's WHERE holds the expectation, so a racing writer on another
/// node waits for the row lock, re-reads the row and then finds the condition false.
pub fn update(conn: &mut Conn, id: &str, expect: &Expect, patch: &RunPatch) -> Result<Run> {
    update_returning(conn, id, expect, patch, RUN_COLS, decode)
}

/// [`update`], reading back only the columns of [`RunState`].
pub fn update_state(
    conn: &mut Conn,
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

fn decode_state(row: &Row) -> Result<RunState> {
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
        forced: row.flag(9)?,
        pruned_at: row.opt_time(10)?,
        conditions_due: row.flag(11)?,
        deadline: row.opt_time(12)?,
        variables: None,
    })
}

fn update_returning<T>(
    conn: &mut Conn,
    id: &str,
    expect: &Expect,
    patch: &RunPatch,
    columns: &str,
    decode: fn(&Row) -> Result<T>,
) -> Result<T> {
    let mut sets = vec!["version = version + 1".to_owned()];
    let mut values: Values = Vec::new();
    let mut set = |col: &str, v: Box<dyn ToSql + Sync>| {
        values.push(v);
        sets.push(format!("{col} = ${}", values.len()));
    };
    if let Some(s) = patch.status {
        set("status", Box::new(s.as_str()));
    }
    if let Some(r) = &patch.reason {
        set("reason", Box::new(r.clone()));
    }
    if let Some(s) = patch.current_step {
        set("current_step", Box::new(s.map(i64::from)));
    }
    if let Some(t) = patch.started_at {
        set("started_at", Box::new(t));
    }
    if let Some(t) = patch.finished_at {
        set("finished_at", Box::new(t));
    }
    if let Some(w) = &patch.workdir {
        set("workdir", Box::new(w.clone()));
    }
    if let Some(v) = &patch.variables {
        set("variables", Box::new(json_text(v)?));
    }
    if let Some(f) = patch.forced {
        set("forced", Box::new(f));
    }
    if let Some(t) = patch.deadline {
        set("deadline", Box::new(t));
    }
    if let Some(d) = patch.conditions_due {
        set("conditions_due", Box::new(d));
    }
    values.push(Box::new(id.to_owned()));
    let mut sql = format!(
        "UPDATE runs SET {} WHERE id = ${}",
        sets.join(", "),
        values.len()
    );
    if let Some(v) = expect.version {
        values.push(Box::new(big(v)));
        sql.push_str(&format!(" AND version = ${}", values.len()));
    }
    if !expect.status_in.is_empty() {
        let list = status_list(|s| expect.status_in.contains(&s));
        sql.push_str(&format!(" AND status IN ({list})"));
    }
    sql.push_str(" RETURNING ");
    sql.push_str(columns);
    if let Some(row) = conn.query_opt(&sql, &refs(&values))? {
        return decode(&row);
    }
    let found = conn.query_opt("SELECT version, status FROM runs WHERE id = $1", &[&id])?;
    match found {
        None => Err(not_found(id)),
        Some(row) => Err(StoreError::Conflict {
            what: "run",
            id: id.to_owned(),
            expected: expect.describe(),
            found: format!("version {}, status {}", row.int(0)?, row.text(1)?),
        }),
    }
}

pub(super) fn not_found(key: &str) -> StoreError {
    StoreError::NotFound {
        what: "run",
        key: key.to_owned(),
    }
}

pub fn get(conn: &mut Conn, id: &str) -> Result<Run> {
    let sql = format!("SELECT {RUN_COLS} FROM runs WHERE id = $1");
    match conn.query_opt(&sql, &[&id])? {
        Some(row) => decode(&row),
        None => Err(not_found(id)),
    }
}

pub fn find(conn: &mut Conn, prefix: &str) -> Result<Run> {
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
    // '~' sorts after every id character (ids are in the "C" collation), so the range holds
    // exactly the ids with this prefix.
    let upper = format!("{prefix}~");
    let rows = conn.query(
        "SELECT id FROM runs WHERE id >= $1 AND id < $2 ORDER BY id LIMIT 11",
        &[&prefix, &upper],
    )?;
    let ids = rows.iter().map(|r| r.text(0)).collect::<Result<Vec<_>>>()?;
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

pub fn list(conn: &mut Conn, filter: &RunFilter) -> Result<Vec<RunSummary>> {
    list_page(conn, filter, None)
}

/// [`list`], starting after the run `before` (newest first), for paging.
pub fn list_page(
    conn: &mut Conn,
    filter: &RunFilter,
    before: Option<&str>,
) -> Result<Vec<RunSummary>> {
    let mut values: Values = Vec::new();
    let mut conds: Vec<String> = Vec::new();
    if let Some(id) = before {
        values.push(Box::new(id.to_owned()));
        let n = values.len();
        conds.push(format!(
            "(created_at, id) < (SELECT created_at, id FROM runs WHERE id = ${n})"
        ));
    }
    if let Some(name) = &filter.sop_name {
        values.push(Box::new(name.clone()));
        conds.push(format!("sop_name = ${}", values.len()));
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
    values.push(Box::new(i64::from(filter.limit)));
    let sql = format!(
        "SELECT {SUMMARY_COLS} FROM runs{where_clause} ORDER BY created_at DESC, id DESC LIMIT ${}",
        values.len()
    );
    conn.query(&sql, &refs(&values))?
        .iter()
        .map(decode_summary)
        .collect()
}

pub fn count_active(conn: &mut Conn, sop_name: &str) -> Result<u64> {
    let sql = format!(
        "SELECT COUNT(*) FROM runs WHERE sop_name = $1 AND status IN ({})",
        status_list(RunStatus::is_active)
    );
    conn.query_one(&sql, &[&sop_name])?.u64(0)
}
