//! The one error type of every operation, with a kind each front end maps to its own terms
//! (the CLI to exit codes, the server to HTTP statuses).

use sop_store::StoreError;
use std::fmt;

pub type Result<T, E = Error> = std::result::Result<T, E>;

/// What went wrong, as far as a caller deciding what to do about it cares.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorKind {
    /// The request itself is wrong: a bad argument, variable, setting or definition.
    Invalid,
    /// The thing named does not exist (a run, an SOP, a fact).
    NotFound,
    /// The state does not allow it now: an illegal transition, a lease held elsewhere, a limit.
    Conflict,
    /// The person may not do it: authority, four-eyes, a used or expired token.
    Refused,
    /// The SOP's conditions do not hold.
    ConditionsNotMet,
    /// The store stayed busy; trying again later can succeed.
    Busy,
    /// Anything else: a failing disk, a corrupt database, a bug.
    Internal,
}

impl ErrorKind {
    /// The name used in error documents (`"not_found"`, ...).
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorKind::Invalid => "invalid",
            ErrorKind::NotFound => "not_found",
            ErrorKind::Conflict => "conflict",
            ErrorKind::Refused => "refused",
            ErrorKind::ConditionsNotMet => "conditions_not_met",
            ErrorKind::Busy => "busy",
            ErrorKind::Internal => "internal",
        }
    }
}

/// What the person can do about an error, named rather than spelled out: each front end says
/// it in its own terms (a CLI command, an API call, a button).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(tag = "remedy", rename_all = "snake_case")]
pub enum Remedy {
    /// See which SOPs there are.
    ListSops,
    /// See which runs there are.
    ListRuns,
    /// Fix the SOP's files, then check it again.
    CheckSop { name: String },
    /// Wait for an active run to finish, or cancel one.
    WaitOrCancel,
}

/// An operation's failure: its kind, a message saying what is wrong and where, and optionally a
/// hint saying how to fix it (or a [`Remedy`] each front end words itself).
#[derive(Debug)]
pub struct Error {
    pub kind: ErrorKind,
    pub message: String,
    pub hint: Option<String>,
    pub remedy: Option<Remedy>,
    source: Option<Box<dyn std::error::Error + Send + Sync + 'static>>,
}

impl Error {
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        Error {
            kind,
            message: message.into(),
            hint: None,
            remedy: None,
            source: None,
        }
    }

    pub fn invalid(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Invalid, message)
    }

    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::NotFound, message)
    }

    pub fn conflict(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Conflict, message)
    }

    pub fn refused(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Refused, message)
    }

    pub fn internal(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Internal, message)
    }

    /// An error of `kind` that carries `source` (its message is the source's).
    pub fn with_source<E: std::error::Error + Send + Sync + 'static>(
        kind: ErrorKind,
        source: E,
    ) -> Self {
        Error {
            kind,
            message: source.to_string(),
            hint: None,
            remedy: None,
            source: Some(Box::new(source)),
        }
    }

    pub fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    pub fn with_remedy(mut self, remedy: Remedy) -> Self {
        self.remedy = Some(remedy);
        self
    }

    /// The same error with `context` in front of its message (`context: message`).
    pub fn context(mut self, context: impl fmt::Display) -> Self {
        self.message = format!("{context}: {}", self.message);
        self
    }

    /// The error an aborted store transaction carried, when it is of type `E`.
    pub fn source_as<E: std::error::Error + 'static>(&self) -> Option<&E> {
        self.source.as_deref().and_then(|s| s.downcast_ref::<E>())
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)?;
        if let Some(hint) = &self.hint {
            write!(f, "\n  = help: {hint}")?;
        }
        Ok(())
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.source
            .as_deref()
            .map(|s| s as &(dyn std::error::Error + 'static))
    }
}

impl From<StoreError> for Error {
    fn from(e: StoreError) -> Self {
        let kind = match &e {
            StoreError::NotFound { .. } => ErrorKind::NotFound,
            StoreError::AmbiguousPrefix { .. } | StoreError::InvalidLocation { .. } => {
                ErrorKind::Invalid
            }
            StoreError::Conflict { .. }
            | StoreError::AlreadyExists { .. }
            | StoreError::LeaseHeld { .. } => ErrorKind::Conflict,
            StoreError::Busy(_) => ErrorKind::Busy,
            _ => ErrorKind::Internal,
        };
        Error {
            kind,
            message: e.to_string(),
            hint: None,
            remedy: None,
            source: Some(Box::new(e)),
        }
    }
}

/// Errors of the standard library and of serde that reach an operation only through a failing
/// system or a corrupt record: internal.
macro_rules! internal_from {
    ($($t:ty),*) => {$(
        impl From<$t> for Error {
            fn from(e: $t) -> Self {
                Error::with_source(ErrorKind::Internal, e)
            }
        }
    )*};
}

internal_from!(std::io::Error, serde_json::Error, std::ffi::NulError);

/// `.context(...)` and `.with_context(...)` on results and options, giving an [`Error`] whose
/// message names what was being done. An [`Error`] keeps its kind; anything else is internal.
pub trait Context<T> {
    fn context<C: fmt::Display>(self, context: C) -> Result<T>;
    fn with_context<C: fmt::Display, F: FnOnce() -> C>(self, f: F) -> Result<T>;
}

impl<T, E: Into<Error>> Context<T> for std::result::Result<T, E> {
    fn context<C: fmt::Display>(self, context: C) -> Result<T> {
        self.map_err(|e| e.into().context(context))
    }

    fn with_context<C: fmt::Display, F: FnOnce() -> C>(self, f: F) -> Result<T> {
        self.map_err(|e| e.into().context(f()))
    }
}

impl<T> Context<T> for Option<T> {
    fn context<C: fmt::Display>(self, context: C) -> Result<T> {
        self.ok_or_else(|| Error::internal(context.to_string()))
    }

    fn with_context<C: fmt::Display, F: FnOnce() -> C>(self, f: F) -> Result<T> {
        self.ok_or_else(|| Error::internal(f().to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn context_keeps_the_kind_and_prefixes_the_message() {
        let r: Result<()> = Err(Error::invalid("bad value"));
        let e = r.context("reading x").unwrap_err();
        assert_eq!(e.kind, ErrorKind::Invalid);
        assert_eq!(e.to_string(), "reading x: bad value");
    }

    #[test]
    fn store_errors_map_to_kinds() {
        let e: Error = StoreError::Busy("locked".into()).into();
        assert_eq!(e.kind, ErrorKind::Busy);
        let e: Error = StoreError::NotFound {
            what: "run",
            key: "x".into(),
        }
        .into();
        assert_eq!(e.kind, ErrorKind::NotFound);
        assert!(e.source_as::<StoreError>().is_some());
    }

    #[test]
    fn a_hint_is_shown_under_the_message() {
        let e = Error::invalid("no such thing").with_hint("try another");
        assert_eq!(e.to_string(), "no such thing\n  = help: try another");
    }
}
