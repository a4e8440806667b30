//! Running one step: its code blocks in order, with a timeout, retries and output capture.

use super::capture::Capture;
use super::env;
use super::env::MAX_ENV_ENTRY;
use super::observer::{FailedAttempt, Observer};
use super::process::{self, Ended, Stop};
use super::result::StepResult;
use super::script::Script;
use super::settings::{ExecutorSettings, backoff};
use serde_json::{Map, Value};
use sop_core::step_output::{self, MAX_OUTPUT_BYTES, OutputFileError, OutputProblem, Outputs};
use std::collections::BTreeMap;
use std::ffi::OsString;
use std::fs::{File, OpenOptions};
use std::io::Read;
use std::os::unix::fs::OpenOptionsExt;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
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
}

/// Runs the steps of one run. Everything that is the same for every step (the variables'
/// environment) is prepared once, here.
#[derive(Debug)]
pub struct Executor {
    workdir: PathBuf,
    scratch_dir: PathBuf,
    unset: Vec<OsString>,
    env: Vec<(String, String)>,
    settings: ExecutorSettings,
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
    /// Outputs of earlier steps by step number, as `SOP_STEP_<N>_<KEY>`.
    pub earlier_outputs: &'a BTreeMap<u32, Outputs>,
}

/// One attempt's end, before it is folded into the [`StepResult`].
#[derive(Default)]
struct Attempt {
    last: Option<Ended>,
    error: Option<String>,
    output_error: Option<OutputFileError>,
    outputs: Outputs,
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
        let mut vars = env::variable_env(run.variables)?;
        vars.push(("SOP_RUN_ID".to_string(), run.run_id.to_string()));
        vars.push(("SOP_NAME".to_string(), run.sop_name.to_string()));
        Ok(Executor {
            workdir: run.workdir.to_path_buf(),
            scratch_dir: run.scratch_dir.to_path_buf(),
            unset: env::inherited_own_names(),
            env: vars,
            settings,
        })
    }

    /// Runs a step to its end: attempts its blocks, retries failures after a backoff (see
    /// [`backoff`]), and returns the last attempt's result. Never panics on a failing command:
    /// every failure is in the result.
    pub fn run_step(&self, step: &StepRequest, observer: &mut dyn Observer) -> StepResult {
        let started = Instant::now();
        let output_path = self.scratch_dir.join(format!("step-{}.out", step.number));
        let mut capture = Capture::new();
        let mut attempts = 0;
        let mut cancelled = false;
        let mut attempt = Attempt::default();
        while attempts <= step.retries {
            attempts += 1;
            let attempt_started = Instant::now();
            attempt = self.attempt(step, attempts, &output_path, &mut capture, observer);
            let retry = !attempt.succeeded()
                && attempt.error.is_none()
                && attempt.stop() != Some(Stop::Cancel)
                && attempts <= step.retries;
            if !retry {
                break;
            }
            let delay = backoff(self.settings.retry_backoff, attempts);
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
        let _ = std::fs::remove_file(&output_path);
        StepResult {
            exit_code: attempt.last.and_then(|e| e.exit_code()),
            signal: attempt.last.and_then(|e| e.signal()),
            timed_out: attempt.stop() == Some(Stop::Timeout),
            cancelled: cancelled || attempt.stop() == Some(Stop::Cancel),
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
        if let Err(e) = fresh_file(output_path) {
            attempt.error = Some(format!(
                "cannot create the $SOP_OUTPUT file {}: {e}",
                output_path.display()
            ));
            return attempt;
        }
        let deadline = step.timeout.map(|t| Instant::now() + t);
        for script in step.scripts {
            let mut command = self.command(step, number, script, output_path);
            match process::run(&mut command, deadline, &self.settings, capture, observer) {
                Ok(ended) => {
                    attempt.last = Some(ended);
                    if ended.stop.is_some() || ended.exit_code() != Some(0) {
                        return attempt;
                    }
                }
                Err(e) => {
                    attempt.error = Some(self.spawn_error(script, &e));
                    return attempt;
                }
            }
        }
        match read_outputs(output_path).and_then(|o| check_output_sizes(step.number, o)) {
            Ok(outputs) => attempt.outputs = outputs,
            Err(e) => attempt.output_error = Some(e),
        }
        attempt
    }

    fn command(&self, step: &StepRequest, attempt: u32, script: &Script, output: &Path) -> Command {
        let mut command = Command::new(script.interpreter);
        command
            .arg("-c")
            .arg(&script.code)
            .current_dir(&self.workdir)
            .process_group(0)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        for name in &self.unset {
            command.env_remove(name);
        }
        command
            .envs(self.env.iter().map(|(k, v)| (k, v)))
            .env("SOP_STEP", step.number.to_string())
            .env("SOP_ATTEMPT", attempt.to_string())
            .env("SOP_OUTPUT", output)
            .envs(env::output_env(step.earlier_outputs));
        command
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

/// Creates the file empty and private to the user, replacing any earlier attempt's.
fn fresh_file(path: &Path) -> std::io::Result<File> {
    OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(path)
}

/// Later steps get each output as an environment variable; one the kernel would not pass on
/// fails this attempt, where it was written, rather than every later step at its start.
fn check_output_sizes(step: u32, outputs: Outputs) -> Result<Outputs, OutputFileError> {
    let problems: Vec<OutputProblem> = outputs
        .iter()
        .filter_map(|(key, value)| {
            let env = super::env::output_env_name(step, key);
            let bytes = env.len() + 1 + value.len();
            (bytes > MAX_ENV_ENTRY).then(|| OutputProblem {
                line: 0,
                message: format!(
                    "output `{key}` is {} bytes: later steps get it as {env}, and Linux passes at \
                     most {MAX_ENV_ENTRY} bytes per environment variable; write large data to a \
                     file in the working directory and output its path",
                    value.len()
                ),
            })
        })
        .collect();
    if problems.is_empty() {
        Ok(outputs)
    } else {
        Err(OutputFileError { problems })
    }
}

fn read_outputs(path: &Path) -> Result<Outputs, OutputFileError> {
    let whole_file = |message: String| OutputFileError {
        problems: vec![OutputProblem { line: 0, message }],
    };
    let missing = |e: std::io::Error| {
        whole_file(format!(
            "cannot read {}: {e}; a step must not delete its $SOP_OUTPUT file",
            path.display()
        ))
    };
    // Most steps write no outputs: one stat instead of open, read and close.
    if std::fs::metadata(path).map_err(missing)?.len() == 0 {
        return Ok(Outputs::new());
    }
    let file = File::open(path).map_err(missing)?;
    let mut bytes = Vec::new();
    // One byte past the limit is enough to tell the parser the file is too large.
    file.take(MAX_OUTPUT_BYTES as u64 + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| whole_file(format!("cannot read {}: {e}", path.display())))?;
    step_output::parse(&bytes)
}
