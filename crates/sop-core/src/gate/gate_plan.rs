//! Which gates a run of an SOP opens: step 0 (before the run starts) for supervised, before every
//! step for step_by_step, none for auto, plus any step marked `approval = "required"`.

use super::gate_status::gate_label;
use super::priority_modes::{PriorityModes, ResolvedMode};
use super::resolution::ModeResolution;
use crate::definition::{ApprovalRequirement, Sop};
use serde::Serialize;
use std::fmt;

/// Why a gate is in the plan.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum GateReason {
    /// The supervised mode's one gate, before the run starts.
    Supervised,
    /// step_by_step: a gate before every step.
    StepByStep,
    /// The step says `approval = "required"`.
    Required,
}

/// One gate the run will open, before `step` (0 = before the run starts).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct PlannedGate {
    pub step: u32,
    /// Never empty. A gate can have several reasons, e.g. a required step under step_by_step.
    pub reasons: Vec<GateReason>,
}

/// `before step 3 (approval = "required")`.
impl fmt::Display for PlannedGate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let label = gate_label(self.step);
        let label = label.strip_prefix("the gate ").unwrap_or(&label);
        let reasons: Vec<String> = self
            .reasons
            .iter()
            .map(|r| match r {
                GateReason::Supervised => "supervised".to_string(),
                GateReason::StepByStep => "step_by_step".to_string(),
                // Under supervised a required step 1 is covered by the step-0 gate.
                GateReason::Required if self.step == 0 => {
                    "step 1 has approval = \"required\"".to_string()
                }
                GateReason::Required => "approval = \"required\"".to_string(),
            })
            .collect();
        write!(f, "{label} ({})", reasons.join("; "))
    }
}

/// The resolved mode and every gate a run will open, in the order it meets them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct GatePlan {
    pub resolution: ModeResolution,
    pub gates: Vec<PlannedGate>,
}

impl GatePlan {
    /// `steps` are `(number, approval requirement)` in order.
    ///
    /// The supervised gate is step 0: it is the decision to run at all, taken before the run
    /// leaves `pending`. Step 1 follows it with nothing in between and the same people decide
    /// both, so a required step 1 under supervised adds no second gate: step 0 covers it.
    pub fn new(
        resolution: ModeResolution,
        steps: impl IntoIterator<Item = (u32, ApprovalRequirement)>,
    ) -> Self {
        let mut gates = Vec::new();
        if resolution.mode == ResolvedMode::Supervised {
            gates.push(PlannedGate {
                step: 0,
                reasons: vec![GateReason::Supervised],
            });
        }
        for (number, approval) in steps {
            let mut reasons = Vec::new();
            if resolution.mode == ResolvedMode::StepByStep {
                reasons.push(GateReason::StepByStep);
            }
            if approval == ApprovalRequirement::Required {
                reasons.push(GateReason::Required);
            }
            if reasons.is_empty() {
                continue;
            }
            if number == 1
                && let Some(start) = gates.iter_mut().find(|g| g.step == 0)
            {
                start.reasons.extend(reasons);
                continue;
            }
            gates.push(PlannedGate {
                step: number,
                reasons,
            });
        }
        GatePlan { resolution, gates }
    }

    /// The plan of a new run of `sop` under the `priority_based` mapping `modes`.
    pub fn for_sop(sop: &Sop, modes: &PriorityModes) -> Self {
        let resolution = ModeResolution::resolve(sop.meta.execution_mode, sop.meta.priority, modes);
        Self::with_resolution(sop, resolution)
    }

    /// The plan of a run already started, in the mode it recorded at creation.
    pub fn for_run(sop: &Sop, mode: ResolvedMode) -> Self {
        let resolution = ModeResolution::pinned(sop.meta.execution_mode, sop.meta.priority, mode);
        Self::with_resolution(sop, resolution)
    }

    fn with_resolution(sop: &Sop, resolution: ModeResolution) -> Self {
        GatePlan::new(
            resolution,
            sop.steps.iter().map(|s| (s.number, s.options.approval)),
        )
    }

    /// The gate to pass before `step` (0 = before the run starts), if any.
    pub fn gate_before(&self, step: u32) -> Option<&PlannedGate> {
        self.gates.iter().find(|g| g.step == step)
    }

    pub fn is_gated(&self, step: u32) -> bool {
        self.gate_before(step).is_some()
    }

    /// `before the run starts (supervised), before step 3 (approval = "required")`, `before
    /// every step (step_by_step)`, or `none`.
    pub fn gates_text(&self) -> String {
        if self.gates.is_empty() {
            return "none".to_string();
        }
        if self.resolution.mode == ResolvedMode::StepByStep && self.gates.len() > 1 {
            return "before every step (step_by_step)".to_string();
        }
        let gates: Vec<String> = self.gates.iter().map(|g| g.to_string()).collect();
        gates.join(", ")
    }

