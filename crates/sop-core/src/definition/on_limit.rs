//! `on_limit`: what a start beyond the SOP's `concurrency` does.

use serde::Serialize;
use std::fmt;

/// `on_limit = "refuse" | "queue"` in `[sop]`; only meaningful with `concurrency`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum OnLimit {
    /// The start is refused (a conflict) and nothing is recorded.
    #[default]
    Refuse,
    /// The run is recorded `queued` and starts, oldest first, when a place frees; its
    /// conditions are evaluated again then.
    Queue,
}

impl OnLimit {
    pub const WORDS: &[&str] = &["refuse", "queue"];

    pub fn parse(word: &str) -> Option<Self> {
        match word {
            "refuse" => Some(OnLimit::Refuse),
            "queue" => Some(OnLimit::Queue),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            OnLimit::Refuse => "refuse",
            OnLimit::Queue => "queue",
        }
    }
}

impl fmt::Display for OnLimit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_word_round_trips_and_refuse_is_the_default() {
        for word in OnLimit::WORDS {
            assert_eq!(OnLimit::parse(word).unwrap().as_str(), *word);
        }
        assert_eq!(OnLimit::parse("wait"), None);
        assert_eq!(OnLimit::default(), OnLimit::Refuse);
    }
}
