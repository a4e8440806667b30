//! Cost of evaluating a parsed 10-clause condition (target: at most 2 µs per evaluation), plus
//! parsing and explaining the same expression for comparison.

use criterion::{Criterion, criterion_group, criterion_main};
use serde_json::json;
use sop_core::condition::{Expr, LayeredScope, MapScope, Value};
use std::hint::black_box;

/// Ten clauses, all true, so nothing short-circuits: every clause is evaluated.
const TEN_CLAUSES: &str = "severity >= 'high' && business_hours == true \
    && env == 'production' && disk_usage > 80% && service in ['api', 'web', 'db'] \
    && alert.labels.team == 'sre' && alerts[0].status == 'firing' \
    && headers['x-github-event'] != 'ping' && !maintenance_window && host matches '^prod-'";

/// A webhook-sized variable set layered over built-ins, as a run would see it.
fn scopes() -> (MapScope, MapScope) {
    let vars = MapScope::from_json(json!({
        "severity": "critical",
        "env": "production",
        "service": "api",
        "host": "prod-db-1",
        "alert": {"labels": {"team": "sre", "instance": "db-1:9100"}, "annotations": {"summary": "disk"}},
        "alerts": [{"status": "firing", "fingerprint": "abc"}, {"status": "resolved"}],
        "headers": {"x-github-event": "push", "content-type": "application/json"},
        "payload": {"items": (0..200).collect::<Vec<_>>()}
    }));
    let builtins = MapScope::new()
        .with("business_hours", true)
        .with_note("business_hours", "10:00 UTC")
        .with("maintenance_window", false)
        .with("disk_usage", Value::from(85.5))
        .with("weekday", true);
    (vars, builtins)
}

fn bench(c: &mut Criterion) {
    let expr = Expr::parse(TEN_CLAUSES).expect("benchmark expression parses");
    let (vars, builtins) = scopes();
    let scope = LayeredScope::new().then(&vars).then(&builtins);
    assert_eq!(expr.eval(&scope), Ok(Value::Bool(true)));

    c.bench_function("eval 10 clauses", |b| {
        b.iter(|| black_box(&expr).eval(black_box(&scope)))
    });
    c.bench_function("parse 10 clauses", |b| {
        b.iter(|| Expr::parse(black_box(TEN_CLAUSES)))
    });
    c.bench_function("explain 10 clauses", |b| {
        b.iter(|| black_box(&expr).explain(black_box(&scope)))
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
