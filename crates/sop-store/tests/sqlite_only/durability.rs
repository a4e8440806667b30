//! The database file: creation, reopening after an unclean drop, schema versions, settings.

use crate::suite::*;
use sop_store::*;

#[test]
fn data_survives_a_connection_that_was_never_closed() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("nested/state/sop.db");
    let store = SqliteStore::open(&path).unwrap();
    let run = create(&store, &new_run("deploy", 2));
    store
        .append_audit(&AuditEvent::new(
            at(1),
            Some(&run.id),
            "tester",
            "run.created",
            serde_json::json!({}),
        ))
        .unwrap();
    // No close, no checkpoint: the data is only in the WAL.
    std::mem::forget(store);
    let reopened = SqliteStore::open(&path).unwrap();
    assert_eq!(reopened.run(&run.id).unwrap(), run);
    assert_eq!(reopened.steps(&run.id).unwrap().len(), 2);
    assert!(reopened.verify_audit().unwrap().is_ok());
}

#[test]
fn closing_the_store_leaves_the_wal_to_the_next_process_and_its_size_stays_bounded() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("sop.db");
    let wal = dir.path().join("sop.db-wal");
    let mut ids = Vec::new();
    let mut largest = 0;
    let mut left_in_wal = 0;
    // Each open is a command-line process: it writes, reads, and closes.
    for _ in 0..12 {
        let store = SqliteStore::open(&path).unwrap();
        for _ in 0..40 {
            let run = create(&store, &new_run("deploy", 3));
            // Reads go through read-only connections, which cannot checkpoint.
            assert_eq!(store.run(&run.id).unwrap(), run);
            ids.push(run.id);
        }
        // A commit may just have copied the WAL (it passed 256 pages): only what closing does
        // is asked about.
        let newest = ids.last().unwrap();
        let copied_before = in_main_file(dir.path(), newest);
        drop(store);
        assert_eq!(
            in_main_file(dir.path(), newest),
            copied_before,
            "closing copies nothing into the database"
        );
        left_in_wal += usize::from(!copied_before);
        assert!(
            wal.exists(),
            "the WAL stays, so the next process writes into blocks it has already"
        );
        largest = largest.max(std::fs::metadata(&wal).unwrap().len());
    }
    assert!(
        left_in_wal > 0,
        "some process's newest run was only in the WAL when it closed"
    );
    let reopened = SqliteStore::open(&path).unwrap();
    for id in &ids {
        assert_eq!(
            reopened.run(id).unwrap().id,
            *id,
            "the next process reads the WAL back"
        );
    }
    // Commits copy the WAL into the database once it holds 256 pages, and it is written from
    // its start again: the file does not grow with every process.
    assert!(
        largest < 3 * 256 * 4120,
        "the WAL grew to {largest} bytes over 480 runs"
    );
}

#[test]
fn a_wal_grown_by_a_large_transaction_is_emptied_when_the_store_closes() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("sop.db");
    let wal = dir.path().join("sop.db-wal");
    let store = SqliteStore::open(&path).unwrap();
    let mut big = new_run("deploy", 1);
    big.definition_snapshot = "x".repeat(100_000);
    let ids: Vec<String> = store
        .transaction(|tx| (0..40).map(|_| Ok(tx.insert_run(&big)?.id)).collect())
        .unwrap();
    assert!(
        std::fs::metadata(&wal).unwrap().len() > 3_000_000,
        "the transaction wrote its 4 MB to the WAL"
    );
    drop(store);
    // Otherwise every later process, read-only ones too, would read it all back on opening.
    assert_eq!(std::fs::metadata(&wal).map_or(0, |m| m.len()), 0);
    let reopened = SqliteStore::open(&path).unwrap();
    assert_eq!(reopened.run(&ids[39]).unwrap().id, ids[39]);
}

#[test]
fn the_file_is_in_wal_mode_with_full_sync() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("sop.db");
    let _store = SqliteStore::open(&path).unwrap();
    let conn = rusqlite::Connection::open(&path).unwrap();
    let mode: String = conn
        .pragma_query_value(None, "journal_mode", |r| r.get(0))
        .unwrap();
    assert_eq!(mode, "wal");
    let version: i64 = conn
        .pragma_query_value(None, "user_version", |r| r.get(0))
        .unwrap();
    assert_eq!(version, SCHEMA_VERSION);
}

#[test]
fn a_database_from_a_newer_sop_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("sop.db");
    drop(SqliteStore::open(&path).unwrap());
    let conn = rusqlite::Connection::open(&path).unwrap();
    conn.pragma_update(None, "user_version", SCHEMA_VERSION + 1)
        .unwrap();
    drop(conn);
    let err = SqliteStore::open(&path).err().unwrap();
    assert!(matches!(err, StoreError::NewerSchema { .. }));
    assert!(err.to_string().contains("upgrade sop"), "{err}");
}

#[test]
fn an_unusable_location_says_where() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("file");
    std::fs::write(&file, "not a directory").unwrap();
    let err = SqliteStore::open(file.join("sop.db")).err().unwrap();
    assert!(
        err.to_string().contains(&file.display().to_string()),
        "{err}"
    );

    let garbage = dir.path().join("garbage.db");
    std::fs::write(&garbage, vec![0x42u8; 8192]).unwrap();
    let err = SqliteStore::open(&garbage).err().unwrap();
    assert!(matches!(err, StoreError::Corrupt(_)), "{err:?}");
}

