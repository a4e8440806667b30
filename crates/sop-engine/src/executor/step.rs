//! Running one step: its code blocks in order, with a timeout, retries and output capture.

use super::capture::Capture;
use super::env;
use super::group::terminate_group;
use super::group_leader::GroupLeader;
use super::held::{self, Held, Hold};
use super::observer::{FailedAttempt, Observer};
use super::output_file::{check_output_sizes, fresh_file, read_outputs};
use super::process::{self, Ended, Start, Stop};
use super::program::RunProgram;
use super::result::StepResult;
use super::script::Script;
use super::settings::{ExecutorSettings, backoff};
use super::spawn::StepCommand;
use serde_json::{Map, Value};
use sop_core::step_output::{OutputFileError, Outputs};
use std::collections::BTreeMap;
use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

/// The run a step belongs to.
#[derive(Debug, Clone, Copy)]
pub struct RunInfo<'a> {
    pub run_id: &'a str,
    pub sop_name: &'a str,
    pub variables: &'a Map<String, Value>,
    /// Where commands run.
    pub workdir: &'a Path,
    /// A private directory for the `$SOP_OUTPUT` files (see [`ScratchDir`](super::ScratchDir));
    /// not the working directory, which steps may clean out.
    pub scratch_dir: &'a Path,
    /// Inherited environment variables no step is given (sop's credentials, webhook secrets).
    pub withheld: &'a [String],
}

/// Runs the steps of one run. Everything that is the same for every step (the environment,
/// the working directory, the interpreters' paths) is prepared once, here.
#[derive(Debug)]
pub struct Executor {
    workdir: PathBuf,
    scratch_dir: PathBuf,
    program: RunProgram,
    settings: ExecutorSettings,
    /// For each of the two `$SOP_OUTPUT` files (see [`Executor::output_path`]): it was emptied
    /// after the last step that used it and nothing of that step runs any more, so the next
    /// attempt need not empty it again.
    output_empty: [AtomicBool; 2],
    /// Whether `sh` and `bash` can be held (see [`held`]): looked up once per run.
    holds_sh: OnceLock<bool>,
    holds_bash: OnceLock<bool>,
    /// The variables handed as files, in `scratch_dir`.
    var_files: Vec<PathBuf>,
}

/// One step to run.
#[derive(Debug, Clone, Copy)]
pub struct StepRequest<'a> {
    /// 1-based step number (`SOP_STEP`).
    pub number: u32,
    /// The step's code blocks, in order. An attempt stops at the first that fails.
    pub scripts: &'a [Script],
    /// For each attempt, all blocks together; `None` for no limit.
    pub timeout: Option<Duration>,
    /// Further attempts after a failed one.
    pub retries: u32,
    /// The run's deadline (its `timeout`): no attempt runs past it, and no retry begins that
    /// could not start before it. `None` for no limit.
    pub deadline: Option<Instant>,
    /// Outputs of earlier steps by step number, as `SOP_STEP_<N>_<KEY>`.
    pub earlier_outputs: &'a BTreeMap<u32, Outputs>,
    /// The run's number of the first attempt made here (`SOP_ATTEMPT`): 1, or more when the
    /// step was retried before (`sop retry`).
    pub first_attempt: u32,
    /// No process of the step starts before this instant (the tick of a cron run recorded
    /// ahead of it); everything else is prepared before it.
    pub not_before: Option<Instant>,
}

/// One attempt's end, before it is folded into the [`StepResult`].
#[derive(Default)]
struct Attempt {
    last: Option<Ended>,
    error: Option<String>,
    output_error: Option<OutputFileError>,
    outputs: Outputs,
    /// Nothing of the attempt's process group was left running.
    group_gone: bool,
}

impl Attempt {
    fn succeeded(&self) -> bool {
        self.error.is_none()
            && self.output_error.is_none()
            && self
                .last
                .is_some_and(|e| e.stop.is_none() && e.exit_code() == Some(0))
    }

    fn stop(&self) -> Option<Stop> {
        self.last.and_then(|e| e.stop)
    }
}

impl Executor {
    /// Prepares the environment of the run's steps; fails when the variables cannot be passed
    /// (see [`env::variable_env`]).
    pub fn new(run: RunInfo, settings: ExecutorSettings) -> Result<Self, env::EnvError> {
        let (mut vars, var_files) =
            env::variable_env(run.variables)?.materialize(run.scratch_dir)?;
        vars.push(("SOP_RUN_ID".to_string(), run.run_id.to_string()));
        vars.push(("SOP_NAME".to_string(), run.sop_name.to_string()));
        Ok(Executor {
            workdir: run.workdir.to_path_buf(),
            scratch_dir: run.scratch_dir.to_path_buf(),
            program: RunProgram::new(&vars, run.workdir, run.withheld),
            settings,
            output_empty: [AtomicBool::new(false), AtomicBool::new(false)],
            holds_sh: OnceLock::new(),
            holds_bash: OnceLock::new(),
            var_files,
        })
    }

