//! `sop mcp` driven by an MCP client over stdio: the handshake, the tool list and its schemas,
//! a whole run through a manual step, a gate under four-eyes, errors as tool errors, resources,
//! the prompt, and a long step that outlives its call.

use crate::mcp_client::McpClient;
use crate::support::Sandbox;
use serde_json::{Value, json};

const TOOLS: &[&str] = &[
    "list_sops",
    "show_sop",
    "check_sops",
    "plan_run",
    "start_run",
    "run_status",
    "list_runs",
    "next_step",
    "complete_step",
    "cancel_run",
    "retry_step",
    "skip_step",
    "resume_run",
    "pending_approvals",
    "decide_gate",
    "get_fact",
    "set_fact",
    "emit_event",
];

fn sandbox() -> Sandbox {
    let sb = Sandbox::new();
    sb.sop(
        "onboard",
        "[sop]\nname = \"onboard\"\ndescription = \"Accounts for a newcomer\"\nexecution_mode = \"auto\"\n\n[[triggers]]\ntype = \"manual\"\n",
        "# Onboard\n\n## Step 1: Create accounts\n\nCreate the accounts of {{ who }}.\n\n- [ ] email\n- [ ] chat\n\n## Step 2: Confirm\n\n```sh\necho \"account $SOP_STEP_1_ACCOUNT\"\n```\n",
    );
    sb.sop(
        "deploy",
        "[sop]\nname = \"deploy\"\ndescription = \"Ship it\"\npriority = \"critical\"\nexecution_mode = \"supervised\"\n\n[[triggers]]\ntype = \"manual\"\n",
        "# Deploy\n\n## Step 1: Ship\n\n```sh\necho shipped\n```\n",
    );
    sb.sop(
        "on-failure",
        "[sop]\nname = \"on-failure\"\ndescription = \"Answers failed deploys\"\nexecution_mode = \"auto\"\n\n[[triggers]]\ntype = \"event\"\nevent = \"deploy.*\"\ncondition = \"service == 'api'\"\n",
        "# On failure\n\n## Step 1: Note\n\n```sh\necho \"{{ service }}\"\n```\n",
    );
    // Fails until the file `fixed` exists in the run's working directory's parent (the
    // sandbox's tmp), then succeeds.
    sb.sop(
        "flaky",
        "[sop]\nname = \"flaky\"\ndescription = \"Fails first\"\nexecution_mode = \"auto\"\n\n[[triggers]]\ntype = \"manual\"\n",
        "# Flaky\n\n## Step 1: Try\n\n```sh\ntest -f \"$TMPDIR/fixed\"\n```\n\n## Step 2: Then\n\n```sh\necho then\n```\n",
    );
    sb.sop(
        "slow",
        "[sop]\nname = \"slow\"\ndescription = \"Takes its time\"\nexecution_mode = \"auto\"\n\n[[triggers]]\ntype = \"manual\"\n",
        "# Slow\n\n## Step 1: Wait\n\n```sh\nsleep 60\n```\n",
    );
    sb
}

fn client(sb: &Sandbox, user: &str) -> McpClient {
    let (client, init) = McpClient::start(sb.command(&["mcp", "--as", user]), "test-client");
    assert_eq!(init["protocolVersion"], "2025-11-25", "{init}");
    assert_eq!(init["serverInfo"]["name"], "sop", "{init}");
    for capability in ["tools", "resources", "prompts"] {
        assert!(init["capabilities"][capability].is_object(), "{init}");
    }
    client
}

/// The tool's structured content, after checking it against the tool's output schema and that
/// the text content carries the same document.
fn document(tools: &Value, tool: &str, result: &Value) -> Value {
    assert_ne!(result["isError"], json!(true), "{tool} failed: {result}");
    let doc = result["structuredContent"].clone();
    let schema = tools["tools"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["name"] == tool)
        .map(|t| t["outputSchema"].clone())
        .unwrap();
    if let Err(e) = jsonschema::validate(&schema, &doc) {
        panic!("{tool}'s result does not match its output schema: {e}\n{doc:#}");
    }
    let text = result["content"][0]["text"].as_str().unwrap();
    assert_eq!(serde_json::from_str::<Value>(text).unwrap(), doc);
    doc
}

fn error_text(result: &Value) -> String {
    assert_eq!(result["isError"], json!(true), "{result}");
    result["content"][0]["text"].as_str().unwrap().to_string()
}

