//! A step attempt's process group, made before any of its commands run: a tiny leader process
//! starts the group and waits on a pipe from this process. The engine writes the group in the
//! transaction that starts the attempt; only after that commit are the step's processes
//! started, each joining the group. When this process dies, the pipe closes and the leader
//! exits; the group then lives exactly as long as the step's processes do.
//!
//! The leader is a [bare](super::bare_leader) child where the platform allows it, else
//! `sh -c 'read _'`. An attempt with a single process that is started before the commit, held
//! (see [`Held`]), needs no leader of its own: that process starts the group and leads it
//! ([`GroupLeader::led_by`]). Held, it runs nothing, so the group is recorded before any command
//! runs all the same; and the group lives as long as the step's processes do, which is all a
//! single process needs (a step of several blocks starts each after the one before has ended,
//! so its group needs a leader that outlives them).

use super::bare_leader::{self, BareLeader};
use super::held::Held;
use std::io;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

/// The leader of one attempt's process group. Dropping it ends the leader (the step's processes
/// in the group are not touched).
#[derive(Debug)]
pub struct GroupLeader {
    process: Leader,
    /// The attempt's first process, started in the group and held (see [`Held`]).
    first: Option<Held>,
}

#[derive(Debug)]
enum Leader {
    Bare(BareLeader),
    Shell(Child),
    /// The attempt's first process, whose pid is the group's.
    First(i32),
}

impl GroupLeader {
    /// Starts a leader in a new process group: a bare one, else a shell found by `sh`.
    pub fn start(sh: impl FnOnce() -> io::Result<PathBuf>) -> io::Result<Self> {
        let process = match bare_leader::start() {
            Ok(bare) => Leader::Bare(bare),
            Err(_) => Leader::Shell(shell(&sh()?)?),
        };
        Ok(GroupLeader {
            process,
            first: None,
        })
    }

    /// A group started and led by `first`, the attempt's only process, held: started with
    /// `process_group(0)`, so its pid is the group.
    pub fn led_by(first: Held) -> Self {
        GroupLeader {
            process: Leader::First(first.pid() as i32),
            first: Some(first),
        }
    }

    /// Whether the group is led by the attempt's first process (see [`led_by`](Self::led_by)).
    pub fn is_led_by_first(&self) -> bool {
        matches!(self.process, Leader::First(_))
    }

    /// Keeps the attempt's first process, held, until the attempt takes it.
    pub fn hold(&mut self, first: Held) {
        self.first = Some(first);
    }

    /// The attempt's first process, if one was started and held.
    pub fn take_first(&mut self) -> Option<Held> {
        self.first.take()
    }

    /// The process group the step's processes join: where `sop cancel` and recovery find them.
    pub fn pgid(&self) -> i32 {
        match &self.process {
            Leader::Bare(b) => b.pid(),
            Leader::Shell(c) => c.id() as i32,
            Leader::First(pid) => *pid,
        }
    }
}

/// `sh -c 'read _'` in a new process group, waiting on its stdin.
fn shell(sh: &Path) -> io::Result<Child> {
    Command::new(sh)
        .args(["-c", "read _"])
        .env_clear()
        .current_dir("/")
        .process_group(0)
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
}

impl Drop for GroupLeader {
    fn drop(&mut self) {
        // A bare leader ends itself when dropped; a first process still held ends as `first`
        // drops, and one released is the attempt's to reap.
        if let Leader::Shell(child) = &mut self.process {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}
