//! `GET /api/openapi.json`: an OpenAPI 3.1 document of exactly the routes `routes::router`
//! serves, with every status each can answer and the schemas of its bodies. Webhook paths come
//! from the SOP directory and are described by the `webhooks` note, not as paths.

use serde_json::{Map, Value, json};

/// `(method, path, operation)` of every route, in the router's order.
pub fn operations() -> Vec<(&'static str, &'static str, Value)> {
    let run_id = param("id", "path", "A run id, or a unique prefix of one.");
    let sop_name = param("name", "path", "The SOP's name (its folder).");
    let mut fact = param("name", "path", "The fact's name (case-insensitive).");
    fact["schema"] = crate::openapi_inputs::fact_name();
    let step = json!({"name": "n", "in": "path", "required": true, "description": "The step's number.", "schema": {"type": "integer", "minimum": 0, "maximum": 4294967295u64}});
    let statuses: Vec<&str> = sop_core::run::RunStatus::ALL
        .iter()
        .map(|s| s.as_str())
        .collect();
    vec![
        (
            "get",
            "/healthz",
            op(
                "Liveness: `ok`, or `draining` while shutting down.",
                None,
                vec![],
                None,
                &[(200, "Health"), (503, "Health")],
            ),
        ),
        (
            "get",
            "/metrics",
            json!({
                "summary": "Prometheus metrics (text format). Needs `read` unless the server runs with --metrics-public.",
                "security": security(),
                "responses": with_errors(json!({"200": {"description": "Metrics", "content": {"text/plain": {"schema": {"type": "string"}}}}}), &[401, 403]),
            }),
        ),
        (
            "get",
            "/api/openapi.json",
            op("This document.", None, vec![], None, &[(200, "Any")]),
        ),
        (
            "get",
            "/api/sops",
            op(
                "Every SOP, valid or not.",
                Some("read"),
                vec![],
                None,
                &[(200, "SopList")],
            ),
        ),
        (
            "get",
            "/api/sops/{name}",
            op(
                "One SOP with its steps.",
                Some("read"),
                vec![sop_name.clone()],
                None,
                &[(200, "SopOne"), (404, "")],
            ),
        ),
        (
            "get",
            "/api/sop/{name}/status",
            op(
                "The SOP, its recent runs and how many are active.",
                Some("read"),
                vec![sop_name.clone()],
                None,
                &[(200, "SopStatus"), (404, "")],
            ),
        ),
        (
            "post",
            "/api/sop/{name}/trigger",
            op_with_headers(
                "Start a run. `202` once it is durably recorded; `409` with the skipped run when its conditions do not hold.",
                Some("run"),
                vec![sop_name, idempotency()],
                Some("TriggerBody"),
                &[
                    (200, "RunEnvelope"),
                    (202, "RunEnvelope"),
                    (404, ""),
                    (409, "Error"),
                    (413, ""),
                    (415, ""),
                    (422, ""),
                    (503, ""),
                ],
            ),
        ),
        (
            "post",
            "/api/sop/run/{id}/approve",
            op(
                "Approve (or reject, with a comment) a gate. An API token with `approve`, or a gate token in the body without any API token.",
                Some("approve"),
                vec![run_id.clone()],
                Some("ApproveBody"),
                &[
                    (200, "GateEnvelope"),
                    (404, ""),
                    (409, ""),
                    (413, ""),
                    (415, ""),
                    (422, ""),
                ],
            ),
        ),
        (
            "get",
            "/api/approvals/pending",
            op(
                "Open gates, with what each waits for.",
                Some("read"),
                vec![],
                None,
                &[(200, "PendingList")],
            ),
        ),
        (
            "get",
            "/api/runs",
            op(
                "Recent runs, newest first.",
                Some("read"),
                vec![
                    query("sop", "Only runs of this SOP.", json!({"type": "string"})),
                    query(
                        "status",
                        "Only runs in these statuses (comma-separated).",
                        crate::openapi_inputs::status_list(&statuses),
                    ),
                    query(
                        "limit",
                        "At most this many (1-1000, default 20).",
                        json!({"type": "integer", "minimum": 1, "maximum": 1000}),
                    ),
                    query(
                        "before",
                        "Continue after this run id (`next_before` of the previous page).",
                        json!({"type": "string"}),
                    ),
                ],
                None,
                &[(200, "RunList"), (404, ""), (409, ""), (422, "")],
            ),
        ),
        (
            "get",
            "/api/runs/{id}",
            op(
                "One run: steps, gates, decisions, conditions.",
                Some("read"),
                vec![run_id.clone()],
                None,
                &[(200, "RunEnvelope"), (404, ""), (409, "")],
            ),
        ),
        (
            "get",
            "/api/runs/{id}/logs",
            op(
                "The stored output of a run's steps.",
                Some("read"),
                vec![
                    run_id.clone(),
                    query(
                        "step",
                        "Only this step.",
                        json!({"type": "integer", "minimum": 0, "maximum": 4294967295u64}),
                    ),
                ],
                None,
                &[(200, "Logs"), (404, ""), (409, ""), (422, "")],
            ),
        ),
        (
            "get",
            "/api/runs/{id}/next",
            op(
                "What the run waits for, and the step it is at.",
                Some("read"),
                vec![run_id.clone()],
                None,
                &[(200, "Next"), (404, ""), (409, "")],
            ),
        ),
        (
            "get",
            "/api/runs/{id}/audit",
            op(
                "The run's audit entries, oldest first.",
                Some("read"),
                vec![run_id.clone()],
                None,
                &[(200, "AuditList"), (404, ""), (409, "")],
            ),
        ),
        (
            "post",
            "/api/runs/{id}/cancel",
            op(
                "Stop the run now; a running step is terminated.",
                Some("run"),
                vec![run_id.clone()],
                Some("CancelBody"),
                &control_statuses(),
            ),
        ),
        (
            "post",
            "/api/runs/{id}/pause",
            op(
                "Stop the run before its next step.",
                Some("run"),
                vec![run_id.clone()],
                Some("EmptyBody"),
                &control_statuses(),
            ),
        ),
        (
            "post",
            "/api/runs/{id}/resume",
            op(
                "Go on with a paused, pending or recovered run.",
                Some("run"),
                vec![run_id.clone()],
                Some("EmptyBody"),
                &control_statuses(),
            ),
        ),
        (
            "post",
            "/api/runs/{id}/retry",
            op(
                "Run a failed or interrupted step again.",
                Some("run"),
                vec![run_id.clone()],
                Some("RetryBody"),
                &control_statuses(),
            ),
        ),
        (
            "post",
            "/api/runs/{id}/skip",
            op(
                "Go on without a failed, interrupted or manual step.",
                Some("run"),
                vec![run_id.clone()],
                Some("SkipBody"),
                &control_statuses(),
            ),
        ),
        (
            "post",
            "/api/runs/{id}/steps/{n}/complete",
            op(
                "Report a manual step done (or failed).",
                Some("run"),
                vec![run_id, step],
                Some("CompleteBody"),
                &control_statuses(),
            ),
        ),
        (
            "post",
            "/api/events",
            op(
                "Record an event. Every SOP with a matching `type = \"event\"` trigger (a name, or a glob such as `deploy.*`) whose condition holds on `data` and whose cooldown has passed starts a run with `data` as its variables; `outcomes` says, per matching trigger, which run it started or why none. `202` once the event and its runs are durably recorded.",
                Some("run"),
                vec![],
                Some("EventBody"),
                &[
                    (202, "EventEnvelope"),
                    (409, ""),
                    (413, ""),
                    (415, ""),
                    (422, ""),
                ],
            ),
        ),
        (
            "get",
            "/api/facts",
            op(
                "The facts that are set (secret-named values redacted).",
                Some("read"),
                vec![],
                None,
                &[(200, "FactList")],
            ),
        ),
        (
            "get",
            "/api/facts/{name}",
            op(
                "One fact.",
                Some("read"),
                vec![fact.clone()],
                None,
                &[(200, "FactEnvelope"), (404, ""), (422, "")],
            ),
        ),
        (
            "put",
            "/api/facts/{name}",
            op(
                "Set (or replace) a fact.",
                Some("run"),
                vec![fact.clone()],
                Some("FactBody"),
                &[(200, "FactEnvelope"), (413, ""), (415, ""), (422, "")],
            ),
        ),
        (
            "delete",
            "/api/facts/{name}",
            op(
                "Remove a fact.",
                Some("run"),
                vec![fact],
                None,
                &[(200, "Unset"), (404, ""), (422, "")],
            ),
        ),
        (
            "get",
            "/api/audit/verify",
            op(
                "Whether the audit chain is intact.",
                Some("read"),
                vec![],
                None,
                &[(200, "Verify")],
            ),
        ),
        (
            "get",
            "/api/tokens",
            op(
                "API tokens (never their secrets).",
                Some("admin"),
                vec![],
                None,
                &[(200, "TokenList")],
            ),
        ),
        (
            "post",
            "/api/tokens",
            op(
                "Create an API token; its secret is in this answer only.",
                Some("admin"),
                vec![],
                Some("TokenBody"),
                &[(201, "TokenCreated"), (413, ""), (415, ""), (422, "")],
            ),
        ),
        (
            "delete",
            "/api/tokens/{id}",
            op(
                "Revoke an API token.",
                Some("admin"),
                vec![param("id", "path", "The token's id.")],
                None,
                &[(200, "TokenEnvelope"), (404, "")],
            ),
        ),
        ("get", "/approve/{token}", approval_page_get()),
        ("post", "/approve/{token}", approval_page_post()),
        (
            "post",
            "/hooks/slack/interactions",
            chat_hook(
                "Slack's interactive payloads (the Approve and Reject buttons), signed with SOP_SLACK_SIGNING_SECRET: `X-Slack-Signature` is `v0=` and the HMAC-SHA256 of `v0:TIMESTAMP:BODY`; a timestamp more than five minutes old is refused. The Slack user is mapped to a sop user through users.toml.",
                json!({"application/x-www-form-urlencoded": {"schema": {"type": "object", "required": ["payload"], "properties": {"payload": {"type": "string", "description": "Slack's JSON payload."}}}}}),
                vec![
                    header(
                        "X-Slack-Request-Timestamp",
                        "Unix seconds, as Slack sends them.",
                    ),
                    header("X-Slack-Signature", "`v0=` and the hex HMAC-SHA256."),
                ],
            ),
        ),
        (
            "post",
            "/hooks/telegram",
            chat_hook(
                "Telegram updates (button presses), with the secret set by setWebhook in `X-Telegram-Bot-Api-Secret-Token` (SOP_TELEGRAM_WEBHOOK_SECRET). The Telegram user is mapped to a sop user through users.toml.",
                json!({"application/json": {"schema": {"type": "object"}}}),
                vec![header(
                    "X-Telegram-Bot-Api-Secret-Token",
                    "The webhook's secret token.",
                )],
            ),
        ),
    ]
}

