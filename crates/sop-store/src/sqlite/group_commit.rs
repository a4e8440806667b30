//! The writer connection and group commit: writes that arrive while another write holds the
//! connection join its transaction, each body in a savepoint of its own, and the last of them
//! commits for all, so a busy server flushes the log once for several runs' transitions instead
//! of once for each. Alone, a write is one `BEGIN IMMEDIATE … COMMIT`, exactly as before.
//!
//! Every write still returns only once the transaction holding it is durable (or failed), and
//! a body that fails undoes its own writes only. A write hands the open transaction on only to
//! a write already waiting for the connection, which then decides in its turn; the one that
//! finds nobody waiting commits.

use crate::error::{Result, StoreError};
use rusqlite::Connection;
use std::collections::BTreeMap;
use std::ops::Deref;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Condvar, Mutex, MutexGuard};

/// A transaction commits once this many writes have joined it, whoever waits: a steady stream
/// of writers must not hold every one of them until it dries up.
const MAX_MEMBERS: usize = 16;

/// How many failed transactions are remembered for writers still to wake.
const KEEP_FAILURES: usize = 64;

pub struct GroupWriter {
    state: Mutex<State>,
    /// Writes that asked for the connection and have not got it yet.
    waiting: AtomicUsize,
    decided: Mutex<Decided>,
    done: Condvar,
    /// Transactions committed.
    commits: AtomicU64,
}

struct State {
    conn: Connection,
    /// The transaction open on `conn` (its number) and how many writes it holds.
    open: Option<(u64, usize)>,
    last: u64,
}

#[derive(Default)]
struct Decided {
    /// Every transaction up to this number is committed or failed.
    through: u64,
    /// Why those that failed did.
    failed: BTreeMap<u64, String>,
}

/// The writer connection, held.
pub struct Held<'a>(MutexGuard<'a, State>);

impl Deref for Held<'_> {
    type Target = Connection;
    fn deref(&self) -> &Connection {
        &self.0.conn
    }
}

impl GroupWriter {
    pub fn new(conn: Connection) -> Self {
        GroupWriter {
            state: Mutex::new(State {
                conn,
                open: None,
                last: 0,
            }),
            waiting: AtomicUsize::new(0),
            decided: Mutex::default(),
            done: Condvar::new(),
            commits: AtomicU64::new(0),
        }
    }

    /// The connection, for what is not a write (settings, an in-memory database's reads).
    pub fn lock(&self) -> Held<'_> {
        // A panic while it was held left no transaction half-decided (bodies' panics are caught
        // in `write`): the connection is still sound.
        Held(self.state.lock().unwrap_or_else(|p| p.into_inner()))
    }

    /// Runs `f` while this process has no write under way (none holds the connection, no
    /// transaction is open for writes to join); `None` without running it when one is.
    pub fn between_writes<T>(&self, f: impl FnOnce() -> T) -> Option<T> {
        let held = self.lock();
        held.0.open.is_none().then(f)
    }

    /// Runs `body` in a transaction, joining the one open if any, and returns once that
    /// transaction is durable: `body`'s error if it failed, else the transaction's.
    pub fn write(&self, body: impl FnOnce(&Connection) -> Result<()>) -> Result<()> {
        self.waiting.fetch_add(1, Ordering::SeqCst);
        let mut held = self.lock();
        self.waiting.fetch_sub(1, Ordering::SeqCst);
        let state = &mut *held.0;
        let (number, joined) = match state.open {
            Some((number, members)) => {
                state.open = Some((number, members + 1));
                (number, true)
            }
            None => {
                control(&state.conn, "BEGIN IMMEDIATE")?;
                state.last += 1;
                state.open = Some((state.last, 1));
                (state.last, false)
            }
        };
        let outcome = if joined {
            in_savepoint(&state.conn, body)
        } else {
            run_caught(&state.conn, body)
        };
        let result = match outcome {
            Ok(result) => result,
            Err(panic) => {
                // What this write reports is the panic, carried on.
                let _ = self.settle(held, number, joined, &Err(panic_error()));
                std::panic::resume_unwind(panic);
            }
        };
        self.settle(held, number, joined, &result).and(result)
    }

    /// After a body: hands the transaction on to a waiting write, or ends it. What the
    /// transaction came to, for this write.
    fn settle(
        &self,
        mut held: Held<'_>,
        number: u64,
        joined: bool,
        result: &Result<()>,
    ) -> Result<()> {
        let state = &mut *held.0;
        let members = state.open.map_or(0, |(_, m)| m);
        if let Err(e) = result
            && !joined
        {
            // The first body failed: nothing else is in the transaction yet.
            let _ = state.conn.execute_batch("ROLLBACK");
            state.open = None;
            self.decide(number, Some(e.to_string()));
            return Ok(());
        }
        if state.conn.is_autocommit() {
            // SQLite rolled the whole transaction back on an error of its own (a full disk):
            // the writes that joined before are lost with it.
            state.open = None;
            let why = match result {
                Err(e) => format!("the transaction was rolled back: {e}"),
                Ok(()) => "the transaction was rolled back".to_string(),
            };
            self.decide(number, Some(why.clone()));
            return Err(StoreError::Backend(why.into()));
        }
        if members < MAX_MEMBERS && self.waiting.load(Ordering::SeqCst) > 0 {
            drop(held);
            return self.wait_for(number);
        }
        let committed = control(&state.conn, "COMMIT");
        if committed.is_err() && !state.conn.is_autocommit() {
            let _ = state.conn.execute_batch("ROLLBACK");
        }
        state.open = None;
        let committed = committed.map_err(StoreError::from);
        if committed.is_ok() {
            self.commits.fetch_add(1, Ordering::Relaxed);
        }
        self.decide(number, committed.as_ref().err().map(|e| e.to_string()));
        committed
    }

    /// Transactions committed so far.
    pub fn commits(&self) -> u64 {
        self.commits.load(Ordering::Relaxed)
    }

    /// Records how transaction `number` ended and wakes its writers. Called with the
    /// connection still held, so transactions are decided in the order they were opened.
    fn decide(&self, number: u64, failure: Option<String>) {
        let mut decided = self.decided.lock().unwrap_or_else(|p| p.into_inner());
        decided.through = decided.through.max(number);
        if let Some(why) = failure {
            decided.failed.insert(number, why);
            while decided.failed.len() > KEEP_FAILURES {
                decided.failed.pop_first();
            }
        }
        drop(decided);
        self.done.notify_all();
    }

    /// Waits until transaction `number` is decided; its failure, if it failed.
    fn wait_for(&self, number: u64) -> Result<()> {
        let mut decided = self.decided.lock().unwrap_or_else(|p| p.into_inner());
        while decided.through < number {
            decided = self.done.wait(decided).unwrap_or_else(|p| p.into_inner());
        }
        match decided.failed.get(&number) {
            Some(why) => Err(StoreError::Backend(
                format!("the transaction this write joined failed: {why}").into(),
            )),
            None => Ok(()),
        }
    }
}

