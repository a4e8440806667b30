//! What `sop audit verify` proves beyond the plain chain: checkpoints kept elsewhere, a key,
//! SQLite's integrity check, entries that go back in time, and who really wrote each entry.

use crate::run_support::sandbox;
use crate::support::Sandbox;
use std::path::Path;

fn tamper(sb: &Sandbox, sql: &str) {
    let db = rusqlite::Connection::open(sb.db_path()).unwrap();
    db.execute_batch(sql).unwrap();
}

fn checkpoint(sb: &Sandbox, file: &Path) {
    let out = sb.run(&["audit", "checkpoint", "--output", file.to_str().unwrap()]);
    assert_eq!(out.code, 0, "{out}");
    assert!(out.stdout.starts_with("checkpoint of entry "), "{out}");
}

fn verify_with(sb: &Sandbox, file: &Path) -> crate::support::Output {
    sb.run(&["audit", "verify", "--checkpoint", file.to_str().unwrap()])
}

fn host() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .or_else(|_| std::fs::read_to_string("/etc/hostname"))
        .unwrap()
        .trim()
        .to_string()
}

#[test]
fn a_checkpoint_is_one_json_line_of_the_head() {
    let sb = sandbox();
    let empty = sb.run(&["audit", "checkpoint"]);
    assert_eq!(empty.code, 1, "{empty}");
    assert!(empty.stderr.contains("nothing to checkpoint"), "{empty}");
    assert_eq!(sb.run(&["execute", "fails"]).code, 1);
    let printed = sb.run(&["audit", "checkpoint"]);
    assert_eq!(printed.code, 0, "{printed}");
    let head: serde_json::Value = serde_json::from_str(printed.stdout.trim()).unwrap();
    let trail = sb.run(&["audit", "--json"]).json();
    let last = trail.as_array().unwrap().last().unwrap();
    assert_eq!(head["seq"], last["seq"]);
    assert_eq!(head["hash"], last["hash"]);
    assert_eq!(head["at"], last["at"]);

    let file = sb.root().join("checkpoints.jsonl");
    checkpoint(&sb, &file);
    assert_eq!(sb.run(&["execute", "fails"]).code, 1);
    checkpoint(&sb, &file);
    assert_eq!(std::fs::read_to_string(&file).unwrap().lines().count(), 2);
    let ok = verify_with(&sb, &file);
    assert_eq!(ok.code, 0, "{ok}");
    assert!(ok.stdout.contains(", 2 checkpoints matched"), "{ok}");
}

#[test]
fn a_consistently_rewritten_trail_is_caught_by_a_checkpoint() {
    let sb = sandbox();
    assert_eq!(sb.run(&["execute", "fails"]).code, 1);
    let file = sb.root().join("cp.jsonl");
    checkpoint(&sb, &file);
    // Whoever can write the file rewrites entry 2 and rehashes everything after it, the way
    // sop would have: the chain alone cannot tell.
    let db = rusqlite::Connection::open(sb.db_path()).unwrap();
    let rows: Vec<(i64, String)> = db
        .prepare("SELECT seq, detail FROM audit ORDER BY seq")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    let mut prev = sop_store::audit_chain::GENESIS_HASH.to_string();
    for (seq, detail) in rows {
        let detail = if seq == 2 {
            "{\"forged\":true}".to_string()
        } else {
            detail
        };
        let (at, run_id, actor, os_user, host, kind): (
            String,
            Option<String>,
            String,
            Option<String>,
            Option<String>,
            String,
        ) = db
            .query_row(
                "SELECT at, run_id, actor, os_user, host, kind FROM audit WHERE seq = ?1",
                [seq],
                |r| {
                    Ok((
                        r.get(0)?,
                        r.get(1)?,
                        r.get(2)?,
                        r.get(3)?,
                        r.get(4)?,
                        r.get(5)?,
                    ))
                },
            )
            .unwrap();
        let hash = sop_store::audit_chain::entry_hash(
            &sop_store::audit_chain::StoredEntry {
                seq: seq as u64,
                at: &at,
                run_id: run_id.as_deref(),
                actor: &actor,
                os_user: os_user.as_deref(),
                host: host.as_deref(),
                kind: &kind,
                detail: &detail,
                prev_hash: &prev,
                format: sop_store::audit_chain::HashFormat::Sha256V2,
            },
            None,
        )
        .unwrap();
        db.execute(
            "UPDATE audit SET detail = ?1, prev_hash = ?2, hash = ?3 WHERE seq = ?4",
            rusqlite::params![detail, prev, hash, seq],
        )
        .unwrap();
        db.execute("UPDATE audit_head SET hash = ?1", [&hash])
            .unwrap();
        prev = hash;
    }
    drop(db);
    let plain = sb.run(&["audit", "verify"]);
    assert_eq!(plain.code, 0, "the chain alone cannot tell: {plain}");
    let caught = verify_with(&sb, &file);
    assert_eq!(caught.code, 1, "{caught}");
    assert!(
        caught.stdout.contains("differs from its checkpoint"),
        "{caught}"
    );
    let json = sb
        .run(&[
            "audit",
            "verify",
            "--json",
            "--checkpoint",
            file.to_str().unwrap(),
        ])
        .json();
    assert_eq!(json["problem"]["kind"], "checkpoint_mismatch");
}

