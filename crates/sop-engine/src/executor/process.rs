//! One process of a step: spawn it in its own group, stream and capture its output from the
//! calling thread, and enforce the deadline and cancellation.
//!
//! Both pipes and (on Linux) a pidfd are watched with `poll(2)`, so no helper thread is needed
//! and the end of the process is noticed at once. The process runs in its attempt's group,
//! which a [`GroupLeader`](super::group_leader::GroupLeader) keeps in existence, so signalling
//! the group is safe until the leader is gone. A group led by the process itself exists while
//! any of its members does, the process until it is reaped: what it left behind is signalled
//! before that. Once the group is empty its id is free again, but Linux hands pids out in turn
//! up to `pid_max`, so the id names nothing else before every other free pid has been used.

use super::capture::Capture;
use super::group::signal_group;
use super::held::Held;
use super::observer::Observer;
use super::punctual;
use super::settings::ExecutorSettings;
use super::spawn::{StepChild, StepCommand};
use std::fs::File;
use std::io::{self, Read};
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd, RawFd};
use std::os::unix::process::ExitStatusExt;
use std::process::ExitStatus;
use std::time::{Duration, Instant};

/// Why the process was stopped before it ended by itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stop {
    Timeout,
    Cancel,
}

/// How one process ended.
#[derive(Debug, Clone, Copy)]
pub struct Ended {
    pub status: ExitStatus,
    pub stop: Option<Stop>,
}

impl Ended {
    pub fn exit_code(&self) -> Option<i32> {
        self.status.code()
    }

    pub fn signal(&self) -> Option<i32> {
        self.status.signal()
    }
}

/// Reads at most this much per wake-up from one pipe, so stdout and stderr interleave fairly.
const CHUNK: usize = 32 * 1024;

/// After the process exits, at most this much more is read from pipes still held open by
/// processes it left behind.
const DRAIN_LIMIT: usize = 4 * 1024 * 1024;

/// How the process comes to run.
pub enum Start<'a> {
    /// Spawned from this command.
    Spawn(&'a StepCommand),
    /// Started earlier and held; released.
    Held(Held),
}

/// Starts the process (already set up to join process group `pgid`, with piped stdout/stderr),
/// not before `not_before`, and runs it to the end. Fails when the process cannot be started
/// (or, which does not happen to a child we own, cannot be reaped).
pub fn run(
    start: Start,
    not_before: Option<Instant>,
    pgid: i32,
    deadline: Option<Instant>,
    settings: &ExecutorSettings,
    capture: &mut Capture,
    observer: &mut dyn Observer,
) -> io::Result<Ended> {
    if let Some(at) = not_before {
        punctual::wait_until(at);
    }
    let mut child = match start {
        Start::Spawn(command) => command.spawn()?,
        Start::Held(held) => held.release(),
    };
    observer.spawned(pgid);
    let pid = child.id() as i32;
    let mut pipes = [
        child
            .stdout
            .take()
            .map(|p| Pipe::new(OwnedFd::from(p), true)),
        child
            .stderr
            .take()
            .map(|p| Pipe::new(OwnedFd::from(p), false)),
    ];
    let pidfd = pidfd_open(pid);
    let mut buf = vec![0u8; CHUNK];
    let mut stop = None;
    let mut kill_at: Option<Instant> = None;
    let mut next_check = Instant::now() + settings.poll_interval;

    loop {
        let now = Instant::now();
        if stop.is_none() {
            if deadline.is_some_and(|d| now >= d) {
                stop = Some(Stop::Timeout);
            } else if now >= next_check {
                next_check = now + settings.poll_interval;
                if observer.should_stop() {
                    stop = Some(Stop::Cancel);
                }
            }
            if stop.is_some() {
                let _ = signal_group(pgid, libc::SIGTERM);
                kill_at = Some(now + settings.kill_grace);
            }
        }
        if kill_at.is_some_and(|k| now >= k) {
            let _ = signal_group(pgid, libc::SIGKILL);
            kill_at = None;
        }
        if has_exited(pid) {
            break;
        }

        let mut wake = next_check;
        if stop.is_none()
            && let Some(d) = deadline
        {
            wake = wake.min(d);
        }
        if let Some(k) = kill_at {
            wake = wake.min(k);
        }
        let open = pipes.iter().flatten().count();
        let mut timeout = wake.saturating_duration_since(now);
        if pidfd.is_none() && open == 0 {
            // Nothing can wake us when the process exits: look again soon.
            timeout = timeout.min(Duration::from_millis(1));
        }
        let mut fds: Vec<libc::pollfd> = pipes
            .iter()
            .flatten()
            .map(|p| p.fd.as_raw_fd())
            .chain(pidfd.as_ref().map(AsRawFd::as_raw_fd))
            .map(|fd| libc::pollfd {
                fd,
                events: libc::POLLIN,
                revents: 0,
            })
            .collect();
        poll(&mut fds, timeout);
        for slot in pipes.iter_mut() {
            let ready = slot.as_ref().is_some_and(|p| {
                fds.iter()
                    .any(|f| f.fd == p.fd.as_raw_fd() && f.revents != 0)
            });
            if ready
                && let Some(pipe) = slot
                && pipe.read_into(&mut buf, capture, observer) == ReadResult::Closed
            {
                *slot = None;
            }
        }
    }

    // What the process left behind ends with it: SIGTERM after a normal end, SIGKILL after a
    // timeout or cancel (those processes already had their SIGTERM). The group's leader keeps
    // `pgid` from naming anything else.
    let leftover_signal = if stop.is_some() {
        libc::SIGKILL
    } else {
        libc::SIGTERM
    };
    let _ = signal_group(pgid, leftover_signal);
    let mut drained = 0;
    for pipe in pipes.iter_mut().flatten() {
        while drained < DRAIN_LIMIT {
            match pipe.read_into(&mut buf, capture, observer) {
                ReadResult::Data(n) => drained += n,
                ReadResult::Closed | ReadResult::Empty => break,
            }
        }
    }
    let status = reap(&mut child)?;
    Ok(Ended { status, stop })
}

