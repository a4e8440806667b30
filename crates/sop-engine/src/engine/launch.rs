//! The handshake that keeps a step from running where recovery cannot see it: the transaction
//! that starts an attempt first makes the attempt's process group (a [`GroupLeader`] waiting on
//! a pipe from this process), writes that group beside the step's new status, and only after
//! the commit does the executor start the step's processes, in that group. A process that dies
//! before the commit leaves no command started, and its leader exits when the pipe closes; so
//! there is never a running command whose group is not recorded.
//!
//! The attempt's first process may be started with its group, before the transaction commits
//! (for a step that follows another, before the transaction begins), held before it runs
//! anything of the step (see [`Executor::hold_first`]), and released after the commit. A step
//! of one block started so leads its group itself ([`Executor::hold_leading`]): no leader
//! process is made for it.
//!
//! While a step runs, the start of the step that would follow its success is prepared ahead
//! ([`prepare_ahead`]): its group made and its first process started and held, so that the
//! transition's transaction only records it. Should the step end otherwise (it fails, or its
//! outputs change what the next step's environment or commands would be), that start is
//! dropped unreleased, nothing of it having run, and the attempt that is due is prepared anew.
//!
//! What the transaction prepared waits in the run's [`LaunchSlot`] for the driver, together
//! with the run's executor (its environment and private directory, prepared once per run) and a
//! spare leader, made while the previous step ran so that starting a step does not wait for one.

use super::change::StepRecord;
use super::tracked::Tracked;
use super::{DirPool, Engine};
use super::{trace, workdir};
use crate::error::Context as _;
use crate::executor::{Executor, GroupLeader, LeaderPool, RunInfo, ScratchDir, Script};
use sop_core::run::{Action, RunEvent, next};
use sop_core::step_output::Outputs;
use sop_core::template::Vars;
use sop_store::{StepPatch, StoreExt};
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

/// A run's executor and the private directory its `$SOP_OUTPUT` files live in, given back to
/// the pool it came from (a server's) when the run lets go of it.
#[derive(Debug)]
pub struct RunExecutor {
    pub executor: Executor,
    scratch: Option<ScratchDir>,
    pool: Option<DirPool>,
}

impl Drop for RunExecutor {
    fn drop(&mut self) {
        self.executor.remove_var_files();
        if let (Some(pool), Some(dir)) = (&self.pool, self.scratch.take()) {
            pool.put_scratch(dir);
        }
    }
}

/// An attempt's start, prepared by the transaction that records it.
#[derive(Debug)]
pub struct Launch {
    pub step: u32,
    pub attempt: u32,
    pub prepared: crate::Result<Prepared>,
}

/// The attempt, ready to run.
#[derive(Debug)]
pub struct Prepared {
    pub exec: Arc<RunExecutor>,
    /// The step's commands, or why they cannot be rendered.
    pub scripts: Result<Vec<Script>, String>,
    pub outputs: BTreeMap<u32, Outputs>,
    /// The attempt's process group; `None` when there is nothing to run.
    pub group: Option<std::io::Result<GroupLeader>>,
}

impl Launch {
    /// The process group to record with the step's start.
    pub fn pgid(&self) -> Option<i32> {
        match &self.prepared {
            Ok(Prepared {
                group: Some(Ok(g)), ..
            }) => Some(g.pgid()),
            _ => None,
        }
    }

    /// Whether the attempt's first process leads its group, so that no leader was made.
    fn leads_itself(&self) -> bool {
        matches!(
            &self.prepared,
            Ok(Prepared {
                group: Some(Ok(g)),
                ..
            }) if g.is_led_by_first()
        )
    }
}

/// Where a run's prepared attempt waits for the driver. Clones share it.
#[derive(Debug, Clone, Default)]
pub struct LaunchSlot(Arc<Mutex<Slot>>);

#[derive(Debug, Default)]
struct Slot {
    exec: Option<Arc<RunExecutor>>,
    launch: Option<Launch>,
    /// The start of the step that follows the running one, should it succeed with no outputs.
    ahead: Option<Launch>,
    /// A group leader made ahead, for the next attempt to start.
    spare: Option<GroupLeader>,
}

impl LaunchSlot {
    fn lock(&self) -> std::sync::MutexGuard<'_, Slot> {
        self.0.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Keeps what a committed transaction prepared (replacing, and so stopping, anything older).
    pub fn put(&self, launch: Launch) {
        let mut slot = self.lock();
        if let Ok(p) = &launch.prepared {
            slot.exec = Some(p.exec.clone());
        }
        slot.launch = Some(launch);
    }

