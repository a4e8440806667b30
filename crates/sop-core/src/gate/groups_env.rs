//! The `SOP_GROUPS` form of approver groups: `ops=alice,bob;dba=carol`.

use super::Groups;
use super::groups::group_name_problem;
use super::is_valid_name;

/// Parses the `SOP_GROUPS` form: `;`-separated `group=member,member` entries. Every problem is
/// reported, each naming the entry it is in.
pub fn parse_groups_env(text: &str) -> Result<Groups, Vec<String>> {
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

#[cfg(test)]
mod tests {
    use super::*;

    fn members(g: &Groups, name: &str) -> Vec<String> {
        g.members(name).unwrap().iter().cloned().collect()
    }

    #[test]
    fn env_form_parses_groups_and_members() {
        let g = parse_groups_env("ops=alice,bob; dba = carol ;@sre=dave,;").unwrap();
        assert_eq!(members(&g, "ops"), vec!["alice", "bob"]);
        assert_eq!(members(&g, "dba"), vec!["carol"]);
        assert_eq!(members(&g, "sre"), vec!["dave"]);
        assert!(parse_groups_env("").unwrap().is_empty());
    }

    #[test]
    fn env_form_reports_every_problem() {
        let errs = parse_groups_env("ops;oncall=x;d b=y;dba=carol,bad name").unwrap_err();
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
    fn merging_unions_members() {
        let mut a = parse_groups_env("ops=alice").unwrap();
        a.merge(&parse_groups_env("ops=bob;dba=carol").unwrap());
        assert_eq!(members(&a, "ops"), vec!["alice", "bob"]);
        assert_eq!(members(&a, "dba"), vec!["carol"]);
    }
}
