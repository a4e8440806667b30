//! Reads the `[variables.NAME]` tables of SOP.toml into [`Parameters`], reporting every problem:
//! unknown keys, wrong types, a bad regex, `min` above `max`, rules that do not apply to the
//! type, `enum` values of the wrong type, and a `default` that breaks its own rules.

use super::sop_values::SopValues;
use super::toml_json::{to_f64, to_json};
use crate::parameters::{
    Bounded, Bounds, ParamType, Parameter, ParameterProblem, Parameters, Pattern,
};
use crate::step_output::key_env_form;
use crate::toml_read::Reporter;
use crate::toml_read::{TableReader, article};
use serde_json::Value;
use std::ops::Range;
use toml::de::{DeTable, DeValue};

const KEYS: &[&str] = &[
    "type",
    "required",
    "default",
    "enum",
    "pattern",
    "min",
    "max",
    "secret",
    "description",
];

/// The `[variables]` table (empty when SOP.toml has none), and the name of every variable it
/// declares, also those whose declaration has problems.
pub fn parse(r: &mut Reporter, doc: &DeTable) -> (Parameters, Vec<String>) {
    let none = || (Parameters::default(), Vec::new());
    let Some((key, value)) = doc.get_key_value("variables") else {
        return none();
    };
    let DeValue::Table(table) = value.get_ref() else {
        r.push(
            r.at(key.span(), "`variables` must be a table")
                .with_help("declare each variable under its own header, e.g.\n[variables.environment]\ntype = \"string\""),
        );
        return none();
    };
    let mut list: Vec<Parameter> = Vec::new();
    let mut names = Vec::new();
    let mut entries: Vec<_> = table.iter().collect();
    entries.sort_by_key(|(k, _)| k.span().start);
    for (name_key, v) in entries {
        let name = name_key.get_ref().as_ref();
        let span = name_key.span();
        if r.is_damaged(&span) {
            continue;
        }
        names.push(name.to_string());
        if let Some(problem) = name_problem(name) {
            r.push(
                r.at(span.clone(), format!("`{}` is not a valid variable name: {problem}", name.escape_debug()))
                    .with_help("use letters, digits, `_` and `-`, starting with a letter or `_`, e.g. [variables.db-host]"),
            );
            continue;
        }
        if let Some(other) = list
            .iter()
            .find(|p| key_env_form(&p.name) == key_env_form(name))
        {
            r.push(
                r.at(
                    span.clone(),
                    format!(
                        "variables `{}` and `{name}` would both be the environment variable SOP_VAR_{}",
                        other.name,
                        key_env_form(name)
                    ),
                )
                .with_help("rename one of them"),
            );
            continue;
        }
        let DeValue::Table(rules) = v.get_ref() else {
            r.push(
                r.at(
                    span,
                    format!(
                        "`variables.{name}` must be a table, found {}",
                        article(v.get_ref().type_str())
                    ),
                )
                .with_help(format!(
                    "write it as\n[variables.{name}]\ntype = \"string\""
                )),
            );
            continue;
        };
        if let Some(p) = parameter(r, name, rules, span) {
            list.push(p);
        }
    }
    (Parameters::new(list), names)
}

fn name_problem(name: &str) -> Option<&'static str> {
    let first = name.chars().next()?;
    if !(first.is_ascii_alphabetic() || first == '_') {
        return Some("it must start with a letter or `_`");
    }
    if !name
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
    {
        return Some("it may hold only letters, digits, `_` and `-`");
    }
    if name.eq_ignore_ascii_case("steps") {
        return Some("`steps` names the outputs of earlier steps");
    }
    None
}

fn parameter(
    r: &mut Reporter,
    name: &str,
    rules: &DeTable,
    span: Range<usize>,
) -> Option<Parameter> {
    let what = format!("[variables.{name}]");
    let t = TableReader::new(rules, span, what, KEYS);
    t.reject_unknown(r);
    let kind = if t.has("type") {
        t.choice(r, "type", &ParamType::NAMES)
            .and_then(|v| ParamType::from_name(v.value))
    } else {
        Some(ParamType::String)
    };
    let required = t.boolean(r, "required").is_some_and(|v| v.value);
    let secret = t.boolean(r, "secret").is_some_and(|v| v.value);
    let description = t.string(r, "description").map(|v| v.value.to_string());
    let pattern = t.string(r, "pattern").and_then(|v| match Pattern::new(v.value) {
        Ok(p) => Some((p, v.span)),
        Err(e) => {
            r.push(
                r.at(v.span, format!("`pattern` is not a valid regular expression: {}", first_line(&e.to_string())))
                    .with_help("the pattern must match the whole value, so write it without `^` and `$`, e.g. pattern = \"v[0-9]+\\\\.[0-9]+\""),
            );
            None
        }
    });
    let min = number(r, rules, "min");
    let max = number(r, rules, "max");
    let allowed = allowed(r, rules, kind);
    let default = rules.get_key_value("default").and_then(|(_, v)| {
        let span = v.span();
        if r.is_damaged(&span) {
            return None;
        }
        match to_json(v.get_ref()) {
            Some(value) => Some((value, span)),
            None => {
                r.push(
                    r.at(
                        span,
                        "`default` holds a number JSON cannot carry (nan or inf)",
                    )
                    .with_help("write a finite number"),
                );
                None
            }
        }
    });
    let kind = kind?;
    if let Some((_, span)) = &pattern
        && kind != ParamType::String
    {
        r.push(
            r.at(
                span.clone(),
                format!(
                    "`pattern` applies to strings, but `{name}` is {}",
                    article(kind.name())
                ),
            )
            .with_help("remove `pattern`, or set type = \"string\""),
        );
    }
    let bounds = bounds(r, name, kind, min, max);
    if required && let Some((_, span)) = &default {
        r.push(
            r.at(span.clone(), format!("`{name}` is required and has a default, which is never used"))
                .with_help("remove `required = true` (a default makes the variable optional) or remove `default`"),
        );
    }
    let mut p = Parameter {
        required,
        allowed: allowed.map(|(values, _)| values),
        pattern: pattern.map(|(p, _)| p),
        bounds,
        secret,
        description,
        ..Parameter::new(name, kind)
    };
    if let Some((value, span)) = default {
        for kind in p.problems(&value) {
            let problem = ParameterProblem {
                name: name.to_string(),
                kind,
                // The default is in the SOP's own file, for anyone who reads it.
                secret: false,
            };
            r.push(
                r.at(span.clone(), format!("`default`: {}", problem.message()))
                    .with_help("make the default follow the variable's own rules"),
            );
        }
        p.default = Some(value);
    }
    Some(p)
}

