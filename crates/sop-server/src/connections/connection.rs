//! One accepted connection's state, shared by its socket and the requests it carries: whether a
//! request is being handled, when the head of the next one began to arrive, and when the
//! connection last moved. The socket reads its deadline from it; the request layer marks the
//! handling.

use super::HttpTimeouts;
use std::sync::{Arc, Mutex, PoisonError};
use tokio::time::Instant;

/// A handle on one connection's state; requests find it among their extensions
/// (`ConnectInfo<Connection>`).
#[derive(Clone, Debug)]
pub struct Connection(Arc<Mutex<State>>);

#[derive(Debug)]
struct State {
    /// A request is being handled: its body and its handler have their own limits.
    handling: bool,
    /// When the first byte of a request not yet handled arrived.
    head_began: Option<Instant>,
    /// The last time bytes went either way, or a request was answered.
    last_moved: Instant,
    /// A request was answered and reading has not since found the socket empty: what is read
    /// now is what came before (the rest of a body its handler did not read, which hyper
    /// drains at once), not the head of a next request.
    answered: bool,
}

/// Which limit a deadline is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Limit {
    /// Nothing of a next request came: the connection is closed quietly.
    Idle,
    /// A request's head began and did not end in time.
    Head,
}

impl Connection {
    pub fn new() -> Self {
        Connection(Arc::new(Mutex::new(State {
            handling: false,
            head_began: None,
            last_moved: Instant::now(),
            answered: false,
        })))
    }

    /// Marks a request as handled until the guard is dropped (its answer returned, or the
    /// request abandoned).
    pub fn handling(&self) -> Handling {
        let mut state = self.lock();
        state.handling = true;
        state.head_began = None;
        Handling(self.clone())
    }

    /// Bytes arrived: between requests, the head of the next one has begun.
    pub fn received(&self, now: Instant) {
        let mut state = self.lock();
        if !state.handling && !state.answered && state.head_began.is_none() {
            state.head_began = Some(now);
        }
        state.last_moved = now;
    }

    /// Bytes went out (an answer streamed after its handler returned keeps the connection busy).
    pub fn sent(&self, now: Instant) {
        self.lock().last_moved = now;
    }

    /// When reading must have brought something, and which limit that is; none while a request
    /// is handled.
    pub fn deadline(&self, limits: &HttpTimeouts) -> Option<(Instant, Limit)> {
        deadline_of(&self.lock(), limits)
    }

    /// [`Connection::deadline`] for a reader that found nothing to read: whatever comes next
    /// is new.
    pub fn read_pending(&self, limits: &HttpTimeouts) -> Option<(Instant, Limit)> {
        let mut state = self.lock();
        state.answered = false;
        deadline_of(&state, limits)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        // The state is a few plain values, whole after any panic.
        self.0.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

fn deadline_of(state: &State, limits: &HttpTimeouts) -> Option<(Instant, Limit)> {
    if state.handling {
        return None;
    }
    Some(match state.head_began {
        Some(began) => (began + limits.head, Limit::Head),
        None => (state.last_moved + limits.idle, Limit::Idle),
    })
}

/// A request being handled on a connection; dropping it ends the handling.
pub struct Handling(Connection);

impl Drop for Handling {
    fn drop(&mut self) {
        let mut state = self.0.lock();
        state.handling = false;
        state.answered = true;
        state.last_moved = Instant::now();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn the_deadline_follows_the_request_through_the_connection() {
        let limits = HttpTimeouts {
            idle: Duration::from_secs(75),
            head: Duration::from_secs(20),
            body: Duration::from_secs(30),
            drain: Duration::from_secs(1),
        };
        let c = Connection::new();
        let (at, limit) = c.deadline(&limits).unwrap();
        assert_eq!(limit, Limit::Idle);
        let now = Instant::now();
        c.received(now);
        assert_eq!(c.deadline(&limits), Some((now + limits.head, Limit::Head)));
        // Later bytes of the same head do not move its deadline.
        c.received(now + Duration::from_secs(5));
        assert_eq!(c.deadline(&limits), Some((now + limits.head, Limit::Head)));
        let handling = c.handling();
        assert_eq!(c.deadline(&limits), None);
        c.received(now + Duration::from_secs(6));
        assert_eq!(c.deadline(&limits), None, "body bytes");
        drop(handling);
        let (next, limit) = c.deadline(&limits).unwrap();
        assert_eq!(limit, Limit::Idle);
        assert!(next > at);
        // The rest of a body the handler left, read before the socket is found empty, is not
        // the head of a next request...
        c.received(Instant::now());
        assert_eq!(c.deadline(&limits).map(|(_, l)| l), Some(Limit::Idle));
        // ...what comes after is.
        assert_eq!(c.read_pending(&limits).map(|(_, l)| l), Some(Limit::Idle));
        c.received(Instant::now());
        assert_eq!(c.deadline(&limits).map(|(_, l)| l), Some(Limit::Head));
    }
}
