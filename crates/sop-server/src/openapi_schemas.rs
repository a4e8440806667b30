//! The schemas of `GET /api/openapi.json`: every body the API reads or answers. Objects name
//! the fields they always carry; documents may grow fields, so more are allowed.

use crate::openapi_inputs as inputs;
use serde_json::{Map, Value, json};
use sop_core::run::RunStatus;

/// The request bodies among the schemas; the server checks each body against its schema.
pub const BODIES: [&str; 10] = [
    "TriggerBody",
    "ApproveBody",
    "CancelBody",
    "EmptyBody",
    "RetryBody",
    "SkipBody",
    "CompleteBody",
    "EventBody",
    "FactBody",
    "TokenBody",
];

/// The rule across `ApproveBody`'s fields, in words.
const REJECTION: &str = "a rejection needs a comment saying why; it goes into the audit trail";

fn obj(required: &[(&str, Value)]) -> Value {
    let mut props = Map::new();
    for (name, schema) in required {
        props.insert(name.to_string(), schema.clone());
    }
    let names: Vec<&str> = required.iter().map(|(n, _)| *n).collect();
    json!({"type": "object", "required": names, "properties": props})
}

/// A request body: only these fields, none required unless listed in `required`.
fn input(fields: &[(&str, Value)], required: &[&str]) -> Value {
    let mut props = Map::new();
    for (name, schema) in fields {
        props.insert(name.to_string(), schema.clone());
    }
    json!({"type": "object", "properties": props, "required": required, "additionalProperties": false})
}

/// `body` with a rule across its fields: when `when` holds, so must `then` (whose description
/// says the rule in words).
fn with_rule(mut body: Value, when: Value, then: Value) -> Value {
    body["if"] = when;
    body["then"] = then;
    body
}

fn r(name: &str) -> Value {
    json!({"$ref": format!("#/components/schemas/{name}")})
}

fn s() -> Value {
    json!({"type": "string"})
}

fn ns() -> Value {
    json!({"type": ["string", "null"]})
}

fn int() -> Value {
    json!({"type": "integer"})
}

fn nint() -> Value {
    json!({"type": ["integer", "null"]})
}

fn arr(items: Value) -> Value {
    json!({"type": "array", "items": items})
}

/// The run statuses, and `null`, as an enum.
fn run_status_or_null(statuses: &[&str]) -> Vec<Value> {
    let mut out: Vec<Value> = statuses.iter().map(|s| json!(s)).collect();
    out.push(Value::Null);
    out
}

fn u32() -> Value {
    json!({"type": "integer", "minimum": 0, "maximum": 4294967295u64})
}

