//! A private schema of the test PostgreSQL database for one sandbox: `SOP_TEST_DATABASE_URL`,
//! else `postgres://postgres@127.0.0.1:5432/test`. Unreachable, the test fails rather than skips.

/// The schema, dropped with the sandbox that owns it.
pub struct PgSchema {
    server: String,
    pub name: String,
    /// `SOP_DATABASE_URL` for this schema (its `search_path`).
    pub url: String,
}

fn server_url() -> String {
    std::env::var("SOP_TEST_DATABASE_URL")
        .ok()
        .filter(|u| !u.trim().is_empty())
        .unwrap_or_else(|| "postgres://postgres@127.0.0.1:5432/test".into())
}

fn connect(server: &str) -> postgres::Client {
    postgres::Client::connect(server, postgres::NoTls).unwrap_or_else(|e| {
        panic!(
            "PostgreSQL is not reachable at {server} ({e}); these tests need it: start it, or \
             point SOP_TEST_DATABASE_URL at one"
        )
    })
}

impl PgSchema {
    pub fn create() -> Self {
        let server = server_url();
        let name = format!("cli_{:016x}", rand::random::<u64>());
        connect(&server)
            .batch_execute(&format!("CREATE SCHEMA {name}"))
            .unwrap();
        let sep = if server.contains('?') { '&' } else { '?' };
        let url = format!("{server}{sep}options=-csearch_path%3D{name}");
        PgSchema { server, name, url }
    }

    /// A plain connection into the schema, to look behind sop's back.
    pub fn client(&self) -> postgres::Client {
        let mut client = connect(&self.server);
        client
            .batch_execute(&format!("SET search_path = {}", self.name))
            .unwrap();
        client
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
