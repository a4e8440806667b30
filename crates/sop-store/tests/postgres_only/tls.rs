//! TLS: `sslmode=require` negotiates TLS with rustls and verifies the server's certificate; a
//! server whose certificate no trusted CA signed (the test server's self-signed one) is refused.

use crate::pg_schema::server_url;
use sop_store::{PostgresStore, Queries, StoreError};

#[test]
fn require_verifies_the_certificate_and_refuses_an_unknown_one() {
    let server = server_url();
    let sep = if server.contains('?') { '&' } else { '?' };
    let err = PostgresStore::open(&format!("{server}{sep}sslmode=require"))
        .err()
        .unwrap();
    assert!(matches!(err, StoreError::Backend(_)), "{err:?}");
    let message = err.to_string();
    assert!(message.contains("cannot connect to"), "{message}");
    assert!(message.contains("TLS handshake"), "{message}");
    assert!(message.contains("certificate"), "{message}");
}

#[test]
fn a_server_trusted_through_sslrootcert_is_reached_over_tls() {
    let server = server_url();
    let mut admin = postgres::Client::connect(&server, postgres::NoTls).unwrap();
    let cert: String = admin.query_one("SHOW ssl_cert_file", &[]).unwrap().get(0);
    // The test server's certificate names `localhost`; trusting it as its own CA is enough.
    let db = crate::pg_schema::pg_schema();
    let app = format!("sop_tls_{:08x}", rand::random::<u32>());
    let url = format!(
        "{}&sslmode=verify-full&sslrootcert={cert}&application_name={app}",
        db.url().replace("127.0.0.1", "localhost")
    );
    let store = PostgresStore::open(&url).unwrap();
    assert!(store.list_runs(&Default::default()).unwrap().is_empty());
    let encrypted: i64 = admin
        .query_one(
            "SELECT count(*) FROM pg_stat_ssl JOIN pg_stat_activity USING (pid) \
             WHERE ssl AND application_name = $1",
            &[&app],
        )
        .unwrap()
        .get(0);
    assert_eq!(encrypted, 1, "the store's one connection uses TLS");
}
