//! One entry of `approvers = [...]`: a user name, `@oncall`, or `@group`.

use serde::{Serialize, Serializer};
use std::fmt;
use std::str::FromStr;

/// Who an `approvers` entry names. Resolved to people only at the instant of a question, because
/// the on-call person and group members change.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Approver {
    /// A user name, compared exactly (as the OS and `SOP_USER` spell it).
    User(String),
    /// `@oncall`: whoever is on call at that instant.
    OnCall,
    /// `@name`: the members of a group from `SOP_GROUPS` or the groups file.
    Group(String),
}

/// The group name `@oncall` takes; a group of that name can never be addressed.
pub const ON_CALL: &str = "oncall";

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid approver `{entry}`: {reason}")]
pub struct ApproverError {
    pub entry: String,
    pub reason: &'static str,
}

/// Names may hold letters, digits and `. _ -` (and must not start with `-`), which covers Unix
/// and most directory user names and keeps lists such as `SOP_GROUPS` unambiguous.
pub fn is_valid_name(name: &str) -> bool {
    !name.is_empty()
        && !name.starts_with('-')
        && name
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '.' | '_' | '-'))
}

impl FromStr for Approver {
    type Err = ApproverError;
    fn from_str(entry: &str) -> Result<Self, Self::Err> {
        let err = |reason| ApproverError {
            entry: entry.to_string(),
            reason,
        };
        if let Some(group) = entry.strip_prefix('@') {
            if group.is_empty() {
                return Err(err(
                    "`@` needs a group name after it, e.g. \"@ops\", or \"@oncall\"",
                ));
            }
            if !is_valid_name(group) {
                return Err(err(
                    "a group name may hold only letters, digits, `.`, `_` and `-`",
                ));
            }
            return Ok(if group.eq_ignore_ascii_case(ON_CALL) {
                Approver::OnCall
            } else {
                Approver::Group(group.to_string())
            });
        }
        if entry.is_empty() {
            return Err(err(
                "it is empty; write a user name, \"@oncall\" or \"@group\"",
            ));
        }
        if !is_valid_name(entry) {
            return Err(err(
                "a user name may hold only letters, digits, `.`, `_` and `-`; groups start with `@`",
            ));
        }
        Ok(Approver::User(entry.to_string()))
    }
}

impl fmt::Display for Approver {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Approver::User(u) => f.write_str(u),
            Approver::OnCall => write!(f, "@{ON_CALL}"),
            Approver::Group(g) => write!(f, "@{g}"),
        }
    }
}

impl Serialize for Approver {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_users_on_call_and_groups() {
        assert_eq!("alice".parse(), Ok(Approver::User("alice".into())));
        assert_eq!("j.doe-2_x".parse(), Ok(Approver::User("j.doe-2_x".into())));
        assert_eq!("@oncall".parse(), Ok(Approver::OnCall));
        assert_eq!("@OnCall".parse(), Ok(Approver::OnCall));
        assert_eq!("@ops".parse(), Ok(Approver::Group("ops".into())));
    }

    #[test]
    fn display_round_trips() {
        for s in ["alice", "@oncall", "@ops"] {
            assert_eq!(s.parse::<Approver>().unwrap().to_string(), s);
        }
    }

    #[test]
    fn rejects_malformed_entries_with_a_reason() {
        for (bad, reason) in [
            ("", "it is empty"),
            ("@", "needs a group name"),
            ("@o ps", "group name may hold only"),
            ("al ice", "user name may hold only"),
            ("bob@corp", "user name may hold only"),
            ("-rf", "user name may hold only"),
            ("a,b", "user name may hold only"),
        ] {
            let err = bad.parse::<Approver>().unwrap_err();
            assert!(err.to_string().contains(reason), "{bad}: {err}");
            assert!(
                err.to_string()
                    .starts_with(&format!("invalid approver `{bad}`"))
            );
        }
    }
}