#[test]
fn the_tools_follow_the_protocol_names_and_schemas() {
    let sb = sandbox();
    let mut c = client(&sb, "alice");
    let tools = c.request("tools/list", json!({}));
    let names: Vec<&str> = tools["tools"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, TOOLS);
    let name_rule = regex::Regex::new("^[A-Za-z0-9_.-]{1,128}$").unwrap();
    for tool in tools["tools"].as_array().unwrap() {
        let name = tool["name"].as_str().unwrap();
        assert!(name_rule.is_match(name), "{name}");
        assert!(tool["description"].as_str().is_some_and(|d| !d.is_empty()));
        for key in ["inputSchema", "outputSchema"] {
            let schema = &tool[key];
            assert_eq!(schema["type"], "object", "{name} {key}");
            assert_eq!(
                schema["$schema"], "https://json-schema.org/draft/2020-12/schema",
                "{name} {key}"
            );
            jsonschema::validator_for(schema).unwrap_or_else(|e| panic!("{name} {key}: {e}"));
        }
    }
    let bad = c.call("show_sop", json!({"nam": "onboard"}));
    let text = error_text(&bad);
    assert!(
        text.contains("input schema") && text.contains("nam"),
        "{text}"
    );
    // The bounds the schema states hold: before, `limit: 0` and `1001` were served.
    for limit in [0, 1001] {
        let out = c.call("list_runs", json!({"limit": limit}));
        assert_eq!(out["isError"], true, "{out}");
        assert!(error_text(&out).contains("limit"), "{out}");
    }
    let unknown = c.exchange("tools/call", json!({"name": "nope", "arguments": {}}));
    assert!(unknown["error"]["code"].is_i64(), "{unknown}");
    assert!(c.close().success());
}

#[test]
fn an_agent_runs_an_sop_through_its_manual_step_to_success() {
    let sb = sandbox();
    let mut c = client(&sb, "alice");
    let tools = c.request("tools/list", json!({}));
    let list = document(&tools, "list_sops", &c.call("list_sops", json!({})));
    let names: Vec<&str> = list["sops"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["deploy", "flaky", "on-failure", "onboard", "slow"]);

    let plan = c.call(
        "plan_run",
        json!({"sop": "onboard", "variables": {"who": "Ada"}}),
    );
    let plan = document(&tools, "plan_run", &plan);
    assert_eq!(plan["would_start"], true, "{plan}");
    assert_eq!(
        plan["steps"][0]["description"],
        "Create the accounts of Ada."
    );

    let started = c.call(
        "start_run",
        json!({"sop": "onboard", "variables": {"who": "Ada"}}),
    );
    let run = document(&tools, "start_run", &started);
    assert_eq!(
        (run["status"].as_str(), run["started_by"].as_str()),
        (Some("waiting"), Some("alice"))
    );
    let id = run["id"].as_str().unwrap().to_string();

    let next = document(
        &tools,
        "next_step",
        &c.call("next_step", json!({"run": id})),
    );
    assert_eq!(next["waiting_for"], "person", "{next}");
    assert_eq!(next["step"]["description"], "Create the accounts of Ada.");
    assert_eq!(next["step"]["checklist"], json!(["email", "chat"]));

    let done = c.call(
        "complete_step",
        json!({"run": id, "note": "both created", "outputs": {"account": "ada"}}),
    );
    let run = document(&tools, "complete_step", &done);
    assert_eq!(run["status"], "succeeded", "{run}");
    assert_eq!(run["steps"][1]["output_tail"], "account ada\n");

    let status = document(
        &tools,
        "run_status",
        &c.call("run_status", json!({"run": id})),
    );
    assert_eq!(status["status"], "succeeded");
    let runs = document(
        &tools,
        "list_runs",
        &c.call("list_runs", json!({"sop": "onboard"})),
    );
    assert_eq!(runs["runs"][0]["id"], id.as_str());

    let read = c.request("resources/read", json!({"uri": format!("run://{id}")}));
    let body: Value = serde_json::from_str(read["contents"][0]["text"].as_str().unwrap()).unwrap();
    assert_eq!(body["status"], "succeeded");
    let read = c.request("resources/read", json!({"uri": "sop://onboard"}));
    assert!(
        read["contents"][0]["text"]
            .as_str()
            .unwrap()
            .contains("## Step 1: Create accounts")
    );
    let listed = c.request("resources/list", json!({}));
    assert!(
        listed["resources"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["uri"] == "sop://slow")
    );
    let missing = c.exchange("resources/read", json!({"uri": "sop://nope"}));
    assert!(missing["error"]["code"].is_i64(), "{missing}");

    let prompt = c.request(
        "prompts/get",
        json!({"name": "run_sop", "arguments": {"sop": "onboard"}}),
    );
    let text = prompt["messages"][0]["content"]["text"].as_str().unwrap();
    assert!(
        text.contains("start_run") && text.contains("complete_step"),
        "{text}"
    );
    let not_json = c.exchange(
        "prompts/get",
        json!({"name": "run_sop", "arguments": {"sop": "onboard", "variables": "{not json"}}),
    );
    assert_eq!(not_json["error"]["code"], -32602, "{not_json}");
    assert!(c.close().success());

    // The trail names the user as the actor and the client beside it.
    let audit = sb.run(&["audit", &id, "--json"]).json();
    let done = audit
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["kind"] == "step.done")
        .expect("a step.done entry");
    assert_eq!(done["actor"], "alice", "{done}");
    assert_eq!(done["detail"]["client"], "mcp:test-client", "{done}");
}

