//! Checking a start's variables against the declared parameters: every problem at once,
//! defaults filled in.

use super::model::{Bounded, ParamType, Parameter, Parameters};
use super::problem::{Measure, ParameterProblem, ProblemKind};
use crate::suggest;
use serde_json::{Map, Value};

/// Who starts a run, which decides whether undeclared variables are accepted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StartOrigin {
    /// `sop execute` (and the API's manual start): undeclared variables are refused.
    Manual,
    /// A cron trigger; it passes no variables, so only defaults apply.
    Schedule,
    /// A webhook call: the body's variables are accepted as they are, declared ones checked.
    Webhook,
    /// An event: as for webhooks.
    Event,
}

impl StartOrigin {
    /// Whether variables the SOP does not declare are refused.
    pub fn refuses_undeclared(self) -> bool {
        matches!(self, StartOrigin::Manual | StartOrigin::Schedule)
    }
}

impl Parameters {
    /// Checks `vars` against the declarations and returns them with every missing optional
    /// parameter's default filled in, or every problem found. A `null` value counts as not
    /// given. An SOP that declares no parameters accepts any variables unchanged.
    pub fn validate(
        &self,
        vars: &Map<String, Value>,
        origin: StartOrigin,
    ) -> Result<Map<String, Value>, Vec<ParameterProblem>> {
        if self.is_empty() {
            return Ok(vars.clone());
        }
        let mut out = vars.clone();
        let mut problems = Vec::new();
        for p in self.iter() {
            let given = vars.get(&p.name).filter(|v| !v.is_null());
            match (given, &p.default) {
                (Some(given), _) => {
                    // Senders such as Zabbix send every value as a string: a webhook's or an
                    // event's `"4"` is read as the number (or `"true"` as the boolean) declared.
                    let read = (!origin.refuses_undeclared())
                        .then(|| from_text(p.kind, given))
                        .flatten();
                    let value = read.as_ref().unwrap_or(given);
                    let found = value_problems(p, value);
                    if found.is_empty() {
                        if let Some(whole) = whole_number(p.kind, value) {
                            out.insert(p.name.clone(), whole);
                        } else if read.is_some() {
                            out.insert(p.name.clone(), value.clone());
                        }
                    }
                    let secret = p.secret || crate::secret::is_secret_name(&p.name);
                    problems.extend(found.into_iter().map(|kind| ParameterProblem {
                        name: p.name.clone(),
                        kind,
                        secret,
                    }));
                }
                (None, Some(default)) => {
                    let whole = whole_number(p.kind, default);
                    out.insert(p.name.clone(), whole.unwrap_or_else(|| default.clone()));
                }
                (None, None) if p.required => problems.push(ParameterProblem {
                    name: p.name.clone(),
                    kind: ProblemKind::Missing {
                        example: example(p),
                    },
                    secret: false,
                }),
                (None, None) => {
                    out.remove(&p.name);
                }
            }
        }
        if origin.refuses_undeclared() {
            let declared: Vec<&str> = self.iter().map(|p| p.name.as_str()).collect();
            for name in vars.keys().filter(|n| !declared.contains(&n.as_str())) {
                problems.push(ParameterProblem {
                    name: name.clone(),
                    kind: ProblemKind::Undeclared {
                        suggestion: suggest::closest(name, declared.iter().copied())
                            .map(str::to_string),
                        declared: declared.iter().map(|d| d.to_string()).collect(),
                    },
                    secret: false,
                });
            }
        }
        if problems.is_empty() {
            Ok(out)
        } else {
            Err(problems)
        }
    }
}

impl Parameter {
    /// Every rule that `value` breaks: its type first (nothing else is checked then), then
    /// `enum`, `pattern`, `min` and `max`.
    pub fn problems(&self, value: &Value) -> Vec<ProblemKind> {
        value_problems(self, value)
    }
}

fn value_problems(p: &Parameter, value: &Value) -> Vec<ProblemKind> {
    if !p.kind.accepts(value) {
        return vec![ProblemKind::WrongType {
            expected: expected(p.kind),
            got: value.clone(),
        }];
    }
    let mut out = Vec::new();
    if let Some(allowed) = &p.allowed
        && !allowed.iter().any(|a| same(a, value))
    {
        out.push(ProblemKind::NotAllowed {
            allowed: allowed.clone(),
            got: value.clone(),
        });
    }
    if let (Some(pattern), Value::String(s)) = (&p.pattern, value)
        && !pattern.is_full_match(s)
    {
        out.push(ProblemKind::NoMatch {
            pattern: pattern.as_str().to_string(),
            got: s.clone(),
        });
    }
    if let Some((what, got)) = measure(p.kind, value) {
        if let Some(min) = p.bounds.min.filter(|m| got < *m) {
            out.push(ProblemKind::TooSmall { what, min, got });
        }
        if let Some(max) = p.bounds.max.filter(|m| got > *m) {
            out.push(ProblemKind::TooLarge { what, max, got });
        }
    }
    out
}

