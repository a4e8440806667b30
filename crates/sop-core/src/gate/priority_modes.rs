//! The `priority_based` mapping from priority to execution mode, and its text form
//! `critical=auto,high=auto,normal=supervised,low=supervised`.

use crate::{ExecutionMode, Priority};
use std::fmt;
use std::str::FromStr;

/// A mode a priority can map to: any mode but `priority_based` itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ResolvedMode {
    Auto,
    Supervised,
    StepByStep,
}

impl ResolvedMode {
    pub const ALL: [ResolvedMode; 3] = [
        ResolvedMode::Auto,
        ResolvedMode::Supervised,
        ResolvedMode::StepByStep,
    ];

    pub fn as_str(self) -> &'static str {
        self.as_execution_mode().as_str()
    }

    pub fn as_execution_mode(self) -> ExecutionMode {
        match self {
            ResolvedMode::Auto => ExecutionMode::Auto,
            ResolvedMode::Supervised => ExecutionMode::Supervised,
            ResolvedMode::StepByStep => ExecutionMode::StepByStep,
        }
    }

    /// `None` for `priority_based`, which has to be resolved through a [`PriorityModes`] first.
    pub fn from_execution_mode(mode: ExecutionMode) -> Option<ResolvedMode> {
        match mode {
            ExecutionMode::Auto => Some(ResolvedMode::Auto),
            ExecutionMode::Supervised => Some(ResolvedMode::Supervised),
            ExecutionMode::StepByStep => Some(ResolvedMode::StepByStep),
            ExecutionMode::PriorityBased => None,
        }
    }
}

impl fmt::Display for ResolvedMode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl serde::Serialize for ResolvedMode {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl schemars::JsonSchema for ResolvedMode {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "ResolvedMode".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({"type": "string", "enum": ["auto", "supervised", "step_by_step"]})
    }
}

impl<'de> serde::Deserialize<'de> for ResolvedMode {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

/// `auto`, `supervised` or `step_by_step`, as stored with a run.
impl FromStr for ResolvedMode {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        ResolvedMode::ALL
            .into_iter()
            .find(|m| m.as_str() == s)
            .ok_or_else(|| {
                format!("unknown resolved mode `{s}`; expected auto, supervised or step_by_step")
            })
    }
}

/// Which mode each priority runs in under `execution_mode = "priority_based"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PriorityModes {
    /// Indexed by `Priority::rank()`.
    modes: [ResolvedMode; 4],
}

impl Default for PriorityModes {
    /// The spec's table: critical and high run unattended (speed matters most), normal and low
    /// are supervised.
    fn default() -> Self {
        PriorityModes {
            modes: [
                ResolvedMode::Supervised,
                ResolvedMode::Supervised,
                ResolvedMode::Auto,
                ResolvedMode::Auto,
            ],
        }
    }
}

impl PriorityModes {
    pub fn mode_for(&self, priority: Priority) -> ResolvedMode {
        self.modes[priority.rank() as usize]
    }

    pub fn with(mut self, priority: Priority, mode: ResolvedMode) -> Self {
        self.modes[priority.rank() as usize] = mode;
        self
    }

    pub fn is_default(&self) -> bool {
        *self == PriorityModes::default()
    }
}

/// Every problem found in one mapping text, in order.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "invalid priority mapping `{input}`: {}; write e.g. \"critical=auto,high=auto,normal=supervised,low=supervised\"",
    problems.join("; ")
)]
pub struct PriorityModesError {
    pub input: String,
    pub problems: Vec<String>,
}

impl FromStr for PriorityModes {
    type Err = PriorityModesError;

    /// Comma-separated `priority=mode` entries; priorities left out keep the spec's default, so
    /// `low=auto` alone is a complete mapping. Empty entries (a trailing comma) are ignored.
    fn from_str(input: &str) -> Result<Self, Self::Err> {
        let mut modes = PriorityModes::default();
        let mut seen: Vec<Priority> = Vec::new();
        let mut problems = Vec::new();
        for entry in input.split(',').map(str::trim).filter(|e| !e.is_empty()) {
            let Some((prio, mode)) = entry.split_once('=') else {
                problems.push(format!(
                    "`{entry}` is not `priority=mode`; write e.g. `high=auto`"
                ));
                continue;
            };
            let (prio, mode) = (prio.trim(), mode.trim());
            let priority = Priority::from_word(prio);
            if priority.is_none() {
                problems.push(format!(
                    "`{entry}`: unknown priority `{prio}`; use low, normal, high or critical"
                ));
            }
            let resolved = match mode.to_ascii_lowercase().parse::<ExecutionMode>() {
                Ok(ExecutionMode::PriorityBased) => {
                    problems.push(format!(
                        "`{entry}`: a priority cannot map to priority_based; use auto, supervised or step_by_step"
                    ));
                    None
                }
                Ok(m) => ResolvedMode::from_execution_mode(m),
                Err(_) => {
                    problems.push(format!(
                        "`{entry}`: unknown mode `{mode}`; use auto, supervised or step_by_step"
                    ));
                    None
                }
            };
            if let Some(p) = priority {
                if seen.contains(&p) {
                    problems.push(format!("`{entry}`: priority `{p}` is mapped twice"));
                    continue;
                }
                seen.push(p);
                if let Some(m) = resolved {
                    modes = modes.with(p, m);
                }
            }
        }
        if problems.is_empty() {
            Ok(modes)
        } else {
            Err(PriorityModesError {
                input: input.to_string(),
                problems,
            })
        }
    }
}

