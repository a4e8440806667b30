//! Tests that really spawn processes. They synchronise on files, FIFOs and process exits, never
//! on sleeps; the only timeouts are the step timeouts under test (a few hundred milliseconds).

mod environment;
mod held;
mod outputs;
mod process;
mod quoting;
mod retries;
mod spawn;

use super::*;
use serde_json::{Map, Value};
use sop_core::step_output::Outputs;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// A run with its own working and scratch directories.
pub(super) struct Fixture {
    pub work: ScratchDir,
    pub scratch: ScratchDir,
    pub executor: Executor,
}

pub(super) fn settings() -> ExecutorSettings {
    ExecutorSettings {
        kill_grace: Duration::from_millis(200),
        retry_backoff: Duration::ZERO,
        poll_interval: Duration::from_millis(10),
    }
}

impl Fixture {
    pub fn new(variables: Value) -> Self {
        Self::with_settings(variables, settings())
    }

    pub fn with_settings(variables: Value, settings: ExecutorSettings) -> Self {
        let work = ScratchDir::create("sop-test-work").unwrap();
        let scratch = ScratchDir::create("sop-test-scratch").unwrap();
        let variables: Map<String, Value> = variables.as_object().cloned().unwrap();
        let executor = Executor::new(
            RunInfo {
                run_id: "run-1234",
                sop_name: "deploy",
                variables: &variables,
                workdir: work.path(),
                scratch_dir: scratch.path(),
                withheld: &[],
            },
            settings,
        )
        .unwrap();
        Fixture {
            work,
            scratch,
            executor,
        }
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.work.path().join(name)
    }

    /// Runs one `sh` block as step 1 with no timeout and no retries.
    pub fn sh(&self, code: &str) -> (StepResult, Recorder) {
        self.run(&[Script::new("sh", code)], None, 0)
    }

    pub fn run(
        &self,
        scripts: &[Script],
        timeout: Option<Duration>,
        retries: u32,
    ) -> (StepResult, Recorder) {
        let mut recorder = Recorder::default();
        let result = self.run_with(scripts, timeout, retries, &BTreeMap::new(), &mut recorder);
        (result, recorder)
    }

    /// Runs `scripts` as step 3 under the run deadline `deadline`.
    pub fn run_by(
        &self,
        scripts: &[Script],
        timeout: Option<Duration>,
        retries: u32,
        deadline: std::time::Instant,
    ) -> (StepResult, Recorder) {
        let mut recorder = Recorder::default();
        let earlier = BTreeMap::new();
        let request = StepRequest {
            number: 3,
            scripts,
            timeout,
            retries,
            deadline: Some(deadline),
            earlier_outputs: &earlier,
            first_attempt: 1,
            not_before: None,
        };
        let result = self.executor.run_step(&request, &mut recorder);
        (result, recorder)
    }

    pub fn run_with(
        &self,
        scripts: &[Script],
        timeout: Option<Duration>,
        retries: u32,
        earlier: &BTreeMap<u32, Outputs>,
        observer: &mut dyn Observer,
    ) -> StepResult {
        self.executor.run_step(
            &StepRequest {
                number: 3,
                scripts,
                timeout,
                retries,
                deadline: None,
                earlier_outputs: earlier,
                first_attempt: 1,
                not_before: None,
            },
            observer,
        )
    }
}

/// Decides, from what was recorded so far, whether to stop the step.
pub(super) type StopWhen = Box<dyn FnMut(&Recorder) -> bool>;

/// Records everything an observer is told; stops when `stop_when` says so.
#[derive(Default)]
pub(super) struct Recorder {
    pub stdout: Vec<u8>,
    pub stderr: Vec<u8>,
    pub pgids: Vec<i32>,
    pub retries: Vec<(FailedAttempt, Duration)>,
    pub stop_when: Option<StopWhen>,
    pub polls: u32,
}

impl Observer for Recorder {
    fn spawned(&mut self, pgid: i32) {
        self.pgids.push(pgid);
    }

    fn should_stop(&mut self) -> bool {
        self.polls += 1;
        match self.stop_when.take() {
            Some(mut f) => {
                let stop = f(self);
                self.stop_when = Some(f);
                stop
            }
            None => false,
        }
    }

    fn stdout(&mut self, bytes: &[u8]) {
        self.stdout.extend_from_slice(bytes);
    }

    fn stderr(&mut self, bytes: &[u8]) {
        self.stderr.extend_from_slice(bytes);
    }

    fn retrying(&mut self, failed: &FailedAttempt, delay: Duration) {
        self.retries.push((failed.clone(), delay));
    }
}

/// Discards everything and never stops.
pub(super) struct Quiet;

impl Observer for Quiet {}

/// The pids listed one per line in `file`.
pub(super) fn pids(file: &Path) -> Vec<i32> {
    std::fs::read_to_string(file)
        .unwrap_or_else(|e| panic!("{}: {e}", file.display()))
        .split_whitespace()
        .map(|p| p.parse().unwrap())
        .collect()
}

/// Waits until process `pid` (not our child) has exited; false if it is still running after
/// `limit`. Uses a pidfd, so it returns the moment the process ends.
pub(super) fn wait_gone(pid: i32, limit: Duration) -> bool {
    // SAFETY: pidfd_open takes a pid and flags and returns a new descriptor or -1.
    let fd = unsafe { libc::syscall(libc::SYS_pidfd_open, pid, 0) };
    if fd < 0 {
        return std::io::Error::last_os_error().raw_os_error() == Some(libc::ESRCH);
    }
    let mut pfd = libc::pollfd {
        fd: fd as i32,
        events: libc::POLLIN,
        revents: 0,
    };
    // SAFETY: one valid pollfd; the descriptor is closed right after.
    let ready = unsafe { libc::poll(&mut pfd, 1, limit.as_millis() as i32) };
    unsafe { libc::close(fd as i32) };
    ready == 1
}

/// A FIFO in `dir`, for a script to signal the test without any sleeping.
pub(super) fn fifo(dir: &Path, name: &str) -> PathBuf {
    let path = dir.join(name);
    let c = std::ffi::CString::new(path.as_os_str().as_encoded_bytes()).unwrap();
    // SAFETY: a valid NUL-terminated path.
    assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
    path
}

/// The text of a captured tail, which tests expect to be UTF-8.
pub(super) fn tail(result: &StepResult) -> &str {
    std::str::from_utf8(&result.output.tail).unwrap()
}