fn header(name: &str, description: &str) -> Value {
    json!({"name": name, "in": "header", "required": false, "description": description, "schema": {"type": "string"}})
}

fn html(description: &str) -> Value {
    json!({"description": description, "content": {"text/html": {"schema": {"type": "string"}}}})
}

fn token_param() -> Value {
    param(
        "token",
        "path",
        "A gate token from an approval link (`sopat_` and 32 characters).",
    )
}

fn approval_page_get() -> Value {
    json!({
        "summary": "The approval page behind a notification's link (HTML, no JavaScript). Reading it decides nothing, so link previews are harmless.",
        "parameters": [token_param()],
        "responses": with_errors(json!({
            "200": html("The gate, its step, checklist, commands and variables, and a form to approve or reject."),
            "400": html("The path cannot be read."),
            "404": html("An unknown link."),
            "410": html("A link already used, a gate closed or expired."),
            "500": html("The page could not be shown."),
        }), &[]),
    })
}

fn approval_page_post() -> Value {
    json!({
        "summary": "Approve or reject from the approval page's form. The form's `form_key` comes from the page, so a form posted from elsewhere is refused.",
        "parameters": [token_param()],
        "requestBody": {"required": true, "content": {"application/x-www-form-urlencoded": {"schema": {
            "type": "object",
            "required": ["decision", "form_key"],
            "properties": {
                "decision": {"type": "string", "enum": ["approve", "reject"]},
                "comment": {"type": "string", "description": "Needed to reject."},
                "name": {"type": "string", "description": "Who decides, for a link issued to anyone."},
                "form_key": {"type": "string"},
            },
        }}}},
        "responses": with_errors(json!({
            "200": html("The decision was recorded."),
            "400": html("Not a decision form."),
            "403": html("Refused: the form did not come from the page, or the rules do not allow this person."),
            "404": html("An unknown link."),
            "409": html("The run cannot take the decision now."),
            "422": html("The decision is incomplete (a rejection without a comment, no name)."),
            "500": html("The decision could not be recorded."),
            "503": html("The store is busy; try again."),
        }), &[408, 413, 415]),
    })
}

