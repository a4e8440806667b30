//! What several routes do alike: the credentials of a request, the caller of an operation, a
//! run's document, and handing a pending run to the pool.

use crate::auth::{Credentials, Who, authorize};
use crate::error::ApiResult;
use crate::state::App;
use axum::http::HeaderMap;
use serde_json::Value;
use sop_core::run::RunStatus;
use sop_engine::Caller;
use sop_engine::api_tokens::Scope;
use sop_engine::documents::PrunedRunDocument;
use sop_engine::engine::Tracked;
use sop_engine::ops::RunRecord;

pub fn creds(headers: &HeaderMap) -> Credentials {
    Credentials::from_headers(headers)
}

/// Checks the scope and names the caller: requests never drive runs on their own thread, so
/// every run they hand on is left pending for the pool.
pub fn caller(app: &App, creds: &Credentials, scope: Scope) -> ApiResult<(Who, Caller<'static>)> {
    let who = authorize(app, creds, scope)?;
    let caller = Caller::quiet(who.user().to_string()).handing_off();
    Ok((who, caller))
}

pub fn run_value(app: &App, t: &Tracked) -> ApiResult<Value> {
    let doc = app.service.run_document(t)?;
    Ok(serde_json::to_value(doc).map_err(sop_engine::Error::from)?)
}

/// Reads that found the run changing hands (recovered by another process at that instant)
/// are tried again this often before the conflict is answered.
const READ_TRIES: u32 = 5;

/// The document of the run `id` names, whole or pruned.
pub fn run_by_id(app: &App, caller: &Caller, id: &str) -> ApiResult<Value> {
    let id = app.service.resolve_run(id)?;
    let mut tries = 0;
    let record = loop {
        match app.service.run_record(caller, &id) {
            Err(e) if e.kind == sop_engine::ErrorKind::Conflict && tries < READ_TRIES => tries += 1,
            other => break other?,
        }
    };
    match record {
        RunRecord::Whole(t) => run_value(app, &t),
        RunRecord::Pruned { run, steps } => {
            let doc = PrunedRunDocument::new(&run, &steps, app.service.clock().now());
            Ok(serde_json::to_value(doc).map_err(sop_engine::Error::from)?)
        }
    }
}

/// Queues `t` when it was left pending for a server.
pub fn hand_on(app: &App, t: &Tracked) {
    if t.run.status == RunStatus::Pending && t.run.lease_owner.is_none() {
        app.dispatcher.enqueue(t.id().to_string(), t.run.created_at);
    }
}

/// `{"run": RUN}`.
pub fn wrap_run(run: Value) -> Value {
    wrap_run_with(run, [])
}

/// `{"run": RUN}` and the members given beside it. `run` is moved in: `json!` would copy the
/// whole document once more.
pub fn wrap_run_with<const N: usize>(run: Value, beside: [(&str, Value); N]) -> Value {
    let mut members = serde_json::Map::with_capacity(N + 1);
    members.insert("run".to_string(), run);
    for (name, value) in beside {
        members.insert(name.to_string(), value);
    }
    Value::Object(members)
}