    /// Removes the variables' files, before the private directory goes to another run.
    pub fn remove_var_files(&self) {
        for path in &self.var_files {
            let _ = std::fs::remove_file(path);
        }
    }

    /// Makes the process group of an attempt, before any of its commands run: the caller
    /// records [`GroupLeader::pgid`], then hands the leader back through
    /// [`Observer::process_group`], and the executor starts the step's processes in that group.
    /// Where the platform cannot make a bare leader, the leader is `sh` when there is one, else
    /// `fallback` (the step's own interpreter).
    pub fn new_group(&self, fallback: &'static str) -> std::io::Result<GroupLeader> {
        GroupLeader::start(|| {
            self.program
                .find("sh")
                .or_else(|_| self.program.find(fallback))
        })
    }

    /// Starts the first process of attempt `attempt` of step `number` (running `script`) held in
    /// `leader`'s group, to be released by [`run_step`](Self::run_step) once the transaction
    /// recording the group has committed; the interpreter's start-up then overlaps the commit.
    /// Where the interpreter cannot be held, or the process cannot be started, `leader` is
    /// returned as it was and the attempt starts its process itself.
    pub fn hold_first(
        &self,
        mut leader: GroupLeader,
        number: u32,
        attempt: u32,
        script: &Script,
        earlier_outputs: &BTreeMap<u32, Outputs>,
    ) -> GroupLeader {
        if let Some(held) = self.spawn_held(number, attempt, script, earlier_outputs, leader.pgid())
        {
            leader.hold(held);
        }
        leader
    }

    /// Starts the first process of attempt `attempt` of step `number` (running `script`, the
    /// step's only block) held, in a new process group that it leads (see
    /// [`GroupLeader::led_by`]): no leader process is made. `None` where the interpreter cannot
    /// be held or the process cannot be started; the caller then makes a leader as usual.
    pub fn hold_leading(
        &self,
        number: u32,
        attempt: u32,
        script: &Script,
        earlier_outputs: &BTreeMap<u32, Outputs>,
    ) -> Option<GroupLeader> {
        // Process group 0: a new group, whose id is the process's own.
        self.spawn_held(number, attempt, script, earlier_outputs, 0)
            .map(GroupLeader::led_by)
    }

    /// Starts `script` held in group `pgid` (0: a group of its own), with the `$SOP_OUTPUT` file
    /// emptied for it; `None` where it cannot be held or started.
    fn spawn_held(
        &self,
        number: u32,
        attempt: u32,
        script: &Script,
        earlier_outputs: &BTreeMap<u32, Outputs>,
        pgid: i32,
    ) -> Option<Held> {
        let hold = self.hold_for(script.interpreter)?;
        let output_path = self.output_path(number);
        let empty = self.output_empty(number);
        if !empty.load(Ordering::Relaxed) && fresh_file(&output_path).is_err() {
            return None;
        }
        // Nothing has written to the file since, and the attempt will not empty it again.
        empty.store(true, Ordering::Relaxed);
        self.command(
            number,
            earlier_outputs,
            attempt,
            script,
            &output_path,
            pgid,
            Some(&hold),
        )
        .and_then(|command| Held::spawn(&command))
        .ok()
    }

    /// How `interpreter` is held, if it can be: `sh` when it is dash; `bash` unless the
    /// environment would make it skip or replace `BASH_ENV` (POSIX mode, a `BASH_ENV` of the
    /// user's, privileged mode).
    fn hold_for(&self, interpreter: &'static str) -> Option<Hold> {
        let is = |name: &str| {
            self.program
                .find(interpreter)
                .and_then(std::fs::canonicalize)
                .is_ok_and(|p| p.file_name().is_some_and(|f| f == name))
        };
        match interpreter {
            "sh" => self
                .holds_sh
                .get_or_init(|| is("dash"))
                .then_some(Hold::Dash),
            "bash" => {
                let holds = *self.holds_bash.get_or_init(|| {
                    is("bash")
                        && ["BASH_ENV", "POSIXLY_CORRECT", "SHELLOPTS"]
                            .iter()
                            .all(|n| !self.program.inherits(n))
                        && same_ids()
                });
                if !holds {
                    return None;
                }
                held::bash_hold_file(&self.scratch_dir).ok().map(Hold::Bash)
            }
            _ => None,
        }
    }

