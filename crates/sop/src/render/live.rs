//! The live view of a run on a terminal: the lines of finished steps stay, and under them a
//! spinner shows the running step with its elapsed time. The step's own output is printed above
//! the spinner a whole line at a time, so a redraw never cuts through it.

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::cell::RefCell;
use std::io::{IsTerminal, Write};
use std::time::Duration;

/// How often the spinner and the elapsed time are redrawn.
const TICK: Duration = Duration::from_millis(100);

/// A partial line longer than this is printed as it is rather than held back further.
const MAX_PENDING: usize = 8 * 1024;

/// The spinner of the running step and the partial lines its output left so far.
#[derive(Debug, Default)]
pub struct Live {
    bar: RefCell<Option<ProgressBar>>,
    /// Bytes after the last newline, per stream: `[stdout, stderr]`.
    pending: RefCell<[Vec<u8>; 2]>,
}

/// Which stream a step wrote to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stream {
    Stdout,
    Stderr,
}

impl Live {
    /// Whether to show the live view: stdout is a terminal that can redraw a line. `TERM=dumb`
    /// (or no `TERM`) and `NO_COLOR` ask for plain lines.
    pub fn wanted() -> bool {
        let term = std::env::var("TERM").unwrap_or_default();
        let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
        std::io::stdout().is_terminal() && !term.is_empty() && term != "dumb" && !no_color
    }

    /// Prints a line above the spinner (or just prints it when no step runs).
    pub fn line(&self, text: &str) {
        let text = super::terminal::shown(text);
        self.above(|| {
            let mut out = std::io::stdout().lock();
            let _ = writeln!(out, "{text}").and_then(|()| out.flush());
        });
    }

    /// Shows the spinner for a step that just started, e.g. `step 2/5: Deploy`.
    pub fn start(&self, label: String) {
        self.stop();
        let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stdout());
        if let Ok(style) = ProgressStyle::with_template("{spinner} {msg} · {elapsed}") {
            bar.set_style(style);
        }
        bar.set_message(label);
        bar.enable_steady_tick(TICK);
        // Shown at once, not only at the first tick, so even a short step is seen running.
        bar.force_draw();
        *self.bar.borrow_mut() = Some(bar);
    }

    /// Output of the running step: complete lines are printed above the spinner at once, the
    /// rest of a line waits for its newline (or for the step to end).
    pub fn output(&self, stream: Stream, bytes: &[u8]) {
        let ready = whole_lines(&mut self.pending.borrow_mut()[stream as usize], bytes);
        if let Some(ready) = ready {
            self.above(|| stream.write(&ready));
        }
    }

    /// The step ended: prints what is left of its output and removes the spinner.
    pub fn stop(&self) {
        self.end_lines();
        if let Some(bar) = self.bar.borrow_mut().take() {
            bar.finish_and_clear();
        }
    }

    /// Prints the partial lines the step left, each ended, so the next line starts clean (an
    /// attempt failed and another follows, or the step ended).
    pub fn end_lines(&self) {
        let rest = std::mem::take(&mut *self.pending.borrow_mut());
        for (stream, mut bytes) in [Stream::Stdout, Stream::Stderr].into_iter().zip(rest) {
            if !bytes.is_empty() {
                bytes.push(b'\n');
                self.above(|| stream.write(&bytes));
            }
        }
    }

    /// Runs `print` with the spinner taken off the screen, then draws it again.
    fn above(&self, print: impl FnOnce()) {
        match self.bar.borrow().as_ref() {
            Some(bar) => bar.suspend(print),
            None => print(),
        }
    }
}

impl Drop for Live {
    /// An error or an early return never leaves a spinner turning on the terminal.
    fn drop(&mut self) {
        self.stop();
    }
}

/// Appends `bytes` to `pending` and takes out what can be printed now: everything up to the
/// last newline, or a partial line that grew past [`MAX_PENDING`] (ended with a newline).
fn whole_lines(pending: &mut Vec<u8>, bytes: &[u8]) -> Option<Vec<u8>> {
    pending.extend_from_slice(bytes);
    match pending.iter().rposition(|b| *b == b'\n') {
        Some(end) => {
            let rest = pending.split_off(end + 1);
            Some(std::mem::replace(pending, rest))
        }
        None if pending.len() > MAX_PENDING => {
            let mut all = std::mem::take(pending);
            all.push(b'\n');
            Some(all)
        }
        None => None,
    }
}

impl Stream {
    /// Writes `bytes` through to this process's own stream, unchanged.
    pub fn write(self, bytes: &[u8]) {
        let stderr = self == Stream::Stderr;
        let bytes = if super::terminal::is_terminal(stderr) {
            super::terminal::shown_bytes(bytes)
        } else {
            std::borrow::Cow::Borrowed(bytes)
        };
        let bytes = bytes.as_ref();
        let _ = match self {
            Stream::Stdout => {
                let mut out = std::io::stdout().lock();
                out.write_all(bytes).and_then(|()| out.flush())
            }
            Stream::Stderr => {
                let mut err = std::io::stderr().lock();
                err.write_all(bytes).and_then(|()| err.flush())
            }
        };
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn output_is_printed_a_whole_line_at_a_time() {
        let mut pending = Vec::new();
        assert_eq!(whole_lines(&mut pending, b"downloading"), None);
        assert_eq!(
            whole_lines(&mut pending, b" 40%\ndone\nleft"),
            Some(b"downloading 40%\ndone\n".to_vec())
        );
        assert_eq!(pending, b"left");
        assert_eq!(
            whole_lines(&mut pending, b"over\n"),
            Some(b"leftover\n".to_vec())
        );
        assert!(pending.is_empty());
    }

    #[test]
    fn a_very_long_partial_line_is_not_held_back_for_ever() {
        let mut pending = Vec::new();
        let long = vec![b'x'; MAX_PENDING + 1];
        let out = whole_lines(&mut pending, &long).unwrap();
        assert_eq!(out.len(), MAX_PENDING + 2);
        assert_eq!(out.last(), Some(&b'\n'));
        assert!(pending.is_empty());
    }
}
