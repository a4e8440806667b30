//! Who may decide a run's gates at an instant: the snapshot's rules, this process's groups and
//! whoever the on-call schedule names at that instant.

use crate::Error;
use crate::scope;
use chrono::{DateTime, Utc};
use sop_core::definition::{OnTimeout, Sop};
use sop_core::gate::{Approver, Authority, GatePolicy, GateView, Groups, Roster};
use sop_store::{Gate, GateDecision};

/// The gate rules of `sop`. Approver entries were validated when the run was created, so one
/// that does not parse can only come from a hand-edited database: it names nobody (fail closed,
/// never widened to "anyone").
pub fn policy(sop: &Sop) -> GatePolicy {
    if let Ok(policy) = GatePolicy::from_meta(&sop.meta) {
        return policy;
    }
    let meta = &sop.meta;
    let mut approvers: Vec<Approver> = meta
        .approvers
        .iter()
        .filter_map(|a| a.parse().ok())
        .collect();
    if approvers.is_empty() {
        approvers.push(Approver::Group(String::new()));
    }
    GatePolicy::with_approvers(meta, approvers)
}

/// Everyone on call at `now`, read only when the approvers name `@oncall`. A broken
/// `oncall.toml` is an error rather than "nobody", so the cause is visible.
pub fn on_call_at(
    settings: &crate::Settings,
    policy: &GatePolicy,
    now: DateTime<Utc>,
) -> crate::Result<Vec<String>> {
    if !policy.approvers.contains(&Approver::OnCall) {
        return Ok(Vec::new());
    }
    let zone = scope::settings::zone(settings)?;
    match scope::calendars::oncall(settings.sop_dir(), zone) {
        scope::calendars::Loaded::Missing => Ok(Vec::new()),
        scope::calendars::Loaded::Valid(schedule) => Ok(schedule
            .at(now)
            .people()
            .into_iter()
            .map(String::from)
            .collect()),
        scope::calendars::Loaded::Invalid(diags) => {
            let rendered: Vec<String> = diags.iter().map(|d| d.render()).collect();
            Err(Error::invalid(format!(
                "`@oncall` cannot be resolved: {} has problems:\n{}",
                scope::calendars::ONCALL_FILE,
                rendered.join("\n")
            )))
        }
    }
}

/// Who may decide the gates of a run started by `starter`, at `now`.
pub fn authority(
    settings: &crate::Settings,
    groups: &Groups,
    policy: &GatePolicy,
    starter: &str,
    now: DateTime<Utc>,
) -> crate::Result<Authority> {
    let on_call = on_call_at(settings, policy, now)?;
    Ok(Authority::new(
        policy,
        Roster {
            on_call: &on_call,
            groups,
        },
        starter,
    ))
}

/// The pure view of a stored gate and its decisions.
pub fn view(gate: &Gate, decisions: &[GateDecision]) -> GateView {
    GateView {
        run_id: gate.run_id.clone(),
        step: gate.step,
        status: gate.status,
        opened_at: gate.opened_at,
        // Gates are always opened with a deadline; one without would never expire, so it
        // is read as already due rather than as eternal.
        expires_at: gate.expires_at.unwrap_or(gate.opened_at),
        min_approvals: gate.min_approvals,
        on_timeout: OnTimeout::from(gate.on_timeout),
        decisions: decisions
            .iter()
            .filter(|d| d.gate_id == gate.id)
            .map(Into::into)
            .collect(),
    }
}