#[test]
fn deleted_newest_entries_or_an_emptied_file_are_caught_by_a_checkpoint() {
    let sb = sandbox();
    assert_eq!(sb.run(&["execute", "fails"]).code, 1);
    let file = sb.root().join("cp.jsonl");
    checkpoint(&sb, &file);
    let head: i64 = rusqlite::Connection::open(sb.db_path())
        .unwrap()
        .query_row("SELECT seq FROM audit_head", [], |r| r.get(0))
        .unwrap();
    // The newest entries and the head moved back together.
    tamper(
        &sb,
        &format!(
            "DELETE FROM audit WHERE seq > 2; UPDATE audit_head SET seq = 2, \
             hash = (SELECT hash FROM audit WHERE seq = 2); -- was {head}"
        ),
    );
    assert_eq!(sb.run(&["audit", "verify"]).code, 0);
    let caught = verify_with(&sb, &file);
    assert_eq!(caught.code, 1, "{caught}");
    assert!(
        caught
            .stdout
            .contains(&format!("audit entry {head}, recorded by a checkpoint")),
        "{caught}"
    );

    // The file cut to 0 bytes: sop sees a new, empty database.
    for suffix in ["", "-wal", "-shm"] {
        let mut path = sb.db_path().into_os_string();
        path.push(suffix);
        let _ = std::fs::remove_file(&path);
    }
    std::fs::write(sb.db_path(), b"").unwrap();
    let empty = sb.run(&["audit", "verify"]);
    assert_eq!(empty.stdout, "✓ the audit trail is intact: 0 entries\n");
    let caught = verify_with(&sb, &file);
    assert_eq!(caught.code, 1, "{caught}");
    assert!(
        caught.stdout.contains("is gone: the trail ends at entry 0"),
        "{caught}"
    );
}

#[test]
fn a_bad_checkpoint_file_is_invalid_input() {
    let sb = sandbox();
    sb.file("cp.jsonl", "{\"seq\": 1}\n");
    let out = verify_with(&sb, &sb.root().join("cp.jsonl"));
    assert_eq!(out.code, 2, "{out}");
    assert!(out.stderr.contains("cp.jsonl:1: not a checkpoint"), "{out}");
}

#[test]
fn with_a_key_forging_needs_the_key_and_verify_without_it_says_what_it_did_not_check() {
    let mut sb = sandbox();
    sb.file("audit.key", format!("{}\n", "5a".repeat(32)));
    sb.env(
        "SOP_AUDIT_KEY_FILE",
        sb.root().join("audit.key").to_str().unwrap(),
    );
    assert_eq!(sb.run(&["execute", "fails"]).code, 1);
    let with_key = sb.run(&["audit", "verify"]);
    assert_eq!(with_key.code, 0, "{with_key}");
    assert!(with_key.stdout.contains("keyed from entry 1"), "{with_key}");

    let mut no_key = sb.cmd(&["audit", "verify"]);
    no_key.env_remove("SOP_AUDIT_KEY_FILE");
    let no_key = sb.output(no_key);
    assert_eq!(no_key.code, 0, "{no_key}");
    assert!(
        no_key
            .stdout
            .contains("their order and links were checked, not their content"),
        "{no_key}"
    );

    // An edit without the key: the chain alone still links, the HMAC does not match.
    tamper(&sb, "UPDATE audit SET actor = 'mallory' WHERE seq = 2");
    let caught = sb.run(&["audit", "verify", "--json"]);
    assert_eq!(caught.code, 1, "{caught}");
    assert_eq!(caught.json()["problem"]["seq"], 2);
    assert_eq!(caught.json()["problem"]["kind"], "edited");

    // Writing to a keyed trail without the key is refused rather than silently unkeyed.
    let mut unkeyed = sb.cmd(&["fact", "set", "x", "1"]);
    unkeyed.env_remove("SOP_AUDIT_KEY_FILE");
    let refused = sb.output(unkeyed);
    assert_eq!(refused.code, 1, "{refused}");
    assert!(
        refused.stderr.contains("set SOP_AUDIT_KEY_FILE"),
        "{refused}"
    );
}

