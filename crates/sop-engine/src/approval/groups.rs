//! Where `@group` approvers come from: `SOP_GROUPS="ops=alice,bob;dba=carol"` and the groups
//! file (`SOP_GROUPS_FILE`, else `<SOP_DIR>/groups.toml` when it exists). Both are merged.

use sop_core::Diagnostic;
use sop_core::gate::{Groups, ON_CALL, is_valid_name};
use toml::de::{DeTable, DeValue};

/// Parses the `SOP_GROUPS` form: `;`-separated `group=member,member` entries. Every problem is
/// reported, each naming the entry it is in.
pub fn parse_env(text: &str) -> Result<Groups, Vec<String>> {
    let mut groups = Groups::new();
    let mut problems = Vec::new();
    for entry in text.split(';').map(str::trim).filter(|e| !e.is_empty()) {
        let Some((name, members)) = entry.split_once('=') else {
            problems.push(format!(
                "`{entry}` is not `group=member,member`; write e.g. `ops=alice,bob`"
            ));
            continue;
        };
        let name = name.trim().trim_start_matches('@');
        if let Some(p) = group_name_problem(name) {
            problems.push(format!("`{entry}`: {p}"));
            continue;
        }
        let mut ok = Vec::new();
        for member in members.split(',').map(str::trim).filter(|m| !m.is_empty()) {
            if is_valid_name(member) {
                ok.push(member);
            } else {
                problems.push(format!(
                    "`{entry}`: member `{member}` is not a user name (letters, digits, `.`, `_`, `-`)"
                ));
            }
        }
        groups.add(name, ok);
    }
    if problems.is_empty() {
        Ok(groups)
    } else {
        Err(problems)
    }
}

fn group_name_problem(name: &str) -> Option<String> {
    if name.eq_ignore_ascii_case(ON_CALL) {
        Some("`oncall` is reserved for whoever is on call; name the group differently".into())
    } else if !is_valid_name(name) {
        Some(format!(
            "group name `{name}` may hold only letters, digits, `.`, `_` and `-`"
        ))
    } else {
        None
    }
}

/// Parses a groups file: one key per group, each an array of user names.
///
/// ```toml
/// ops = ["alice", "bob"]
/// dba = ["carol"]
/// ```
pub fn parse_file(file: &str, text: &str) -> Result<Groups, Vec<Diagnostic>> {
    let (table, errors) = DeTable::parse_recoverable(text);
    let mut problems: Vec<Diagnostic> = errors
        .iter()
        .map(|e| {
            let span = e.span().unwrap_or(0..0);
            Diagnostic::at(file, text, span, e.message().to_string())
        })
        .collect();
    let mut groups = Groups::new();
    let help = "write e.g. ops = [\"alice\", \"bob\"]";
    for (key, value) in table.get_ref() {
        let name = key.get_ref().as_ref();
        if let Some(p) = group_name_problem(name) {
            problems.push(Diagnostic::at(file, text, key.span(), p).with_help(help));
            continue;
        }
        let DeValue::Array(items) = value.get_ref() else {
            problems.push(
                Diagnostic::at(
                    file,
                    text,
                    value.span(),
                    format!("group `{name}` must be an array of user names"),
                )
                .with_help(help),
            );
            continue;
        };
        let mut members = Vec::new();
        for item in items {
            match item.get_ref() {
                DeValue::String(s) if is_valid_name(s) => members.push(s.to_string()),
                DeValue::String(s) => problems.push(Diagnostic::at(
                    file,
                    text,
                    item.span(),
                    format!(
                        "`{s}` in group `{name}` is not a user name (letters, digits, `.`, `_`, `-`)"
                    ),
                )),
                _ => problems.push(
                    Diagnostic::at(
                        file,
                        text,
                        item.span(),
                        format!("members of group `{name}` must be strings"),
                    )
                    .with_help(help),
                ),
            }
        }
        groups.add(name, members);
    }
    if problems.is_empty() {
        Ok(groups)
    } else {
        problems.sort_by_key(|d| (d.line, d.col));
        Err(problems)
    }
}

/// Adds every group of `other` into `into`.
pub fn merge(into: &mut Groups, other: &Groups) {
    for name in other.names() {
        if let Some(members) = other.members(name) {
            into.add(name, members.iter().cloned());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn members(g: &Groups, name: &str) -> Vec<String> {
        g.members(name).unwrap().iter().cloned().collect()
    }

    #[test]
    fn env_form_parses_groups_and_members() {
        let g = parse_env("ops=alice,bob; dba = carol ;@sre=dave,;").unwrap();
        assert_eq!(members(&g, "ops"), vec!["alice", "bob"]);
        assert_eq!(members(&g, "dba"), vec!["carol"]);
        assert_eq!(members(&g, "sre"), vec!["dave"]);
        assert!(parse_env("").unwrap().is_empty());
    }

    #[test]
    fn env_form_reports_every_problem() {
        let errs = parse_env("ops;oncall=x;d b=y;dba=carol,bad name").unwrap_err();
        assert_eq!(
            errs,
            vec![
                "`ops` is not `group=member,member`; write e.g. `ops=alice,bob`",
                "`oncall=x`: `oncall` is reserved for whoever is on call; name the group differently",
                "`d b=y`: group name `d b` may hold only letters, digits, `.`, `_` and `-`",
                "`dba=carol,bad name`: member `bad name` is not a user name (letters, digits, `.`, `_`, `-`)",
            ]
        );
    }

    #[test]
    fn file_form_parses_arrays() {
        let g = parse_file("groups.toml", "ops = [\"alice\", \"bob\"]\ndba = []\n").unwrap();
        assert_eq!(members(&g, "ops"), vec!["alice", "bob"]);
        assert!(members(&g, "dba").is_empty());
    }

    #[test]
    fn file_form_reports_problems_with_locations() {
        let text = "ops = \"alice\"\ndba = [\"carol\", 3, \"x y\"]\noncall = []\n";
        let errs = parse_file("groups.toml", text).unwrap_err();
        let got: Vec<String> = errs
            .iter()
            .map(|d| format!("{}: {}", d.location(), d.message))
            .collect();
        assert_eq!(
            got,
            vec![
                "groups.toml:1:7: group `ops` must be an array of user names",
                "groups.toml:2:17: members of group `dba` must be strings",
                "groups.toml:2:20: `x y` in group `dba` is not a user name (letters, digits, `.`, `_`, `-`)",
                "groups.toml:3:1: `oncall` is reserved for whoever is on call; name the group differently",
            ]
        );
        let errs = parse_file("groups.toml", "ops = [\n").unwrap_err();
        assert_eq!(errs[0].file, "groups.toml");
        assert!(errs[0].line >= 1);
    }

    #[test]
    fn merging_unions_members() {
        let mut a = parse_env("ops=alice").unwrap();
        merge(&mut a, &parse_env("ops=bob;dba=carol").unwrap());
        assert_eq!(members(&a, "ops"), vec!["alice", "bob"]);
        assert_eq!(members(&a, "dba"), vec!["carol"]);
    }
}
