//! Retries with exponential backoff, and stopping while waiting to retry.

use super::*;
use serde_json::json;

/// Fails until the attempt numbered `succeed_on`.
fn flaky(succeed_on: u32) -> Script {
    Script::new(
        "sh",
        format!("echo \"attempt $SOP_ATTEMPT\"; [ \"$SOP_ATTEMPT\" -ge {succeed_on} ]"),
    )
}

#[test]
fn a_failing_attempt_is_retried_until_one_succeeds() {
    let f = Fixture::new(json!({}));
    let (r, rec) = f.run(&[flaky(3)], None, 5);
    assert!(r.succeeded());
    assert_eq!(r.attempts, 3);
    assert_eq!(tail(&r), "attempt 1\nattempt 2\nattempt 3\n");
    let failed: Vec<(u32, Option<i32>)> = rec
        .retries
        .iter()
        .map(|(a, _)| (a.attempt, a.exit_code))
        .collect();
    assert_eq!(failed, vec![(1, Some(1)), (2, Some(1))]);
    let mut groups = rec.pgids.clone();
    groups.dedup();
    assert_eq!(
        groups.len(),
        3,
        "each attempt runs in a group of its own: {groups:?}"
    );
}

#[test]
fn the_last_failure_is_reported_when_retries_run_out() {
    let f = Fixture::new(json!({}));
    let (r, rec) = f.run(&[flaky(9)], None, 2);
    assert!(!r.succeeded());
    assert_eq!((r.attempts, r.exit_code), (3, Some(1)));
    assert_eq!(rec.retries.len(), 2);
}

#[test]
fn a_timed_out_attempt_is_retried() {
    let f = Fixture::new(json!({}));
    let code = "[ \"$SOP_ATTEMPT\" = 2 ] || sleep 100";
    let (r, rec) = f.run(
        &[Script::new("sh", code)],
        Some(Duration::from_millis(200)),
        1,
    );
    assert!(r.succeeded(), "{r:?}");
    assert_eq!(r.attempts, 2);
    assert!(rec.retries[0].0.timed_out);
}

#[test]
fn the_run_deadline_cuts_an_attempt_short_and_leaves_no_retry() {
    let f = Fixture::new(json!({}));
    let started = std::time::Instant::now();
    let deadline = started + Duration::from_millis(300);
    let (r, rec) = f.run_by(
        &[Script::new("sh", "sleep 100")],
        Some(Duration::from_secs(60)),
        3,
        deadline,
    );
    assert!(r.timed_out && r.deadline_passed, "{r:?}");
    assert_eq!(r.attempts, 1, "no retry starts past the run's deadline");
    assert!(rec.retries.is_empty());
    assert!(
        started.elapsed() < Duration::from_secs(30),
        "{:?}",
        started.elapsed()
    );
}

#[test]
fn no_retry_begins_that_could_not_start_before_the_run_deadline() {
    let f = Fixture::with_settings(
        json!({}),
        ExecutorSettings {
            retry_backoff: Duration::from_secs(600),
            ..settings()
        },
    );
    let started = std::time::Instant::now();
    let deadline = started + Duration::from_millis(200);
    let (r, rec) = f.run_by(&[Script::new("sh", "exit 3")], None, 5, deadline);
    assert!(!r.deadline_passed && !r.timed_out && !r.cancelled, "{r:?}");
    assert_eq!((r.attempts, r.exit_code), (1, Some(3)));
    assert!(rec.retries.is_empty(), "no retry is announced");
    assert!(
        started.elapsed() < Duration::from_secs(60),
        "{:?}",
        started.elapsed()
    );
}

#[test]
fn a_step_that_ends_before_the_run_deadline_is_not_touched_by_it() {
    let f = Fixture::new(json!({}));
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    let (r, _) = f.run_by(&[Script::new("sh", "echo ok")], None, 0, deadline);
    assert!(r.succeeded() && !r.deadline_passed, "{r:?}");
}

#[test]
fn the_backoff_doubles_from_the_configured_base() {
    let f = Fixture::with_settings(
        json!({}),
        ExecutorSettings {
            retry_backoff: Duration::from_millis(1),
            ..settings()
        },
    );
    let (r, rec) = f.run(&[flaky(4)], None, 3);
    assert!(r.succeeded());
    let delays: Vec<Duration> = rec.retries.iter().map(|(_, d)| *d).collect();
    assert_eq!(delays, [1, 2, 4].map(Duration::from_millis).to_vec());
}

#[test]
fn stopping_while_waiting_to_retry_cancels_the_step() {
    let f = Fixture::with_settings(
        json!({}),
        ExecutorSettings {
            retry_backoff: Duration::from_secs(600),
            ..settings()
        },
    );
    let mut rec = Recorder {
        stop_when: Some(Box::new(|rec: &Recorder| !rec.retries.is_empty())),
        ..Recorder::default()
    };
    let r = f.run_with(&[flaky(9)], None, 3, &BTreeMap::new(), &mut rec);
    assert!(r.cancelled);
    assert_eq!((r.attempts, r.exit_code), (1, Some(1)));
}

#[test]
fn a_cancelled_attempt_is_not_retried() {
    let f = Fixture::new(json!({}));
    let ready = f.path("ready");
    let mut rec = Recorder {
        stop_when: Some(Box::new(move |_| ready.exists())),
        ..Recorder::default()
    };
    let code = "touch ready; sleep 100";
    let r = f.run_with(
        &[Script::new("sh", code)],
        None,
        3,
        &BTreeMap::new(),
        &mut rec,
    );
    assert!(r.cancelled);
    assert_eq!(r.attempts, 1);
    assert!(rec.retries.is_empty());
}
