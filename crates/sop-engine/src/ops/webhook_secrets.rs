//! Webhook triggers whose `secret_env` names a variable this environment does not set: a server
//! started with it refuses every delivery to them (`401`). `sop check` warns of them, and
//! `sop serve` logs them as it starts, so the first sign is not a sender's failed deliveries.

use crate::Settings;
use sop_core::definition::{Sop, Trigger};

/// One warning for each webhook trigger of `sop` whose secret is not set in `settings`.
pub fn unset_secrets(settings: &Settings, sop: &Sop) -> Vec<String> {
    sop.triggers
        .iter()
        .filter_map(|t| match t {
            Trigger::Webhook {
                path,
                secret_env: Some(env),
            } if settings.var(env).is_none() => Some(format!(
                "`{}`: the webhook at {path} checks signatures with the secret in {env}, which is \
                 not set here; a server started so refuses every delivery to it (401)",
                sop.meta.name
            )),
            _ => None,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use sop_core::definition::{SopSource, parse};

    fn sop() -> Sop {
        let toml = "[sop]\nname = \"hr\"\n\n[[triggers]]\ntype = \"webhook\"\npath = \"/hr/new\"\nsecret_env = \"HR_SECRET\"\n\n[[triggers]]\ntype = \"webhook\"\npath = \"/hr/open\"\n";
        parse(&SopSource {
            folder: "hr",
            toml_file: "hr/SOP.toml",
            toml,
            md_file: "hr/SOP.md",
            md: "# HR\n\n## Step 1: Greet\n\nBy hand.\n",
        })
        .unwrap()
    }

    #[test]
    fn warns_of_a_secret_not_set_and_of_nothing_else() {
        let unset = Settings::from_vars(None, []);
        assert_eq!(
            unset_secrets(&unset, &sop()),
            [
                "`hr`: the webhook at /hr/new checks signatures with the secret in HR_SECRET, which is not set here; a server started so refuses every delivery to it (401)"
            ]
        );
        let set = Settings::from_vars(None, []).with_var("HR_SECRET", "s3cret");
        assert!(unset_secrets(&set, &sop()).is_empty());
    }
}
