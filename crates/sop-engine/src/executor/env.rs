//! The environment a step's process sees: the parent environment plus sop's own variables.

use serde_json::{Map, Value};
use sop_core::step_output::{Outputs, key_env_form};
use sop_core::template::value_text;
use std::collections::BTreeMap;

/// Names sop sets itself. Any inherited copy (a `sop` run inside a step of another run) is
/// removed first, so a step sees exactly its own run's values.
pub const OWN_NAMES: [&str; 6] = [
    "SOP_VARS",
    "SOP_RUN_ID",
    "SOP_NAME",
    "SOP_STEP",
    "SOP_OUTPUT",
    "SOP_ATTEMPT",
];
const OWN_PREFIXES: [&str; 2] = ["SOP_VAR_", "SOP_STEP_"];

/// A variable set that cannot be passed to a process.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EnvError {
    #[error(
        "variables {} all become the environment variable {env}; rename all but one of them",
        names.iter().map(|n| format!("`{n}`")).collect::<Vec<_>>().join(", ")
    )]
    Collision { env: String, names: Vec<String> },
    #[error("variable `{name}` contains a NUL byte, which an environment variable cannot carry")]
    Nul { name: String },
    #[error("a variable has an empty name; give every variable a name")]
    EmptyName,
    #[error(
        "{what} would make the environment variable {env} {bytes} bytes long, and Linux passes at \
         most {MAX_ENV_ENTRY} bytes per variable to a process; pass large data as a file and its \
         path as the variable"
    )]
    TooLarge {
        what: String,
        env: String,
        bytes: usize,
    },
}

/// The longest `NAME=value` the kernel passes to a new process (`MAX_ARG_STRLEN`, 32 pages,
/// counting the terminating NUL). A longer one makes every step of the run fail to start.
pub const MAX_ENV_ENTRY: usize = 128 * 1024 - 1;

/// Refuses an entry the kernel would not pass on.
fn check_size(env: &str, value: &str, what: impl FnOnce() -> String) -> Result<(), EnvError> {
    let bytes = env.len() + 1 + value.len();
    if bytes > MAX_ENV_ENTRY {
        return Err(EnvError::TooLarge {
            what: what(),
            env: env.to_string(),
            bytes,
        });
    }
    Ok(())
}

/// `SOP_VAR_<NAME>` for a variable: ASCII upper case, every other character as `_`.
pub fn var_env_name(name: &str) -> String {
    let mut out = String::with_capacity(8 + name.len());
    out.push_str("SOP_VAR_");
    out.extend(name.chars().map(|c| {
        if c.is_ascii_alphanumeric() {
            c.to_ascii_uppercase()
        } else {
            '_'
        }
    }));
    out
}

/// `SOP_STEP_<N>_<KEY>` for an output of step `n`.
pub fn output_env_name(step: u32, key: &str) -> String {
    format!("SOP_STEP_{step}_{}", key_env_form(key))
}

/// `SOP_VAR_<NAME>` for every variable, and `SOP_VARS`; fails when two names collide or a value
/// cannot be carried. The engine calls this when a run is created, to refuse bad variables early.
pub fn variable_env(variables: &Map<String, Value>) -> Result<Vec<(String, String)>, EnvError> {
    let mut by_env: BTreeMap<String, Vec<&str>> = BTreeMap::new();
    let mut env = Vec::with_capacity(variables.len() + 1);
    for (name, value) in variables {
        if name.is_empty() {
            return Err(EnvError::EmptyName);
        }
        let text = value_text(value);
        if name.contains('\0') || text.contains('\0') {
            return Err(EnvError::Nul { name: name.clone() });
        }
        let key = var_env_name(name);
        check_size(&key, &text, || format!("variable `{name}`"))?;
        by_env.entry(key.clone()).or_default().push(name);
        env.push((key, text.into_owned()));
    }
    if let Some((key, names)) = by_env.into_iter().find(|(_, names)| names.len() > 1) {
        return Err(EnvError::Collision {
            env: key,
            names: names.into_iter().map(str::to_string).collect(),
        });
    }
    let all = Value::Object(variables.clone()).to_string();
    check_size("SOP_VARS", &all, || "the variables together".to_string())?;
    env.push(("SOP_VARS".to_string(), all));
    Ok(env)
}