    /// The prepared start of `attempt` of `step`, if that is what waits.
    pub fn take(&self, step: u32, attempt: u32) -> Option<Launch> {
        let mut slot = self.lock();
        match &slot.launch {
            Some(l) if l.step == step && l.attempt == attempt => slot.launch.take(),
            _ => None,
        }
    }

    /// The start prepared ahead, if any; it is the caller's to use or drop.
    fn take_ahead(&self) -> Option<Launch> {
        self.lock().ahead.take()
    }

    /// Drops the start prepared ahead, if any (its held process ends, having run nothing).
    pub fn drop_ahead(&self) {
        drop(self.take_ahead());
    }

    fn executor(&self) -> Option<Arc<RunExecutor>> {
        self.lock().exec.clone()
    }

    /// Makes a spare group leader unless there is one, or the start prepared ahead needs none
    /// (its first process leads its group); called while a step runs, when this process would
    /// only wait.
    pub fn make_spare(&self) {
        let Some(exec) = self.executor() else { return };
        {
            let slot = self.lock();
            if slot.spare.is_some() || slot.ahead.as_ref().is_some_and(Launch::leads_itself) {
                return;
            }
        }
        if let Ok(leader) = exec.executor.new_group("sh") {
            self.lock().spare = Some(leader);
        }
    }

    fn new_group(
        &self,
        exec: &RunExecutor,
        fallback: &'static str,
        pool: Option<&LeaderPool>,
    ) -> std::io::Result<GroupLeader> {
        let spare = self.lock().spare.take();
        match spare.or_else(|| pool.and_then(LeaderPool::take)) {
            Some(leader) => Ok(leader),
            None => exec.executor.new_group(fallback),
        }
    }
}

/// Whether [`prepare`] starts the attempt's first process and holds it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HoldWhen {
    /// A step that follows another: its interpreter loads while the transition commits.
    Always,
    /// A run's first step, only when it must not start before an instant (a cron tick decided
    /// ahead): a process started inside the creating transaction would delay the answer to
    /// whoever started the run, by more than it saves when the step is released at once.
    Deferred,
    Never,
}

/// Prepares attempt `attempt` of `step`: the run's executor (once), the rendered commands and
/// the attempt's process group (and, as `hold` says, its first process, held). Called for the
/// transaction that starts the attempt, before `t` holds what that transaction records:
/// `record` (the outputs of the step it finishes).
pub fn prepare(
    eng: &Engine,
    t: &Tracked,
    step: u32,
    attempt: u32,
    record: Option<&StepRecord>,
    hold: HoldWhen,
) -> Launch {
    let hold = match hold {
        HoldWhen::Always => true,
        HoldWhen::Deferred => eng.not_before.is_some(),
        HoldWhen::Never => false,
    };
    trace::mark("preparing", step);
    let prepared = executor(eng, t).map(|exec| {
        let outputs = outputs_after(t, record);
        let scripts = render(t, step, &outputs);
        let group = scripts.as_ref().ok().map(|scripts| {
            // A step of one block, started held, leads its own group: no leader to make.
            if let [only] = scripts.as_slice()
                && hold
                && let Some(group) = exec.executor.hold_leading(step, attempt, only, &outputs)
            {
                trace::mark("held", step);
                return Ok(group);
            }
            let fallback = scripts.first().map_or("sh", |s| s.interpreter);
            let group = t.launch.new_group(&exec, fallback, eng.leaders);
            trace::mark("grouped", step);
            // The first process starts now, held, so that its interpreter loads while the
            // transaction commits.
            let group = group.map(|leader| match scripts.first().filter(|_| hold) {
                Some(first) => exec
                    .executor
                    .hold_first(leader, step, attempt, first, &outputs),
                None => leader,
            });
            trace::mark("held", step);
            group
        });
        Prepared {
            exec,
            scripts,
            outputs,
            group,
        }
    });
    Launch {
        step,
        attempt,
        prepared,
    }
}

/// The outputs of earlier steps as the next step sees them once `record` is stored.
fn outputs_after(t: &Tracked, record: Option<&StepRecord>) -> BTreeMap<u32, Outputs> {
    let mut outputs = t.outputs();
    if let Some(r) = record
        && let Some(o) = &r.outputs
    {
        if o.is_empty() {
            outputs.remove(&r.step);
        } else {
            outputs.insert(r.step, o.clone());
        }
    }
    outputs
}

/// Called while `step` runs: prepares (group, first process held) the attempt its success
/// would start, assuming it writes no outputs, unless one is prepared already. Nothing is
/// prepared when success would not start another step at once (a gate, a condition to check,
/// a manual step, the end of the run).
pub fn prepare_ahead(eng: &Engine, t: &Tracked, step: u32) {
    if t.launch.lock().ahead.is_some() {
        return;
    }
    let event = RunEvent::StepSucceeded { step };
    let Ok(decision) = next(&t.view, event, eng.clock.now()) else {
        return;
    };
    let Action::Execute {
        step: following,
        attempt,
    } = decision.action
    else {
        return;
    };
    if following == step {
        return;
    }
    let silent = StepRecord {
        step,
        outputs: Some(Outputs::default()),
        ..StepRecord::default()
    };
    let launch = prepare(eng, t, following, attempt, Some(&silent), HoldWhen::Always);
    t.launch.lock().ahead = Some(launch);
}

