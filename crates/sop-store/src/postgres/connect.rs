//! From `SOP_DATABASE_URL` to a connection: the URL's parameters, TLS with rustls, and the
//! session settings every connection gets.
//!
//! TLS is used when the URL asks for it (`sslmode=require`, `verify-ca` or `verify-full`), and
//! then the server's certificate is always verified, against the system's roots and the CA file
//! in `sslrootcert` if given: stricter than libpq's `require`, which encrypts without checking
//! whom it talks to. Without `sslmode` (or with `disable`/`prefer`) the connection is plain.

use crate::error::{Result, StoreError};
use postgres::Client;
use postgres::config::SslMode;
use rustls::pki_types::CertificateDer;
use rustls::pki_types::pem::PemObject;
use std::path::PathBuf;
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

/// How long opening a connection may take unless the URL says (`connect_timeout`).
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// A parsed database URL, ready to open connections.
#[derive(Clone)]
pub struct ConnectSpec {
    config: postgres::Config,
    tls: Option<Arc<rustls::ClientConfig>>,
    /// The URL without its password, for messages.
    shown: String,
}

impl ConnectSpec {
    /// Parses `postgres://USER[:PASSWORD]@HOST[:PORT]/DB[?PARAMS]` (or `postgresql://`).
    /// PARAMS are libpq's that the client knows, plus `sslrootcert=PATH`.
    pub fn parse(url: &str) -> Result<Self> {
        let invalid = |reason: String| StoreError::InvalidLocation {
            url: redact(url),
            reason,
        };
        let (base, query) = url.split_once('?').unwrap_or((url, ""));
        let mut kept = Vec::new();
        let mut root_cert = None;
        let mut verify = false;
        for pair in query.split('&').filter(|p| !p.is_empty()) {
            let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
            match (key, value) {
                ("sslrootcert", path) => root_cert = Some(PathBuf::from(percent_decode(path))),
                // Verification is what sop does whenever it uses TLS.
                ("sslmode", "verify-ca" | "verify-full") => {
                    verify = true;
                    kept.push("sslmode=require".to_owned());
                }
                _ => kept.push(pair.to_owned()),
            }
        }
        let rebuilt = if kept.is_empty() {
            base.to_owned()
        } else {
            format!("{base}?{}", kept.join("&"))
        };
        let mut config =
            postgres::Config::from_str(&rebuilt).map_err(|e| invalid(e.to_string()))?;
        if config.get_dbname().is_none() {
            return Err(invalid(
                "name the database, e.g. postgres://sop@db.example:5432/sop".into(),
            ));
        }
        if config.get_user().is_none() {
            return Err(invalid(
                "name the user, e.g. postgres://sop@db.example:5432/sop".into(),
            ));
        }
        if config.get_connect_timeout().is_none() {
            config.connect_timeout(CONNECT_TIMEOUT);
        }
        if config.get_application_name().is_none() {
            config.application_name("sop");
        }
        let tls = match config.get_ssl_mode() {
            SslMode::Require => Some(Arc::new(tls_config(root_cert.as_ref()).map_err(invalid)?)),
            _ if verify || root_cert.is_some() => {
                return Err(invalid(
                    "sslrootcert needs sslmode=require (or verify-full)".into(),
                ));
            }
            _ => {
                // No TLS connector: `prefer` would only fall back to plain text anyway.
                config.ssl_mode(SslMode::Disable);
                None
            }
        };
        Ok(ConnectSpec {
            config,
            tls,
            shown: redact(url),
        })
    }

    /// The URL without its password.
    pub fn shown(&self) -> &str {
        &self.shown
    }

    /// Opens one connection and applies the session settings.
    pub fn connect(&self) -> Result<Client> {
        let client = match &self.tls {
            Some(tls) => self
                .config
                .connect(tokio_postgres_rustls::MakeRustlsConnect::new(
                    (**tls).clone(),
                )),
            None => self.config.connect(postgres::NoTls),
        };
        client.map_err(|e| {
            // The client's message alone says only "error performing TLS handshake"; the
            // causes say why (an unknown issuer, a name mismatch, a refused connection).
            let mut message = format!("cannot connect to {}: {e}", self.shown);
            let mut cause = std::error::Error::source(&e);
            while let Some(c) = cause {
                message.push_str(&format!(": {c}"));
                cause = c.source();
            }
            StoreError::Backend(message.into())
        })
    }
}

