//! Threads for driving runs, kept parked after their work for the next, instead of ending.
//!
//! Starting a thread (mapping its stack, cloning, later unmapping) is work the request that
//! starts a run would do before its `202`; waking a parked thread is one notification. A thread
//! parked for [`KEEP`] with nothing to do ends. How many run at once is the dispatcher's to
//! bound (its places); this only decides whether a piece of work gets a parked thread or a new
//! one.

use std::collections::VecDeque;
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::time::Duration;

/// How long a thread with nothing to do waits for work before it ends.
pub const KEEP: Duration = Duration::from_secs(60);

type Work = Box<dyn FnOnce() + Send + 'static>;

pub struct ParkedThreads {
    name: &'static str,
    shared: Arc<Shared>,
}

#[derive(Default)]
struct Shared {
    state: Mutex<State>,
    wake: Condvar,
}

#[derive(Default)]
struct State {
    /// Threads waiting for work.
    parked: usize,
    /// Work handed to parked threads, not taken yet: never more than `parked`.
    work: VecDeque<Work>,
    closed: bool,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, State> {
        // Work runs outside the lock; the state is consistent at every unlock.
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }
}

impl ParkedThreads {
    pub fn new(name: &'static str) -> Self {
        ParkedThreads {
            name,
            shared: Arc::default(),
        }
    }

    /// Runs `work` on a parked thread, else on a new one. Fails only when no thread can start.
    pub fn run(&self, work: impl FnOnce() + Send + 'static) -> std::io::Result<()> {
        let mut state = self.shared.lock();
        if state.work.len() < state.parked {
            state.work.push_back(Box::new(work));
            drop(state);
            self.shared.wake.notify_one();
            return Ok(());
        }
        drop(state);
        let shared = Arc::clone(&self.shared);
        std::thread::Builder::new()
            .name(self.name.into())
            .spawn(move || {
                work();
                park(&shared);
            })
            .map(|_| ())
    }

    /// How many threads wait for work (tests).
    #[cfg(test)]
    fn parked(&self) -> usize {
        self.shared.lock().parked
    }
}

/// Waits for work and does it, until none comes for [`KEEP`] or the pool closes.
fn park(shared: &Shared) {
    let mut state = shared.lock();
    state.parked += 1;
    loop {
        if let Some(work) = state.work.pop_front() {
            state.parked -= 1;
            drop(state);
            work();
            state = shared.lock();
            state.parked += 1;
            continue;
        }
        if state.closed {
            break;
        }
        let (next, waited) = shared
            .wake
            .wait_timeout(state, KEEP)
            .unwrap_or_else(|p| p.into_inner());
        state = next;
        if waited.timed_out() && state.work.is_empty() {
            break;
        }
    }
    state.parked -= 1;
}

impl Drop for ParkedThreads {
    fn drop(&mut self) {
        self.shared.lock().closed = true;
        self.shared.wake.notify_all();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::mpsc;
    use std::time::Instant;

    /// Whether `cond` came true within ten seconds.
    fn within(mut cond: impl FnMut() -> bool) -> bool {
        let until = Instant::now() + Duration::from_secs(10);
        while Instant::now() < until {
            if cond() {
                return true;
            }
            std::thread::yield_now();
        }
        false
    }

    #[test]
    fn a_thread_that_finished_its_work_takes_the_next() {
        let pool = ParkedThreads::new("test");
        let (done, finished) = mpsc::channel();
        let first = done.clone();
        pool.run(move || first.send(std::thread::current().id()).unwrap())
            .unwrap();
        let a = finished.recv().unwrap();
        assert!(
            within(|| pool.parked() == 1),
            "the thread parks after its work"
        );
        pool.run(move || done.send(std::thread::current().id()).unwrap())
            .unwrap();
        assert_eq!(
            finished.recv().unwrap(),
            a,
            "the parked thread did the work"
        );
    }

    #[test]
    fn work_beyond_the_parked_threads_gets_threads_of_its_own() {
        let pool = ParkedThreads::new("test");
        let running = Arc::new(AtomicUsize::new(0));
        let (done, finished) = mpsc::channel();
        for _ in 0..3 {
            let (running, done) = (Arc::clone(&running), done.clone());
            pool.run(move || {
                running.fetch_add(1, Ordering::SeqCst);
                // Each waits until all three run at once: on one thread they never would.
                let all = within(|| running.load(Ordering::SeqCst) == 3);
                done.send(all).unwrap();
            })
            .unwrap();
        }
        for _ in 0..3 {
            assert!(finished.recv().unwrap(), "the three ran at the same time");
        }
    }

    #[test]
    fn closing_the_pool_ends_its_parked_threads() {
        let pool = ParkedThreads::new("test");
        let (done, finished) = mpsc::channel();
        pool.run(move || done.send(()).unwrap()).unwrap();
        finished.recv().unwrap();
        assert!(within(|| pool.parked() == 1));
        let shared = Arc::clone(&pool.shared);
        drop(pool);
        assert!(
            within(|| Arc::strong_count(&shared) == 1),
            "the parked thread ended"
        );
    }
}
