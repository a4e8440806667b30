//! Counters and gauges for `/metrics`, in Prometheus' text format (version 0.0.4): runs by SOP
//! and status (read from the store when scraped), open gates, a step duration histogram, HTTP
//! requests by route and status, webhook outcomes, and the pool's use.

use sop_core::run::RunStatus;
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::Mutex;
use std::time::Duration;

/// Upper bounds of the step duration histogram, in seconds.
const BUCKETS: [f64; 12] = [
    0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 10.0, 60.0, 600.0,
];

#[derive(Default)]
pub struct Metrics {
    inner: Mutex<Inner>,
}

#[derive(Default)]
struct Inner {
    http: BTreeMap<(String, String, u16), u64>,
    webhooks: BTreeMap<String, u64>,
    /// Per (sop, outcome): bucket counts, count, sum of seconds.
    steps: BTreeMap<(String, String), Histogram>,
    settled: BTreeMap<(String, String), u64>,
    pool: (usize, usize, usize),
}

#[derive(Default, Clone)]
struct Histogram {
    buckets: [u64; BUCKETS.len()],
    count: u64,
    sum: f64,
}

impl Metrics {
    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub fn http(&self, method: &str, route: &str, status: u16) {
        *self
            .lock()
            .http
            .entry((method.to_string(), route.to_string(), status))
            .or_default() += 1;
    }

    pub fn webhook(&self, outcome: &str) {
        *self.lock().webhooks.entry(outcome.to_string()).or_default() += 1;
    }

    pub fn observe_step(&self, sop: &str, outcome: &str, took: Duration) {
        let secs = took.as_secs_f64();
        let mut inner = self.lock();
        let h = inner
            .steps
            .entry((sop.to_string(), outcome.to_string()))
            .or_default();
        for (i, bound) in BUCKETS.iter().enumerate() {
            if secs <= *bound {
                h.buckets[i] += 1;
            }
        }
        h.count += 1;
        h.sum += secs;
    }

    /// A run this server drove stopped (finished, or waits for someone).
    pub fn run_settled(&self, sop: &str, status: RunStatus) {
        *self
            .lock()
            .settled
            .entry((sop.to_string(), status.as_str().to_string()))
            .or_default() += 1;
    }

    pub fn set_pool(&self, busy: usize, capacity: usize, queued: usize) {
        self.lock().pool = (busy, capacity, queued);
    }

