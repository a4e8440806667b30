//! Which of a sender's top-level keys a step's environment can carry: a webhook's body is not
//! the SOP author's to shape, so a key that cannot become a variable (no name, a NUL byte, the
//! same `SOP_VAR_<NAME>` as another key) is left out and reported rather than refusing the
//! whole delivery, whose alert would then be lost.

use super::env::{EnvError, var_env_name, variable_env};
use serde_json::{Map, Value};
use std::collections::{BTreeMap, BTreeSet};

/// A key left out of the variables, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnfitKey {
    pub key: String,
    pub reason: UnfitReason,
}

/// Why a key cannot become a variable.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UnfitReason {
    #[error("its name is empty")]
    EmptyName,
    #[error("its name contains a NUL byte, which an environment variable cannot carry")]
    NulInName,
    #[error("its value contains a NUL byte, which an environment variable cannot carry")]
    NulInValue,
    /// Another key gives the same environment variable (`msg`, `MSG`, `m-sg`) and was kept.
    #[error("it becomes the environment variable {env}, as `{kept}` does, which was kept")]
    SameEnvironmentName { env: String, kept: String },
}

/// Splits `variables` into those a step's environment can carry and the keys left out, in
/// name order. Of keys that give one environment variable the one `rank` puts first is kept
/// (the others are compared only then, so a costly rank is paid only for such keys); ties
/// keep the name that sorts first, so the choice never depends on anything but the input.
pub fn keep_fit<R: Ord>(
    mut variables: Map<String, Value>,
    mut rank: impl FnMut(&str) -> R,
) -> (Map<String, Value>, Vec<UnfitKey>) {
    let mut unfit = Vec::new();
    variables.retain(|key, value| {
        let reason = if key.is_empty() {
            UnfitReason::EmptyName
        } else if key.contains('\0') {
            UnfitReason::NulInName
        } else if value.as_str().is_some_and(|text| text.contains('\0')) {
            // Only a text carries a NUL as it is: a list or an object reaches a step as JSON,
            // which escapes it.
            UnfitReason::NulInValue
        } else {
            return true;
        };
        unfit.push(UnfitKey {
            key: key.clone(),
            reason,
        });
        false
    });
    let mut by_env: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for key in variables.keys() {
        by_env
            .entry(var_env_name(key))
            .or_default()
            .push(key.clone());
    }
    for (env, mut keys) in by_env.into_iter().filter(|(_, keys)| keys.len() > 1) {
        // `keys` is in name order, and the sort is stable: equal ranks keep that order.
        let mut ranked: Vec<(R, String)> = keys.drain(..).map(|k| (rank(&k), k)).collect();
        ranked.sort_by(|a, b| a.0.cmp(&b.0));
        let mut names = ranked.into_iter().map(|(_, k)| k);
        let kept = names.next().unwrap_or_default();
        for key in names {
            variables.remove(&key);
            unfit.push(UnfitKey {
                key,
                reason: UnfitReason::SameEnvironmentName {
                    env: env.clone(),
                    kept: kept.clone(),
                },
            });
        }
    }
    // A value too large for the environment goes to `SOP_VAR_<NAME>_FILE`, which a key named
    // `<name>_file` would also give; the key that is not the file is left out.
    // What is left can collide only as a value sent as a file (`SOP_VAR_ALERTS_FILE`) with a
    // key naming that file (`alerts_file`): the environment is built to find out only when
    // such a pair of names exists, not for every delivery.
    let names: BTreeSet<String> = variables.keys().map(|k| var_env_name(k)).collect();
    let may_collide = names.iter().any(|name| {
        name.strip_suffix("_FILE")
            .is_some_and(|base| names.contains(base))
    });
    while may_collide && let Err(EnvError::Collision { env, .. }) = variable_env(&variables) {
        let Some(key) = variables.keys().find(|k| var_env_name(k) == env).cloned() else {
            break;
        };
        variables.remove(&key);
        let kept = env
            .strip_suffix("_FILE")
            .and_then(|file| variables.keys().find(|k| var_env_name(k) == file))
            .map_or_else(String::new, |k| format!("{k} (as a file)"));
        unfit.push(UnfitKey {
            key,
            reason: UnfitReason::SameEnvironmentName { env, kept },
        });
    }
    unfit.sort_by(|a, b| a.key.cmp(&b.key));
    (variables, unfit)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn map(v: Value) -> Map<String, Value> {
        v.as_object().unwrap().clone()
    }

    #[test]
    fn keys_that_cannot_be_variables_are_left_out_with_their_reason() {
        let (kept, unfit) = keep_fit(
            map(json!({"ok": 1, "": 2, "a\u{0}b": 3, "note": "x\u{0}y", "nested": {"k": "\u{0}"}})),
            |_| 0,
        );
        assert_eq!(kept, map(json!({"ok": 1, "nested": {"k": "\u{0}"}})));
        let reasons: Vec<_> = unfit.iter().map(|u| (u.key.as_str(), &u.reason)).collect();
        assert_eq!(
            reasons,
            [
                ("", &UnfitReason::EmptyName),
                ("a\u{0}b", &UnfitReason::NulInName),
                ("note", &UnfitReason::NulInValue),
            ]
        );
        assert!(variable_env(&kept).is_ok());
    }

    #[test]
    fn of_keys_giving_one_environment_name_the_first_ranked_is_kept() {
        let body = map(json!({"MSG": "b", "msg": "a", "A_B": 1, "a-b": 2, "other": 3}));
        // Body order `msg`, `MSG`, `a-b`, `A_B`: name order alone would keep `MSG` and `A_B`.
        let order = ["msg", "MSG", "a-b", "A_B", "other"];
        let position = |k: &str| order.iter().position(|o| *o == k).unwrap();
        let (kept, unfit) = keep_fit(body.clone(), position);
        assert_eq!(kept, map(json!({"msg": "a", "a-b": 2, "other": 3})));
        let same = |key: &str, env: &str, kept: &str| UnfitKey {
            key: key.into(),
            reason: UnfitReason::SameEnvironmentName {
                env: env.into(),
                kept: kept.into(),
            },
        };
        assert_eq!(
            unfit,
            [
                same("A_B", "SOP_VAR_A_B", "a-b"),
                same("MSG", "SOP_VAR_MSG", "msg"),
            ]
        );
        // Equal ranks: the name that sorts first.
        let (kept, _) = keep_fit(body, |_| 0);
        assert_eq!(kept, map(json!({"MSG": "b", "A_B": 1, "other": 3})));
    }

    #[test]
    fn rank_is_asked_only_about_colliding_keys() {
        let mut asked = Vec::new();
        let (_, unfit) = keep_fit(map(json!({"a": 1, "b": 2, "B": 3})), |k| {
            asked.push(k.to_string());
            0
        });
        asked.sort();
        assert_eq!(asked, ["B", "b"]);
        assert_eq!(unfit.len(), 1);
    }

    #[test]
    fn a_key_named_like_a_large_values_file_is_left_out() {
        let big = "x".repeat(super::super::env::MAX_ENV_ENTRY + 1);
        let (kept, unfit) = keep_fit(map(json!({"alerts": big, "alerts_file": "f"})), |_| 0);
        assert!(kept.contains_key("alerts"));
        assert_eq!(unfit.len(), 1);
        assert_eq!(unfit[0].key, "alerts_file");
        assert!(
            unfit[0]
                .reason
                .to_string()
                .contains("SOP_VAR_ALERTS_FILE, as `alerts (as a file)`"),
            "{}",
            unfit[0].reason
        );
        assert!(variable_env(&kept).is_ok());
    }
}
