//! Named groups of people, addressed as `@name` in `approvers`. Their two sources are parsed
//! in `groups_env.rs` (`SOP_GROUPS`) and `groups_file.rs` (the groups file); reading them is
//! the engine's job.

use super::{ON_CALL, is_valid_name};
use std::collections::{BTreeMap, BTreeSet};

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Groups {
    groups: BTreeMap<String, BTreeSet<String>>,
}

impl Groups {
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds members to a group, creating it if needed (a group may be declared with nobody).
    pub fn add<I, S>(&mut self, group: &str, members: I)
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.groups
            .entry(group.to_string())
            .or_default()
            .extend(members.into_iter().map(Into::into));
    }

    pub fn with<I, S>(mut self, group: &str, members: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.add(group, members);
        self
    }

    /// `None` when no such group is declared (which is not the same as an empty group).
    pub fn members(&self, group: &str) -> Option<&BTreeSet<String>> {
        self.groups.get(group)
    }

    pub fn contains_group(&self, group: &str) -> bool {
        self.groups.contains_key(group)
    }

    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.groups.keys().map(String::as_str)
    }

    pub fn is_empty(&self) -> bool {
        self.groups.is_empty()
    }

    /// Adds every group of `other`, uniting the members of groups both declare.
    pub fn merge(&mut self, other: &Groups) {
        for (name, members) in &other.groups {
            self.add(name, members.iter().cloned());
        }
    }
}

/// Why `name` cannot name a group, if it cannot.
pub(super) fn group_name_problem(name: &str) -> Option<String> {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn members_merge_and_unknown_groups_are_none() {
        let g = Groups::new()
            .with("ops", ["alice", "bob"])
            .with("ops", ["bob", "carol"])
            .with("empty", Vec::<String>::new());
        let ops: Vec<_> = g.members("ops").unwrap().iter().cloned().collect();
        assert_eq!(ops, vec!["alice", "bob", "carol"]);
        assert!(g.members("empty").unwrap().is_empty());
        assert!(g.contains_group("empty"));
        assert_eq!(g.members("dba"), None);
        assert_eq!(g.names().collect::<Vec<_>>(), vec!["empty", "ops"]);
    }
}
