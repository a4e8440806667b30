//! The sustained figure's work done with no engine: five-step runs of `true` as a bare loop,
//! on as many threads as the server's clients. Each run is one durable commit that records it,
//! then per step `sh -c true` in its own process group, its output read to the end and the
//! process reaped, and one durable commit recording the step (SQLite, WAL, `synchronous=FULL`,
//! one connection the threads take in turn, so a writer waits on a lock, never in SQLite's
//! sleeping busy handler; each commit its own, with no group commit).

use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Instant;

/// Five-step runs per second, about `runs` in all from `threads` threads, and how many ran (a
/// multiple of `threads`).
pub fn runs_per_sec(root: &Path, threads: usize, runs: usize) -> (f64, usize) {
    let db = root.join("bare-runs.db");
    let conn = open(&db);
    conn
        .execute_batch(
            "CREATE TABLE runs (id INTEGER PRIMARY KEY, step INTEGER NOT NULL);
             CREATE TABLE audit (seq INTEGER PRIMARY KEY, run INTEGER NOT NULL, what TEXT NOT NULL);",
        )
        .unwrap();
    let conn = Arc::new(Mutex::new(conn));
    let per_thread = runs.div_ceil(threads);
    let started = Instant::now();
    let workers: Vec<_> = (0..threads)
        .map(|_| {
            let conn = Arc::clone(&conn);
            std::thread::spawn(move || {
                for _ in 0..per_thread {
                    let run = commit(&conn.lock().unwrap(), None);
                    for step in 1..=5 {
                        let out = Command::new("sh")
                            .args(["-c", "true"])
                            .process_group(0)
                            .stdin(Stdio::null())
                            .output()
                            .unwrap();
                        assert!(out.status.success());
                        commit(&conn.lock().unwrap(), Some((run, step)));
                    }
                }
            })
        })
        .collect();
    for w in workers {
        w.join().unwrap();
    }
    let ran = per_thread * threads;
    (ran as f64 / started.elapsed().as_secs_f64(), ran)
}

fn open(db: &Path) -> rusqlite::Connection {
    let conn = rusqlite::Connection::open(db).unwrap();
    conn.pragma_update_and_check(None, "journal_mode", "WAL", |_| Ok(()))
        .unwrap();
    conn.pragma_update(None, "synchronous", "FULL").unwrap();
    conn
}

/// Records a new run (`None`) or a step of `run`, with an audit row, in one durable commit.
fn commit(conn: &rusqlite::Connection, step: Option<(i64, u32)>) -> i64 {
    conn.execute_batch("BEGIN IMMEDIATE").unwrap();
    let run = match step {
        None => {
            conn.execute("INSERT INTO runs (step) VALUES (0)", [])
                .unwrap();
            conn.last_insert_rowid()
        }
        Some((run, n)) => {
            conn.execute("UPDATE runs SET step = ?1 WHERE id = ?2", (n, run))
                .unwrap();
            run
        }
    };
    conn.execute(
        "INSERT INTO audit (run, what) VALUES (?1, ?2)",
        (run, format!("{step:?}")),
    )
    .unwrap();
    conn.execute_batch("COMMIT").unwrap();
    run
}