    /// Two `$SOP_OUTPUT` files serve the run's steps, taking turns: emptied for each attempt
    /// and after the step, never created and removed per step. A step's neighbours use the
    /// other file, so the next step's first process can be started, held, while this step
    /// still writes its own.
    fn output_path(&self, step: u32) -> PathBuf {
        self.scratch_dir
            .join(["output-even", "output-odd"][step as usize % 2])
    }

    fn output_empty(&self, step: u32) -> &AtomicBool {
        &self.output_empty[step as usize % 2]
    }

    /// Runs a step to its end: attempts its blocks, retries failures after a backoff (see
    /// [`backoff`]), and returns the last attempt's result. Never panics on a failing command:
    /// every failure is in the result.
    pub fn run_step(&self, step: &StepRequest, observer: &mut dyn Observer) -> StepResult {
        // A step held until an instant (`not_before`) is timed from that instant.
        let from = || {
            step.not_before
                .map_or_else(Instant::now, |at| at.max(Instant::now()))
        };
        let started = from();
        let output_path = self.output_path(step.number);
        let mut capture = Capture::new();
        let mut attempts = 0;
        let mut cancelled = false;
        let mut attempt = Attempt::default();
        while attempts <= step.retries {
            attempts += 1;
            let attempt_started = from();
            attempt = self.attempt(step, attempts, &output_path, &mut capture, observer);
            let delay = backoff(self.settings.retry_backoff, attempts);
            // A retry that could not start before the run's deadline is not begun here: the
            // step fails, and the run times out at its deadline.
            let retry = !attempt.succeeded()
                && attempt.error.is_none()
                && attempt.stop() != Some(Stop::Cancel)
                && attempts <= step.retries
                && step.deadline.is_none_or(|d| Instant::now() + delay < d);
            if !retry {
                break;
            }
            observer.retrying(
                &FailedAttempt {
                    attempt: attempts,
                    exit_code: attempt.last.and_then(|e| e.exit_code()),
                    signal: attempt.last.and_then(|e| e.signal()),
                    timed_out: attempt.stop() == Some(Stop::Timeout),
                    error: attempt.output_error.as_ref().map(ToString::to_string),
                    duration: attempt_started.elapsed(),
                },
                delay,
            );
            if self.wait_or_stop(delay, observer) {
                cancelled = true;
                break;
            }
        }
        // What the step wrote there (a token, say) does not stay on disk.
        let emptied = fresh_file(&output_path).is_ok();
        self.output_empty(step.number)
            .store(emptied && attempt.group_gone, Ordering::Relaxed);
        StepResult {
            exit_code: attempt.last.and_then(|e| e.exit_code()),
            signal: attempt.last.and_then(|e| e.signal()),
            timed_out: attempt.stop() == Some(Stop::Timeout),
            cancelled: cancelled || attempt.stop() == Some(Stop::Cancel),
            deadline_passed: past(step.deadline),
            error: attempt.error,
            output_error: attempt.output_error,
            attempts,
            duration: started.elapsed(),
            output: capture.finish(),
            outputs: attempt.outputs,
        }
    }

