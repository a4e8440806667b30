//! The output of the steps running on this server, as they print it (secret values already
//! hidden by the engine), kept per run until the step ends, so the console can show a step's
//! output live; the stored tail takes over when the step is committed.

use std::collections::HashMap;
use std::sync::Mutex;

/// The most output kept per running step: the end, like the stored tail.
const KEEP: usize = 16 * 1024;

#[derive(Default)]
pub struct LiveOutput {
    runs: Mutex<HashMap<String, (u32, String)>>,
}

impl LiveOutput {
    fn with<T>(&self, f: impl FnOnce(&mut HashMap<String, (u32, String)>) -> T) -> T {
        let mut guard = self.runs.lock().unwrap_or_else(|p| p.into_inner());
        f(&mut guard)
    }

    pub fn start(&self, run: &str, step: u32) {
        self.with(|m| m.insert(run.to_string(), (step, String::new())));
    }

    pub fn push(&self, run: &str, step: u32, bytes: &[u8]) {
        self.with(|m| {
            let entry = m
                .entry(run.to_string())
                .or_insert_with(|| (step, String::new()));
            if entry.0 != step {
                *entry = (step, String::new());
            }
            entry.1.push_str(&String::from_utf8_lossy(bytes));
            if entry.1.len() > KEEP {
                let mut cut = entry.1.len() - KEEP;
                while !entry.1.is_char_boundary(cut) {
                    cut += 1;
                }
                entry.1.drain(..cut);
            }
        });
    }

    pub fn finish(&self, run: &str) {
        self.with(|m| m.remove(run));
    }

    /// The step running in `run` and what it printed so far.
    pub fn of(&self, run: &str) -> Option<(u32, String)> {
        self.with(|m| m.get(run).cloned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn output_is_kept_per_run_until_the_step_ends_and_only_its_end() {
        let live = LiveOutput::default();
        live.start("r1", 1);
        live.push("r1", 1, b"hello ");
        live.push("r1", 1, "wörld".as_bytes());
        assert_eq!(live.of("r1"), Some((1, "hello wörld".to_string())));
        live.push("r1", 2, &vec![b'x'; KEEP + 10]);
        assert_eq!(live.of("r1").unwrap().1.len(), KEEP);
        live.finish("r1");
        assert_eq!(live.of("r1"), None);
    }
}
