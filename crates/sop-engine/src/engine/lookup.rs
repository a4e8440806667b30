//! Finding the run a person named: a full id or any unique prefix of one.

use crate::Error;
use sop_store::{Run, Store, StoreError};

/// The run whose id is `id` or starts with it. A name that matches no run, or several, is a
/// mistake in the command line (exit 2), with how to find the right id.
pub fn find_run(store: &dyn Store, id: &str) -> crate::Result<Run> {
    match store.find_run(id) {
        Ok(run) => Ok(run),
        Err(StoreError::NotFound { what: "run", .. }) => Err(Error::invalid(format!(
            "no run `{}`; `sop status` lists recent runs",
            id.trim().escape_default()
        ))),
        Err(e @ StoreError::AmbiguousPrefix { .. }) => Err(Error::invalid(e.to_string())),
        Err(e) => Err(e.into()),
    }
}
