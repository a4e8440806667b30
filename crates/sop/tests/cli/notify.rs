//! Notifications end to end: local servers play Slack's Web API, Telegram's Bot API and a
//! webhook receiver; the real `sop serve` sends to them, retries, and takes decisions back
//! from the approval page and the chat buttons (polled by one node of two sharing a database).
//! Secrets never show in logs, audit or JSON.

use crate::notify_fake::{Answer, Fake, Recorded};
use crate::serving::{Server, agent, eventually, token};
use crate::support::Sandbox;
use hmac::{Hmac, Mac};
use serde_json::{Value, json};
use sha2::Sha256;
use std::time::Duration;

const SLACK_TOKEN: &str = "xoxb-test-secret-4242";
const TELEGRAM_TOKEN: &str = "123456:tg-test-secret";
const WEBHOOK_SECRET: &str = "whsec-test-secret";
const SIGNING_SECRET: &str = "slack-signing-secret";

/// An SOP whose run waits for an approval before step 1, with a secret variable.
fn sandbox(extra_sop_keys: &str) -> Sandbox {
    let sb = Sandbox::new();
    sb.sop(
        "deploy",
        &format!(
            "[sop]\nname = \"deploy\"\ndescription = \"Ship <b>it</b>\"\nexecution_mode = \"supervised\"\npriority = \"high\"\napprovers = [\"alice\"]\n{extra_sop_keys}\n[[triggers]]\ntype = \"manual\"\n"
        ),
        "# Deploy\n\n## Step 1: Ship <script>\n\n- Dashboards are <green>\n\n```sh\necho \"shipping $SOP_VAR_VERSION\"\n```\n",
    );
    sb.sop(
        "broken",
        "[sop]\nname = \"broken\"\ndescription = \"Fails\"\nexecution_mode = \"auto\"\nnotify_on = [\"failed\", \"succeeded\"]\n\n[[triggers]]\ntype = \"manual\"\n",
        "# Broken\n\n## Step 1: Fail\n```sh\necho 'about to fail'\nexit 3\n```\n",
    );
    sb.sop(
        "fine",
        "[sop]\nname = \"fine\"\ndescription = \"Three quick steps\"\nexecution_mode = \"auto\"\nnotify_on = [\"succeeded\"]\n\n[[triggers]]\ntype = \"manual\"\n",
        "# Fine\n\n## Step 1: A\n```sh\ntrue\n```\n\n## Step 2: B\n```sh\ntrue\n```\n\n## Step 3: C\n```sh\ntrue\n```\n",
    );
    sb
}

fn notify_env(sb: &mut Sandbox, channel: &str) {
    sb.env("SOP_NOTIFICATION_ENABLED", "true")
        .env("SOP_APPROVAL_CHANNEL", channel)
        .env("SOP_PUBLIC_URL", "https://sop.example.test")
        .env("SOP_NOTIFY_POLL", "50ms")
        .env("SOP_NOTIFY_RETRY_BASE", "100ms")
        .env("SOP_NOTIFY_TIMEOUT", "2s");
}

fn start_run(server: &Server, sop: &str) -> String {
    let started = server.post(
        &format!("/api/sop/{sop}/trigger"),
        &json!({"variables": {"version": "1.2.3", "api_token": "var-secret-value"}}),
    );
    assert_eq!(started.status, 202, "{}", started.text);
    started.json()["run"]["id"].as_str().unwrap().to_string()
}

/// `path` of the approval link, and the link's token.
fn approval_path(link: &str) -> String {
    let path = link
        .strip_prefix("https://sop.example.test")
        .unwrap_or_else(|| panic!("not an approval link: {link}"));
    assert!(path.starts_with("/approve/sopat_"), "{path}");
    path.to_string()
}

fn form_key(html: &str) -> String {
    let at = html
        .find("name=\"form_key\" value=\"")
        .expect("the form has a key")
        + 23;
    html[at..].split('"').next().unwrap().to_string()
}

/// Everything a secret must never appear in: the server log, the audit trail, the run JSON.
fn assert_hidden(sb: &Sandbox, server: &Server, run: &str, secrets: &[&str]) {
    let audit = sb.run(&["audit", "--json"]).stdout;
    let json = server.get(&format!("/api/runs/{run}")).text;
    let log = server.log();
    for s in secrets {
        for (what, text) in [("log", &log), ("audit", &audit), ("run JSON", &json)] {
            assert!(!text.contains(s), "{s} appears in the {what}:\n{text}");
        }
    }
}

fn slack_ok(req: &Recorded, n: usize) -> Answer {
    let channel = req.json()["channel"].as_str().unwrap_or("C1").to_string();
    Answer::json(
        200,
        json!({"ok": true, "channel": if channel == "#ops" { "C024BE91L" } else { channel.as_str() }, "ts": format!("1700000000.00{n}")}),
    )
}