fn chat_hook(summary: &str, body: Value, params: Vec<Value>) -> Value {
    json!({
        "summary": summary,
        "parameters": params,
        "requestBody": {"required": true, "content": body},
        "responses": with_errors(json!({
            "200": {"description": "Handled; the reply goes to the chat.", "content": {"application/json": {"schema": {"type": "object"}}}},
        }), &[400, 401, 404, 408, 413]),
    })
}

/// The whole document.
pub fn document() -> Value {
    let schemas = crate::openapi_schemas::schemas();
    let mut paths = Map::new();
    let operations = operations();
    let links = links(&operations);
    for (method, path, mut operation) in operations {
        for (status, links) in links
            .iter()
            .filter(|(m, p, ..)| *m == method && *p == path)
            .map(|(_, _, s, l)| (s, l))
        {
            operation["responses"][*status]["links"] = links.clone();
        }
        // A body with required fields must be sent; one without may be left out (read as `{}`).
        if let Some(body) = operation.get_mut("requestBody")
            && let Some(name) = body["content"]["application/json"]["schema"]["$ref"]
                .as_str()
                .and_then(|r| r.strip_prefix("#/components/schemas/"))
        {
            body["required"] = json!(
                schemas[name]["required"]
                    .as_array()
                    .is_some_and(|r| !r.is_empty())
            );
        }
        let entry = paths.entry(path.to_string()).or_insert_with(|| json!({}));
        entry[method] = operation;
    }
    json!({
        "openapi": "3.1.0",
        "info": {
            "title": "sop",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "The HTTP API of `sop serve`. Webhook triggers are served at each `type = \"webhook\"` trigger's `path` (POST or PUT, JSON object body): `202` with the started run, `200` with a skipped or already-delivered run, and the error statuses of /api/sop/{name}/trigger.",
        },
        "paths": paths,
        "components": {
            "securitySchemes": {
                "bearer": {"type": "http", "scheme": "bearer", "description": "An API token (`sop token create`) or the admin token (SOP_API_TOKEN)."},
                "basic": {"type": "http", "scheme": "basic", "description": "The same token as the password, for clients that send only Basic credentials; the user name is not read."},
            },
            "schemas": schemas,
        },
    })
}

