//! Group leaders made ahead for a long-lived process (the server): a new run's first attempt
//! takes one instead of starting `sh` inside the transaction that starts the run, so a webhook,
//! an event or a cron tick reaches its first step sooner. A background thread keeps the pool
//! filled; dropping the last handle stops it and ends the leaders it still holds.

use super::group_leader::GroupLeader;
use super::program::RunProgram;
use std::path::Path;
use std::sync::{Arc, Condvar, Mutex, MutexGuard};

/// A handle to the pool; the pool and its thread live as long as the handle.
#[derive(Debug)]
pub struct LeaderPool {
    shared: Arc<Shared>,
}

#[derive(Debug, Default)]
struct Shared {
    state: Mutex<State>,
    changed: Condvar,
}

#[derive(Debug, Default)]
struct State {
    spare: Vec<GroupLeader>,
    closed: bool,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }
}

impl LeaderPool {
    /// Starts a pool keeping `size` leaders ready; `None` when its thread cannot start (each
    /// attempt then starts its own leader, as without a pool).
    pub fn start(size: usize) -> Option<LeaderPool> {
        let shared = Arc::new(Shared::default());
        let filler = Arc::clone(&shared);
        std::thread::Builder::new()
            .name("sop-leaders".into())
            .spawn(move || fill(&filler, size.max(1)))
            .ok()?;
        Some(LeaderPool { shared })
    }

    /// A leader made ahead, if one is ready.
    pub fn take(&self) -> Option<GroupLeader> {
        let leader = self.shared.lock().spare.pop();
        self.shared.changed.notify_one();
        leader
    }
}

impl Drop for LeaderPool {
    fn drop(&mut self) {
        let spare = {
            let mut state = self.shared.lock();
            state.closed = true;
            std::mem::take(&mut state.spare)
        };
        self.shared.changed.notify_one();
        drop(spare);
    }
}

/// Keeps `size` leaders ready until the pool is closed. A leader that cannot be started is not
/// retried in a loop: the thread waits for the next take.
fn fill(shared: &Shared, size: usize) {
    let mut state = shared.lock();
    loop {
        if state.closed {
            return;
        }
        if state.spare.len() >= size {
            state = shared
                .changed
                .wait(state)
                .unwrap_or_else(|e| e.into_inner());
            continue;
        }
        drop(state);
        // `sh`, looked up only where a bare leader cannot be made.
        let leader = GroupLeader::start(|| RunProgram::new(&[], Path::new("/"), &[]).find("sh"));
        state = shared.lock();
        match leader {
            Ok(leader) if !state.closed => state.spare.push(leader),
            Ok(_) => return,
            // Attempts then start their own leaders, and report it if they cannot either.
            Err(_) => {
                state = shared
                    .changed
                    .wait(state)
                    .unwrap_or_else(|e| e.into_inner());
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_taken_leader_leads_its_own_group_and_is_replaced() {
        let pool = LeaderPool::start(1).expect("the pool's thread");
        let first = loop {
            if let Some(l) = pool.take() {
                break l;
            }
            std::thread::yield_now();
        };
        assert!(first.pgid() > 1);
        let second = loop {
            if let Some(l) = pool.take() {
                break l;
            }
            std::thread::yield_now();
        };
        assert_ne!(first.pgid(), second.pgid(), "each take is a new group");
    }
}