#[test]
fn slack_retries_then_the_approval_page_decides_and_the_message_shows_the_outcome() {
    let slack = Fake::start(|req, before| {
        let posts = before.iter().filter(|r| r.path == req.path).count();
        match (req.path.as_str(), posts) {
            ("/chat.postMessage", 0) => Answer::json(500, json!({"ok": false})),
            ("/chat.postMessage", 1) => {
                Answer::json(429, json!({"ok": false, "error": "ratelimited"}))
                    .with_header("Retry-After", "1")
            }
            _ => slack_ok(req, posts),
        }
    });
    let mut sb = sandbox("");
    notify_env(&mut sb, "slack:#ops");
    sb.env("SOP_SLACK_BOT_TOKEN", SLACK_TOKEN)
        .env("SOP_SLACK_API_URL", &slack.url());
    let runner = token(&sb, "carol", "read,run");
    let server = Server::start(&sb, &[]).with_token(&runner);
    let id = start_run(&server, "deploy");
    server.wait_status(&id, "awaiting_approval");

    let posts = slack.wait_for("/chat.postMessage", 3);
    for p in &posts {
        assert_eq!(p.method, "POST");
        assert_eq!(
            p.header("authorization"),
            Some(format!("Bearer {SLACK_TOKEN}").as_str())
        );
        assert!(
            p.header("content-type")
                .unwrap()
                .starts_with("application/json")
        );
    }
    // 500 retried after the backoff; 429 retried no sooner than its Retry-After.
    assert!(
        posts[2].at - posts[1].at >= Duration::from_millis(950),
        "{:?}",
        posts[2].at - posts[1].at
    );
    let body = posts[2].json();
    assert_eq!(body["channel"], "#ops");
    assert!(
        body["text"]
            .as_str()
            .unwrap()
            .starts_with("Approval needed: deploy (run "),
        "{body}"
    );
    let blocks = body["blocks"].as_array().unwrap();
    let text = body.to_string();
    assert!(
        text.contains("Ship &lt;script&gt;"),
        "mrkdwn is escaped: {text}"
    );
    assert!(text.contains("version=1.2.3"), "{text}");
    assert!(
        !text.contains("var-secret-value"),
        "secret variables are hidden: {text}"
    );
    assert!(
        text.contains("echo \\\"shipping $SOP_VAR_VERSION\\\""),
        "{text}"
    );
    let actions = blocks
        .iter()
        .find(|b| b["type"] == "actions")
        .expect("buttons");
    let elements = actions["elements"].as_array().unwrap();
    assert_eq!(elements[0]["action_id"], "sop_approve");
    assert_eq!(elements[1]["action_id"], "sop_reject");
    let gate_id = elements[0]["value"].as_str().unwrap().to_string();
    let run = server.get(&format!("/api/runs/{id}")).json()["run"].clone();
    assert_eq!(run["gates"][0]["id"], gate_id);
    let path = approval_path(elements[2]["url"].as_str().unwrap());

    // A link preview (or anyone) reading the page decides nothing.
    for _ in 0..2 {
        let page = server.request("GET", &path, &[("authorization", "")], b"");
        assert_eq!(page.status, 200, "{}", page.text);
        assert!(
            page.header("content-type")
                .unwrap()
                .starts_with("text/html")
        );
        let csp = page.header("content-security-policy").unwrap();
        assert!(
            csp.contains("default-src 'none'") && csp.contains("form-action 'self'"),
            "{csp}"
        );
        assert!(
            page.text.contains("Ship &lt;script&gt;"),
            "escaped: {}",
            page.text
        );
        assert!(page.text.contains("Dashboards are &lt;green&gt;"));
        assert!(!page.text.contains("<script>"));
        assert!(!page.text.contains("var-secret-value"));
    }
    assert_eq!(
        server.get(&format!("/api/runs/{id}")).json()["run"]["status"],
        "awaiting_approval"
    );
    let page = server
        .request("GET", &path, &[("authorization", "")], b"")
        .text;
    let key = form_key(&page);

    // A form that did not come from the page is refused.
    let forged = server.request(
        "POST",
        &path,
        &[
            ("authorization", ""),
            ("content-type", "application/x-www-form-urlencoded"),
        ],
        b"decision=approve&name=alice&form_key=0000",
    );
    assert_eq!(forged.status, 403, "{}", forged.text);
    // A body over the limit every route keeps is refused from its declared length (sent
    // by hand: the answer comes before the body, which a client writing it would miss).
    let mut raw = std::net::TcpStream::connect(&server.addr).unwrap();
    std::io::Write::write_all(
        &mut raw,
        format!(
            "POST {path} HTTP/1.1\r\nhost: x\r\ncontent-type: application/x-www-form-urlencoded\r\ncontent-length: 1048577\r\n\r\n"
        )
        .as_bytes(),
    )
    .unwrap();
    let mut answer = [0u8; 12];
    std::io::Read::read_exact(&mut raw, &mut answer).unwrap();
    assert_eq!(&answer, b"HTTP/1.1 413");
    // A path that is not text is refused by the page itself.
    let form = ("content-type", "application/x-www-form-urlencoded");
    let unreadable = server.request("POST", "/approve/%ff", &[("authorization", ""), form], b"");
    assert_eq!(unreadable.status, 400, "{}", unreadable.text);
    assert!(
        unreadable.text.contains("Not an approval link"),
        "{}",
        unreadable.text
    );
    // The decision arrives compressed, as any body may.
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    std::io::Write::write_all(
        &mut gz,
        format!("decision=approve&name=alice&comment=looks+good&form_key={key}").as_bytes(),
    )
    .unwrap();
    let decided = server.request(
        "POST",
        &path,
        &[("authorization", ""), form, ("content-encoding", "gzip")],
        &gz.finish().unwrap(),
    );
    assert_eq!(decided.status, 200, "{}", decided.text);
    assert!(decided.text.contains("goes on"), "{}", decided.text);
    let run = server.wait_status(&id, "succeeded");
    assert_eq!(run["gates"][0]["decisions"][0]["actor"], "alice", "{run}");

    // The link is spent.
    let again = server.request("GET", &path, &[("authorization", "")], b"");
    assert_eq!(again.status, 410);
    assert!(again.text.contains("already used"), "{}", again.text);

    // The original message shows the outcome.
    let update = &slack.wait_for("/chat.update", 1)[0];
    assert_eq!(
        update.header("authorization"),
        Some(format!("Bearer {SLACK_TOKEN}").as_str())
    );
    let u = update.json();
    assert_eq!(u["channel"], "C024BE91L");
    assert_eq!(u["ts"], "1700000000.002");
    assert!(u["text"].as_str().unwrap().contains("approved"), "{u}");

    let token_text = path.trim_start_matches("/approve/").to_string();
    assert_hidden(
        &sb,
        &server,
        &id,
        &[SLACK_TOKEN, &token_text, "var-secret-value"],
    );
}