    fn attempt(
        &self,
        step: &StepRequest,
        number: u32,
        output_path: &Path,
        capture: &mut Capture,
        observer: &mut dyn Observer,
    ) -> Attempt {
        let mut attempt = Attempt::default();
        let run_attempt = step.first_attempt + number - 1;
        let fallback = step.scripts.first().map_or("sh", |s| s.interpreter);
        let leader = observer
            .process_group(run_attempt)
            .unwrap_or_else(|| self.new_group(fallback));
        let mut leader = match leader {
            Ok(leader) => leader,
            Err(e) => {
                attempt.error = Some(format!("cannot start the step's process group: {e}"));
                return attempt;
            }
        };
        let empty = self
            .output_empty(step.number)
            .swap(false, Ordering::Relaxed);
        if !empty && let Err(e) = fresh_file(output_path) {
            attempt.error = Some(format!(
                "cannot create the $SOP_OUTPUT file {}: {e}",
                output_path.display()
            ));
            return attempt;
        }
        let mut first = leader.take_first();
        let pgid = leader.pgid();
        let deadline = match (step.timeout.map(|t| Instant::now() + t), step.deadline) {
            (Some(own), Some(run)) => Some(own.min(run)),
            (own, run) => own.or(run),
        };
        let mut completed = true;
        for script in step.scripts {
            let run = |start: Start, capture: &mut Capture, observer: &mut dyn Observer| {
                process::run(
                    start,
                    step.not_before,
                    pgid,
                    deadline,
                    &self.settings,
                    capture,
                    observer,
                )
            };
            let result = match first.take() {
                Some(held) => run(Start::Held(held), capture, observer),
                None => self
                    .command(
                        step.number,
                        step.earlier_outputs,
                        run_attempt,
                        script,
                        output_path,
                        pgid,
                        None,
                    )
                    .and_then(|command| run(Start::Spawn(&command), capture, observer)),
            };
            match result {
                Ok(ended) => {
                    attempt.last = Some(ended);
                    if ended.stop.is_some() || ended.exit_code() != Some(0) {
                        completed = false;
                        break;
                    }
                }
                Err(e) => {
                    attempt.error = Some(self.spawn_error(script, &e));
                    completed = false;
                    break;
                }
            }
        }
        drop(leader);
        // Whatever the blocks left running in the group ends with the attempt: it had SIGTERM
        // when its block exited, and gets SIGKILL once the grace period has passed.
        attempt.group_gone = terminate_group(pgid, self.settings.kill_grace).is_ok();
        if !completed {
            return attempt;
        }
        match read_outputs(output_path).and_then(|o| check_output_sizes(step.number, o)) {
            Ok(outputs) => attempt.outputs = outputs,
            Err(e) => attempt.output_error = Some(e),
        }
        attempt
    }

    #[allow(clippy::too_many_arguments)]
    fn command(
        &self,
        number: u32,
        earlier_outputs: &BTreeMap<u32, Outputs>,
        attempt: u32,
        script: &Script,
        output: &Path,
        pgid: i32,
        hold: Option<&Hold>,
    ) -> std::io::Result<StepCommand> {
        let extra = [
            ("SOP_STEP".to_string(), OsString::from(number.to_string())),
            (
                "SOP_ATTEMPT".to_string(),
                OsString::from(attempt.to_string()),
            ),
            ("SOP_OUTPUT".to_string(), output.as_os_str().to_owned()),
        ]
        .into_iter()
        .chain(env::output_env(earlier_outputs).map(|(k, v)| (k, OsString::from(v))));
        self.program
            .command(script.interpreter, &script.code, pgid, extra, hold)
    }

    fn spawn_error(&self, script: &Script, e: &std::io::Error) -> String {
        if e.kind() == std::io::ErrorKind::NotFound && !self.workdir.is_dir() {
            return format!(
                "the working directory {} does not exist",
                self.workdir.display()
            );
        }
        if e.kind() == std::io::ErrorKind::NotFound {
            return format!(
                "cannot run `{}`: it is not installed or not on PATH",
                script.interpreter
            );
        }
        if e.raw_os_error() == Some(libc::E2BIG) {
            let bytes = script.code.len();
            let why = if bytes > env::MAX_ENV_ENTRY {
                format!(
                    "its command is {bytes} bytes once its placeholders are filled in, and Linux \
                     passes at most {} bytes in one argument",
                    env::MAX_ENV_ENTRY
                )
            } else {
                "its command and environment together are more than Linux passes to a new \
                 process"
                    .to_string()
            };
            return format!(
                "cannot run `{} -c`: {why}; let the command read large values from their \
                 environment variables (\"$SOP_VAR_NAME\", or the file \"$SOP_VAR_NAME_FILE\" \
                 names for one too large for the environment) instead of `{{{{ name }}}}`",
                script.interpreter
            );
        }
        format!("cannot run `{} -c`: {e}", script.interpreter)
    }

    /// Waits `delay`, asking the observer whether to stop; true when it said so.
    fn wait_or_stop(&self, delay: Duration, observer: &mut dyn Observer) -> bool {
        let until = Instant::now() + delay;
        loop {
            if observer.should_stop() {
                return true;
            }
            let left = until.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return false;
            }
            std::thread::sleep(left.min(self.settings.poll_interval));
        }
    }
}

/// Bash ignores `BASH_ENV` when its real and effective ids differ (privileged mode).
fn same_ids() -> bool {
    use nix::unistd::{getegid, geteuid, getgid, getuid};
    getuid() == geteuid() && getgid() == getegid()
}

/// Whether the run's deadline (if any) has come.
fn past(deadline: Option<Instant>) -> bool {
    deadline.is_some_and(|d| Instant::now() >= d)
}
