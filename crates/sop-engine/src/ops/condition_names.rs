//! Names a condition reads that are most likely misspelt: close to a built-in or a declared
//! variable but neither. Such a name reads as `null` at run time, so the condition is silently
//! decided by a typo; `sop check` warns instead.

use crate::scope::builtins;
use sop_core::condition::Expr;
use sop_core::definition::{Requirement, Sop};
use sop_core::suggest;

/// Names every run's scope holds besides the built-ins.
const ALWAYS: &[&str] = &["steps", "headers", "trigger", "sop"];

/// One warning per misspelt-looking name of `sop`'s conditions and steps' conditions.
pub fn misspelt_names(sop: &Sop) -> Vec<String> {
    let declared: Vec<&str> = sop.parameters.iter().map(|p| p.name.as_str()).collect();
    let known: Vec<&str> = builtins::NAMES
        .iter()
        .chain(ALWAYS)
        .copied()
        .chain(declared.iter().copied())
        .collect();
    let mut exprs: Vec<(&Expr, String)> = Vec::new();
    for r in &sop.conditions.requires {
        if let Requirement::Expression { expr, .. } = r {
            exprs.push((expr, "its conditions".into()));
        }
    }
    if let Some(e) = &sop.conditions.expression {
        exprs.push((&e.expr, "its conditions".into()));
    }
    for step in &sop.steps {
        if let Some(expr) = &step.options.condition {
            exprs.push((expr, format!("step {}'s condition", step.number)));
        }
    }
    let mut out = Vec::new();
    for (expr, place) in exprs {
        for name in expr.names() {
            if known.iter().any(|k| k.eq_ignore_ascii_case(name)) {
                continue;
            }
            if let Some(meant) = suggest::closest(name, known.iter().copied()) {
                let warning = format!(
                    "`{}`: {place} read `{name}`, which is neither a built-in nor a declared \
                     variable, so it is null unless a run's variables or a fact name it; did \
                     you mean `{meant}`?",
                    sop.meta.name
                );
                if !out.contains(&warning) {
                    out.push(warning);
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use sop_core::definition::parse_named;

    fn sop(conditions: &str, md: &str) -> Sop {
        let toml = format!(
            "[sop]\nname = \"demo\"\n\n[[triggers]]\ntype = \"manual\"\n\n[variables.severity]\ntype = \"string\"\n\n[conditions]\n{conditions}\n"
        );
        parse_named("demo", &toml, md).unwrap()
    }

    #[test]
    fn names_close_to_a_built_in_or_a_declared_variable_are_named() {
        let s = sop(
            "expression = \"severty >= 'high' || buisness_hours == false || PROD_DOWN\"",
            "## Step 1: A\n<!-- sop: if = \"disk_usge > 80%\" -->\n```sh\ntrue\n```\n",
        );
        let warnings = misspelt_names(&s);
        assert_eq!(warnings.len(), 3, "{warnings:?}");
        assert!(warnings[0].contains("read `severty`") && warnings[0].contains("`severity`?"));
        assert!(warnings[1].contains("`business_hours`?"), "{warnings:?}");
        assert!(
            warnings[2].contains("step 1's condition read `disk_usge`"),
            "{warnings:?}"
        );
        let fine = sop(
            "expression = \"severity == 'high' && business_hours\"",
            "## Step 1: A\n",
        );
        assert!(misspelt_names(&fine).is_empty());
    }
}
