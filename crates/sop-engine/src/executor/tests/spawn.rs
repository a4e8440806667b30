//! Starting a step's process directly: it gets exactly what `std::process::Command` would give
//! it, and a start that fails says why.

use crate::executor::environ::Environ;
use crate::executor::spawn::{Stdin, StepChild, StepCommand};
use std::ffi::OsString;
use std::io::{Read, Write};
use std::path::PathBuf;

fn sh(code: &str) -> StepCommand {
    StepCommand {
        program: PathBuf::from("/bin/sh"),
        args: vec!["sh".into(), "-c".into(), code.into()],
        env: Environ::shared([("PATH".into(), "/usr/bin:/bin".into())]).unwrap(),
        cwd: std::env::temp_dir(),
        pgid: 0,
        stdin: Stdin::Null,
    }
}

fn output(mut child: StepChild) -> (String, String, i32) {
    let mut out = String::new();
    let mut err = String::new();
    child
        .stdout
        .take()
        .unwrap()
        .read_to_string(&mut out)
        .unwrap();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut err)
        .unwrap();
    let status = child.wait().unwrap();
    (out, err, status.code().unwrap_or(-1))
}

/// The lines of `/proc/self/status` that describe signal handling, as the started program sees
/// them.
const SIGNALS: &str = "exec grep -E '^(SigBlk|SigIgn|SigCgt)' /proc/self/status";

#[test]
fn signal_handling_arrives_as_from_std() {
    let ours = output(sh(SIGNALS).spawn().unwrap());
    let std = std::process::Command::new("/bin/sh")
        .args(["-c", SIGNALS])
        .env_clear()
        .env("PATH", "/usr/bin:/bin")
        .output()
        .unwrap();
    assert_eq!(ours.0, String::from_utf8_lossy(&std.stdout));
    // Nothing blocked, and SIGPIPE (bit 13) not ignored, though this process ignores it.
    assert!(ours.0.contains("SigBlk:\t0000000000000000"), "{}", ours.0);
    let ignored = ours
        .0
        .lines()
        .find_map(|l| l.strip_prefix("SigIgn:\t"))
        .unwrap();
    assert_eq!(u64::from_str_radix(ignored, 16).unwrap() & (1 << 12), 0);
}

#[test]
fn the_environment_is_exactly_the_one_given_sorted_by_name() {
    // `env` itself, not a shell, which would pass on its own copy in its own order.
    let mut cmd = sh("");
    cmd.program = PathBuf::from("/usr/bin/env");
    cmd.args = vec!["env".into()];
    cmd.env = cmd
        .env
        .with([("B".into(), "2".into()), ("A".into(), "1".into())])
        .unwrap();
    let (out, _, code) = output(cmd.spawn().unwrap());
    assert_eq!(code, 0);
    assert_eq!(out, "A=1\nB=2\nPATH=/usr/bin:/bin\n");
}

#[test]
fn stdout_stderr_stdin_group_and_working_directory() {
    let dir = tempfile::tempdir().unwrap();
    let mut cmd = sh(
        "read -r line; echo \"got $line\"; echo oops >&2; pwd; set -- $(cat /proc/$$/stat); echo \"$5 $$\"",
    );
    cmd.stdin = Stdin::Piped;
    cmd.cwd = dir.path().to_path_buf();
    let mut child = cmd.spawn().unwrap();
    child.stdin.take().unwrap().write_all(b"hello\n").unwrap();
    let pid = child.id();
    let (out, err, code) = output(child);
    assert_eq!(code, 0);
    assert_eq!(err, "oops\n");
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines[0], "got hello");
    assert_eq!(
        std::fs::canonicalize(lines[1]).unwrap(),
        std::fs::canonicalize(dir.path()).unwrap()
    );
    // Process group 0: a group of its own, led by the process.
    assert_eq!(lines[2], format!("{pid} {pid}"));
}

#[test]
fn stdin_null_reads_nothing() {
    let (out, _, code) = output(sh("cat; echo end").spawn().unwrap());
    assert_eq!((out.as_str(), code), ("end\n", 0));
}

#[test]
fn a_start_that_fails_says_why() {
    let mut missing = sh("true");
    missing.program = PathBuf::from("/nonexistent/sh");
    let e = missing.spawn().unwrap_err();
    assert_eq!(e.kind(), std::io::ErrorKind::NotFound);

    let mut no_dir = sh("true");
    // A directory that surely is not there, whatever else made `/nonexistent` on this machine.
    let gone = tempfile::tempdir().unwrap();
    no_dir.cwd = gone.path().join("never-made");
    assert_eq!(
        no_dir.spawn().unwrap_err().kind(),
        std::io::ErrorKind::NotFound
    );

    // A group that does not exist cannot be joined.
    let mut no_group = sh("true");
    no_group.pgid = i32::MAX - 7;
    assert!(no_group.spawn().is_err());

    let mut nul = sh("true");
    nul.args.push(OsString::from("a\0b"));
    assert_eq!(
        nul.spawn().unwrap_err().kind(),
        std::io::ErrorKind::InvalidInput
    );
}
