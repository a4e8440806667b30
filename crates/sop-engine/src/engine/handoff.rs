//! Leaving a run to a server: when an operation (a person's `done`, `retry`, `skip`, `resume`,
//! or an API call) hands a run on, a caller that does not drive runs records the run `pending`
//! instead of starting its next step, and a server picks it up.
//!
//! The decision of the machine is kept except for what would start work: a step it would start
//! stays `pending` (its attempt is counted when it really starts), and the run is `pending`.
//! Everything else — the step a person finished or skipped, the gate that passed — is recorded
//! as decided.

use super::change::Change;
use sop_core::run::{Action, Decision, RunStatus, StepStatus};

/// The decision as a hand-off records it.
pub fn leave_pending(mut d: Decision) -> Decision {
    for c in &mut d.steps {
        if c.status == StepStatus::Running {
            c.status = StepStatus::Pending;
            c.attempt = None;
        }
    }
    d.status = RunStatus::Pending;
    d.wait_reason = None;
    d.action = Action::Stop;
    d
}

/// The change as a hand-off records it: the reason says who goes on with the run.
pub fn change(change: &Change) -> Change {
    change
        .clone()
        .reason("left for a server")
        .detail("left_for_server", true)
}

/// The change as a server stopping records it, leaving the run for the next one.
pub fn stopping(change: &Change) -> Change {
    change
        .clone()
        .reason("left for the next server: sop serve was stopping")
        .detail("left_for_server", true)
        .detail("server_stopping", true)
}

#[cfg(test)]
mod tests {
    use super::*;
    use sop_core::run::StepChange;

    #[test]
    fn a_step_about_to_start_stays_pending_and_the_rest_is_kept() {
        let d = Decision {
            status: RunStatus::Running,
            wait_reason: None,
            steps: vec![
                StepChange {
                    step: 1,
                    status: StepStatus::Succeeded,
                    attempt: None,
                },
                StepChange {
                    step: 2,
                    status: StepStatus::Running,
                    attempt: Some(1),
                },
            ],
            gate: None,
            action: Action::Execute {
                step: 2,
                attempt: 1,
            },
            conditions_checked: false,
        };
        let left = leave_pending(d);
        assert_eq!(left.status, RunStatus::Pending);
        assert_eq!(left.action, Action::Stop);
        assert_eq!(left.steps[0].status, StepStatus::Succeeded);
        assert_eq!(left.steps[1].status, StepStatus::Pending);
        assert_eq!(left.steps[1].attempt, None);
    }
}
