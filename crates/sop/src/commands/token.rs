//! `sop token create|list|revoke`: per-person API tokens for `sop serve`. A created token is
//! printed once; the store keeps only its hash.

use crate::config::Context;
use crate::exit::{Exit, Fail};
use crate::render::json;
use chrono::SecondsFormat;
use sop_engine::Caller;
use sop_engine::api_tokens::Scope;
use sop_engine::engine::identity;
use sop_engine::ops::NewTokenRequest;
use sop_store::ApiToken;

#[derive(clap::Args)]
pub struct Args {
    #[command(subcommand)]
    pub action: Action,
}

#[derive(clap::Subcommand)]
pub enum Action {
    /// Create a token for USER; it is printed once, on standard output.
    Create {
        /// The person the token acts for: the actor of every request made with it.
        user: String,
        /// What it may do: read (GET), run (start and steer runs, facts), approve (decide
        /// gates), admin (tokens; includes the others). Comma-separated.
        #[arg(long, value_name = "SCOPES", default_value = "read")]
        scopes: String,
        /// Expire after this long, e.g. 90d (default: never).
        #[arg(long, value_name = "DURATION")]
        expires: Option<String>,
    },
    /// List tokens (never their secrets).
    List {
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Revoke a token by its id; requests made with it are refused from now on.
    Revoke {
        /// The id `sop token list` shows.
        id: String,
    },
}

pub fn run(ctx: &Context, args: Args) -> anyhow::Result<Exit> {
    let service = ctx.service()?;
    let caller = Caller::quiet(identity::who(&ctx.settings, None)?);
    match args.action {
        Action::Create {
            user,
            scopes,
            expires,
        } => {
            let scopes = Scope::parse_list(&scopes)
                .map_err(|e| Fail::invalid(format!("--scopes: {}", e.message)))?;
            let expires_in = expires
                .map(|e| e.parse::<sop_core::Duration>())
                .transpose()
                .map_err(|e| Fail::invalid(format!("--expires: {e}")))?;
            let created = service.create_api_token(
                &caller,
                &NewTokenRequest {
                    user,
                    scopes,
                    expires_in,
                },
            )?;
            eprintln!(
                "created token {} for {} ({}); it is shown once, here:",
                created.token.id,
                created.token.user,
                describe(&created.token)
            );
            println!("{}", created.secret);
            Ok(Exit::Success)
        }
        Action::List { json: as_json } => {
            let tokens = service.api_tokens()?;
            if as_json {
                json::print(&serde_json::to_value(&tokens)?)?;
            } else if tokens.is_empty() {
                println!("No API tokens; `sop token create USER` makes one.");
            } else {
                let now = service.clock().now();
                for t in &tokens {
                    let state = if t.revoked_at.is_some() {
                        "revoked"
                    } else if !t.is_live(now) {
                        "expired"
                    } else {
                        "active"
                    };
                    println!("{}  {:<16} {:<8} {}", t.id, t.user, state, describe(t));
                }
            }
            Ok(Exit::Success)
        }
        Action::Revoke { id } => {
            let token = service.revoke_api_token(&caller, &id)?;
            println!("revoked token {} of {}", token.id, token.user);
            Ok(Exit::Success)
        }
    }
}

fn describe(t: &ApiToken) -> String {
    let expiry = match t.expires_at {
        Some(at) => format!("expires {}", at.to_rfc3339_opts(SecondsFormat::Secs, true)),
        None => "does not expire".to_string(),
    };
    format!("scopes {}; {expiry}", t.scopes.join(","))
}