#[test]
fn four_eyes_refuse_the_agents_own_approval_and_accept_another_users() {
    let sb = sandbox();
    let mut alice = client(&sb, "alice");
    let tools = alice.request("tools/list", json!({}));
    let run = document(
        &tools,
        "start_run",
        &alice.call("start_run", json!({"sop": "deploy"})),
    );
    assert_eq!(run["status"], "awaiting_approval");
    let id = run["id"].as_str().unwrap().to_string();

    let pending = alice.call("pending_approvals", json!({"mine": true}));
    assert_eq!(
        document(&tools, "pending_approvals", &pending)["gates"],
        json!([])
    );
    let own = alice.call("decide_gate", json!({"run": id, "decision": "approve"}));
    let text = error_text(&own);
    assert!(text.starts_with("refused:"), "{text}");
    let reject = alice.call("decide_gate", json!({"run": id, "decision": "reject"}));
    assert!(error_text(&reject).contains("comment"));
    assert!(alice.close().success());

    let mut bob = client(&sb, "bob");
    let pending = bob.call("pending_approvals", json!({"mine": true}));
    assert_eq!(
        document(&tools, "pending_approvals", &pending)["gates"][0]["run_id"],
        id.as_str()
    );
    let approved = bob.call(
        "decide_gate",
        json!({"run": id, "decision": "approve", "comment": "looks right"}),
    );
    let run = document(&tools, "decide_gate", &approved);
    assert_eq!(run["status"], "succeeded", "{run}");
    assert_eq!(run["gates"][0]["decisions"][0]["actor"], "bob");
    assert!(bob.close().success());
}

#[test]
fn a_long_step_returns_the_run_in_time_and_lets_go_when_the_client_leaves() {
    let sb = sandbox();
    let mut c = client(&sb, "alice");
    let tools = c.request("tools/list", json!({}));
    let started = c.call("start_run", json!({"sop": "slow", "wait_seconds": 0}));
    let run = document(&tools, "start_run", &started);
    assert!(
        ["pending", "running"].contains(&run["status"].as_str().unwrap()),
        "{run}"
    );
    let id = run["id"].as_str().unwrap().to_string();
    assert!(c.close().success());
    // The server stopped the step and left the run to be resumed.
    let status = sb.run(&["status", &id, "--json"]).json();
    assert_eq!(status["status"], "waiting", "{status}");
    assert_eq!(status["wait_reason"], "interrupted", "{status}");
}

#[test]
fn a_client_of_the_stateless_revision_calls_tools_without_a_handshake() {
    let sb = sandbox();
    let mut c = McpClient::spawn(sb.command(&["mcp", "--as", "carol"]));
    let meta = json!({
        "io.modelcontextprotocol/protocolVersion": "2026-07-28",
        "io.modelcontextprotocol/clientInfo": {"name": "stateless", "version": "1"},
        "io.modelcontextprotocol/clientCapabilities": {}
    });
    let result = c.request(
        "tools/call",
        json!({"_meta": meta, "name": "set_fact", "arguments": {"name": "ready", "value": true}}),
    );
    assert_eq!(result["structuredContent"]["set_by"], "carol", "{result}");
    let fact = c.request(
        "tools/call",
        json!({"_meta": meta, "name": "get_fact", "arguments": {"name": "READY"}}),
    );
    assert_eq!(fact["structuredContent"]["value"], true, "{fact}");
    assert!(c.close().success());
}

