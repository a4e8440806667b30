//! A private schema of the test PostgreSQL database for one test: `SOP_TEST_DATABASE_URL`, else
//! `postgres://postgres@127.0.0.1:5432/test`. Unreachable, the test fails rather than skips: a
//! skipped backend would pass for a tested one.
#![allow(dead_code)]

use crate::suite::TestDb;
use sop_store::{PostgresStore, Store, StoreOptions};

/// The server the tests use.
pub fn server_url() -> String {
    std::env::var("SOP_TEST_DATABASE_URL")
        .ok()
        .filter(|u| !u.trim().is_empty())
        .unwrap_or_else(|| "postgres://postgres@127.0.0.1:5432/test".into())
}

/// One schema of the test database, private to one test; its URL sets `search_path` to it.
pub struct PgSchema {
    server: String,
    name: String,
    url: String,
}

impl PgSchema {
    pub fn name(&self) -> &str {
        &self.name
    }

    pub fn url(&self) -> &str {
        &self.url
    }

    /// A plain connection into this schema, for looking behind the store's back.
    pub fn client(&self) -> postgres::Client {
        let mut client = admin(&self.server);
        client
            .batch_execute(&format!("SET search_path = {}", self.name))
            .unwrap();
        client
    }
}

fn admin(server: &str) -> postgres::Client {
    postgres::Client::connect(server, postgres::NoTls).unwrap_or_else(|e| {
        panic!(
            "PostgreSQL is not reachable at {server} ({e}); the store tests need it: start it, \
             or point SOP_TEST_DATABASE_URL at one"
        )
    })
}

impl TestDb for PgSchema {
    fn open(&self, options: StoreOptions) -> Box<dyn Store> {
        Box::new(PostgresStore::open_with(&self.url, options).unwrap())
    }
}

impl Drop for PgSchema {
    fn drop(&mut self) {
        // Best effort: a leftover schema of a crashed test is harmless, its name is random.
        if let Ok(mut client) = postgres::Client::connect(&self.server, postgres::NoTls) {
            let _ = client.batch_execute(&format!("DROP SCHEMA IF EXISTS {} CASCADE", self.name));
        }
    }
}

/// A new, empty schema.
pub fn pg_schema() -> PgSchema {
    let server = server_url();
    let name = format!("t_{:016x}", rand::random::<u64>());
    admin(&server)
        .batch_execute(&format!("CREATE SCHEMA {name}"))
        .unwrap();
    let sep = if server.contains('?') { '&' } else { '?' };
    let url = format!("{server}{sep}options=-csearch_path%3D{name}");
    PgSchema { server, name, url }
}
