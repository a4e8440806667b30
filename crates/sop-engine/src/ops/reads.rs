//! Reading runs: one run (as it really is: recovered, deadlines applied), or a list of recent
//! runs with the same care.

use super::{Caller, Service};
use crate::engine::recovery::{needs_recovery, recover};
use crate::engine::{Tracked, lookup};
use sop_core::run::RunStatus;
use sop_store::{Run, RunFilter, RunSummary, StepRun};

/// One run as found: whole, or pruned (its definition and step details are gone).
pub enum RunRecord {
    Whole(Box<Tracked>),
    Pruned { run: Box<Run>, steps: Vec<StepRun> },
}

/// Recent runs, newest first.
pub struct RunList {
    pub runs: Vec<RunSummary>,
}

impl Service {
    /// The run `id` names, or what is left of it after pruning.
    pub fn run_record(&self, caller: &Caller, id: &str) -> crate::Result<RunRecord> {
        let run = lookup::find_run(self.store(), id)?;
        if run.definition_snapshot.is_none() {
            let steps = self.store().steps(&run.id)?;
            return Ok(RunRecord::Pruned {
                run: Box::new(run),
                steps,
            });
        }
        Ok(RunRecord::Whole(Box::new(self.load_run(caller, &run.id)?)))
    }

    /// Recent runs matching `filter`. Gates whose deadline passed are expired first, runs past
    /// their `timeout` timed out, and runs whose process died are recovered, so each is listed
    /// as what it now is.
    pub fn list_runs(&self, caller: &Caller, filter: &RunFilter) -> crate::Result<RunList> {
        self.list_runs_page(caller, filter, None)
    }

    /// [`Service::list_runs`], continuing after the run `before` (the last of a previous page).
    pub fn list_runs_page(
        &self,
        caller: &Caller,
        filter: &RunFilter,
        before: Option<&str>,
    ) -> crate::Result<RunList> {
        let eng = self.engine(caller)?;
        crate::approval::expiry::sweep(&eng)?;
        crate::engine::run_deadline::sweep(&eng)?;
        let page = |store: &dyn sop_store::Store| match before {
            Some(id) => store.list_runs_before(filter, id),
            None => store.list_runs(filter),
        };
        let mut runs = page(self.store())?;
        let mut any = false;
        for summary in runs.iter().filter(|r| r.status.is_active()) {
            let run = self.store().run(&summary.id)?;
            if run.lease_owner.is_none() && run.status != RunStatus::Running {
                continue;
            }
            let mut t = Tracked::load(&eng, &run.id)?;
            if needs_recovery(&eng, &t) {
                any |= recover(&eng, &mut t)?;
            }
        }
        if any {
            runs = page(self.store())?;
        }
        Ok(RunList { runs })
    }
}

impl Service {
    /// The document of `t` as it is now: its gates' decisions and the explanation of its
    /// conditions as recorded when it was created (secrets already hidden there).
    pub fn run_document(&self, t: &Tracked) -> crate::Result<crate::documents::RunDocument> {
        let decisions = self.store().run_decisions(t.id())?;
        let conditions = self
            .store()
            .audit_entries(Some(t.id()))?
            .into_iter()
            .find(|e| e.kind == "run.conditions")
            .map_or(serde_json::Value::Null, |mut e| {
                // The entry also says through which program the run was started (`client`):
                // the trail's business, not the conditions'.
                if let Some(detail) = e.detail.as_object_mut() {
                    detail.remove("client");
                }
                e.detail
            });
        Ok(crate::documents::RunDocument::new(
            t,
            &decisions,
            conditions,
            self.clock().now(),
        ))
    }
}

impl Service {
    /// Where run `id` stands for whoever drives it by hand: its step, what it waits for, the
    /// open gate.
    pub fn next_step(
        &self,
        caller: &Caller,
        id: &str,
    ) -> crate::Result<(Tracked, crate::documents::NextStepDocument)> {
        let t = self.load_run(caller, id)?;
        let gate = match t.run.status {
            RunStatus::AwaitingApproval => self.gates_of_run(caller, &t)?.into_iter().next(),
            _ => None,
        };
        let doc = crate::documents::NextStepDocument::new(&t, gate);
        Ok((t, doc))
    }
}
