//! Which mode a run actually uses: the declared mode, or for `priority_based` the mapping's
//! entry for the SOP's priority.

use super::priority_modes::{PriorityModes, ResolvedMode};
use crate::{ExecutionMode, Priority};
use serde::Serialize;
use std::fmt;

/// The mode a run uses and how it was arrived at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct ModeResolution {
    /// What SOP.toml says.
    pub declared: ExecutionMode,
    pub priority: Priority,
    /// What the run does.
    pub mode: ResolvedMode,
}

impl ModeResolution {
    pub fn resolve(declared: ExecutionMode, priority: Priority, modes: &PriorityModes) -> Self {
        let mode =
            ResolvedMode::from_execution_mode(declared).unwrap_or_else(|| modes.mode_for(priority));
        ModeResolution {
            declared,
            priority,
            mode,
        }
    }

    /// The resolution a run recorded when it was created: `mode` is kept as it was then, so a
    /// later change of the `priority_based` mapping never changes the gates of a started run.
    pub fn pinned(declared: ExecutionMode, priority: Priority, mode: ResolvedMode) -> Self {
        ModeResolution {
            declared,
            priority,
            mode,
        }
    }

    pub fn via_priority(&self) -> bool {
        self.declared == ExecutionMode::PriorityBased
    }
}

/// `supervised`, or `auto (priority_based: high → auto)` when the priority decided.
impl fmt::Display for ModeResolution {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.via_priority() {
            write!(
                f,
                "{} (priority_based: {} → {})",
                self.mode, self.priority, self.mode
            )
        } else {
            write!(f, "{}", self.mode)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn declared_modes_other_than_priority_based_are_kept_for_every_priority() {
        let modes = PriorityModes::default();
        for p in Priority::ALL {
            for (declared, expect) in [
                (ExecutionMode::Auto, ResolvedMode::Auto),
                (ExecutionMode::Supervised, ResolvedMode::Supervised),
                (ExecutionMode::StepByStep, ResolvedMode::StepByStep),
            ] {
                let r = ModeResolution::resolve(declared, p, &modes);
                assert_eq!(r.mode, expect);
                assert!(!r.via_priority());
                assert_eq!(r.to_string(), expect.as_str());
            }
        }
    }

    #[test]
    fn priority_based_follows_the_default_table() {
        let modes = PriorityModes::default();
        let expect = [
            (Priority::Critical, ResolvedMode::Auto),
            (Priority::High, ResolvedMode::Auto),
            (Priority::Normal, ResolvedMode::Supervised),
            (Priority::Low, ResolvedMode::Supervised),
        ];
        for (p, m) in expect {
            let r = ModeResolution::resolve(ExecutionMode::PriorityBased, p, &modes);
            assert_eq!(r.mode, m, "{p}");
            assert!(r.via_priority());
        }
        let r = ModeResolution::resolve(ExecutionMode::PriorityBased, Priority::High, &modes);
        assert_eq!(r.to_string(), "auto (priority_based: high → auto)");
    }

    #[test]
    fn priority_based_honours_a_custom_mapping() {
        let modes: PriorityModes = "critical=step_by_step,low=auto".parse().unwrap();
        let r = ModeResolution::resolve(ExecutionMode::PriorityBased, Priority::Critical, &modes);
        assert_eq!(r.mode, ResolvedMode::StepByStep);
        let r = ModeResolution::resolve(ExecutionMode::PriorityBased, Priority::Low, &modes);
        assert_eq!(r.mode, ResolvedMode::Auto);
        let r = ModeResolution::resolve(ExecutionMode::PriorityBased, Priority::Normal, &modes);
        assert_eq!(r.mode, ResolvedMode::Supervised);
    }
}