/// A rustls client configuration trusting the system's roots and the CA file, if given.
fn tls_config(root_cert: Option<&PathBuf>) -> std::result::Result<rustls::ClientConfig, String> {
    let mut roots = rustls::RootCertStore::empty();
    // Unreadable system certificates are skipped: a CA file may still be all that is needed.
    let native = rustls_native_certs::load_native_certs();
    roots.add_parsable_certificates(native.certs);
    if let Some(path) = root_cert {
        let certs = CertificateDer::pem_file_iter(path)
            .and_then(|certs| certs.collect::<std::result::Result<Vec<_>, _>>())
            .map_err(|e| format!("cannot read sslrootcert {}: {e}", path.display()))?;
        let (added, _) = roots.add_parsable_certificates(certs);
        if added == 0 {
            return Err(format!(
                "sslrootcert {} holds no certificate",
                path.display()
            ));
        }
    }
    if roots.is_empty() {
        return Err("no CA certificates to verify the server with; set sslrootcert=PATH".into());
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    Ok(rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| e.to_string())?
        .with_root_certificates(roots)
        .with_no_client_auth())
}

/// `%XX` escapes decoded; anything malformed is kept as it is.
fn percent_decode(text: &str) -> String {
    percent_encoding::percent_decode_str(text)
        .decode_utf8_lossy()
        .into_owned()
}

/// The URL with its password replaced by `***`.
pub fn redact(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_owned();
    };
    let end = rest.find(['/', '?']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(end);
    match authority.rsplit_once('@') {
        Some((userinfo, host)) => match userinfo.split_once(':') {
            Some((user, _)) => format!("{scheme}://{user}:***@{host}{tail}"),
            None => url.to_owned(),
        },
        None => url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_never_show() {
        assert_eq!(
            redact("postgres://sop:s3cret@db:5432/sop?sslmode=require"),
            "postgres://sop:***@db:5432/sop?sslmode=require"
        );
        assert_eq!(redact("postgres://sop@db/sop"), "postgres://sop@db/sop");
        let err = ConnectSpec::parse("postgres://sop:s3cret@db:5432/sop?nonsense=1")
            .err()
            .unwrap()
            .to_string();
        assert!(!err.contains("s3cret"), "{err}");
    }

    #[test]
    fn a_url_names_user_and_database() {
        assert!(ConnectSpec::parse("postgres://sop@db:5432/sop").is_ok());
        assert!(ConnectSpec::parse("postgresql://sop@db/sop?options=-csearch_path%3Dx").is_ok());
        let no_db = ConnectSpec::parse("postgres://sop@db:5432").err().unwrap();
        assert!(no_db.to_string().contains("name the database"), "{no_db}");
        let no_user = ConnectSpec::parse("postgres://db:5432/sop").err().unwrap();
        assert!(no_user.to_string().contains("name the user"), "{no_user}");
    }

    #[test]
    fn tls_is_used_only_when_asked_for_and_then_verified() {
        let plain = ConnectSpec::parse("postgres://sop@db/sop").unwrap();
        assert!(plain.tls.is_none());
        let err =
            ConnectSpec::parse("postgres://sop@db/sop?sslmode=require&sslrootcert=/nonexistent")
                .err()
                .unwrap();
        assert!(err.to_string().contains("cannot read sslrootcert"), "{err}");
        let err = ConnectSpec::parse("postgres://sop@db/sop?sslrootcert=/x.pem")
            .err()
            .unwrap();
        assert!(err.to_string().contains("needs sslmode=require"), "{err}");
        assert_eq!(percent_decode("/a%20b/c%2"), "/a b/c%2");
    }
}
