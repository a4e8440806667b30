//! The environment variable that carries a placeholder's value to a step, for messages that
//! point to it: `{{ db-host }}` is `$SOP_VAR_DB_HOST`, `{{ steps.2.version }}` is
//! `$SOP_STEP_2_VERSION`. The executor names variables by the same rule.

use crate::step_output::key_env_form;

/// `SOP_VAR_<NAME>` for a variable: ASCII upper case, every other character as `_`.
pub fn var_env_name(name: &str) -> String {
    format!("SOP_VAR_{}", key_env_form(name))
}

/// How a placeholder's value is reached from the environment: the variable's name, and a note
/// when it holds more than the placeholder names (the JSON of the root of a dotted path).
pub(crate) fn placeholder_env(path: &[String]) -> (String, Option<String>) {
    match path {
        [steps, n, key] if steps.eq_ignore_ascii_case("steps") && n.parse::<u32>().is_ok() => {
            (format!("SOP_STEP_{n}_{}", key_env_form(key)), None)
        }
        [steps, ..] if steps.eq_ignore_ascii_case("steps") => (
            "SOP_STEP_<N>_<KEY>".to_string(),
            Some("each output of step N is in `SOP_STEP_<N>_<KEY>`".to_string()),
        ),
        [root] => (var_env_name(root), None),
        [root, ..] => {
            let env = var_env_name(root);
            let note = format!("`${env}` holds all of `{root}` as JSON, e.g. for `jq`");
            (env, Some(note))
        }
        [] => ("SOP_VAR_<NAME>".to_string(), None),
    }
}

/// Fills in a refusal's help for one placeholder: `{env}` becomes the environment variable's
/// name and `{placeholder}` the placeholder as written in the guide's style.
pub(crate) fn shell_help(help: &str, name: &str, path: &[String]) -> String {
    let (env, note) = placeholder_env(path);
    let mut out = help
        .replace("{env}", &env)
        .replace("{placeholder}", &format!("{{{{ {name} }}}}"));
    if !help.contains("{env}") {
        out.push_str(&format!(
            "; the value is also in the environment as \"${env}\""
        ));
    }
    if let Some(note) = note {
        out.push_str(&format!(" ({note})"));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn path(name: &str) -> Vec<String> {
        name.split('.').map(str::to_string).collect()
    }

    #[test]
    fn names_follow_the_executor() {
        assert_eq!(var_env_name("db-host.name"), "SOP_VAR_DB_HOST_NAME");
        assert_eq!(var_env_name("Größe"), "SOP_VAR_GR__E");
        assert_eq!(placeholder_env(&path("db-host")).0, "SOP_VAR_DB_HOST");
        assert_eq!(
            placeholder_env(&path("Steps.2.build-id")).0,
            "SOP_STEP_2_BUILD_ID"
        );
        let (env, note) = placeholder_env(&path("alert.labels.severity"));
        assert_eq!(env, "SOP_VAR_ALERT");
        assert!(note.unwrap().contains("all of `alert` as JSON"));
    }

    #[test]
    fn help_names_the_variable() {
        assert_eq!(
            shell_help("write \"${env}\" not {placeholder}", "x", &path("x")),
            "write \"$SOP_VAR_X\" not {{ x }}"
        );
        assert_eq!(
            shell_help("remove it", "n", &path("n")),
            "remove it; the value is also in the environment as \"$SOP_VAR_N\""
        );
    }
}