type Caught = std::thread::Result<Result<()>>;

fn run_caught(conn: &Connection, body: impl FnOnce(&Connection) -> Result<()>) -> Caught {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| body(conn)))
}

/// Runs `body` so that its failure (or panic) undoes its writes only.
fn in_savepoint(conn: &Connection, body: impl FnOnce(&Connection) -> Result<()>) -> Caught {
    if let Err(e) = control(conn, "SAVEPOINT joined") {
        return Ok(Err(e.into()));
    }
    let outcome = run_caught(conn, body);
    if !matches!(outcome, Ok(Ok(()))) && !conn.is_autocommit() {
        let _ = conn.execute_batch("ROLLBACK TO joined");
    }
    if !conn.is_autocommit() {
        let _ = control(conn, "RELEASE joined");
    }
    outcome
}

/// Runs a transaction-control statement, prepared once: every write runs two or three of them,
/// and parsing each again cost more than running it.
fn control(conn: &Connection, sql: &str) -> rusqlite::Result<()> {
    conn.prepare_cached(sql)?.execute([]).map(drop)
}

fn panic_error() -> StoreError {
    StoreError::Backend("a transaction body panicked".into())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    fn writer() -> (tempfile::TempDir, Arc<GroupWriter>) {
        let dir = tempfile::tempdir().unwrap();
        let conn = Connection::open(dir.path().join("t.db")).unwrap();
        conn.execute_batch("PRAGMA journal_mode=WAL; CREATE TABLE t (x INTEGER PRIMARY KEY)")
            .unwrap();
        (dir, Arc::new(GroupWriter::new(conn)))
    }

    fn count(w: &GroupWriter) -> i64 {
        w.lock()
            .query_row("SELECT count(*) FROM t", [], |r| r.get(0))
            .unwrap()
    }

    #[test]
    fn alone_a_write_commits_and_a_failing_one_leaves_nothing() {
        let (_dir, w) = writer();
        w.write(|c| Ok(c.execute_batch("INSERT INTO t VALUES (1)")?))
            .unwrap();
        let failed = w.write(|c| {
            c.execute_batch("INSERT INTO t VALUES (2)")?;
            Err(StoreError::corrupt("no"))
        });
        assert!(failed.is_err());
        assert_eq!(count(&w), 1);
        assert_eq!(w.commits(), 1, "the failed write committed nothing");
        assert!(w.lock().is_autocommit(), "no transaction is left open");
    }

    #[test]
    fn many_threads_writing_at_once_all_commit_and_a_failing_body_undoes_only_its_own() {
        let (_dir, w) = writer();
        let threads: Vec<_> = (0..8)
            .map(|t| {
                let w = Arc::clone(&w);
                std::thread::spawn(move || {
                    let mut failures = 0;
                    for i in 0..200 {
                        let key = t * 1000 + i;
                        let r = w.write(|c| {
                            c.execute("INSERT INTO t VALUES (?1)", [key])?;
                            if key % 7 == 0 {
                                return Err(StoreError::corrupt("refused"));
                            }
                            Ok(())
                        });
                        match r {
                            Ok(()) => assert!(key % 7 != 0),
                            Err(_) => {
                                assert_eq!(key % 7, 0, "only the refused write fails");
                                failures += 1;
                            }
                        }
                    }
                    failures
                })
            })
            .collect();
        let failures: i64 = threads.into_iter().map(|t| t.join().unwrap()).sum();
        assert_eq!(count(&w), 8 * 200 - failures);
        let sevens: i64 = w
            .lock()
            .query_row("SELECT count(*) FROM t WHERE x % 7 = 0", [], |r| r.get(0))
            .unwrap();
        assert_eq!(sevens, 0);
        assert!(w.lock().is_autocommit());
    }

    #[test]
    fn a_body_that_panics_undoes_its_writes_and_the_writer_goes_on() {
        let (_dir, w) = writer();
        let w2 = Arc::clone(&w);
        let panicked = std::thread::spawn(move || {
            w2.write(|c| {
                c.execute_batch("INSERT INTO t VALUES (1)")?;
                panic!("a bug in a body");
            })
        })
        .join();
        assert!(panicked.is_err());
        w.write(|c| Ok(c.execute_batch("INSERT INTO t VALUES (2)")?))
            .unwrap();
        assert_eq!(count(&w), 1);
    }
}
