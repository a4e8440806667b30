//! `LISTEN` on a connection of its own for the runs that become ready (migration 7's trigger
//! notifies when a run is `pending` with no lease), so idle nodes wake when there is work.

use super::connect::ConnectSpec;
use crate::error::{Result, StoreError};
use crate::ready::ReadyListener;
use postgres::Client;
use postgres::fallible_iterator::FallibleIterator;
use std::time::Duration;

/// The channel's name for the connection's schema; the trigger computes the same text, so
/// databases side by side in one server's schemas never wake each other.
const CHANNEL: &str = "SELECT 'sop_ready_' || left(md5(current_schema()), 16)";

pub struct PgListener {
    spec: ConnectSpec,
    /// `None` after a lost connection, until the next wait reconnects.
    client: Option<Client>,
}

impl PgListener {
    /// Listens from now on: a run made ready after this returns wakes the next wait.
    pub fn new(spec: ConnectSpec) -> Result<Self> {
        let mut listener = PgListener { spec, client: None };
        listener.listening()?;
        Ok(listener)
    }

    fn listening(&mut self) -> Result<&mut Client> {
        if self.client.is_none() {
            let mut client = self.spec.connect()?;
            let channel: String = client.query_one(CHANNEL, &[]).map_err(backend)?.get(0);
            client
                .batch_execute(&format!("LISTEN \"{channel}\""))
                .map_err(backend)?;
            self.client = Some(client);
        }
        Ok(self.client.as_mut().expect("connected just above"))
    }
}

fn backend(e: postgres::Error) -> StoreError {
    StoreError::Backend(format!("listening for ready runs: {e}").into())
}

impl ReadyListener for PgListener {
    fn wait(&mut self, timeout: Duration) -> Result<bool> {
        let heard = {
            let mut notifications = self.listening()?.notifications();
            let heard = notifications.timeout_iter(timeout).next();
            if let Ok(Some(_)) = heard {
                // One look serves every notification already received.
                let mut rest = notifications.iter();
                while let Ok(Some(_)) = rest.next() {}
            }
            heard
        };
        match heard {
            Ok(heard) => Ok(heard.is_some()),
            Err(e) => {
                self.client = None;
                Err(backend(e))
            }
        }
    }
}