#[test]
fn a_dyn_store_is_usable() {
    let store: Box<dyn Store> = open(&Location::Memory).unwrap();
    let run = store
        .transaction(|tx| tx.insert_run(&new_run("a", 1)))
        .unwrap();
    assert_eq!(store.find_run(&run.id[..9]).unwrap().id, run.id);
    assert_eq!(store.describe(), "sqlite::memory:");
}

#[test]
fn an_in_memory_store_reads_through_its_writer() {
    let store = SqliteStore::open_in_memory().unwrap();
    let run = create(&store, &new_run("a", 1));
    assert_eq!(store.run(&run.id).unwrap(), run);
    assert!(store.verify_audit().unwrap().is_ok());
}

#[test]
fn many_handles_opening_a_new_file_at_once_all_succeed() {
    // Several `sop` processes started together on a fresh database: each switches it to WAL
    // and migrates it; none may fail with "database is locked".
    for _ in 0..10 {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sop.db");
        let barrier = std::sync::Barrier::new(8);
        let results: Vec<Result<()>> = std::thread::scope(|s| {
            let handles: Vec<_> = (0..8)
                .map(|_| {
                    let (barrier, path) = (&barrier, &path);
                    s.spawn(move || {
                        barrier.wait();
                        SqliteStore::open(path).map(drop)
                    })
                })
                .collect();
            handles.into_iter().map(|h| h.join().unwrap()).collect()
        });
        for r in results {
            r.unwrap();
        }
    }
}

/// Whether the database file alone, without its WAL, holds run `id`.
fn in_main_file(dir: &std::path::Path, id: &str) -> bool {
    let copy = dir.join("main-file-only.db");
    std::fs::copy(dir.join("sop.db"), &copy).unwrap();
    let conn = rusqlite::Connection::open(&copy).unwrap();
    // Before a checkpoint the file may not even hold the schema yet.
    let found: i64 = conn
        .query_row("SELECT count(*) FROM runs WHERE id = ?1", [id], |r| {
            r.get(0)
        })
        .unwrap_or(0);
    drop(conn);
    std::fs::remove_file(&copy).unwrap();
    found == 1
}

#[test]
fn a_store_whose_checkpoints_are_deferred_is_checkpointed_on_demand_beside_its_writer() {
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::open(dir.path().join("sop.db")).unwrap();
    store.defer_checkpoints().unwrap();
    let run = create(&store, &new_run("deploy", 2));
    assert!(
        !in_main_file(dir.path(), &run.id),
        "a commit leaves its pages in the WAL"
    );
    store.checkpoint().unwrap();
    assert!(
        in_main_file(dir.path(), &run.id),
        "the checkpoint copied them into the database file"
    );
    // The writer goes on, and closing copies the WAL, however large it grew, and empties it.
    let second = create(&store, &new_run("deploy", 1));
    drop(store);
    assert!(in_main_file(dir.path(), &second.id));
    assert_eq!(
        std::fs::metadata(dir.path().join("sop.db-wal")).map_or(0, |m| m.len()),
        0
    );
}

#[test]
fn a_deferred_store_writes_its_log_from_the_start_again_after_each_checkpoint_while_it_is_written()
{
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::open(dir.path().join("sop.db")).unwrap();
    store.defer_checkpoints().unwrap();
    let wal = dir.path().join("sop.db-wal");
    let wal_len = || std::fs::metadata(&wal).map_or(0, |m| m.len());
    let writes = 600;
    // A writer that never pauses, as on a busy server: the log is copied every 30 commits,
    // while it goes on, and must not grow with everything ever written.
    let largest = std::thread::scope(|s| {
        let writer = s.spawn(|| {
            for _ in 0..writes {
                create(&store, &new_run("deploy", 2));
            }
        });
        let mut largest = 0;
        let mut next = 30;
        while !writer.is_finished() {
            if store.commits() >= next {
                store.checkpoint().unwrap();
                largest = largest.max(wal_len());
                next = store.commits() + 30;
            }
            std::thread::yield_now();
        }
        writer.join().unwrap();
        largest
    });
    // Appended to, the log of these 600 runs grows past 20 MB; written from its start after
    // each copy, it stays near what a few copies' worth of commits fill (a reader inside the
    // log at a copy leaves the restart to the next one).
    assert!(
        largest < 6 << 20,
        "the log grew to {largest} bytes: it was appended to instead of written from its start"
    );
    let run = create(&store, &new_run("deploy", 1));
    assert_eq!(store.run(&run.id).unwrap(), run);
}

#[test]
fn a_checkpoint_restarts_the_log_itself_so_the_next_commit_flushes_only_its_own_frames() {
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::open(dir.path().join("sop.db")).unwrap();
    store.defer_checkpoints().unwrap();
    for _ in 0..5 {
        create(&store, &new_run("deploy", 2));
    }
    store.checkpoint().unwrap();
    // The log holds one frame, written from its start by the checkpoint: its header is written
    // and flushed already. Left to the next commit, the log would still hold the old frames.
    let probe = rusqlite::Connection::open(dir.path().join("sop.db")).unwrap();
    let (busy, log): (i64, i64) = probe
        .query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
        .unwrap();
    assert_eq!(
        (busy, log),
        (0, 1),
        "the log was not restarted by the checkpoint"
    );
    // It changed nothing: the schema version is what it was, and the store goes on.
    let version: i64 = probe
        .pragma_query_value(None, "user_version", |r| r.get(0))
        .unwrap();
    assert_eq!(version, SCHEMA_VERSION);
    let run = create(&store, &new_run("deploy", 1));
    assert_eq!(store.run(&run.id).unwrap(), run);
}
