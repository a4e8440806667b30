//! What a cron trigger does when a tick comes while its previous run is still active
//! (`overlap`) and with ticks that passed while no server ran (`catch_up`).

use serde::Serialize;
use std::fmt;

/// `overlap = "skip" | "queue" | "allow"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Overlap {
    /// The tick is recorded as skipped and no run starts.
    #[default]
    Skip,
    /// The tick is recorded as queued and its run starts when the active one ends.
    Queue,
    /// A run starts beside the active one.
    Allow,
}

/// `catch_up = "none" | "latest" | "all"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum CatchUp {
    /// Missed ticks are recorded as missed; nothing runs for them.
    #[default]
    None,
    /// The most recent missed tick runs; the others are recorded as missed.
    Latest,
    /// Every missed tick runs, oldest first, the most recent [`CatchUp::ALL_CAP`] of them.
    All,
}

impl Overlap {
    pub const WORDS: &[&str] = &["skip", "queue", "allow"];

    pub fn parse(word: &str) -> Option<Self> {
        match word {
            "skip" => Some(Overlap::Skip),
            "queue" => Some(Overlap::Queue),
            "allow" => Some(Overlap::Allow),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Overlap::Skip => "skip",
            Overlap::Queue => "queue",
            Overlap::Allow => "allow",
        }
    }

    pub fn is_default(&self) -> bool {
        *self == Overlap::default()
    }
}

impl CatchUp {
    pub const WORDS: &[&str] = &["none", "latest", "all"];

    /// How many missed ticks `all` runs at most: a server down for a week must not start
    /// thousands of runs when it comes back.
    pub const ALL_CAP: usize = 100;

    pub fn parse(word: &str) -> Option<Self> {
        match word {
            "none" => Some(CatchUp::None),
            "latest" => Some(CatchUp::Latest),
            "all" => Some(CatchUp::All),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            CatchUp::None => "none",
            CatchUp::Latest => "latest",
            CatchUp::All => "all",
        }
    }

    pub fn is_default(&self) -> bool {
        *self == CatchUp::default()
    }
}

impl fmt::Display for Overlap {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Display for CatchUp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}