fn slack_form(gate: &str, action: &str, user: &str, response_url: &str) -> String {
    let payload = json!({
        "type": "block_actions",
        "user": {"id": user},
        "actions": [{"action_id": action, "value": gate}],
        "response_url": response_url,
    });
    let encoded: String = payload
        .to_string()
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect();
    format!("payload={encoded}")
}

fn slack_signature(ts: &str, body: &str, secret: &str) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(format!("v0:{ts}:{body}").as_bytes());
    format!("v0={}", hex::encode(mac.finalize().into_bytes()))
}

#[test]
fn a_signed_slack_click_approves_and_bad_or_stale_signatures_are_refused() {
    let slack = Fake::start(|req, before| slack_ok(req, before.len()));
    let mut sb = sandbox("");
    notify_env(&mut sb, "slack:#ops");
    sb.env("SOP_SLACK_BOT_TOKEN", SLACK_TOKEN)
        .env("SOP_SLACK_API_URL", &slack.url())
        .env("SOP_SLACK_SIGNING_SECRET", SIGNING_SECRET);
    sb.file("sops/users.toml", "[users.alice]\nslack = \"U024BE7LH\"\n");
    let runner = token(&sb, "carol", "read,run");
    let server = Server::start(&sb, &[]).with_token(&runner);
    let id = start_run(&server, "deploy");
    server.wait_status(&id, "awaiting_approval");
    let post = &slack.wait_for("/chat.postMessage", 1)[0];
    let gate = post.json()["blocks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|b| b["type"] == "actions")
        .unwrap()["elements"][0]["value"]
        .as_str()
        .unwrap()
        .to_string();
    let reply_to = format!("{}/response", slack.url());
    let body = slack_form(&gate, "sop_approve", "U024BE7LH", &reply_to);
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let click = |ts: u64, sig: &str| {
        server.request(
            "POST",
            "/hooks/slack/interactions",
            &[
                ("authorization", ""),
                ("content-type", "application/x-www-form-urlencoded"),
                ("x-slack-request-timestamp", &ts.to_string()),
                ("x-slack-signature", sig),
            ],
            body.as_bytes(),
        )
    };
    let bad = click(
        now,
        &slack_signature(&now.to_string(), &body, "wrong-secret"),
    );
    assert_eq!(bad.status, 401, "{}", bad.text);
    let stale_ts = now - 600;
    let stale = click(
        stale_ts,
        &slack_signature(&stale_ts.to_string(), &body, SIGNING_SECRET),
    );
    assert_eq!(stale.status, 401, "{}", stale.text);
    assert!(stale.text.contains("five minutes"), "{}", stale.text);
    assert_eq!(
        server.get(&format!("/api/runs/{id}")).json()["run"]["status"],
        "awaiting_approval"
    );

    let good = click(
        now,
        &slack_signature(&now.to_string(), &body, SIGNING_SECRET),
    );
    assert_eq!(good.status, 200, "{}", good.text);
    let run = server.wait_status(&id, "succeeded");
    assert_eq!(run["gates"][0]["decisions"][0]["actor"], "alice", "{run}");
    // The trail says the decision came signed from Slack, from which account.
    let audit = server.get(&format!("/api/runs/{id}/audit")).json();
    let decided = audit["entries"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["kind"] == "gate.decision")
        .unwrap_or_else(|| panic!("{audit}"));
    assert_eq!(
        (
            &decided["detail"]["via"],
            &decided["detail"]["channel"],
            &decided["detail"]["sender"]
        ),
        (
            &json!("authenticated"),
            &json!("slack"),
            &json!("U024BE7LH")
        ),
        "{decided}"
    );
    let reply = &slack.wait_for("/response", 1)[0];
    assert!(
        reply.json()["text"]
            .as_str()
            .unwrap()
            .contains("Approved by alice"),
        "{}",
        reply.text()
    );
    assert!(
        slack.wait_for("/chat.update", 1)[0].json()["text"]
            .as_str()
            .unwrap()
            .contains("approved")
    );
}

#[test]
fn telegram_buttons_through_get_updates_refuse_an_unmapped_user_and_approve_a_mapped_one() {
    let tg_path = |m: &str| format!("/bot{TELEGRAM_TOKEN}/{m}");
    let (send, updates, edit) = (
        tg_path("sendMessage"),
        tg_path("getUpdates"),
        tg_path("editMessageText"),
    );
    let telegram = {
        let (send, updates) = (send.clone(), updates.clone());
        Fake::start(move |req, before| {
            if req.path == send {
                return Answer::json(
                    200,
                    json!({"ok": true, "result": {"message_id": 77, "chat": {"id": -100123}}}),
                );
            }
            if req.path == updates {
                let sent = before.iter().find(|r| r.path == send);
                let offset = req.json()["offset"].as_i64().unwrap_or(0);
                return match sent {
                    Some(s) if offset <= 1 => {
                        let data =
                            s.json()["reply_markup"]["inline_keyboard"][0][0]["callback_data"]
                                .clone();
                        Answer::json(
                            200,
                            json!({"ok": true, "result": [
                                {"update_id": 1, "callback_query": {"id": "q-stranger", "from": {"id": 999}, "data": data}},
                            ]}),
                        )
                    }
                    Some(s) if offset == 2 => {
                        let data =
                            s.json()["reply_markup"]["inline_keyboard"][0][0]["callback_data"]
                                .clone();
                        Answer::json(
                            200,
                            json!({"ok": true, "result": [
                                {"update_id": 2, "callback_query": {"id": "q-alice", "from": {"id": 4242}, "data": data}},
                            ]}),
                        )
                    }
                    _ => Answer::json(200, json!({"ok": true, "result": []})),
                };
            }
            Answer::json(200, json!({"ok": true, "result": true}))
        })
    };
    let mut sb = sandbox("");
    notify_env(&mut sb, "telegram:-100123");
    sb.env("SOP_TELEGRAM_BOT_TOKEN", TELEGRAM_TOKEN)
        .env("SOP_TELEGRAM_API_URL", &telegram.url());
    sb.file("sops/users.toml", "[users.alice]\ntelegram = 4242\n");
    let runner = token(&sb, "carol", "read,run");
    let server = Server::start(&sb, &[]).with_token(&runner);
    let id = start_run(&server, "deploy");
    server.wait_status(&id, "awaiting_approval");

    let sent = &telegram.wait_for(&send, 1)[0];
    assert_eq!(sent.method, "POST");
    let m = sent.json();
    assert_eq!(m["chat_id"], -100123);
    assert_eq!(m["parse_mode"], "HTML");
    let gate = server.get(&format!("/api/runs/{id}")).json()["run"]["gates"][0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(
        m["reply_markup"]["inline_keyboard"][0][0]["callback_data"],
        format!("sop:a:{gate}")
    );
    assert_eq!(
        m["reply_markup"]["inline_keyboard"][0][1]["callback_data"],
        format!("sop:r:{gate}")
    );
    assert!(
        m["text"].as_str().unwrap().contains("Ship &lt;script&gt;"),
        "{m}"
    );
    assert!(
        m["text"].as_str().unwrap().contains("/approve/sopat_"),
        "{m}"
    );

    let answers = telegram.wait_for(&tg_path("answerCallbackQuery"), 2);
    let stranger = answers
        .iter()
        .find(|a| a.json()["callback_query_id"] == "q-stranger")
        .unwrap()
        .json();
    assert!(
        stranger["text"].as_str().unwrap().contains("not mapped"),
        "{stranger}"
    );
    let alice = answers
        .iter()
        .find(|a| a.json()["callback_query_id"] == "q-alice")
        .unwrap()
        .json();
    assert!(
        alice["text"]
            .as_str()
            .unwrap()
            .contains("Approved by alice"),
        "{alice}"
    );
    let run = server.wait_status(&id, "succeeded");
    let decisions = run["gates"][0]["decisions"].as_array().unwrap();
    assert_eq!(
        decisions.len(),
        1,
        "the stranger's click counted for nothing: {run}"
    );
    let audit = sb.run(&["audit", &id, "--json"]).stdout;
    assert!(
        audit.contains("gate.chat_refused") && audit.contains("telegram:999"),
        "{audit}"
    );

    let edited = &telegram.wait_for(&edit, 1)[0].json();
    assert_eq!(edited["message_id"], 77);
    assert!(
        edited["text"].as_str().unwrap().contains("approved"),
        "{edited}"
    );
    assert_hidden(&sb, &server, &id, &[TELEGRAM_TOKEN]);
}

/// A Telegram Bot API for the nodes of one database: every `sendMessage` with buttons gets a
/// press of its Approve button by alice (update ids 1, 2, ...), and `getUpdates` returns those
/// from the caller's offset on that no earlier call confirmed, as Telegram does. Each node is
/// given the API under a prefix of its own (`/a`, `/b`), so the requests say which node made them.
fn telegram_for_nodes() -> Fake {
    Fake::start(|req, before| {
        if req.path.ends_with("/sendMessage") {
            return Answer::json(
                200,
                json!({"ok": true, "result": {"message_id": 70 + before.len(), "chat": {"id": -100123}}}),
            );
        }
        if req.path.ends_with("/getUpdates") {
            let offset = |r: &Recorded| r.json()["offset"].as_i64().unwrap_or(0);
            let confirmed = before
                .iter()
                .filter(|r| r.path.ends_with("/getUpdates"))
                .map(offset)
                .chain([offset(req)])
                .max()
                .unwrap_or(0);
            let presses: Vec<Value> = before
                .iter()
                .filter(|r| r.path.ends_with("/sendMessage"))
                .filter_map(|r| {
                    r.json()["reply_markup"]["inline_keyboard"][0][0]["callback_data"]
                        .as_str()
                        .map(str::to_string)
                })
                .enumerate()
                .map(|(n, data)| {
                    json!({"update_id": n + 1, "callback_query": {
                        "id": format!("q{}", n + 1), "from": {"id": 4242}, "data": data}})
                })
                .filter(|u| u["update_id"].as_i64().unwrap() >= confirmed)
                .collect();
            return Answer::json(200, json!({"ok": true, "result": presses}));
        }
        Answer::json(200, json!({"ok": true, "result": true}))
    })
}

/// Which node (`/a` or `/b`) made each `getUpdates` call, in order.
fn pollers(telegram: &Fake) -> Vec<String> {
    telegram
        .requests()
        .iter()
        .filter(|r| r.path.ends_with("/getUpdates"))
        .map(|r| r.path[..2].to_string())
        .collect()
}

/// The `answerCallbackQuery` bodies, in order.
fn answers_to(telegram: &Fake) -> Vec<Value> {
    telegram
        .requests()
        .iter()
        .filter(|r| r.path.ends_with("/answerCallbackQuery"))
        .map(|r| r.json())
        .collect()
}

#[test]
fn two_nodes_on_one_database_poll_telegram_one_at_a_time_and_hand_over_when_one_stops() {
    let telegram = telegram_for_nodes();
    let mut sb = sandbox("");
    sb.on_postgres();
    notify_env(&mut sb, "telegram:-100123");
    sb.env("SOP_TELEGRAM_BOT_TOKEN", TELEGRAM_TOKEN);
    sb.file("sops/users.toml", "[users.alice]\ntelegram = 4242\n");
    let runner = token(&sb, "carol", "read,run");
    let mut nodes = Vec::new();
    for prefix in ["/a", "/b"] {
        sb.env(
            "SOP_TELEGRAM_API_URL",
            &format!("{}{prefix}", telegram.url()),
        );
        nodes.push((prefix, Server::start(&sb, &[]).with_token(&runner)));
    }

    let id = start_run(&nodes[0].1, "deploy");
    nodes[0].1.wait_status(&id, "succeeded");
    let answered = |n| answers_to(&telegram).len() >= n;
    eventually("the press answered", || answered(1));
    // A few rounds more: a second poller would have read the same press by now.
    let seen = pollers(&telegram).len();
    eventually("three more polls", || pollers(&telegram).len() >= seen + 3);
    let polled = pollers(&telegram);
    let holder = polled[0].clone();
    assert!(
        polled.iter().all(|p| *p == holder),
        "both nodes called getUpdates: {polled:?}"
    );
    let answers = answers_to(&telegram);
    assert_eq!(answers.len(), 1, "one press, one answer: {answers:?}");
    assert!(
        answers[0]["text"]
            .as_str()
            .unwrap()
            .starts_with("Approved by alice"),
        "{answers:?}"
    );

    // The polling node stops: it releases the claim, and the other polls without waiting for
    // it to lapse, reading the next press and nothing already decided.
    let at = nodes.iter().position(|(p, _)| *p == holder).unwrap();
    let (_, stopping) = nodes.remove(at);
    assert_eq!(stopping.terminate(), Some(0));
    let (other, node) = nodes.remove(0);
    eventually("the other node polling", || {
        pollers(&telegram).iter().any(|p| p == other)
    });
    assert!(
        node.log().contains("this node now polls Telegram"),
        "{}",
        node.log()
    );
    let second = start_run(&node, "deploy");
    node.wait_status(&second, "succeeded");
    eventually("the second press answered", || answered(2));
    let answers = answers_to(&telegram);
    assert_eq!(answers.len(), 2, "{answers:?}");
    assert_eq!(answers[1]["callback_query_id"], "q2");
    assert!(
        answers[1]["text"]
            .as_str()
            .unwrap()
            .starts_with("Approved by alice"),
        "{answers:?}"
    );
}

#[test]
fn a_telegram_button_sop_does_not_know_is_answered_through_the_webhook() {
    let telegram = Fake::start(|_, _| Answer::json(200, json!({"ok": true, "result": true})));
    let mut sb = sandbox("");
    notify_env(&mut sb, "telegram:-100123");
    sb.env("SOP_TELEGRAM_BOT_TOKEN", TELEGRAM_TOKEN)
        .env("SOP_TELEGRAM_API_URL", &telegram.url())
        .env("SOP_TELEGRAM_POLL", "false")
        .env("SOP_TELEGRAM_WEBHOOK_SECRET", "tg-hook-secret");
    let server = Server::start(&sb, &[]);
    for (n, data) in ["something-else", "sop:a"].iter().enumerate() {
        let update = json!({"update_id": n + 1, "callback_query": {
            "id": format!("q-odd-{n}"), "from": {"id": 4242}, "data": data}});
        let reply = server.request(
            "POST",
            "/hooks/telegram",
            &[
                ("content-type", "application/json"),
                ("x-telegram-bot-api-secret-token", "tg-hook-secret"),
            ],
            update.to_string().as_bytes(),
        );
        assert_eq!(reply.status, 200, "{}", reply.text);
    }
    let answers = telegram.wait_for(&format!("/bot{TELEGRAM_TOKEN}/answerCallbackQuery"), 2);
    for (n, a) in answers.iter().enumerate() {
        let a = a.json();
        assert_eq!(a["callback_query_id"], format!("q-odd-{n}"));
        assert_eq!(
            a["text"],
            "Not decided: this button is not one sop knows, or it has expired."
        );
    }
}

fn signature(body: &[u8]) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(WEBHOOK_SECRET.as_bytes()).unwrap();
    mac.update(body);
    format!("sha256={}", hex::encode(mac.finalize().into_bytes()))
}

#[test]
fn the_webhook_gets_a_signed_failure_retried_after_500_and_429() {
    let hook = Fake::start(|_, before| match before.len() {
        0 => Answer::json(500, json!({})),
        1 => Answer::json(429, json!({})).with_header("Retry-After", "1"),
        _ => Answer::json(204, json!({})),
    });
    let mut sb = sandbox("");
    let url = format!("{}/hooks/sop-secret-path", hook.url());
    notify_env(&mut sb, &format!("webhook:{url}"));
    sb.env("SOP_NOTIFY_WEBHOOK_SECRET", WEBHOOK_SECRET);
    let runner = token(&sb, "carol", "read,run");
    let server = Server::start(&sb, &[]).with_token(&runner);
    let id = start_run(&server, "broken");
    server.wait_status(&id, "failed");
    let got = hook.wait_for("/hooks/sop-secret-path", 3);
    assert!(got[2].at - got[1].at >= Duration::from_millis(950));
    for r in &got {
        assert_eq!(r.method, "POST");
        assert_eq!(r.header("x-sop-event"), Some("failed"));
        assert_eq!(r.header("x-sop-signature-256").unwrap(), signature(&r.body));
    }
    let body = got[2].json();
    assert_eq!(body["event"], "failed");
    assert_eq!(body["run"]["id"], id.as_str());
    // The run as the failure left it, not as it was read before.
    assert_eq!(body["run"]["status"], "failed");
    assert_eq!(body["sop"]["name"], "broken");
    assert_eq!(body["step"]["number"], 1);
    assert_eq!(body["failure"]["exit_code"], 3);
    assert_eq!(body["failure"]["output_tail"], "about to fail");
    assert_eq!(
        body["links"]["run"],
        format!("https://sop.example.test/api/runs/{id}")
    );
    assert!(body["links"]["approve"].is_null());
    let schema: Value = serde_json::from_str(
        &std::fs::read_to_string(
            crate::support::repo_root().join("docs/schemas/notification.json"),
        )
        .unwrap(),
    )
    .unwrap();
    assert!(
        jsonschema::validator_for(&schema).unwrap().is_valid(&body),
        "{body}"
    );
    eventually("the attempts are recorded", || {
        server
            .get("/metrics")
            .text
            .contains("sop_notifications{state=\"sent\"} 1")
    });
    assert_hidden(&sb, &server, &id, &["sop-secret-path", WEBHOOK_SECRET]);
}

#[test]
fn runs_finish_while_the_notifier_hangs_and_the_message_arrives_once_it_is_back() {
    let hook = Fake::start(|_, _| Answer::json(200, json!({})));
    hook.hang(true);
    let mut sb = sandbox("");
    notify_env(&mut sb, &format!("webhook:{}/in", hook.url()));
    sb.env("SOP_NOTIFY_WEBHOOK_SECRET", WEBHOOK_SECRET)
        .env("SOP_NOTIFY_TIMEOUT", "500ms");
    let runner = token(&sb, "carol", "read,run");
    let server = Server::start(&sb, &[]).with_token(&runner);
    let first = start_run(&server, "fine");
    server.wait_status(&first, "succeeded");
    let second = start_run(&server, "fine");
    server.wait_status(&second, "succeeded");
    assert!(
        hook.requests().is_empty(),
        "nothing was answered while it hung"
    );
    hook.hang(false);
    let got = hook.wait_for("/in", 2);
    let runs: Vec<Value> = got.iter().map(|r| r.json()["run"]["id"].clone()).collect();
    assert!(
        runs.contains(&json!(first)) && runs.contains(&json!(second)),
        "{runs:?}"
    );
}

#[test]
fn delivery_resumes_after_a_restart_when_the_notifier_was_refusing_connections() {
    // A port nobody listens on: connections are refused.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    drop(listener);
    let mut sb = sandbox("");
    notify_env(&mut sb, &format!("webhook:http://{addr}/in"));
    sb.env("SOP_NOTIFY_WEBHOOK_SECRET", WEBHOOK_SECRET);
    let runner = token(&sb, "carol", "read,run");
    let server = Server::start(&sb, &[]).with_token(&runner);
    let id = start_run(&server, "fine");
    server.wait_status(&id, "succeeded");
    eventually("an attempt failed", || {
        let db = rusqlite::Connection::open(sb.db_path()).unwrap();
        db.query_row(
            "SELECT count(*) FROM notification_attempts WHERE error LIKE 'connection%'",
            [],
            |r| r.get::<_, i64>(0),
        )
        .unwrap()
            > 0
    });
    let status = sb.run(&["status", &id]).stdout;
    assert!(
        status.contains("notification `succeeded` to webhook:") && status.contains("connection"),
        "{status}"
    );
    assert_eq!(server.terminate(), Some(0));
    let hook = Fake::on(std::net::TcpListener::bind(addr).unwrap(), |_, _| {
        Answer::json(200, json!({}))
    });
    let _server = Server::start(&sb, &[]).with_token(&runner);
    let got = hook.wait_for("/in", 1);
    assert_eq!(got[0].json()["run"]["id"], id.as_str());
    assert_eq!(got[0].json()["event"], "succeeded");
}

#[test]
fn notify_test_reports_each_channel_and_check_names_missing_credentials() {
    let hook = Fake::start(|_, _| Answer::json(200, json!({})));
    let mut sb = sandbox("approval_channel = \"telegram:-1001\"\n");
    sb.env("SOP_NOTIFICATION_ENABLED", "true")
        .env("SOP_APPROVAL_CHANNEL", "slack:#ops");
    let check = sb.run(&["check"]);
    assert_ne!(check.code, 0, "{check}");
    assert!(
        check.stdout.contains("SOP_SLACK_BOT_TOKEN")
            || check.stderr.contains("SOP_SLACK_BOT_TOKEN"),
        "{check}"
    );
    assert!(
        format!("{check}").contains("SOP_TELEGRAM_BOT_TOKEN"),
        "{check}"
    );

    sb.env("SOP_NOTIFY_WEBHOOK_SECRET", WEBHOOK_SECRET);
    let url = format!("webhook:{}/t/secret-part", hook.url());
    let out = sb.run(&["notify", "test", "--channel", &url, "--json"]);
    assert_eq!(out.code, 0, "{out}");
    let v = out.json();
    assert_eq!(v["deliveries"][0]["delivered"], true);
    assert_eq!(
        v["deliveries"][0]["channel"],
        format!("webhook:{}", hook.addr)
    );
    assert!(!out.stdout.contains("secret-part"), "{out}");
    let got = &hook.wait_for("/t/secret-part", 1)[0];
    assert_eq!(got.json()["event"], "test");
    assert_eq!(
        got.header("x-sop-signature-256").unwrap(),
        signature(&got.body)
    );

    let down = sb.run(&["notify", "test", "--channel", "slack:#ops"]);
    assert_eq!(down.code, 1, "{down}");
    assert!(
        down.stdout
            .contains("slack:#ops: not delivered: SOP_SLACK_BOT_TOKEN is not set"),
        "{down}"
    );
    let _ = agent();
}

#[test]
fn a_message_given_up_shows_in_status_and_metrics() {
    let hook = Fake::start(|_, _| Answer::json(404, json!({})));
    let mut sb = sandbox("");
    notify_env(&mut sb, &format!("webhook:{}/gone", hook.url()));
    sb.env("SOP_NOTIFY_WEBHOOK_SECRET", WEBHOOK_SECRET);
    let runner = token(&sb, "carol", "read,run");
    let server = Server::start(&sb, &[]).with_token(&runner);
    let id = start_run(&server, "broken");
    server.wait_status(&id, "failed");
    hook.wait_for("/gone", 1);
    eventually("the message is given up", || {
        server
            .get("/metrics")
            .text
            .contains("sop_notifications{state=\"failed\"} 1")
    });
    let list = sb.run(&["status"]).stdout;
    assert!(
        list.contains("1 notification(s) could not be delivered"),
        "{list}"
    );
    let one = sb.run(&["status", &id]).stdout;
    assert!(
        one.contains("notification `failed` to webhook:127.0.0.1"),
        "{one}"
    );
    assert!(
        one.contains("failed after 1 attempt(s) (the webhook answered HTTP 404)"),
        "{one}"
    );
    assert!(!one.contains("/gone"), "{one}");
    // The server says so in its log too, without the webhook's address.
    eventually("the give-up to be logged", || {
        server.log().contains("notification `failed` of run")
    });
    let log = server.log();
    assert!(
        log.contains("given up: the webhook answered HTTP 404"),
        "{log}"
    );
    assert!(!log.contains("/gone"), "{log}");
}

#[test]
fn every_wrong_notification_setting_is_named_at_once_and_the_server_does_not_start_with_them() {
    let mut sb = sandbox("");
    sb.env("SOP_NOTIFICATION_ENABLED", "true")
        .env("SOP_APPROVAL_CHANNEL", "slak:#ops,telegram:abc")
        .env("SOP_NOTIFY_MAX_ATTEMPTS", "0")
        .env("SOP_APPROVAL_REMINDER", "-1h");
    let check = sb.run(&["check"]);
    assert_ne!(check.code, 0, "{check}");
    let all = format!("{check}");
    for part in ["slak", "telegram:abc", "SOP_NOTIFY_MAX_ATTEMPTS"] {
        assert!(all.contains(part), "{part} missing: {all}");
    }
    // Read by the engine and by notifications, a bad reminder is still one problem.
    assert_eq!(
        all.matches("invalid SOP_APPROVAL_REMINDER").count(),
        1,
        "{all}"
    );
    let serve = sb.run(&["serve", "--listen", "127.0.0.1:0"]);
    assert_ne!(serve.code, 0, "{serve}");
    assert!(
        serve.stderr.contains("the notification settings are wrong")
            && serve.stderr.contains("SOP_NOTIFY_MAX_ATTEMPTS")
            && serve.stderr.contains("SOP_NOTIFICATION_ENABLED=false"),
        "{serve}"
    );
    // Turned off, the other settings are not read.
    sb.env("SOP_NOTIFICATION_ENABLED", "false")
        .env("SOP_APPROVAL_REMINDER", "1h");
    let check = sb.run(&["check"]);
    assert_eq!(check.code, 0, "{check}");
}