/// The text form, every priority spelled out, highest first.
impl fmt::Display for PriorityModes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, p) in Priority::ALL.iter().rev().enumerate() {
            if i > 0 {
                f.write_str(",")?;
            }
            write!(f, "{p}={}", self.mode_for(*p))?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_is_the_spec_table() {
        let m = PriorityModes::default();
        assert_eq!(m.mode_for(Priority::Critical), ResolvedMode::Auto);
        assert_eq!(m.mode_for(Priority::High), ResolvedMode::Auto);
        assert_eq!(m.mode_for(Priority::Normal), ResolvedMode::Supervised);
        assert_eq!(m.mode_for(Priority::Low), ResolvedMode::Supervised);
        assert_eq!(
            m.to_string(),
            "critical=auto,high=auto,normal=supervised,low=supervised"
        );
        assert!(m.is_default());
    }

    #[test]
    fn parses_the_full_form_and_round_trips() {
        let text = "critical=step_by_step,high=supervised,normal=auto,low=auto";
        let m: PriorityModes = text.parse().unwrap();
        assert_eq!(m.mode_for(Priority::Critical), ResolvedMode::StepByStep);
        assert_eq!(m.mode_for(Priority::High), ResolvedMode::Supervised);
        assert_eq!(m.mode_for(Priority::Normal), ResolvedMode::Auto);
        assert_eq!(m.mode_for(Priority::Low), ResolvedMode::Auto);
        assert_eq!(m.to_string(), text);
        assert_eq!(m.to_string().parse::<PriorityModes>().unwrap(), m);
    }

    #[test]
    fn omitted_priorities_keep_the_default_and_spacing_and_case_are_forgiven() {
        let m: PriorityModes = " Critical = Step_By_Step , ".parse().unwrap();
        assert_eq!(m.mode_for(Priority::Critical), ResolvedMode::StepByStep);
        assert_eq!(m.mode_for(Priority::High), ResolvedMode::Auto);
        assert_eq!(m.mode_for(Priority::Normal), ResolvedMode::Supervised);
        assert_eq!(
            "".parse::<PriorityModes>().unwrap(),
            PriorityModes::default()
        );
    }

    #[test]
    fn reports_every_problem_in_one_pass() {
        let err = "hgh=auto,normal,low=fast,critical=priority_based,low=auto"
            .parse::<PriorityModes>()
            .unwrap_err();
        assert_eq!(
            err.problems,
            vec![
                "`hgh=auto`: unknown priority `hgh`; use low, normal, high or critical",
                "`normal` is not `priority=mode`; write e.g. `high=auto`",
                "`low=fast`: unknown mode `fast`; use auto, supervised or step_by_step",
                "`critical=priority_based`: a priority cannot map to priority_based; use auto, supervised or step_by_step",
                "`low=auto`: priority `low` is mapped twice",
            ]
        );
        let msg = err.to_string();
        assert!(
            msg.starts_with("invalid priority mapping `hgh=auto,"),
            "{msg}"
        );
        assert!(msg.ends_with("normal=supervised,low=supervised\""), "{msg}");
    }

    #[test]
    fn resolved_modes_round_trip_through_their_text() {
        for m in ResolvedMode::ALL {
            assert_eq!(m.as_str().parse::<ResolvedMode>(), Ok(m));
        }
        assert!("priority_based".parse::<ResolvedMode>().is_err());
        assert!("Auto".parse::<ResolvedMode>().is_err());
    }

    #[test]
    fn resolved_modes_map_back_to_execution_modes() {
        for m in ResolvedMode::ALL {
            assert_eq!(
                ResolvedMode::from_execution_mode(m.as_execution_mode()),
                Some(m)
            );
        }
        assert_eq!(
            ResolvedMode::from_execution_mode(ExecutionMode::PriorityBased),
            None
        );
    }
}
