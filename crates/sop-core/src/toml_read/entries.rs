//! Arrays of tables such as `[[window]]`, and entries in them that must have their own `name`.

use super::{Located, Reporter, TableReader, article};
use toml::de::{DeTable, DeValue};

/// The elements of the array of tables `key` of `root`; none when the key is absent. Elements
/// that are not tables are reported.
pub fn array_of_tables<'t, 'i>(
    r: &mut Reporter,
    root: &'t DeTable<'i>,
    key: &str,
) -> Vec<Located<&'t DeTable<'i>>> {
    let Some(value) = root.get(key) else {
        return Vec::new();
    };
    if r.is_damaged(&value.span()) {
        return Vec::new();
    }
    let help = format!("write each entry as a [[{key}]] table");
    let mut out = Vec::new();
    match value.get_ref() {
        DeValue::Array(items) => {
            for item in items.iter() {
                match item.get_ref() {
                    DeValue::Table(t) => out.push(Located {
                        value: t,
                        span: item.span(),
                    }),
                    other => r.error(
                        item.span(),
                        format!(
                            "`{key}` must hold tables, found {}",
                            article(other.type_str())
                        ),
                        Some(&help),
                    ),
                }
            }
        }
        other => r.error(
            value.span(),
            format!(
                "`{key}` must be an array of tables, found {}",
                article(other.type_str())
            ),
            Some(&help),
        ),
    }
    out
}

/// Reads every `[[kind]]` entry of `tables` with `read`, each as a table named like
/// `[[window]] #2` that takes the `known` keys, keeping those read without problems whose name
/// no earlier entry has.
pub fn named_entries<'t, 'i, T>(
    r: &mut Reporter,
    tables: &[Located<&'t DeTable<'i>>],
    kind: &str,
    known: &'static [&'static str],
    mut read: impl FnMut(&mut Reporter, &TableReader<'t, 'i>) -> Option<T>,
) -> Vec<T> {
    let mut names: Vec<&str> = Vec::new();
    let mut out = Vec::new();
    for (i, t) in tables.iter().enumerate() {
        let t = TableReader::new(
            t.value,
            t.span.clone(),
            format!("[[{kind}]] #{}", i + 1),
            known,
        );
        let duplicate = duplicate_name(r, &t, &mut names, kind);
        if let Some(entry) = read(r, &t)
            && !duplicate
        {
            out.push(entry);
        }
    }
    out
}

/// Reports the `name` of `t` when an earlier entry of the same `kind` has it, returning true;
/// otherwise remembers it in `seen`. Runs before an entry's other checks, so a duplicate is
/// reported even when the entry has problems of its own.
fn duplicate_name<'t>(
    r: &mut Reporter,
    t: &TableReader<'t, '_>,
    seen: &mut Vec<&'t str>,
    kind: &str,
) -> bool {
    let Some(value) = t.table().get("name") else {
        return false;
    };
    let Some(name) = value.get_ref().as_str() else {
        return false;
    };
    if seen.contains(&name) {
        r.error(
            value.span(),
            format!("a {kind} named `{name}` is already defined"),
            Some(&format!("give every {kind} its own name")),
        );
        return true;
    }
    seen.push(name);
    false
}