#[derive(Debug, PartialEq, Eq)]
enum ReadResult {
    Data(usize),
    Empty,
    Closed,
}

struct Pipe {
    fd: File,
    stdout: bool,
}

impl Pipe {
    fn new(fd: OwnedFd, stdout: bool) -> Self {
        set_nonblocking(fd.as_raw_fd());
        Pipe {
            fd: File::from(fd),
            stdout,
        }
    }

    fn read_into(
        &mut self,
        buf: &mut [u8],
        capture: &mut Capture,
        observer: &mut dyn Observer,
    ) -> ReadResult {
        loop {
            return match self.fd.read(buf) {
                Ok(0) => ReadResult::Closed,
                Ok(n) => {
                    let bytes = &buf[..n];
                    capture.push(bytes);
                    if self.stdout {
                        observer.stdout(bytes);
                    } else {
                        observer.stderr(bytes);
                    }
                    ReadResult::Data(n)
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => ReadResult::Empty,
                Err(_) => ReadResult::Closed,
            };
        }
    }
}

fn set_nonblocking(fd: RawFd) {
    // SAFETY: fcntl on an fd we own; failure only means reads may block, which poll avoids.
    unsafe {
        let flags = libc::fcntl(fd, libc::F_GETFL);
        if flags >= 0 {
            libc::fcntl(fd, libc::F_SETFL, flags | libc::O_NONBLOCK);
        }
    }
}

/// Waits until a descriptor is ready or `timeout` passes.
fn poll(fds: &mut [libc::pollfd], timeout: Duration) {
    // Round up so a wait for "0.3 ms" does not spin with a zero timeout.
    let ms = timeout.as_micros().div_ceil(1000).min(i32::MAX as u128) as i32;
    // SAFETY: `fds` is a valid, exclusively borrowed slice of pollfd for the whole call.
    let rc = unsafe { libc::poll(fds.as_mut_ptr(), fds.len() as libc::nfds_t, ms) };
    if rc < 0 && io::Error::last_os_error().kind() != io::ErrorKind::Interrupted {
        // Only EINVAL/ENOMEM remain; wait instead of spinning, and keep enforcing deadlines.
        std::thread::sleep(timeout.min(Duration::from_millis(1)));
    }
}

/// Whether the child has exited, without reaping it. An error other than EINTR means the child
/// cannot be waited for at all (it is no longer ours): then it counts as exited, and reaping it
/// reports what happened.
fn has_exited(pid: i32) -> bool {
    // SAFETY: siginfo_t is plain data; waitid writes it and we read only si_pid.
    let mut info: libc::siginfo_t = unsafe { std::mem::zeroed() };
    let rc = unsafe {
        libc::waitid(
            libc::P_PID,
            pid as libc::id_t,
            &mut info,
            libc::WEXITED | libc::WNOHANG | libc::WNOWAIT,
        )
    };
    if rc < 0 {
        return io::Error::last_os_error().kind() != io::ErrorKind::Interrupted;
    }
    // With WNOHANG, si_pid stays 0 while the child is still running.
    // SAFETY: waitid succeeded, so `info` is initialised.
    unsafe { info.si_pid() != 0 }
}

fn reap(child: &mut StepChild) -> io::Result<ExitStatus> {
    loop {
        match child.wait() {
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            other => return other,
        }
    }
}

/// A descriptor that becomes readable when process `pid` exits (Linux 5.3+).
#[cfg(target_os = "linux")]
fn pidfd_open(pid: i32) -> Option<OwnedFd> {
    // SAFETY: pidfd_open takes a pid and flags and returns a new descriptor or -1.
    let fd = unsafe { libc::syscall(libc::SYS_pidfd_open, pid, 0) };
    if fd < 0 {
        return None;
    }
    // SAFETY: the kernel just returned this descriptor to us; nothing else owns it.
    Some(unsafe { OwnedFd::from_raw_fd(fd as RawFd) })
}

#[cfg(not(target_os = "linux"))]
fn pidfd_open(_pid: i32) -> Option<OwnedFd> {
    None
}
