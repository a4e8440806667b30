//! `sop serve`: the HTTP API, webhook triggers and the web console. Prints `listening on
//! http://ADDR` (the real port, so `--listen 127.0.0.1:0` works for scripts) and the console's
//! address, and serves until SIGTERM or SIGINT.

use crate::config::Context;
use crate::exit::{Exit, Fail};
use sop_server::{LogFormat, ServerConfig, ServerError};
use std::io::IsTerminal as _;

#[derive(clap::Args)]
pub struct Args {
    /// The address to listen on: IP:PORT, localhost:PORT or a port alone (on 127.0.0.1); port 0
    /// picks a free one (default: $SOP_LISTEN, else 127.0.0.1:8080).
    #[arg(long, value_name = "ADDR")]
    pub listen: Option<String>,

    /// Runs driven at once; more wait as pending, in creation order (default: $SOP_WORKERS,
    /// else 32).
    #[arg(long, value_name = "N")]
    pub workers: Option<usize>,

    /// How long running steps get to finish when the server is stopped, e.g. 30s.
    #[arg(long, value_name = "DURATION", default_value = "30s")]
    pub shutdown_grace: String,

    /// Log lines as `text` or `json` (default: text on a terminal, json otherwise).
    #[arg(long, value_name = "FORMAT", value_parser = ["text", "json"])]
    pub log_format: Option<String>,

    /// Listen on a non-loopback address although no API token is configured.
    #[arg(long)]
    pub insecure: bool,

    /// Serve /metrics without a token.
    #[arg(long)]
    pub metrics_public: bool,
}

pub fn run(ctx: &Context, args: Args) -> anyhow::Result<Exit> {
    let settings = &ctx.settings;
    let listen = args
        .listen
        .or_else(|| settings.var("SOP_LISTEN").map(str::to_string))
        .unwrap_or_else(|| "127.0.0.1:8080".to_string());
    let listen = listen_addr(&listen).ok_or_else(|| {
        Fail::invalid(format!(
            "--listen `{listen}` is not an address such as 127.0.0.1:8080, localhost:8080 or [::1]:8080 (0.0.0.0:8080 for every interface)"
        ))
    })?;
    let workers = match (args.workers, settings.var("SOP_WORKERS")) {
        (Some(n), _) => n,
        (None, Some(v)) => v
            .trim()
            .parse()
            .map_err(|_| Fail::invalid(format!("SOP_WORKERS `{v}` is not a number")))?,
        (None, None) => 32,
    };
    let grace: sop_core::Duration = args
        .shutdown_grace
        .parse()
        .map_err(|e| Fail::invalid(format!("--shutdown-grace: {e}")))?;
    let format = match args.log_format.as_deref() {
        Some("json") => LogFormat::Json,
        Some(_) => LogFormat::Text,
        None if std::io::stderr().is_terminal() => LogFormat::Text,
        None => LogFormat::Json,
    };
    sop_server::logging::init(format, settings.var("SOP_LOG"));
    let config = ServerConfig {
        listen,
        workers,
        shutdown_grace: grace.as_std(),
        insecure: args.insecure,
        metrics_public: args.metrics_public,
    };
    let service = ctx.service()?;
    let bound = sop_server::bind(service, config).map_err(|e| match e {
        // As `sop list` says of them: bad input, exit 2.
        ServerError::SopDir(_) | ServerError::NoWorkers => Fail::invalid(e.to_string()),
        e => e.into(),
    })?;
    eprintln!("listening on http://{}", bound.local_addr());
    eprintln!("web console: open http://{}/", bound.local_addr());
    bound.serve()?;
    Ok(Exit::Success)
}

/// `--listen`'s address: an IP address and port, `localhost:PORT` (the IPv4 loopback), or a
/// bare port (on the loopback too). Nothing is looked up: a name other than `localhost` is
/// refused rather than bound wherever a resolver says.
fn listen_addr(text: &str) -> Option<std::net::SocketAddr> {
    let text = text.trim();
    if let Ok(addr) = text.parse() {
        return Some(addr);
    }
    let loopback = |port: &str| {
        port.parse::<u16>()
            .ok()
            .map(|p| std::net::SocketAddr::from(([127, 0, 0, 1], p)))
    };
    match text.rsplit_once(':') {
        Some((host, port)) if host.eq_ignore_ascii_case("localhost") => loopback(port),
        Some(_) => None,
        None => loopback(text),
    }
}

#[cfg(test)]
mod tests {
    use super::listen_addr;

    #[test]
    fn listen_takes_addresses_localhost_and_a_bare_port() {
        let addr = |t| listen_addr(t).map(|a| a.to_string());
        assert_eq!(addr("127.0.0.1:8080").as_deref(), Some("127.0.0.1:8080"));
        assert_eq!(addr("[::1]:0").as_deref(), Some("[::1]:0"));
        assert_eq!(addr("0.0.0.0:80").as_deref(), Some("0.0.0.0:80"));
        assert_eq!(addr("localhost:9000").as_deref(), Some("127.0.0.1:9000"));
        assert_eq!(addr("LOCALHOST:0").as_deref(), Some("127.0.0.1:0"));
        assert_eq!(addr(" 8080 ").as_deref(), Some("127.0.0.1:8080"));
        for refused in [
            ":8080",
            "example.com:80",
            "localhost",
            "localhost:99999",
            "nowhere",
            "",
        ] {
            assert_eq!(addr(refused), None, "{refused}");
        }
    }
}