fn first_line(text: &str) -> &str {
    text.lines()
        .rev()
        .find(|l| !l.trim().is_empty())
        .unwrap_or(text)
        .trim()
}

/// `min` or `max`: an integer or a float.
fn number(r: &mut Reporter, rules: &DeTable, key: &str) -> Option<(f64, Range<usize>)> {
    let (_, v) = rules.get_key_value(key)?;
    let span = v.span();
    if r.is_damaged(&span) {
        return None;
    }
    match to_f64(v.get_ref()) {
        Some(n) => Some((n, span)),
        None => {
            r.push(
                r.at(
                    span,
                    format!(
                        "`{key}` must be a number, found {}",
                        article(v.get_ref().type_str())
                    ),
                )
                .with_help(format!("write a number without quotes, e.g. {key} = 1")),
            );
            None
        }
    }
}

fn bounds(
    r: &mut Reporter,
    name: &str,
    kind: ParamType,
    min: Option<(f64, Range<usize>)>,
    max: Option<(f64, Range<usize>)>,
) -> Bounds {
    let Some(bounded) = kind.bounded() else {
        for (_, span) in min.iter().chain(&max) {
            r.push(
                r.at(
                    span.clone(),
                    format!("`min` and `max` do not apply to {}", article(kind.name())),
                )
                .with_help(
                    "they bound numbers, the length of strings and the number of items of lists",
                ),
            );
        }
        return Bounds::default();
    };
    let mut ok = true;
    if bounded != Bounded::Value {
        for (n, span) in min.iter().chain(&max) {
            if *n < 0.0 || n.fract() != 0.0 {
                ok = false;
                r.push(
                    r.at(span.clone(), format!("for {} `{name}`, `min` and `max` count {} and must be whole numbers of 0 or more", article(kind.name()), if kind == ParamType::String { "characters" } else { "items" }))
                        .with_help("write e.g. min = 1"),
                );
            }
        }
    }
    if let (Some((lo, _)), Some((hi, span))) = (&min, &max)
        && lo > hi
    {
        ok = false;
        r.push(
            r.at(span.clone(), format!("`max` ({hi}) is below `min` ({lo})"))
                .with_help("make `min` at most `max`"),
        );
    }
    if !ok {
        return Bounds::default();
    }
    Bounds {
        min: min.map(|(n, _)| n),
        max: max.map(|(n, _)| n),
    }
}

/// `enum`: a non-empty list whose items have the variable's type.
fn allowed(
    r: &mut Reporter,
    rules: &DeTable,
    kind: Option<ParamType>,
) -> Option<(Vec<Value>, Range<usize>)> {
    let (_, v) = rules.get_key_value("enum")?;
    let span = v.span();
    if r.is_damaged(&span) {
        return None;
    }
    let DeValue::Array(items) = v.get_ref() else {
        r.push(
            r.at(
                span,
                format!(
                    "`enum` must be a list, found {}",
                    article(v.get_ref().type_str())
                ),
            )
            .with_help("write enum = [\"staging\", \"production\"]"),
        );
        return None;
    };
    if items.is_empty() {
        r.push(
            r.at(span, "`enum` is empty, so no value would be accepted")
                .with_help("list the accepted values, or remove `enum`"),
        );
        return None;
    }
    let mut values = Vec::new();
    for item in items.iter() {
        let item_span = item.span();
        let Some(value) = to_json(item.get_ref()) else {
            r.push(
                r.at(item_span, "this `enum` value is a number JSON cannot carry")
                    .with_help("write a finite number"),
            );
            continue;
        };
        if let Some(kind) = kind
            && !kind.accepts(&value)
        {
            r.push(
                r.at(
                    item_span,
                    format!(
                        "`enum` values must be {} like the variable, found {}",
                        article(kind.name()),
                        article(item.get_ref().type_str())
                    ),
                )
                .with_help("make every value of `enum` the variable's `type`"),
            );
            continue;
        }
        values.push(value);
    }
    Some((values, span))
}