    /// The steps that have a gate, in order (0 = before the run starts).
    pub fn gated_steps(&self) -> impl Iterator<Item = u32> + '_ {
        self.gates.iter().map(|g| g.step)
    }
}

/// Two lines: `mode: …` and `gates: …` (`none` when the run opens no gate).
impl fmt::Display for GatePlan {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "mode: {}", self.resolution)?;
        write!(f, "gates: {}", self.gates_text())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{ExecutionMode, Priority};
    use ApprovalRequirement::{Mode, Required};

    fn plan(mode: ExecutionMode, steps: &[ApprovalRequirement]) -> GatePlan {
        let r = ModeResolution::resolve(mode, Priority::Normal, &PriorityModes::default());
        GatePlan::new(r, steps.iter().enumerate().map(|(i, a)| (i as u32 + 1, *a)))
    }

    fn steps(p: &GatePlan) -> Vec<u32> {
        p.gated_steps().collect()
    }

    #[test]
    fn auto_opens_no_gate() {
        let p = plan(ExecutionMode::Auto, &[Mode, Mode, Mode]);
        assert!(p.gates.is_empty());
        assert_eq!(p.to_string(), "mode: auto\ngates: none");
    }

    #[test]
    fn supervised_opens_one_gate_before_the_run_starts() {
        let p = plan(ExecutionMode::Supervised, &[Mode, Mode]);
        assert_eq!(steps(&p), vec![0]);
        assert!(p.is_gated(0));
        assert!(!p.is_gated(1));
        assert_eq!(
            p.to_string(),
            "mode: supervised\ngates: before the run starts (supervised)"
        );
    }

    #[test]
    fn step_by_step_gates_every_step_and_not_the_start() {
        let p = plan(ExecutionMode::StepByStep, &[Mode, Mode, Mode]);
        assert_eq!(steps(&p), vec![1, 2, 3]);
        assert_eq!(p.gates_text(), "before every step (step_by_step)");
        let one = plan(ExecutionMode::StepByStep, &[Mode]);
        assert_eq!(one.gates_text(), "before step 1 (step_by_step)");
        assert!(!p.is_gated(0));
        assert_eq!(
            p.gate_before(2).unwrap().reasons,
            vec![GateReason::StepByStep]
        );
    }

    #[test]
    fn required_steps_are_gated_in_every_mode() {
        let p = plan(ExecutionMode::Auto, &[Mode, Required, Mode, Required]);
        assert_eq!(steps(&p), vec![2, 4]);
        assert_eq!(
            p.to_string(),
            "mode: auto\ngates: before step 2 (approval = \"required\"), before step 4 (approval = \"required\")"
        );

        let p = plan(ExecutionMode::Supervised, &[Mode, Required]);
        assert_eq!(steps(&p), vec![0, 2]);

        let p = plan(ExecutionMode::StepByStep, &[Mode, Required]);
        assert_eq!(steps(&p), vec![1, 2]);
        assert_eq!(
            p.gate_before(2).unwrap().reasons,
            vec![GateReason::StepByStep, GateReason::Required]
        );
        assert_eq!(
            p.gate_before(2).unwrap().to_string(),
            "before step 2 (step_by_step; approval = \"required\")"
        );
    }

    #[test]
    fn a_required_first_step_under_supervised_is_covered_by_the_start_gate() {
        let p = plan(ExecutionMode::Supervised, &[Required, Mode]);
        assert_eq!(steps(&p), vec![0]);
        assert_eq!(
            p.gates[0].reasons,
            vec![GateReason::Supervised, GateReason::Required]
        );
        assert_eq!(
            p.gates[0].to_string(),
            "before the run starts (supervised; step 1 has approval = \"required\")"
        );
    }

    #[test]
    fn priority_based_plans_follow_the_resolved_mode() {
        let custom: PriorityModes = "critical=step_by_step".parse().unwrap();
        let r = ModeResolution::resolve(ExecutionMode::PriorityBased, Priority::Critical, &custom);
        let p = GatePlan::new(r, [(1, Mode), (2, Mode)]);
        assert_eq!(steps(&p), vec![1, 2]);
        assert_eq!(
            p.to_string(),
            "mode: step_by_step (priority_based: critical → step_by_step)\ngates: before every step (step_by_step)"
        );
        let r = ModeResolution::resolve(
            ExecutionMode::PriorityBased,
            Priority::Low,
            &PriorityModes::default(),
        );
        assert_eq!(steps(&GatePlan::new(r, [(1, Mode)])), vec![0]);
    }

    #[test]
    fn an_sop_without_steps_still_gets_its_supervised_gate() {
        let p = plan(ExecutionMode::Supervised, &[]);
        assert_eq!(steps(&p), vec![0]);
        assert!(plan(ExecutionMode::StepByStep, &[]).gates.is_empty());
    }
}
