//! The groups file: one key per group, each an array of user names, read through the shared
//! TOML reader so every problem is reported at `file:line:col` in one pass.

use super::Groups;
use super::groups::group_name_problem;
use super::is_valid_name;
use crate::Diagnostic;
use crate::toml_read::Reporter;
use toml::de::DeValue;

/// Parses a groups file:
///
/// ```toml
/// ops = ["alice", "bob"]
/// dba = ["carol"]
/// ```
pub fn parse_groups_file(file: &str, text: &str) -> Result<Groups, Vec<Diagnostic>> {
    let mut r = Reporter::new(file, text);
    let doc = r.parse();
    let mut groups = Groups::new();
    let help = Some("write e.g. ops = [\"alice\", \"bob\"]");
    for (key, value) in doc.get_ref() {
        let name = key.get_ref().as_ref();
        if r.is_damaged(&key.span()) || r.is_damaged(&value.span()) {
            continue;
        }
        if let Some(p) = group_name_problem(name) {
            r.error(key.span(), p, help);
            continue;
        }
        let DeValue::Array(items) = value.get_ref() else {
            r.error(
                value.span(),
                format!("group `{name}` must be an array of user names"),
                help,
            );
            continue;
        };
        let mut members = Vec::new();
        for item in items {
            match item.get_ref() {
                DeValue::String(s) if is_valid_name(s) => members.push(s.to_string()),
                DeValue::String(s) => r.error(
                    item.span(),
                    format!(
                        "`{s}` in group `{name}` is not a user name (letters, digits, `.`, `_`, `-`)"
                    ),
                    None,
                ),
                _ => r.error(
                    item.span(),
                    format!("members of group `{name}` must be strings"),
                    help,
                ),
            }
        }
        groups.add(name, members);
    }
    if r.has_errors() {
        Err(r.finish())
    } else {
        Ok(groups)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn members(g: &Groups, name: &str) -> Vec<String> {
        g.members(name).unwrap().iter().cloned().collect()
    }

    #[test]
    fn file_form_parses_arrays() {
        let g = parse_groups_file("groups.toml", "ops = [\"alice\", \"bob\"]\ndba = []\n").unwrap();
        assert_eq!(members(&g, "ops"), vec!["alice", "bob"]);
        assert!(members(&g, "dba").is_empty());
    }

    #[test]
    fn file_form_reports_problems_with_locations() {
        let text = "ops = \"alice\"\ndba = [\"carol\", 3, \"x y\"]\noncall = []\n";
        let errs = parse_groups_file("groups.toml", text).unwrap_err();
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
        let errs = parse_groups_file("groups.toml", "ops = [\n").unwrap_err();
        assert_eq!(errs[0].file, "groups.toml");
        assert!(errs[0].line >= 1);
    }
}