/// `SOP_STEP_<N>_<KEY>` for the outputs of earlier steps. Output keys are unique per step in
/// their environment form (the output parser keeps the last), so these cannot collide.
pub fn output_env(earlier: &BTreeMap<u32, Outputs>) -> impl Iterator<Item = (String, &str)> {
    earlier.iter().flat_map(|(step, outputs)| {
        outputs
            .iter()
            .map(move |(key, value)| (output_env_name(*step, key), value.as_str()))
    })
}

/// Whether sop sets a variable of this name for its steps.
pub fn is_own_name(name: &str) -> bool {
    OWN_NAMES.contains(&name) || OWN_PREFIXES.iter().any(|p| name.starts_with(p))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn map(v: Value) -> Map<String, Value> {
        v.as_object().cloned().expect("an object")
    }

    #[test]
    fn names_are_upper_cased_with_underscores() {
        assert_eq!(var_env_name("db-host.name"), "SOP_VAR_DB_HOST_NAME");
        assert_eq!(var_env_name("Größe"), "SOP_VAR_GR__E");
        assert_eq!(output_env_name(2, "build-id"), "SOP_STEP_2_BUILD_ID");
    }

    #[test]
    fn strings_raw_everything_else_json() {
        let env = variable_env(&map(json!({
            "s": "it's \"raw\"", "n": 3, "b": true, "z": null, "o": {"k": [1, "x"]}
        })))
        .unwrap();
        let get = |k: &str| env.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str());
        assert_eq!(get("SOP_VAR_S"), Some("it's \"raw\""));
        assert_eq!(get("SOP_VAR_N"), Some("3"));
        assert_eq!(get("SOP_VAR_B"), Some("true"));
        assert_eq!(get("SOP_VAR_Z"), Some("null"));
        assert_eq!(get("SOP_VAR_O"), Some(r#"{"k":[1,"x"]}"#));
        let all: Value = serde_json::from_str(get("SOP_VARS").unwrap()).unwrap();
        assert_eq!(all["o"]["k"][1], "x");
    }

    #[test]
    fn colliding_names_are_refused() {
        let e = variable_env(&map(json!({"db-host": 1, "DB_HOST": 2}))).unwrap_err();
        assert_eq!(
            e.to_string(),
            "variables `DB_HOST`, `db-host` all become the environment variable \
             SOP_VAR_DB_HOST; rename all but one of them"
        );
    }

    #[test]
    fn values_the_kernel_would_not_pass_on_are_refused() {
        let fits = "x".repeat(MAX_ENV_ENTRY - "SOP_VARS={\"a\":\"\"}".len());
        assert!(variable_env(&map(json!({ "a": fits }))).is_ok());
        let big = "x".repeat(MAX_ENV_ENTRY);
        let e = variable_env(&map(json!({ "big": big }))).unwrap_err();
        assert!(
            e.to_string().starts_with(
                "variable `big` would make the environment variable SOP_VAR_BIG 131083 bytes long"
            ),
            "{e}"
        );
        let half = "x".repeat(MAX_ENV_ENTRY / 2);
        let e = variable_env(&map(json!({ "a": half, "b": half }))).unwrap_err();
        assert!(
            e.to_string()
                .starts_with("the variables together would make the environment variable SOP_VARS"),
            "{e}"
        );
    }

    #[test]
    fn nul_and_empty_names_are_refused() {
        assert_eq!(
            variable_env(&map(json!({"x": "a\u{0}b"}))).unwrap_err(),
            EnvError::Nul {
                name: "x".to_string()
            }
        );
        assert_eq!(
            variable_env(&map(json!({"": 1}))).unwrap_err(),
            EnvError::EmptyName
        );
    }
}