#[test]
fn an_agent_emits_an_event_through_the_same_operation_as_sop_emit() {
    let sb = sandbox();
    let mut c = client(&sb, "alice");
    let tools = c.request("tools/list", json!({}));
    let result = c.call(
        "emit_event",
        json!({"event": "deploy.failed", "data": {"service": "api"}}),
    );
    let doc = document(&tools, "emit_event", &result);
    assert_eq!(doc["event"], "deploy.failed");
    assert_eq!(doc["source"], "mcp:test-client");
    assert_eq!(doc["outcomes"][0]["sop"], "on-failure");
    assert_eq!(doc["outcomes"][0]["outcome"], "started");
    assert_eq!(doc["outcomes"][0]["run_status"], "pending", "{doc}");
    let other = c.call(
        "emit_event",
        json!({"event": "deploy.failed", "data": {"service": "web"}}),
    );
    let other = document(&tools, "emit_event", &other);
    assert_eq!(other["outcomes"][0]["outcome"], "skipped", "{other}");
    assert!(error_text(&c.call("emit_event", json!({"event": "deploy.*"}))).contains("`*`"));
    assert!(c.close().success());
    let listed = sb.run(&["events", "--json"]).json();
    assert_eq!(listed["events"].as_array().unwrap().len(), 2, "{listed}");
}

#[test]
fn sigterm_ends_the_session_and_lets_the_run_go() {
    let sb = sandbox();
    let mut c = client(&sb, "alice");
    let tools = c.request("tools/list", json!({}));
    let started = c.call("start_run", json!({"sop": "slow", "wait_seconds": 0}));
    let id = document(&tools, "start_run", &started)["id"]
        .as_str()
        .unwrap()
        .to_string();
    // Before, the signal stopped the step but the session went on answering.
    assert!(
        c.terminate().is_some(),
        "sop mcp was still running after SIGTERM"
    );
    let status = sb.run(&["status", &id, "--json"]).json();
    assert_eq!(status["wait_reason"], "interrupted", "{status}");
    // The program it was started through is in the trail, not in the conditions.
    assert_eq!(status["conditions"]["met"], true, "{status}");
    assert!(status["conditions"].get("client").is_none(), "{status}");
}

#[test]
fn an_agent_retries_a_failed_step_and_skips_one_that_stays_failed() {
    let sb = sandbox();
    let mut c = client(&sb, "alice");
    let tools = c.request("tools/list", json!({}));
    let start = |c: &mut McpClient| {
        let started = c.call("start_run", json!({"sop": "flaky", "wait_seconds": 30}));
        let run = document(&tools, "start_run", &started);
        assert_eq!(run["status"], "failed", "{run}");
        run["id"].as_str().unwrap().to_string()
    };
    let first = start(&mut c);
    let next = c.call("next_step", json!({"run": first}));
    assert_eq!(
        document(&tools, "next_step", &next)["waiting_for"],
        "decision"
    );
    std::fs::write(sb.tmp_dir().join("fixed"), "").unwrap();
    let retried = c.call("retry_step", json!({"run": first, "wait_seconds": 30}));
    let run = document(&tools, "retry_step", &retried);
    assert_eq!(run["status"], "succeeded", "{run}");
    assert_eq!(run["steps"][0]["attempts"], 2, "{run}");

    std::fs::remove_file(sb.tmp_dir().join("fixed")).unwrap();
    let second = start(&mut c);
    let no_reason = c.call("skip_step", json!({"run": second, "step": 1, "reason": ""}));
    assert!(error_text(&no_reason).contains("reason"), "{no_reason}");
    let skipped = c.call(
        "skip_step",
        json!({"run": second, "step": 1, "reason": "checked by hand", "wait_seconds": 30}),
    );
    let run = document(&tools, "skip_step", &skipped);
    assert_eq!(run["status"], "succeeded", "{run}");
    assert_eq!(run["steps"][0]["status"], "skipped", "{run}");
    let resumed = c.call("resume_run", json!({"run": second}));
    assert!(error_text(&resumed).contains("succeeded"), "{resumed}");
    assert!(c.close().success());
}
