//! The exit code a command returns for the run it leaves behind.

use crate::exit::Exit;
use sop_core::run::RunStatus;
use sop_engine::StopSignal;
use sop_engine::engine::Tracked;

/// The exit code a command returns for a run left in `status`.
pub fn exit_for(status: RunStatus) -> Exit {
    match status {
        RunStatus::Succeeded | RunStatus::Pending | RunStatus::Running => Exit::Success,
        RunStatus::Failed => Exit::Failure,
        RunStatus::Skipped => Exit::ConditionsUnmet,
        // Queued: recorded, nothing ran yet, and it goes on later by itself, like a gate.
        RunStatus::Waiting
        | RunStatus::AwaitingApproval
        | RunStatus::Paused
        | RunStatus::Queued => Exit::Waiting,
        RunStatus::Cancelled | RunStatus::Rejected | RunStatus::Expired => Exit::Stopped,
    }
}

/// The exit code of a command that drove `t`: a run this process let go of after a signal
/// waits for a person even when it is `pending`.
pub fn exit_code(t: &Tracked, stop: &StopSignal) -> Exit {
    if stop.requested().is_some() && t.run.status == RunStatus::Pending {
        return Exit::Waiting;
    }
    exit_for(t.run.status)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_state_has_its_documented_code() {
        let codes: Vec<(RunStatus, u8)> = RunStatus::ALL
            .into_iter()
            .map(|s| (s, exit_for(s).code()))
            .collect();
        assert_eq!(
            codes,
            [
                (RunStatus::Pending, 0),
                (RunStatus::Queued, 4),
                (RunStatus::AwaitingApproval, 4),
                (RunStatus::Running, 0),
                (RunStatus::Waiting, 4),
                (RunStatus::Paused, 4),
                (RunStatus::Succeeded, 0),
                (RunStatus::Failed, 1),
                (RunStatus::Cancelled, 5),
                (RunStatus::Rejected, 5),
                (RunStatus::Expired, 5),
                (RunStatus::Skipped, 3),
            ]
        );
    }
}
