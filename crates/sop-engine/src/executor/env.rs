//! The environment a step's process sees: the parent environment plus sop's own variables.

use serde_json::{Map, Value};
use sop_core::step_output::{Outputs, key_env_form};
use sop_core::template::value_text;
use std::collections::BTreeMap;

/// Names sop sets itself. Any inherited copy (a `sop` run inside a step of another run) is
/// removed first, so a step sees exactly its own run's values.
pub const OWN_NAMES: [&str; 7] = [
    "SOP_VARS",
    "SOP_VARS_FILE",
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
    #[error("cannot write the variable file {path}: {error}")]
    File { path: String, error: String },
}

/// The longest `NAME=value` the kernel passes to a new process (`MAX_ARG_STRLEN`, 32 pages,
/// counting the terminating NUL). A longer one would make every step of the run fail to start.
pub const MAX_ENV_ENTRY: usize = 128 * 1024 - 1;

/// The most bytes the run's variables may take in a step's environment, all entries together.
/// The kernel takes at most a quarter of the stack limit (2 MiB by default) for arguments and
/// environment together, and a webhook's body may be 1 MiB: larger variables go to files.
pub const ENV_BUDGET: usize = 256 * 1024;

/// A variable handed to steps as a file in the run's private directory, its path in `env`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VarFile {
    /// `SOP_VAR_<NAME>_FILE`, or `SOP_VARS_FILE`.
    pub env: String,
    /// The file's name: `var-<NAME>`, or `vars.json`.
    pub name: String,
    /// What the environment variable would have held.
    pub text: String,
}

/// The run's variables for its steps: environment entries, and those too large for one.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct VarEnv {
    pub env: Vec<(String, String)>,
    pub files: Vec<VarFile>,
}

/// The environment's entries, and the paths of the files written for it.
pub type Materialized = (Vec<(String, String)>, Vec<std::path::PathBuf>);

impl VarEnv {
    /// Writes the files into `dir` (the run's private directory; each readable by this user
    /// only) and returns the environment with their paths, and the files' paths.
    pub fn materialize(self, dir: &std::path::Path) -> Result<Materialized, EnvError> {
        use std::io::Write;
        use std::os::unix::fs::OpenOptionsExt;
        let VarEnv { mut env, files } = self;
        let mut paths = Vec::with_capacity(files.len());
        for f in files {
            let path = dir.join(&f.name);
            std::fs::OpenOptions::new()
                .write(true)
                .create(true)
                .truncate(true)
                .mode(0o600)
                .open(&path)
                .and_then(|mut file| file.write_all(f.text.as_bytes()))
                .map_err(|e| EnvError::File {
                    path: path.display().to_string(),
                    error: e.to_string(),
                })?;
            env.push((f.env, path.display().to_string()));
            paths.push(path);
        }
        Ok((env, paths))
    }
}

