//! A step's first process, started before the transaction that starts the attempt commits and
//! held there: the interpreter loads while the commit is flushed, then waits on its stdin for
//! one line from this process before it runs a single word of the step's command. Releasing it
//! costs a pipe write; the command's environment and text were fixed when it was started.
//!
//! Held, the process has run nothing of the step: when this process dies or the commit fails,
//! its stdin closes and it exits (status 125) without running the command, so the handshake's
//! promise (no command runs whose group is not recorded) is kept.

use super::spawn::{StepChild, StepCommand};
use std::fs::File;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

/// Runs before a `dash` command, on its first line so that line numbers in its messages do not
/// move (dash's syntax errors do not quote the line).
pub const DASH_PREFIX: &str = "read -r _ || exit 125; exec </dev/null; ";

/// Sourced by `bash` (as `BASH_ENV`) before its command, leaving the command's text and its
/// line numbers untouched. `$_` is left as bash would have it.
pub const BASH_HOLD: &str = "read -r _ || exit 125\nexec </dev/null\nunset BASH_ENV\n: \"$BASH\"\n";

/// How one interpreter is held, when it can be.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Hold {
    /// `sh` is dash: [`DASH_PREFIX`] before the command.
    Dash,
    /// `bash` sources this file, holding [`BASH_HOLD`], before its command.
    Bash(PathBuf),
}

/// A started step process waiting for [`Held::release`]. Dropped unreleased, it is killed and
/// reaped.
#[derive(Debug)]
pub struct Held {
    child: Option<StepChild>,
    go: Option<File>,
}

impl Held {
    /// Starts `command`, which must read its stdin from a pipe and hold as [`Hold`] says.
    pub fn spawn(command: &StepCommand) -> io::Result<Held> {
        let mut child = command.spawn()?;
        let go = child.stdin.take();
        Ok(Held {
            child: Some(child),
            go,
        })
    }

    /// Lets the process run its command. Should it have ended already (a syntax error in the
    /// command's first line), the write fails and its exit status tells what happened.
    pub fn release(mut self) -> StepChild {
        if let Some(mut go) = self.go.take() {
            let _ = go.write_all(b"\n");
        }
        self.child.take().expect("a held process is released once")
    }
}

impl Held {
    /// The process's id (0 once released, which consumes it).
    pub fn pid(&self) -> u32 {
        self.child.as_ref().map_or(0, StepChild::id)
    }
}

#[cfg(test)]
impl Held {
    /// Closes the pipe without a word, as this process dying would.
    pub fn abandon(mut self) -> StepChild {
        self.go.take();
        self.child.take().expect("a held process")
    }
}

impl Drop for Held {
    fn drop(&mut self) {
        self.go.take();
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// The file `bash` sources to hold (see [`BASH_HOLD`]) in `dir`, written unless it is there:
/// were it missing, bash would run the command at once, so it is looked for before every start.
pub fn bash_hold_file(dir: &Path) -> io::Result<PathBuf> {
    let path = dir.join("hold.bash");
    if !path.is_file() {
        std::fs::write(&path, BASH_HOLD)?;
    }
    Ok(path)
}
