//! How many connections are open, so that a draining server stops waiting for requests on them
//! as soon as none is left.

use std::sync::Arc;
use std::time::Duration;
use tokio::sync::watch;

/// The count of open connections, shared by the listener and the server's shutdown.
#[derive(Clone)]
pub struct OpenConnections(Arc<watch::Sender<usize>>);

impl Default for OpenConnections {
    fn default() -> Self {
        OpenConnections(Arc::new(watch::channel(0).0))
    }
}

impl OpenConnections {
    /// Waits until no connection is open, or `limit` has passed.
    pub async fn all_closed_or(&self, limit: Duration) {
        let mut count = self.0.subscribe();
        let _ = tokio::time::timeout(limit, count.wait_for(|n| *n == 0)).await;
    }
}

/// One open connection, counted until it is dropped.
pub struct OpenCount(OpenConnections);

impl OpenCount {
    pub fn new(open: &OpenConnections) -> Self {
        open.0.send_modify(|n| *n += 1);
        OpenCount(open.clone())
    }
}

impl Drop for OpenCount {
    fn drop(&mut self) {
        self.0.0.send_modify(|n| *n = n.saturating_sub(1));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn waiting_ends_when_the_last_connection_closes() {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        runtime.block_on(async {
            let open = OpenConnections::default();
            let one = OpenCount::new(&open);
            let two = OpenCount::new(&open);
            let started = tokio::time::Instant::now();
            let waiting = tokio::spawn({
                let open = open.clone();
                async move { open.all_closed_or(Duration::from_secs(20)).await }
            });
            drop(one);
            drop(two);
            waiting.await.unwrap();
            assert!(started.elapsed() < Duration::from_secs(20));
            // With one left open, only the limit ends it.
            let _three = OpenCount::new(&open);
            open.all_closed_or(Duration::from_millis(10)).await;
        });
    }
}