    /// The text exposition, with the store's counts passed in.
    pub fn render(&self, runs: &[(String, RunStatus, u64)], open_gates: usize) -> String {
        let inner = self.lock();
        let mut out = String::new();
        family(
            &mut out,
            "sop_runs",
            "gauge",
            "Runs recorded, by SOP and status.",
        );
        for (sop, status, n) in runs {
            let _ = writeln!(
                out,
                "sop_runs{{sop=\"{}\",status=\"{}\"}} {n}",
                esc(sop),
                status.as_str()
            );
        }
        family(
            &mut out,
            "sop_open_gates",
            "gauge",
            "Gates waiting for a decision.",
        );
        let _ = writeln!(out, "sop_open_gates {open_gates}");
        family(
            &mut out,
            "sop_runs_driven_total",
            "counter",
            "Runs this server drove until they finished or waited, by SOP and status.",
        );
        for ((sop, status), n) in &inner.settled {
            let _ = writeln!(
                out,
                "sop_runs_driven_total{{sop=\"{}\",status=\"{status}\"}} {n}",
                esc(sop)
            );
        }
        family(
            &mut out,
            "sop_step_duration_seconds",
            "histogram",
            "How long steps ran, by SOP and outcome.",
        );
        for ((sop, outcome), h) in &inner.steps {
            let labels = format!("sop=\"{}\",outcome=\"{outcome}\"", esc(sop));
            for (i, bound) in BUCKETS.iter().enumerate() {
                let _ = writeln!(
                    out,
                    "sop_step_duration_seconds_bucket{{{labels},le=\"{bound}\"}} {}",
                    h.buckets[i]
                );
            }
            let _ = writeln!(
                out,
                "sop_step_duration_seconds_bucket{{{labels},le=\"+Inf\"}} {}",
                h.count
            );
            let _ = writeln!(out, "sop_step_duration_seconds_sum{{{labels}}} {}", h.sum);
            let _ = writeln!(
                out,
                "sop_step_duration_seconds_count{{{labels}}} {}",
                h.count
            );
        }
        family(
            &mut out,
            "sop_http_requests_total",
            "counter",
            "HTTP requests, by method, route and status.",
        );
        for ((method, route, status), n) in &inner.http {
            let _ = writeln!(
                out,
                "sop_http_requests_total{{method=\"{method}\",route=\"{}\",status=\"{status}\"}} {n}",
                esc(route)
            );
        }
        family(
            &mut out,
            "sop_webhooks_total",
            "counter",
            "Webhook deliveries, by outcome.",
        );
        for (outcome, n) in &inner.webhooks {
            let _ = writeln!(out, "sop_webhooks_total{{outcome=\"{outcome}\"}} {n}");
        }
        let (busy, capacity, queued) = inner.pool;
        family(
            &mut out,
            "sop_workers_busy",
            "gauge",
            "Runs being driven now.",
        );
        let _ = writeln!(out, "sop_workers_busy {busy}");
        family(
            &mut out,
            "sop_workers",
            "gauge",
            "Runs that may be driven at once.",
        );
        let _ = writeln!(out, "sop_workers {capacity}");
        family(
            &mut out,
            "sop_runs_queued",
            "gauge",
            "Pending runs waiting for a free worker.",
        );
        let _ = writeln!(out, "sop_runs_queued {queued}");
        out
    }
}

fn family(out: &mut String, name: &str, kind: &str, help: &str) {
    let _ = writeln!(out, "# HELP {name} {help}");
    let _ = writeln!(out, "# TYPE {name} {kind}");
}

/// A label value as the text format needs it.
fn esc(v: &str) -> String {
    v.replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

/// The outbox by state: `failed` counts messages given up after their last attempt.
pub fn notifications(c: &sop_store::NotificationCounts) -> String {
    let mut out = String::new();
    family(
        &mut out,
        "sop_notifications",
        "gauge",
        "Notifications in the outbox, by state (failed: given up after the last attempt).",
    );
    for (state, n) in [
        ("pending", c.pending),
        ("sent", c.sent),
        ("failed", c.failed),
    ] {
        let _ = writeln!(out, "sop_notifications{{state=\"{state}\"}} {n}");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_every_family_with_escaped_labels() {
        let m = Metrics::default();
        m.http("GET", "/api/runs/{id}", 200);
        m.webhook("started");
        m.observe_step("deploy", "succeeded", Duration::from_millis(30));
        m.set_pool(1, 4, 2);
        let text = m.render(&[("a\"b".into(), RunStatus::Succeeded, 3)], 1);
        assert!(
            text.contains("sop_runs{sop=\"a\\\"b\",status=\"succeeded\"} 3"),
            "{text}"
        );
        assert!(text.contains("sop_open_gates 1"));
        assert!(text.contains(
            "sop_step_duration_seconds_bucket{sop=\"deploy\",outcome=\"succeeded\",le=\"0.05\"} 1"
        ));
        assert!(text.contains(
            "sop_step_duration_seconds_bucket{sop=\"deploy\",outcome=\"succeeded\",le=\"0.025\"} 0"
        ));
        assert!(text.contains(
            "sop_http_requests_total{method=\"GET\",route=\"/api/runs/{id}\",status=\"200\"} 1"
        ));
        assert!(text.contains("sop_webhooks_total{outcome=\"started\"} 1"));
        assert!(text.contains("sop_workers_busy 1\n"));
        assert!(text.contains("sop_runs_queued 2\n"));
        for line in text.lines().filter(|l| !l.starts_with('#')) {
            assert!(
                line.rsplit_once(' ')
                    .is_some_and(|(_, v)| v.parse::<f64>().is_ok()),
                "{line}"
            );
        }
    }
}