/// [`prepare`], or the start [`prepare_ahead`] made when it is exactly this one: the same
/// attempt, with the same outputs of earlier steps (and so the same environment and commands).
/// A start prepared ahead that does not fit is dropped.
pub fn prepare_or_ahead(
    eng: &Engine,
    t: &Tracked,
    step: u32,
    attempt: u32,
    record: Option<&StepRecord>,
) -> Launch {
    if let Some(ahead) = t.launch.take_ahead()
        && ahead.step == step
        && ahead.attempt == attempt
        && ahead
            .prepared
            .as_ref()
            .is_ok_and(|p| p.outputs == outputs_after(t, record))
    {
        trace::mark("ahead", step);
        return ahead;
    }
    prepare(eng, t, step, attempt, record, HoldWhen::Always)
}

/// The attempt's start as the committed transaction prepared it; should none be waiting (a
/// run handed over without one), it is prepared now and its group recorded in a transaction of
/// its own before anything starts.
pub fn take_or_record(eng: &Engine, t: &Tracked, step: u32, attempt: u32) -> Launch {
    if let Some(launch) = t.launch.take(step, attempt) {
        return launch;
    }
    let launch = prepare(eng, t, step, attempt, None, HoldWhen::Never);
    let Some(pgid) = launch.pgid() else {
        return launch;
    };
    let patch = StepPatch {
        process_group: Some(Some(pgid)),
        ..StepPatch::default()
    };
    let id = t.id();
    match eng.store.transaction(|tx| tx.update_step(id, step, &patch)) {
        Ok(_) => launch,
        Err(e) => Launch {
            step,
            attempt,
            prepared: Err(e.into()),
        },
    }
}

/// The step's commands with `{{ name }}` rendered, or why they cannot be.
fn render(t: &Tracked, step: u32, outputs: &BTreeMap<u32, Outputs>) -> Result<Vec<Script>, String> {
    let def = t
        .step_def(step)
        .ok_or_else(|| format!("run {} has no step {step} in its definition", t.id()))?;
    let variables = t.variables();
    let vars = Vars::new(&variables).with_steps(outputs);
    def.commands()
        .map(|b| Script::render(b, &vars))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| format!("cannot render its command: {e}"))
}

/// The run's executor: its variables' environment, working directory and a private directory
/// for `$SOP_OUTPUT` files; prepared for the run's first step and kept.
fn executor(eng: &Engine, t: &Tracked) -> crate::Result<Arc<RunExecutor>> {
    if let Some(exec) = t.launch.executor() {
        return Ok(exec);
    }
    let workdir = match &t.run.workdir {
        Some(dir) => PathBuf::from(dir),
        None => std::env::temp_dir(),
    };
    workdir::ensure(&workdir, eng.dirs)?;
    let scratch = match eng.dirs.and_then(DirPool::take_scratch) {
        Some(dir) => dir,
        None => ScratchDir::create("sop-output").context("cannot create a private directory")?,
    };
    let variables = t.variables();
    let withheld = withheld_names(eng, t);
    let info = RunInfo {
        run_id: t.id(),
        sop_name: &t.run.sop_name,
        variables: &variables,
        workdir: &workdir,
        scratch_dir: scratch.path(),
        withheld: &withheld,
    };
    let executor = Executor::new(info, eng.tuning.executor)
        .map_err(|e| crate::Error::invalid(e.to_string()))?;
    let exec = Arc::new(RunExecutor {
        executor,
        scratch: Some(scratch),
        pool: eng.dirs.cloned(),
    });
    t.launch.lock().exec = Some(exec.clone());
    Ok(exec)
}

/// The inherited variables no step is given: sop's own credentials and the webhook secrets of
/// the run's SOP and, on a server, of every SOP it serves. A step that needs a credential names
/// it in a variable of its own; these only let a sender's deliveries be forged.
fn withheld_names(eng: &Engine, t: &Tracked) -> Vec<String> {
    let mut names: Vec<String> = crate::settings::SOP_CREDENTIALS
        .iter()
        .map(|n| n.to_string())
        .collect();
    names.extend(crate::catalog::webhook_secret_names(&t.sop));
    if let Some(live) = eng.live {
        names.extend(live.webhook_secret_names());
    }
    names.sort();
    names.dedup();
    names
}
