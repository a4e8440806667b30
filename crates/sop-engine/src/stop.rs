//! A request to stop driving: set by whoever owns the driver (a signal handler the CLI
//! installed, a server shutting down), read by the engine between and during steps.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

/// Shared flags: the signal number that asked to stop (0: none), and whether the owner is
/// draining (no new step starts; the step running goes on). Cloning shares them.
#[derive(Debug, Clone, Default)]
pub struct StopSignal(Arc<AtomicUsize>, Arc<AtomicBool>);

impl StopSignal {
    pub fn new() -> Self {
        Self::default()
    }

    /// The flag itself, for registering with a signal handler that stores the signal number.
    pub fn flag(&self) -> Arc<AtomicUsize> {
        Arc::clone(&self.0)
    }

    /// Asks the driver to stop, as if `signal` had been received.
    pub fn request(&self, signal: i32) {
        self.0.store(signal.max(1) as usize, Ordering::SeqCst);
    }

    /// Asks the driver to start no new step: the step running ends as it would, and the run is
    /// left `pending` at the next one, for whoever drives it next (a server stopping).
    pub fn drain(&self) {
        self.1.store(true, Ordering::SeqCst);
    }

    /// Whether no new step is to start.
    pub fn draining(&self) -> bool {
        self.1.load(Ordering::SeqCst)
    }

    /// The signal that asked to stop, if any.
    pub fn requested(&self) -> Option<i32> {
        match self.0.load(Ordering::SeqCst) {
            0 => None,
            signal => Some(signal as i32),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clones_share_the_request() {
        let a = StopSignal::new();
        let b = a.clone();
        assert_eq!(b.requested(), None);
        a.request(15);
        assert_eq!(b.requested(), Some(15));
        assert!(!b.draining());
        a.drain();
        assert!(b.draining());
    }
}
