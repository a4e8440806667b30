//! What a run shows on a terminal: a spinner for the running step with the lines of finished
//! steps and the step's own output kept above it, and plain lines when the terminal asks for
//! them (`TERM=dumb`, `NO_COLOR`). `sop` runs with its stdout and stderr on a pseudo-terminal.

use crate::support::Sandbox;
use std::fs::File;
use std::io::Read;
use std::os::fd::{FromRawFd, OwnedFd};
use std::process::Stdio;

const TOML: &str = "[sop]\nname = \"demo\"\ndescription = \"Two steps\"\nexecution_mode = \"auto\"\n\n[[triggers]]\ntype = \"manual\"\n";
const MD: &str = "# Demo\n\n## Step 1: Count\n\n```sh\necho one\nprintf 'two-'\necho half >&2\necho three\n```\n\n## Step 2: Finish\n\n```sh\nprintf 'no newline'\n```\n";

/// A pseudo-terminal of 80×24: the controlling side and the path of the terminal side.
fn open_pty() -> (File, String) {
    // SAFETY: plain libc calls on a descriptor this function owns; every result is checked.
    unsafe {
        let master = libc::posix_openpt(libc::O_RDWR | libc::O_NOCTTY);
        assert!(master >= 0, "posix_openpt failed");
        assert_eq!(libc::grantpt(master), 0);
        assert_eq!(libc::unlockpt(master), 0);
        let mut name = [0 as libc::c_char; 128];
        assert_eq!(libc::ptsname_r(master, name.as_mut_ptr(), name.len()), 0);
        let size = libc::winsize {
            ws_row: 24,
            ws_col: 80,
            ws_xpixel: 0,
            ws_ypixel: 0,
        };
        assert_eq!(libc::ioctl(master, libc::TIOCSWINSZ, &size), 0);
        let path = std::ffi::CStr::from_ptr(name.as_ptr())
            .to_string_lossy()
            .into_owned();
        (File::from(OwnedFd::from_raw_fd(master)), path)
    }
}

/// Runs `sop execute demo` with stdout and stderr on a terminal; returns its exit code and
/// everything the terminal received.
fn on_terminal(sb: &Sandbox, env: &[(&str, &str)]) -> (i32, String) {
    let (mut master, path) = open_pty();
    let terminal = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .open(&path)
        .unwrap();
    let mut cmd = sb.command(&["execute", "demo"]);
    cmd.env_remove("NO_COLOR")
        .env("TERM", "xterm")
        .stdin(Stdio::null())
        .stdout(terminal.try_clone().unwrap())
        .stderr(terminal);
    for (k, v) in env {
        cmd.env(k, v);
    }
    let mut child = cmd.spawn().unwrap();
    drop(cmd);
    let mut seen = Vec::new();
    let mut buf = [0u8; 4096];
    // Read until the terminal side is closed by the exiting process (EIO on Linux).
    loop {
        match master.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) => seen.extend_from_slice(&buf[..n]),
        }
    }
    let code = child.wait().unwrap().code().unwrap_or(-1);
    (code, String::from_utf8_lossy(&seen).replace("\r\n", "\n"))
}

fn sandbox() -> Sandbox {
    let sb = Sandbox::new();
    sb.sop("demo", TOML, MD);
    sb
}

#[test]
fn a_terminal_gets_a_spinner_for_the_running_step_and_whole_lines_above_it() {
    let sb = sandbox();
    let (code, seen) = on_terminal(&sb, &[]);
    assert_eq!(code, 0, "{seen}");
    assert!(seen.contains("step 1/2: Count · "), "the spinner: {seen:?}");
    assert!(seen.contains("\x1b[2K"), "the spinner is cleared: {seen:?}");
    // Without the spinner's frames, what stays on the screen is the plain view: the step's
    // lines whole, the partial line completed when the step ends.
    let kept: Vec<&str> = seen
        .split('\n')
        .map(|l| l.rsplit("\x1b[2K").next().unwrap_or(l))
        .map(|l| l.rsplit('\r').next().unwrap_or(l).trim_end())
        .filter(|l| !l.is_empty())
        .collect();
    let id = kept[0]
        .strip_prefix("run ")
        .and_then(|r| r.split_whitespace().next())
        .unwrap();
    let kept: Vec<String> = kept
        .iter()
        .map(|l| l.replace(id, "[RUN]"))
        .map(|l| {
            regex::Regex::new(r"\d+\.\d{2}s")
                .unwrap()
                .replace_all(&l, "[DUR]")
                .into_owned()
        })
        .collect();
    let half = kept.iter().position(|l| l == "half").expect("stderr line");
    let mut kept = kept;
    kept.remove(half);
    insta::assert_snapshot!(kept.join("\n"), @r"
    run [RUN] of demo (2 steps)
    ▶ step 1/2: Count
    one
    two-three
    ✓ step 1 succeeded ([DUR])
    ▶ step 2/2: Finish
    no newline
    ✓ step 2 succeeded ([DUR])
    ✓ run [RUN] succeeded (2 steps, [DUR])
    ");
}

#[test]
fn a_dumb_terminal_or_no_color_gets_plain_lines() {
    for env in [[("TERM", "dumb")], [("NO_COLOR", "1")]] {
        let sb = sandbox();
        let (code, seen) = on_terminal(&sb, &env);
        assert_eq!(code, 0, "{seen}");
        assert!(!seen.contains('\x1b'), "{env:?}: {seen:?}");
        assert!(!seen.contains("· "), "{env:?}: {seen:?}");
        assert!(
            seen.contains("▶ step 2/2: Finish\nno newline\n✓ step 2 succeeded"),
            "{env:?}: {seen:?}"
        );
    }
}
