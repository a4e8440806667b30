//! The process exit codes sop promises, and the error type that carries one to `main`.

use std::fmt;

/// Documented exit codes (README "Exit codes").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    /// The command did what was asked; a run succeeded.
    Success = 0,
    /// A run failed, or an error happened.
    Failure = 1,
    /// Bad usage, or an invalid definition or input.
    Invalid = 2,
    /// The SOP's conditions are not met.
    ConditionsUnmet = 3,
    /// The run waits: for an approval, a manual step, its place in the queue, or because it
    /// is paused.
    Waiting = 4,
    /// The run was cancelled, rejected or expired.
    Stopped = 5,
}

impl Exit {
    pub fn code(self) -> u8 {
        self as u8
    }
}

/// An error that has already been explained to the user and asks for a specific exit code.
/// Use it for problems with the user's input; anything else is exit 1.
#[derive(Debug)]
pub struct Fail {
    pub exit: Exit,
    pub message: String,
}

impl Fail {
    pub fn invalid(message: impl Into<String>) -> anyhow::Error {
        anyhow::Error::new(Fail {
            exit: Exit::Invalid,
            message: message.into(),
        })
    }

    pub fn with(exit: Exit, message: impl Into<String>) -> anyhow::Error {
        anyhow::Error::new(Fail {
            exit,
            message: message.into(),
        })
    }
}

impl fmt::Display for Fail {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Fail {}