/// Numbers compare by value, so `3` is the same as `3.0`.
fn same(a: &Value, b: &Value) -> bool {
    match (a.as_f64(), b.as_f64()) {
        (Some(x), Some(y)) if a.is_number() && b.is_number() => x == y,
        _ => a == b,
    }
}

fn measure(kind: ParamType, value: &Value) -> Option<(Measure, f64)> {
    Some(match (kind.bounded()?, value) {
        (Bounded::Value, Value::Number(n)) => (Measure::Value, n.as_f64()?),
        (Bounded::Length, Value::String(s)) => (Measure::Length, s.chars().count() as f64),
        (Bounded::Items, Value::Array(items)) => (Measure::Items, items.len() as f64),
        _ => return None,
    })
}

/// "a string", "an integer", ...
pub(crate) fn expected(kind: ParamType) -> &'static str {
    match kind {
        ParamType::String => "a string",
        ParamType::Number => "a number",
        ParamType::Integer => "an integer",
        ParamType::Boolean => "a boolean",
        ParamType::List => "a list",
        ParamType::Object => "an object",
    }
}

/// A JSON value of the parameter's type, for the help of a missing one.
/// A string holding a value of the declared number, integer or boolean type, as that value.
fn from_text(kind: ParamType, value: &Value) -> Option<Value> {
    let text = value.as_str()?.trim();
    match kind {
        ParamType::Number | ParamType::Integer => {
            let number: serde_json::Number = text.parse().ok()?;
            Some(Value::Number(number))
        }
        ParamType::Boolean => match text.to_ascii_lowercase().as_str() {
            "true" => Some(Value::Bool(true)),
            "false" => Some(Value::Bool(false)),
            _ => None,
        },
        _ => None,
    }
}

/// An integer given as `3.0` is accepted, and becomes `3`: rendered into a command as `3.0`, it
/// would be refused by the tools that take it (`--replicas=3.0`).
fn whole_number(kind: ParamType, value: &Value) -> Option<Value> {
    let f = value
        .as_f64()
        .filter(|_| kind == ParamType::Integer && value.is_f64())?;
    // 2^63 as a float: the first whole number an i64 cannot hold.
    (f.fract() == 0.0 && f.abs() < 9.223_372_036_854_776e18).then(|| Value::from(f as i64))
}

