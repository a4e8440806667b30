//! SQLite and PostgreSQL side by side in one run: a durable commit of one audit entry, the
//! engine's step transition on one thread, and the same transition from several handles at once
//! (processes or nodes sharing one database). Run with `cargo bench -p sop-store --bench backends`.
//!
//! PostgreSQL is `SOP_BENCH_DATABASE_URL`, else the test server
//! (`postgres://postgres@127.0.0.1:5432/test`); the benchmark works in a schema of its own and
//! drops it. SQLite's file lives under the target directory (a real disk, as in `commit`).

mod shared;

use serde_json::json;
use shared::{Figures, engine_transition, t0, time};
use sop_store::*;
use std::sync::Barrier;
use std::time::Instant;

const COMMITS: usize = 1000;
const HANDLES: usize = 4;
const PER_HANDLE: usize = 250;

/// A database of one backend: opens handles on it.
trait Backend {
    fn name(&self) -> &'static str;
    fn open(&self) -> Box<dyn Store>;
}

struct Sqlite(std::path::PathBuf);

impl Backend for Sqlite {
    fn name(&self) -> &'static str {
        "SQLite"
    }
    fn open(&self) -> Box<dyn Store> {
        Box::new(SqliteStore::open(&self.0).unwrap())
    }
}

struct Postgres {
    server: String,
    schema: String,
    url: String,
}

impl Postgres {
    fn create() -> Self {
        let server = std::env::var("SOP_BENCH_DATABASE_URL")
            .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".into());
        let schema = format!("bench_{:08x}", rand::random::<u32>());
        postgres::Client::connect(&server, postgres::NoTls)
            .unwrap_or_else(|e| panic!("PostgreSQL is not reachable at {server}: {e}"))
            .batch_execute(&format!("CREATE SCHEMA {schema}"))
            .unwrap();
        let sep = if server.contains('?') { '&' } else { '?' };
        let url = format!("{server}{sep}options=-csearch_path%3D{schema}");
        Postgres {
            server,
            schema,
            url,
        }
    }
}

impl Backend for Postgres {
    fn name(&self) -> &'static str {
        "PostgreSQL"
    }
    fn open(&self) -> Box<dyn Store> {
        Box::new(PostgresStore::open(&self.url).unwrap())
    }
}

impl Drop for Postgres {
    fn drop(&mut self) {
        if let Ok(mut c) = postgres::Client::connect(&self.server, postgres::NoTls) {
            let _ = c.batch_execute(&format!("DROP SCHEMA {} CASCADE", self.schema));
        }
    }
}

fn report(backend: &dyn Backend, what: &str, figures: Figures) {
    figures.report(&format!("{:<10} {what}", backend.name()));
}

fn bench(backend: &dyn Backend) {
    let store = backend.open();
    let figures = time(COMMITS, |i| {
        store
            .append_audit(&AuditEvent::new(
                t0(),
                None,
                "bench",
                "bench.tick",
                json!({ "i": i }),
            ))
            .unwrap();
    });
    report(backend, "durable commit (one audit entry)", figures);
    let figures = time(COMMITS, engine_transition(store.as_ref(), "bench:0"));
    let mean = figures.0.iter().sum::<std::time::Duration>() / figures.0.len() as u32;
    report(backend, "engine step transition, 1 handle", figures);
    println!(
        "{:<10} engine step transition, 1 handle: {:.0} transitions/s",
        backend.name(),
        1.0 / mean.as_secs_f64()
    );

    // Handles on threads, each driving its own runs: what several processes or nodes get
    // together from one database, with the audit chain serialising every commit.
    let handles: Vec<Box<dyn Store>> = (0..HANDLES).map(|_| backend.open()).collect();
    let barrier = Barrier::new(HANDLES + 1);
    let elapsed = std::thread::scope(|s| {
        for (i, store) in handles.iter().enumerate() {
            let barrier = &barrier;
            s.spawn(move || {
                let mut transition = engine_transition(store.as_ref(), &format!("bench:{i}"));
                barrier.wait();
                (0..PER_HANDLE).for_each(&mut transition);
            });
        }
        barrier.wait();
        let start = Instant::now();
        // The scope joins the threads before returning.
        start
    })
    .elapsed();
    println!(
        "{:<10} engine step transition, {HANDLES} handles at once: {:.0} transitions/s",
        backend.name(),
        (HANDLES * PER_HANDLE) as f64 / elapsed.as_secs_f64()
    );
}

fn main() {
    let base = std::env::var_os("SOP_BENCH_DIR")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| std::path::PathBuf::from(env!("CARGO_TARGET_TMPDIR")));
    std::fs::create_dir_all(&base).unwrap();
    let dir = tempfile::tempdir_in(&base).unwrap();
    let postgres = Postgres::create();
    let version: String = postgres::Client::connect(&postgres.server, postgres::NoTls)
        .unwrap()
        .query_one("SHOW server_version", &[])
        .unwrap()
        .get(0);
    println!(
        "sop-store backends (SQLite {}, PostgreSQL {version})",
        rusqlite::version()
    );
    bench(&Sqlite(dir.path().join("backends.db")));
    bench(&postgres);
}