#[test]
fn a_too_short_key_is_refused() {
    let mut sb = sandbox();
    sb.file("short.key", "abc");
    sb.env(
        "SOP_AUDIT_KEY_FILE",
        sb.root().join("short.key").to_str().unwrap(),
    );
    let out = sb.run(&["audit"]);
    assert_ne!(out.code, 0, "{out}");
    assert!(out.stderr.contains("at least 32 random bytes"), "{out}");
}

#[test]
fn verify_reports_damaged_pages_of_an_intact_chain() {
    let sb = sandbox();
    for i in 0..40 {
        let who = format!(r#"{{"who": "{}"}}"#, "p".repeat(3000 + i));
        assert_eq!(sb.run(&["execute", "hello", "--vars", &who]).code, 0);
    }
    let db = rusqlite::Connection::open(sb.db_path()).unwrap();
    db.execute_batch("PRAGMA wal_checkpoint(TRUNCATE)").unwrap();
    drop(db);
    let mut bytes = std::fs::read(sb.db_path()).unwrap();
    let page = 4096;
    let start = bytes.len() / page / 2 * page;
    bytes[start..start + 4 * page].fill(0);
    std::fs::write(sb.db_path(), bytes).unwrap();
    let out = sb.run(&["audit", "verify"]);
    assert_eq!(out.code, 1, "{out}");
    assert!(
        out.stdout.contains("✗ the database file is damaged"),
        "{out}"
    );
}

#[test]
fn an_entry_dated_before_the_newest_is_refused_and_reported() {
    let mut sb = sandbox();
    sb.env("SOP_NOW", "2026-03-01T00:00:00Z");
    assert_eq!(sb.run(&["fact", "set", "a", "1"]).code, 0);
    let mut back = sb.cmd(&["fact", "set", "a", "2"]);
    back.env("SOP_NOW", "2020-01-01T00:00:00Z");
    let refused = sb.output(back);
    assert_eq!(refused.code, 1, "{refused}");
    assert!(
        refused.stderr.contains("never goes back in time"),
        "{refused}"
    );
    assert_eq!(sb.run(&["fact", "get", "a"]).stdout, "1\n");

    // An entry back-dated behind sop's back is named by verify (as edited here; rehashed, as
    // going back in time: the store's own tests show that).
    assert_eq!(sb.run(&["fact", "set", "b", "1"]).code, 0);
    tamper(
        &sb,
        "UPDATE audit SET at = '2020-01-01T00:00:00.000000Z' WHERE seq = 2",
    );
    let out = sb.run(&["audit", "verify", "--json"]);
    assert_eq!(out.code, 1, "{out}");
    assert_eq!(out.json()["problem"]["seq"], 2);
}

/// The account the tests run as, from the password database (what sop records; `$USER` can be
/// set to anything, so sop does not trust it).
fn os_user() -> String {
    let out = std::process::Command::new("id")
        .arg("-un")
        .output()
        .unwrap();
    String::from_utf8(out.stdout).unwrap().trim().to_string()
}

#[test]
fn the_trail_shows_who_claimed_an_actor() {
    let mut sb = sandbox();
    let me = os_user();
    // A spoofed $USER changes nothing: the account comes from the password database.
    sb.env("USER", "mallory");
    assert_eq!(sb.run(&["fact", "set", "a", "1", "--as", "alice"]).code, 0);
    assert_eq!(sb.run(&["fact", "set", "b", "1", "--as", &me]).code, 0);
    let text = sb.run(&["audit"]).stdout;
    let lines: Vec<&str> = text.lines().collect();
    assert!(
        // The output names the account; the sandbox shows it as [ACCOUNT].
        lines[0].contains("alice (as claimed by [ACCOUNT])"),
        "{text}"
    );
    assert!(
        lines[1].contains(&format!("  {me}  ")) && !lines[1].contains("claimed"),
        "{text}"
    );
    let json = sb.run(&["audit", "--json"]).json();
    assert_eq!(json[0]["os_user"], me.as_str());
    assert_eq!(json[0]["host"], host());
    assert_eq!(json[0]["actor"], "alice");
}

#[test]
fn the_database_is_private_to_its_owner() {
    use std::os::unix::fs::PermissionsExt;
    let mut sb = Sandbox::new();
    let db = sb.root().join("new/dir/sop.db");
    sb.env("SOP_DATABASE_URL", &format!("sqlite:{}", db.display()));
    assert_eq!(sb.run(&["fact", "set", "a", "1"]).code, 0);
    let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&db), 0o600);
    assert_eq!(mode(&sb.root().join("new/dir")), 0o700);
    assert_eq!(mode(&sb.root().join("new")), 0o700);
}