pub fn schemas() -> Value {
    let statuses: Vec<&str> = RunStatus::ALL.iter().map(|s| s.as_str()).collect();
    let status = json!({"type": "string", "enum": statuses});
    let entries: Vec<(&str, Value)> = vec![
        (
            "Error",
            obj(&[("error", obj(&[("code", s()), ("message", s())]))]),
        ),
        (
            "ErrorWithRun",
            obj(&[
                ("error", obj(&[("code", s()), ("message", s())])),
                ("run", r("Run")),
            ]),
        ),
        ("Any", json!({})),
        (
            "Health",
            obj(&[(
                "status",
                json!({"type": "string", "enum": ["ok", "draining"]}),
            )]),
        ),
        (
            "Sop",
            obj(&[
                ("name", s()),
                ("description", s()),
                ("valid", json!({"type": "boolean"})),
                ("triggers", arr(obj(&[("type", s())]))),
                ("problems", arr(s())),
                ("priority", ns()),
                ("execution_mode", ns()),
                (
                    "in_use",
                    json!({
                        "type": ["object", "null"],
                        "description": "The version the server has in use: the files when valid, else the last valid version",
                        "required": ["definition_hash", "loaded_at"],
                        "properties": {"definition_hash": s(), "loaded_at": s()},
                    }),
                ),
            ]),
        ),
        ("SopList", obj(&[("sops", arr(r("Sop")))])),
        ("SopOne", obj(&[("sop", r("Sop"))])),
        (
            "SopStatus",
            obj(&[
                ("sop", r("Sop")),
                ("runs", arr(r("RunSummary"))),
                ("active", int()),
            ]),
        ),
        (
            "RunSummary",
            obj(&[
                ("id", s()),
                ("sop", s()),
                ("status", status.clone()),
                ("reason", ns()),
                ("current_step", nint()),
                ("step_count", int()),
                ("trigger_type", s()),
                ("started_by", s()),
                ("created_at", s()),
            ]),
        ),
        (
            "RunList",
            obj(&[("runs", arr(r("RunSummary"))), ("next_before", ns())]),
        ),
        (
            "Step",
            obj(&[
                ("number", int()),
                ("title", s()),
                ("status", s()),
                ("attempts", int()),
                ("exit_code", nint()),
            ]),
        ),
        (
            "Gate",
            obj(&[
                ("id", s()),
                ("run_id", s()),
                ("step", int()),
                ("status", s()),
                ("decisions", arr(obj(&[("actor", s()), ("decision", s())]))),
            ]),
        ),
        (
            "Run",
            obj(&[
                ("id", s()),
                ("sop", s()),
                ("status", status),
                ("reason", ns()),
                ("trigger_type", s()),
                ("started_by", s()),
                ("created_at", s()),
                ("variables", json!({})),
                ("steps", arr(json!({"type": "object"}))),
            ]),
        ),
        ("RunEnvelope", obj(&[("run", r("Run"))])),
        (
            "GateEnvelope",
            obj(&[("gate", r("Gate")), ("run", r("Run"))]),
        ),
        (
            "PendingList",
            obj(&[(
                "gates",
                arr(obj(&[
                    ("run_id", s()),
                    ("sop", s()),
                    ("step", int()),
                    ("waiting_for", s()),
                ])),
            )]),
        ),
        (
            "Logs",
            obj(&[
                ("run_id", s()),
                (
                    "steps",
                    arr(obj(&[("number", int()), ("title", s()), ("status", s())])),
                ),
            ]),
        ),
        (
            "Next",
            obj(&[
                ("run_id", s()),
                ("status", s()),
                ("waiting_for", ns()),
                ("step", json!({"type": ["object", "null"]})),
                ("gate", json!({"type": ["object", "null"]})),
            ]),
        ),
        (
            "AuditList",
            obj(&[
                ("run_id", s()),
                (
                    "entries",
                    arr(obj(&[
                        ("seq", int()),
                        ("at", s()),
                        ("actor", s()),
                        ("kind", s()),
                        ("detail", json!({})),
                    ])),
                ),
            ]),
        ),
        (
            "Fact",
            obj(&[
                ("name", s()),
                ("value", json!({})),
                ("set_at", s()),
                ("expires_at", ns()),
                ("set_by", s()),
            ]),
        ),
        ("FactList", obj(&[("facts", arr(r("Fact")))])),
        (
            "EventOutcome",
            obj(&[
                ("sop", s()),
                ("trigger", u32()),
                (
                    "outcome",
                    json!({"type": "string", "enum": ["started", "skipped", "cooldown", "refused"]}),
                ),
                ("run", ns()),
                (
                    "run_status",
                    json!({"type": ["string", "null"], "enum": run_status_or_null(&statuses)}),
                ),
                ("reason", ns()),
                ("decided_at", s()),
            ]),
        ),
        (
            "Event",
            obj(&[
                ("id", json!({"type": "integer", "minimum": 1})),
                ("event", s()),
                ("source", ns()),
                ("received_at", s()),
                ("data", json!({"type": "object"})),
                ("outcomes", arr(r("EventOutcome"))),
            ]),
        ),
        ("EventEnvelope", obj(&[("event", r("Event"))])),
        ("FactEnvelope", obj(&[("fact", r("Fact"))])),
        ("Unset", obj(&[("unset", s())])),
        (
            "Verify",
            obj(&[
                ("intact", json!({"type": "boolean"})),
                ("entries", int()),
                ("problem", json!({"type": ["object", "null"]})),
            ]),
        ),
        (
            "Token",
            obj(&[
                ("id", s()),
                ("user", s()),
                ("scopes", arr(s())),
                ("created_at", s()),
                ("expires_at", ns()),
                ("revoked_at", ns()),
            ]),
        ),
        ("TokenList", obj(&[("tokens", arr(r("Token")))])),
        ("TokenEnvelope", obj(&[("token", r("Token"))])),
        (
            "TokenCreated",
            obj(&[("token", r("Token")), ("secret", s())]),
        ),
        (
            "TriggerBody",
            input(
                &[
                    (
                        "variables",
                        inputs::variables("The run's variables, by name."),
                    ),
                    ("force", json!({"type": "boolean"})),
                ],
                &[],
            ),
        ),
        (
            "ApproveBody",
            with_rule(
                input(
                    &[
                        ("step", u32()),
                        ("approved", json!({"type": "boolean"})),
                        ("comment", s()),
                        ("token", s()),
                    ],
                    &["approved"],
                ),
                json!({"properties": {"approved": {"const": false}}, "required": ["approved"]}),
                json!({
                    "description": REJECTION,
                    "required": ["comment"],
                    "properties": {"comment": inputs::nonblank(REJECTION)},
                }),
            ),
        ),
        ("CancelBody", input(&[("reason", s())], &[])),
        ("EmptyBody", input(&[], &[])),
        ("RetryBody", input(&[("step", u32())], &[])),
        (
            "SkipBody",
            input(
                &[
                    ("step", u32()),
                    ("reason", inputs::nonblank("skipping a step needs a reason")),
                ],
                &["step", "reason"],
            ),
        ),
        (
            "CompleteBody",
            with_rule(
                input(
                    &[
                        ("note", s()),
                        ("outputs", inputs::outputs()),
                        ("failed", json!({"type": "boolean"})),
                    ],
                    &[],
                ),
                json!({"properties": {"failed": {"const": true}}, "required": ["failed"]}),
                json!({
                    "description": "a failed step needs a note saying why, and has no outputs",
                    "required": ["note"],
                    "properties": {
                        "note": inputs::nonblank("a failed step needs a note saying why"),
                        "outputs": {"maxProperties": 0, "description": "outputs record what a finished step produced; a failed step has no outputs"},
                    },
                }),
            ),
        ),
        (
            "EventBody",
            input(
                &[
                    ("event", inputs::event_name()),
                    (
                        "data",
                        inputs::variables("What happened: the runs' variables, by name."),
                    ),
                ],
                &["event"],
            ),
        ),
        (
            "FactBody",
            input(
                &[
                    ("value", json!({})),
                    (
                        "ttl",
                        inputs::duration(
                            "how long until the fact is forgotten: up to three parts of a number and a unit (s, m, h, d, w), e.g. 2h or 1d12h",
                        ),
                    ),
                ],
                &["value"],
            ),
        ),
        (
            "TokenBody",
            input(
                &[
                    ("user", inputs::user_name()),
                    (
                        "scopes",
                        json!({"type": "array", "minItems": 1, "items": {"type": "string", "enum": ["read", "run", "approve", "admin"]}}),
                    ),
                    (
                        "expires",
                        inputs::duration(
                            "how long the token lasts: up to three parts of a number and a unit (s, m, h, d, w), e.g. 90d",
                        ),
                    ),
                ],
                &["user"],
            ),
        ),
    ];
    Value::Object(
        entries
            .into_iter()
            .map(|(k, v)| (k.to_string(), v))
            .collect(),
    )
}
