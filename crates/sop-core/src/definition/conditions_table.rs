//! Reads the `[conditions]` table: `requires` items (names or expressions) and `expression`.

use super::conditions::{ConditionExpression, Conditions, Requirement};
use super::expression;
use crate::condition::is_bare_name;
use crate::toml_read::Reporter;
use crate::toml_read::TableReader;
use std::ops::Range;
use toml::de::DeTable;

const KEYS: &[&str] = &["requires", "expression"];

pub fn parse(r: &mut Reporter, table: &DeTable, span: Range<usize>) -> Conditions {
    let t = TableReader::new(table, span, "[conditions]", KEYS);
    t.reject_unknown(r);
    let mut conditions = Conditions::default();
    if let Some(items) = t.string_list(r, "requires") {
        for item in items.value {
            let source = item.value.trim();
            if source.is_empty() {
                r.push(
                    r.at(item.span, "empty item in `requires`")
                        .with_help("write a name such as \"PROD_DOWN\" or an expression such as \"disk_usage > 80%\""),
                );
            } else if is_bare_name(source) {
                conditions.requires.push(Requirement::Name {
                    name: source.to_string(),
                });
            } else if let Some(expr) = expression::parse(r, &item) {
                conditions.requires.push(Requirement::Expression {
                    source: item.value.to_string(),
                    expr,
                });
            }
        }
    }
    if let Some(e) = t.string(r, "expression") {
        if e.value.trim().is_empty() {
            r.push(r.at(e.span, "`expression` is empty").with_help(
                "remove the key, or write e.g. expression = \"business_hours == true\"",
            ));
        } else if let Some(expr) = expression::parse(r, &e) {
            conditions.expression = Some(ConditionExpression {
                source: e.value.to_string(),
                expr,
            });
        }
    }
    conditions
}