fn entry_len(key: &str, value: &str) -> usize {
    key.len() + 1 + value.len()
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
/// cannot be carried. A value the kernel would not pass (over [`MAX_ENV_ENTRY`]), or the largest
/// ones while all together exceed [`ENV_BUDGET`], become files instead (`SOP_VAR_<NAME>_FILE`,
/// `SOP_VARS_FILE` for all of them): a monitoring system's large alert must still start its run.
/// The engine calls this when a run is created, to refuse bad variables early.
pub fn variable_env(variables: &Map<String, Value>) -> Result<VarEnv, EnvError> {
    // (variable, environment name, value), in the variables' order.
    let mut entries = Vec::with_capacity(variables.len());
    for (name, value) in variables {
        if name.is_empty() {
            return Err(EnvError::EmptyName);
        }
        let text = value_text(value);
        if name.contains('\0') || text.contains('\0') {
            return Err(EnvError::Nul { name: name.clone() });
        }
        entries.push((name.as_str(), var_env_name(name), text.into_owned()));
    }
    let all = Value::Object(variables.clone()).to_string();
    let all_len = entry_len("SOP_VARS", &all);
    let mut total: usize = entries.iter().map(|(_, k, v)| entry_len(k, v)).sum();
    let all_inline = all_len <= MAX_ENV_ENTRY && total + all_len <= ENV_BUDGET;
    if all_inline {
        total += all_len;
    }
    // The largest go to files first, until the rest fits.
    let mut largest: Vec<usize> = (0..entries.len()).collect();
    largest.sort_by_key(|&i| std::cmp::Reverse(entry_len(&entries[i].1, &entries[i].2)));
    let mut to_file = vec![false; entries.len()];
    for i in largest {
        let len = entry_len(&entries[i].1, &entries[i].2);
        if len > MAX_ENV_ENTRY || total > ENV_BUDGET {
            to_file[i] = true;
            total -= len;
        }
    }
    // Every environment name with what takes it: the variables first, then the files' names.
    let mut by_env: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (name, key, _) in &entries {
        by_env
            .entry(key.clone())
            .or_default()
            .push(name.to_string());
    }
    let mut out = VarEnv::default();
    let all_entry = if all_inline {
        Some(("SOP_VARS".to_string(), all))
    } else {
        out.files.push(VarFile {
            env: "SOP_VARS_FILE".to_string(),
            name: "vars.json".to_string(),
            text: all,
        });
        None
    };
    for ((name, key, text), file) in entries.into_iter().zip(to_file) {
        if file {
            let env = format!("{key}_FILE");
            by_env
                .entry(env.clone())
                .or_default()
                .push(format!("{name} (as a file)"));
            out.files.push(VarFile {
                name: format!("var-{}", &key["SOP_VAR_".len()..]),
                env,
                text,
            });
        } else {
            out.env.push((key, text));
        }
    }
    if let Some((key, names)) = by_env.into_iter().find(|(_, names)| names.len() > 1) {
        return Err(EnvError::Collision { env: key, names });
    }
    out.env.extend(all_entry);
    Ok(out)
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
        .unwrap()
        .env;
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
    fn values_too_large_for_the_environment_become_files() {
        let fits = "x".repeat(MAX_ENV_ENTRY - "SOP_VARS={\"a\":\"\"}".len());
        let v = variable_env(&map(json!({ "a": fits }))).unwrap();
        assert!(v.files.is_empty(), "{:?}", v.files.len());
        let big = "x".repeat(MAX_ENV_ENTRY);
        let v = variable_env(&map(json!({ "big": big, "small": "s" }))).unwrap();
        let names: Vec<&str> = v.files.iter().map(|f| f.env.as_str()).collect();
        assert_eq!(names, ["SOP_VARS_FILE", "SOP_VAR_BIG_FILE"]);
        assert_eq!(v.files[1].name, "var-BIG");
        assert_eq!(v.files[1].text, big);
        let inline: Vec<&str> = v.env.iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(
            inline,
            ["SOP_VAR_SMALL"],
            "neither SOP_VAR_BIG nor SOP_VARS"
        );
        // Each fits, all together do not: the largest go until the rest fit.
        let third = "x".repeat(ENV_BUDGET / 3);
        let v = variable_env(&map(json!({ "a": third, "b": third, "c": third, "d": 1 }))).unwrap();
        let total: usize = v.env.iter().map(|(k, t)| entry_len(k, t)).sum();
        assert!(total <= ENV_BUDGET, "{total}");
        assert_eq!(v.files.len(), 2, "SOP_VARS and one of the three");
        assert!(v.env.iter().any(|(k, _)| k == "SOP_VAR_D"));
        // A file's variable cannot take the name another variable has.
        let e = variable_env(&map(json!({ "big": big, "big_file": 1 }))).unwrap_err();
        assert_eq!(
            e.to_string(),
            "variables `big_file`, `big (as a file)` all become the environment variable \
             SOP_VAR_BIG_FILE; rename all but one of them"
        );
    }

    #[test]
    fn variable_files_are_written_private_and_named_in_the_environment() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let big = "y".repeat(MAX_ENV_ENTRY);
        let (env, paths) = variable_env(&map(json!({ "big": big })))
            .unwrap()
            .materialize(dir.path())
            .unwrap();
        let path = dir.path().join("var-BIG");
        assert!(env.contains(&("SOP_VAR_BIG_FILE".to_string(), path.display().to_string())));
        assert_eq!(std::fs::read_to_string(&path).unwrap(), big);
        let mode = std::fs::metadata(&path).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
        assert_eq!(paths.len(), 2);
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