fn example(p: &Parameter) -> String {
    if let Some(first) = p.allowed.as_ref().and_then(|a| a.first()) {
        return first.to_string();
    }
    match p.kind {
        ParamType::String => "\"...\"".to_string(),
        ParamType::Number | ParamType::Integer => "1".to_string(),
        ParamType::Boolean => "true".to_string(),
        ParamType::List => "[...]".to_string(),
        ParamType::Object => "{...}".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parameters::{Bounds, Pattern};
    use serde_json::json;

    fn params() -> Parameters {
        Parameters::new(vec![
            Parameter {
                required: true,
                allowed: Some(vec![json!("staging"), json!("production")]),
                ..Parameter::new("environment", ParamType::String)
            },
            Parameter {
                default: Some(json!(2)),
                bounds: Bounds {
                    min: Some(1.0),
                    max: Some(10.0),
                },
                ..Parameter::new("replicas", ParamType::Integer)
            },
            Parameter {
                pattern: Some(Pattern::new(r"v\d+\.\d+").unwrap()),
                ..Parameter::new("version", ParamType::String)
            },
            Parameter {
                bounds: Bounds {
                    min: Some(1.0),
                    max: None,
                },
                ..Parameter::new("hosts", ParamType::List)
            },
        ])
    }

    fn map(v: Value) -> Map<String, Value> {
        v.as_object().cloned().unwrap()
    }

    fn messages(vars: Value, origin: StartOrigin) -> Vec<String> {
        params()
            .validate(&map(vars), origin)
            .unwrap_err()
            .iter()
            .map(ToString::to_string)
            .collect()
    }

    #[test]
    fn defaults_fill_in_and_good_values_pass() {
        let out = params()
            .validate(
                &map(json!({"environment": "staging", "version": "v1.2"})),
                StartOrigin::Manual,
            )
            .unwrap();
        assert_eq!(
            Value::Object(out),
            json!({"environment": "staging", "version": "v1.2", "replicas": 2})
        );
        let out = params()
            .validate(
                &map(json!({"environment": "staging", "replicas": 3.0})),
                StartOrigin::Manual,
            )
            .unwrap();
        // `3.0` is accepted for an integer and becomes `3`, as a command must see it.
        assert_eq!(out["replicas"], json!(3));
        assert_eq!(out["replicas"].to_string(), "3");
    }

    #[test]
    fn an_integer_is_one_a_64_bit_integer_holds() {
        let params = Parameters::new(vec![Parameter::new("n", ParamType::Integer)]);
        for ok in [json!(3), json!(3.0), json!(u64::MAX), json!(-9.0e18)] {
            assert!(
                params
                    .validate(&map(json!({ "n": ok })), StartOrigin::Manual)
                    .is_ok(),
                "{ok}"
            );
        }
        for too_large in [json!(1e20), json!(-1e19)] {
            assert!(
                params
                    .validate(&map(json!({ "n": too_large })), StartOrigin::Manual)
                    .is_err(),
                "{too_large}"
            );
        }
    }

    #[test]
    fn a_secret_variables_value_is_never_shown_in_its_problem() {
        let params = Parameters::new(vec![
            Parameter {
                pattern: Some(Pattern::new("[a-z]+").unwrap()),
                ..Parameter::new("api_token", ParamType::String)
            },
            Parameter {
                secret: true,
                ..Parameter::new("passcode", ParamType::Integer)
            },
        ]);
        let problems = params
            .validate(
                &map(json!({"api_token": "SUPERSECRET-TOK", "passcode": "4711"})),
                StartOrigin::Manual,
            )
            .unwrap_err();
        let text: Vec<String> = problems.iter().map(ToString::to_string).collect();
        assert_eq!(text.len(), 2, "{text:?}");
        for t in &text {
            assert!(!t.contains("SUPERSECRET") && !t.contains("4711"), "{t}");
            assert!(t.contains("[redacted]"), "{t}");
        }
    }

    #[test]
    fn a_senders_text_is_read_as_the_declared_type_only_from_webhooks_and_events() {
        let typed = Parameters::new(vec![
            Parameter::new("severity", ParamType::Integer),
            Parameter::new("acked", ParamType::Boolean),
        ]);
        let vars = map(json!({"severity": " 4 ", "acked": "FALSE", "extra": "x"}));
        let out = typed.validate(&vars, StartOrigin::Webhook).unwrap();
        assert_eq!(out["severity"], json!(4));
        assert_eq!(out["acked"], json!(false));
        assert_eq!(out["extra"], json!("x"));
        let refused = typed
            .validate(&map(json!({"severity": "4"})), StartOrigin::Manual)
            .unwrap_err();
        assert_eq!(refused.len(), 1, "{refused:?}");
        let not_a_number = typed
            .validate(&map(json!({"severity": "high"})), StartOrigin::Event)
            .unwrap_err();
        assert_eq!(not_a_number.len(), 1, "{not_a_number:?}");
    }

    #[test]
    fn every_problem_is_reported_at_once() {
        let problems = messages(
            json!({"replicas": "3", "version": "1.2", "hosts": [], "envirnoment": "prod"}),
            StartOrigin::Manual,
        );
        assert_eq!(
            problems,
            [
                "variable `environment` is required (help: pass it among the variables, e.g. {\"environment\": \"staging\"} (`--vars` at the command line))",
                "variable `replicas` must be an integer, got a string \"3\" (help: write the value without quotes: {\"replicas\": 3})",
                "variable `version` must match the pattern `v\\d+\\.\\d+` (the whole value), got \"1.2\" (help: pass a value the pattern matches from its first to its last character)",
                "variable `hosts` must be at least 1 item, got 0 items (help: pass a value within the declared `min` and `max`)",
                "variable `envirnoment` is not a parameter of this SOP (help: did you mean `environment`?)",
            ]
        );
    }

    #[test]
    fn patterns_match_the_whole_value() {
        let problems = messages(
            json!({"environment": "production", "version": "xv1.2x"}),
            StartOrigin::Manual,
        );
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert!(problems[0].contains("pattern"));
    }

    #[test]
    fn enum_bounds_and_null() {
        let problems = messages(
            json!({"environment": "prod", "replicas": 11, "version": null}),
            StartOrigin::Manual,
        );
        assert_eq!(problems.len(), 2, "{problems:?}");
        assert!(problems[0].contains("must be one of \"staging\", \"production\", got \"prod\""));
        assert!(problems[1].contains("must be at most 10, got 11"));
    }

    #[test]
    fn webhooks_and_events_may_pass_undeclared_variables() {
        let vars = map(json!({"environment": "staging", "alert": {"id": 1}}));
        for origin in [StartOrigin::Webhook, StartOrigin::Event] {
            let out = params().validate(&vars, origin).unwrap();
            assert_eq!(out["alert"], json!({"id": 1}));
        }
        let problems = messages(Value::Object(vars), StartOrigin::Manual);
        assert_eq!(problems.len(), 1);
        assert!(problems[0].contains("its parameters are `environment`, `replicas`"));
    }

    #[test]
    fn without_declarations_anything_goes() {
        let vars = map(json!({"x": 1}));
        assert_eq!(
            Parameters::default()
                .validate(&vars, StartOrigin::Manual)
                .unwrap(),
            vars
        );
    }

    proptest::proptest! {
        #[test]
        fn an_integer_within_bounds_always_passes(n in 1i64..=10) {
            let vars = map(json!({"environment": "staging", "replicas": n}));
            proptest::prop_assert!(params().validate(&vars, StartOrigin::Manual).is_ok());
        }

        #[test]
        fn outside_bounds_always_fails(n in proptest::prop_oneof![-1000i64..1, 11i64..1000]) {
            let vars = map(json!({"environment": "staging", "replicas": n}));
            proptest::prop_assert!(params().validate(&vars, StartOrigin::Manual).is_err());
        }
    }
}