/// The OpenAPI links between operations, as `(method, path, status, links)`: where a response
/// names a run, a fact or a token, every operation on it, so that a client (or a tester)
/// following the document reaches them with names that exist.
fn links(
    operations: &[(&'static str, &'static str, Value)],
) -> Vec<(&'static str, &'static str, &'static str, Value)> {
    let to = |prefixes: &[&str], param: &str, from: &str| -> Value {
        let mut out = Map::new();
        for (method, path, _) in operations {
            if prefixes.iter().any(|p| path.starts_with(p))
                && path.contains(&format!("{{{param}}}"))
            {
                let pointer = path.replace('~', "~0").replace('/', "~1");
                let name = format!("{method} {path}");
                out.insert(
                    name,
                    json!({
                        "operationRef": format!("#/paths/{pointer}/{method}"),
                        "parameters": {param: from},
                    }),
                );
            }
        }
        Value::Object(out)
    };
    let runs = |from: &str| to(&["/api/runs/{id}", "/api/sop/run/{id}"], "id", from);
    let run = "$response.body#/run/id";
    vec![
        ("post", "/api/sop/{name}/trigger", "202", runs(run)),
        ("post", "/api/sop/{name}/trigger", "200", runs(run)),
        ("get", "/api/runs", "200", runs("$response.body#/runs/0/id")),
        (
            "put",
            "/api/facts/{name}",
            "200",
            to(&["/api/facts/{name}"], "name", "$response.body#/fact/name"),
        ),
        (
            "post",
            "/api/tokens",
            "201",
            to(&["/api/tokens/{id}"], "id", "$response.body#/token/id"),
        ),
    ]
}

