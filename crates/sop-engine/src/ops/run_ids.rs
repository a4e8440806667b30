//! Naming a run from outside (an URL, a request body): a full id or a unique prefix, with
//! "no such run" kept apart from "that is not a run id at all".

use super::Service;
use crate::{Error, ErrorKind};
use sop_store::{StoreError, is_id_prefix};

impl Service {
    /// The full id of the run `id` names. `NotFound` when no run matches (or `id` cannot be a
    /// run id at all); `Conflict` when it matches several.
    pub fn resolve_run(&self, id: &str) -> crate::Result<String> {
        if !is_id_prefix(id) {
            return Err(Error::not_found(format!(
                "no run `{}`: run ids are 12 characters of 0-9 and a-z",
                id.escape_default()
            )));
        }
        match self.store().find_run(id) {
            Ok(run) => Ok(run.id),
            Err(StoreError::NotFound { .. }) => Err(Error::not_found(format!(
                "no run `{id}`; GET /api/runs lists recent runs"
            ))),
            // The prefix is well formed; what conflicts is that several runs now share it.
            Err(e @ StoreError::AmbiguousPrefix { .. }) => {
                Err(Error::new(ErrorKind::Conflict, e.to_string())
                    .with_hint("give more characters of the run's id"))
            }
            Err(e) => Err(e.into()),
        }
    }
}
