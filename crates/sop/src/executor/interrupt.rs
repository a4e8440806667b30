//! Ctrl-C and termination signals while a step runs.
//!
//! A step runs in its own process group, so a Ctrl-C at the terminal reaches `sop` but not the
//! step. Without a handler `sop` would die and leave the step running. [`install`] turns SIGINT,
//! SIGTERM and SIGHUP into a flag that [`requested`] reports, so the engine's
//! [`Observer::should_stop`](super::Observer::should_stop) can stop the step (SIGTERM to its
//! group) and record the run's state. The handler resets itself: a second Ctrl-C kills `sop` at
//! once, as users expect.

use std::sync::atomic::{AtomicI32, Ordering};

/// The signal received, or 0.
static RECEIVED: AtomicI32 = AtomicI32::new(0);

extern "C" fn on_signal(signal: libc::c_int) {
    // Only an atomic store: async-signal-safe.
    RECEIVED.store(signal, Ordering::SeqCst);
}

/// Catches the next SIGINT, SIGTERM and SIGHUP instead of dying of them.
pub fn install() {
    for signal in [libc::SIGINT, libc::SIGTERM, libc::SIGHUP] {
        // SAFETY: a zeroed sigaction with a plain handler and an empty mask is valid; the
        // handler only stores to an atomic.
        unsafe {
            let mut action: libc::sigaction = std::mem::zeroed();
            action.sa_sigaction = on_signal as extern "C" fn(libc::c_int) as libc::sighandler_t;
            action.sa_flags = libc::SA_RESETHAND | libc::SA_RESTART;
            libc::sigemptyset(&mut action.sa_mask);
            libc::sigaction(signal, &action, std::ptr::null_mut());
        }
    }
}

/// The signal that asked `sop` to stop since [`install`], if any.
pub fn requested() -> Option<i32> {
    match RECEIVED.load(Ordering::SeqCst) {
        0 => None,
        signal => Some(signal),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_caught_signal_is_reported_once_installed() {
        install();
        // SAFETY: raise sends a signal to this thread; the handler installed above catches it.
        unsafe { libc::raise(libc::SIGHUP) };
        assert_eq!(requested(), Some(libc::SIGHUP));
        assert_eq!(requested(), Some(libc::SIGHUP), "the flag stays set");
        // Leave the test process as it was: default dispositions, no flag.
        for signal in [libc::SIGINT, libc::SIGTERM, libc::SIGHUP] {
            // SAFETY: restoring the default disposition has no preconditions.
            unsafe { libc::signal(signal, libc::SIG_DFL) };
        }
        RECEIVED.store(0, Ordering::SeqCst);
    }
}
