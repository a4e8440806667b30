//! Where the database lives: `SOP_DATABASE_URL`, else the XDG state directory.

use crate::error::{Result, StoreError};
use std::fmt;
use std::path::{Path, PathBuf};

/// A resolved database location.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Location {
    /// `sqlite::memory:` — private to one connection, gone when it closes (tests).
    Memory,
    /// A SQLite file.
    File(PathBuf),
    /// A PostgreSQL database: the URL as given (`postgres://USER@HOST:PORT/DB?...`), checked.
    Postgres(String),
}

impl Location {
    /// Resolves from the environment's values, given explicitly so every branch is testable:
    /// `url` (`SOP_DATABASE_URL`), else `$XDG_STATE_HOME/sop/sop.db`, else
    /// `$HOME/.local/state/sop/sop.db`. Empty values count as unset; a relative XDG_STATE_HOME
    /// is ignored, as the XDG specification says.
    pub fn resolve(
        url: Option<&str>,
        xdg_state_home: Option<&str>,
        home: Option<&str>,
    ) -> Result<Self> {
        if let Some(url) = url.filter(|u| !u.trim().is_empty()) {
            return Self::parse_url(url.trim());
        }
        if let Some(xdg) = xdg_state_home.filter(|x| Path::new(x).is_absolute()) {
            return Ok(Location::File(Path::new(xdg).join("sop").join("sop.db")));
        }
        match home.filter(|h| !h.is_empty()) {
            Some(home) => Ok(Location::File(
                Path::new(home).join(".local/state/sop/sop.db"),
            )),
            None => Err(StoreError::InvalidLocation {
                url: String::new(),
                reason: "neither SOP_DATABASE_URL, XDG_STATE_HOME nor HOME is set; set SOP_DATABASE_URL=sqlite:/path/to/sop.db".into(),
            }),
        }
    }

    /// [`Location::resolve`] with the process's environment.
    pub fn from_env() -> Result<Self> {
        let var = |name| std::env::var(name).ok();
        Self::resolve(
            var("SOP_DATABASE_URL").as_deref(),
            var("XDG_STATE_HOME").as_deref(),
            var("HOME").as_deref(),
        )
    }

    /// Parses `sqlite:PATH`, `sqlite://PATH`, `sqlite::memory:`, or `postgres://…` (also
    /// `postgresql://`), whose parameters are checked here so a bad URL fails before connecting.
    pub fn parse_url(url: &str) -> Result<Self> {
        let invalid = |reason: &str| StoreError::InvalidLocation {
            url: url.to_owned(),
            reason: reason.to_owned(),
        };
        let Some((scheme, rest)) = url.split_once(':') else {
            return Err(invalid(
                "expected a URL such as sqlite:/var/lib/sop/sop.db or sqlite::memory:",
            ));
        };
        match scheme.to_ascii_lowercase().as_str() {
            "sqlite" => {}
            "postgres" | "postgresql" => {
                crate::postgres::ConnectSpec::parse(url)?;
                return Ok(Location::Postgres(url.to_owned()));
            }
            _ => {
                return Err(invalid(
                    "unsupported scheme; use sqlite:PATH or postgres://USER@HOST:PORT/DB",
                ));
            }
        }
        if rest == ":memory:" {
            return Ok(Location::Memory);
        }
        let path = rest.strip_prefix("//").unwrap_or(rest);
        let path = path.split_once('?').map_or(path, |(p, _)| p);
        if path.is_empty() {
            return Err(invalid("the path is empty; use sqlite:/path/to/sop.db"));
        }
        Ok(Location::File(PathBuf::from(path)))
    }
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Location::Memory => f.write_str("sqlite::memory:"),
            Location::File(p) => write!(f, "sqlite:{}", p.display()),
            Location::Postgres(url) => f.write_str(&crate::postgres::connect::redact(url)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(p: &str) -> Location {
        Location::File(PathBuf::from(p))
    }

    #[test]
    fn url_wins_over_everything() {
        let loc = Location::resolve(Some("sqlite:/tmp/x.db"), Some("/state"), Some("/home/a"));
        assert_eq!(loc.unwrap(), file("/tmp/x.db"));
        assert_eq!(
            Location::resolve(Some("sqlite::memory:"), None, None).unwrap(),
            Location::Memory
        );
        assert_eq!(
            Location::parse_url("sqlite:///var/sop.db?mode=rwc").unwrap(),
            file("/var/sop.db")
        );
        assert_eq!(
            Location::parse_url("sqlite:rel/sop.db").unwrap(),
            file("rel/sop.db")
        );
    }

    #[test]
    fn falls_back_to_xdg_then_home() {
        assert_eq!(
            Location::resolve(None, Some("/state"), Some("/home/a")).unwrap(),
            file("/state/sop/sop.db")
        );
        assert_eq!(
            Location::resolve(Some(""), Some(""), Some("/home/a")).unwrap(),
            file("/home/a/.local/state/sop/sop.db")
        );
        assert_eq!(
            Location::resolve(None, Some("relative"), Some("/home/a")).unwrap(),
            file("/home/a/.local/state/sop/sop.db")
        );
        assert!(Location::resolve(None, None, None).is_err());
    }

    #[test]
    fn postgres_urls_name_a_postgres_location_shown_without_password() {
        for url in [
            "postgres://sop@db:5432/sop",
            "postgresql://sop:pw@db/sop?sslmode=disable",
        ] {
            assert_eq!(
                Location::parse_url(url).unwrap(),
                Location::Postgres(url.into())
            );
        }
        let loc = Location::resolve(Some(" postgres://sop:pw@db/sop "), None, None).unwrap();
        assert_eq!(loc.to_string(), "postgres://sop:***@db/sop");
    }

    #[test]
    fn bad_urls_say_what_to_use() {
        let err = Location::parse_url("postgres://db/sop")
            .unwrap_err()
            .to_string();
        assert_eq!(
            err,
            "invalid database location `postgres://db/sop`: name the user, e.g. postgres://sop@db.example:5432/sop"
        );
        let err = Location::parse_url("mysql://db/sop")
            .unwrap_err()
            .to_string();
        assert!(err.contains("postgres://USER@HOST:PORT/DB"), "{err}");
        assert!(Location::parse_url("/just/a/path").is_err());
        assert!(Location::parse_url("sqlite:").is_err());
        assert_eq!(file("/a b").to_string(), "sqlite:/a b");
    }
}
