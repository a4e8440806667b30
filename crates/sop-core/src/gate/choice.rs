//! [`Choice`]: what one decider says about a gate, approve or reject.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// What one decider says about a gate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Choice {
    Approve,
    Reject,
}

impl Choice {
    pub fn as_str(self) -> &'static str {
        match self {
            Choice::Approve => "approve",
            Choice::Reject => "reject",
        }
    }
}

impl FromStr for Choice {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "approve" => Ok(Choice::Approve),
            "reject" => Ok(Choice::Reject),
            _ => Err(format!("unknown verdict `{s}`; use approve or reject")),
        }
    }
}

impl fmt::Display for Choice {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn choices_round_trip() {
        for v in [Choice::Approve, Choice::Reject] {
            assert_eq!(v.as_str().parse::<Choice>(), Ok(v));
        }
        assert!("maybe".parse::<Choice>().is_err());
    }
}