fn security() -> Value {
    json!([{"bearer": []}, {"basic": []}])
}

/// Marks every operation that asks for a token as needing none (the open mode).
pub fn allow_anonymous(doc: &mut Value) {
    let Some(paths) = doc["paths"].as_object_mut() else {
        return;
    };
    for item in paths.values_mut() {
        let Some(item) = item.as_object_mut() else {
            continue;
        };
        for op in item.values_mut() {
            if let Some(list) = op.get_mut("security").and_then(Value::as_array_mut) {
                list.push(json!({}));
                if let Some(d) = op.get_mut("description") {
                    *d = json!(format!(
                        "{} This server has no token configured (open mode): it needs none.",
                        d.as_str().unwrap_or_default()
                    ));
                }
            }
        }
    }
}

fn param(name: &str, location: &str, description: &str) -> Value {
    json!({"name": name, "in": location, "required": location == "path", "description": description, "schema": {"type": "string"}})
}

fn query(name: &str, description: &str, schema: Value) -> Value {
    json!({"name": name, "in": "query", "required": false, "description": description, "schema": schema})
}

fn idempotency() -> Value {
    json!({"name": "Idempotency-Key", "in": "header", "required": false, "description": "A second request with the same key within 24 h answers 200 with the first run.", "schema": {"type": "string"}})
}

fn control_statuses() -> Vec<(u16, &'static str)> {
    vec![
        (200, "RunEnvelope"),
        (404, ""),
        (409, ""),
        (413, ""),
        (415, ""),
        (422, ""),
    ]
}

fn op(
    summary: &str,
    scope: Option<&str>,
    params: Vec<Value>,
    body: Option<&str>,
    statuses: &[(u16, &str)],
) -> Value {
    op_with_headers(summary, scope, params, body, statuses)
}

fn op_with_headers(
    summary: &str,
    scope: Option<&str>,
    params: Vec<Value>,
    body: Option<&str>,
    statuses: &[(u16, &str)],
) -> Value {
    let mut responses = Map::new();
    for (status, schema) in statuses {
        let value = if schema.is_empty() {
            error_response()
        } else {
            json!({"description": schema, "content": {"application/json": {"schema": {"$ref": format!("#/components/schemas/{schema}")}}}})
        };
        responses.insert(status.to_string(), value);
    }
    let mut common: Vec<u16> = vec![];
    if scope.is_some() {
        common.extend([401, 403, 503]);
    }
    if params.iter().any(|p| p["in"] == "query") || body.is_some() {
        common.push(400);
    }
    if body.is_some() {
        // A body that did not arrive in time (`SOP_HTTP_BODY_TIMEOUT`).
        common.push(408);
    }
    if params.iter().any(|p| p["in"] == "path") {
        common.push(400);
    }
    let mut out = json!({"summary": summary, "parameters": params, "responses": with_errors(Value::Object(responses), &common)});
    if let Some(scope) = scope {
        out["security"] = security();
        out["x-scope"] = json!(scope);
        out["description"] = json!(format!(
            "Needs an API token with the `{scope}` scope (`admin` includes every scope)."
        ));
    }
    if let Some(body) = body {
        // Whether it must be sent is decided in `document`, beside the schemas.
        out["requestBody"] = json!({"required": false, "content": {"application/json": {"schema": {"$ref": format!("#/components/schemas/{body}")}}}});
    }
    out
}

fn error_response() -> Value {
    json!({"description": "Error", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}})
}

/// `responses` with an error answer for each of `statuses` it lacks, and 405, 500 and 503,
/// which any route can give (a method it does not take; a failure it logged; a request that
/// came while the server drains).
fn with_errors(mut responses: Value, statuses: &[u16]) -> Value {
    for status in statuses.iter().chain(&[405, 500, 503]) {
        let key = status.to_string();
        if responses.get(&key).is_none() {
            responses[key] = error_response();
        }
    }
    responses
}
