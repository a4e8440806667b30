//! Precise step-boundary timestamps for the benchmark: with `SOP_TRACE_FILE` set, the engine
//! notes when each step's process started and when the step ended, and appends them to that
//! file when the command ends. Unset (the normal case), marking costs one atomic load.

use std::io::Write;
use std::sync::{Mutex, OnceLock};
use std::time::Instant;

struct Trace {
    path: String,
    base: Instant,
    marks: Mutex<Vec<(&'static str, u32, u128)>>,
}

fn trace() -> Option<&'static Trace> {
    static TRACE: OnceLock<Option<Trace>> = OnceLock::new();
    TRACE
        .get_or_init(|| {
            let path = std::env::var("SOP_TRACE_FILE").ok()?;
            (!path.is_empty()).then(|| Trace {
                path,
                base: Instant::now(),
                marks: Mutex::new(Vec::new()),
            })
        })
        .as_ref()
}

/// Notes `what` (`spawned`, `ended`) for `step` at this instant.
pub fn mark(what: &'static str, step: u32) {
    if let Some(t) = trace() {
        let ns = t.base.elapsed().as_nanos();
        if let Ok(mut marks) = t.marks.lock() {
            marks.push((what, step, ns));
        }
    }
}

/// Appends the marks as `<what> <step> <nanoseconds>` lines.
pub fn flush() {
    let Some(t) = trace() else { return };
    let Ok(mut marks) = t.marks.lock() else {
        return;
    };
    let mut text = String::new();
    for (what, step, ns) in marks.drain(..) {
        text.push_str(&format!("{what} {step} {ns}\n"));
    }
    let file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(&t.path);
    if let Ok(mut file) = file {
        let _ = file.write_all(text.as_bytes());
    }
}
