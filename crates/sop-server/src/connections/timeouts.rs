//! How long a connection may take over each part of a request, and how long the connections
//! open when the server starts draining are kept: defaults a deployment behind a load balancer
//! expects, each overridable by a setting (for a slow link, or a test that cannot wait).

use sop_engine::Settings;
use std::time::Duration;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HttpTimeouts {
    /// A connection with no request under way is closed after this long. Longer than the 60 s
    /// idle timeout of common load balancers, so that they close first and never send a
    /// request into a connection this server is closing.
    pub idle: Duration,
    /// From the first byte of a request to the end of its head (request line and headers).
    pub head: Duration,
    /// From the end of a request's head to the last byte of its body.
    pub body: Duration,
    /// How long the connections open when the server starts draining are kept (each request
    /// on them answered `503` `draining`, `Connection: close`) before idle ones are closed.
    pub drain: Duration,
}

impl Default for HttpTimeouts {
    fn default() -> Self {
        HttpTimeouts {
            idle: Duration::from_secs(75),
            head: Duration::from_secs(20),
            body: Duration::from_secs(30),
            drain: Duration::from_secs(1),
        }
    }
}

impl HttpTimeouts {
    /// The defaults, with `SOP_HTTP_IDLE_TIMEOUT`, `SOP_HTTP_HEADER_TIMEOUT`,
    /// `SOP_HTTP_BODY_TIMEOUT` and `SOP_HTTP_DRAIN_WINDOW` where set (durations such as `20s`
    /// or `500ms`).
    pub fn from_settings(settings: &Settings) -> sop_engine::Result<Self> {
        let mut out = HttpTimeouts::default();
        for (name, field, may_be_zero) in [
            ("SOP_HTTP_IDLE_TIMEOUT", &mut out.idle, false),
            ("SOP_HTTP_HEADER_TIMEOUT", &mut out.head, false),
            ("SOP_HTTP_BODY_TIMEOUT", &mut out.body, false),
            ("SOP_HTTP_DRAIN_WINDOW", &mut out.drain, true),
        ] {
            let Some(text) = settings.var(name) else {
                continue;
            };
            let value: sop_core::Duration = text
                .parse()
                .map_err(|e| sop_engine::Error::invalid(format!("invalid {name}: {e}")))?;
            if value.as_millis() == 0 && !may_be_zero {
                return Err(sop_engine::Error::invalid(format!(
                    "invalid {name}: 0 would close every connection at once; give a duration such as \"20s\""
                )));
            }
            *field = value.as_std();
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings(vars: &[(&str, &str)]) -> Settings {
        let vars = vars.iter().map(|(k, v)| (k.to_string(), v.to_string()));
        Settings::from_vars(None, vars)
    }

    #[test]
    fn defaults_and_settings() {
        assert_eq!(
            HttpTimeouts::from_settings(&settings(&[])).unwrap(),
            HttpTimeouts::default()
        );
        let set = HttpTimeouts::from_settings(&settings(&[
            ("SOP_HTTP_HEADER_TIMEOUT", "250ms"),
            ("SOP_HTTP_DRAIN_WINDOW", "0s"),
        ]))
        .unwrap();
        assert_eq!(set.head, Duration::from_millis(250));
        assert_eq!(set.drain, Duration::ZERO);
        assert_eq!(set.body, HttpTimeouts::default().body);
        let zero = HttpTimeouts::from_settings(&settings(&[("SOP_HTTP_BODY_TIMEOUT", "0s")]));
        assert!(
            zero.unwrap_err()
                .to_string()
                .contains("SOP_HTTP_BODY_TIMEOUT")
        );
        let bad = HttpTimeouts::from_settings(&settings(&[("SOP_HTTP_IDLE_TIMEOUT", "soon")]));
        assert!(
            bad.unwrap_err()
                .to_string()
                .contains("SOP_HTTP_IDLE_TIMEOUT")
        );
    }
}
