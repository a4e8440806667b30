//! The web console's pages over plain HTTP, for what a person at 3 a.m. trips on: a run page's
//! live stream does not hold up the server's shutdown, a manual step shows its code blocks,
//! a checklist need not be ticked to report failure, step options stay out of the procedure, an
//! SOP that only its schedule starts offers no doomed "Run" button, and a link followed to the
//! sign-in page comes back with its query.

use crate::serving::{DEADLINE, Server, token};
use crate::support::Sandbox;
use serde_json::json;
use std::io::{BufRead, BufReader, Write};
use std::time::Instant;

fn sandbox() -> Sandbox {
    let sb = Sandbox::new();
    sb.sop(
        "check",
        "[sop]\nname = \"check\"\ndescription = \"Look at the error rate\"\nexecution_mode = \"auto\"\n\n[[triggers]]\ntype = \"manual\"\n",
        "# Check\n\n## Step 1: Query {{ service }}\n<!-- sop: timeout = \"5m\" -->\nRun this query for {{ service }}:\n\n```promql\nrate(errors{service=\"{{ service }}\"}[5m])\n```\n\n- Looked at the graph\n",
    );
    sb.sop(
        "nightly",
        "[sop]\nname = \"nightly\"\ndescription = \"Runs at night\"\nexecution_mode = \"auto\"\n\n[[triggers]]\ntype = \"cron\"\nexpression = \"0 3 * * *\"\n",
        "# Nightly\n\n## Step 1: Go\n```sh\ntrue\n```\n",
    );
    sb
}

fn no_redirects() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .max_redirects(0)
        .build()
        .into()
}

/// An open-mode form page as a browser gets it: the cookie it sets, which its forms' `csrf`
/// token pairs with, the token, and the page.
struct FormPage {
    cookie: String,
    csrf: String,
    html: String,
}

fn form_page(agent: &ureq::Agent, server: &Server, path: &str) -> FormPage {
    let mut shown = agent.get(server.url(path)).call().unwrap();
    let cookie = shown.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_string();
    let html = shown.body_mut().read_to_string().unwrap();
    FormPage {
        cookie,
        csrf: csrf_of(&html),
        html,
    }
}

/// The `csrf` token of the first form on `html`.
pub fn csrf_of(html: &str) -> String {
    html.split("name=\"csrf\" value=\"")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .unwrap()
        .to_string()
}

fn page(server: &Server, path: &str) -> String {
    let reply = server.request("GET", path, &[], b"");
    assert_eq!(reply.status, 200, "{path}: {}", reply.text);
    reply.text
}

#[test]
fn a_run_page_shows_a_manual_steps_blocks_and_its_stream_ends_when_the_server_stops() {
    let sb = sandbox();
    let server = Server::start(&sb, &[]);
    let started = server.post(
        "/api/sop/check/trigger",
        &json!({"variables": {"service": "api"}}),
    );
    assert_eq!(started.status, 202, "{}", started.text);
    let id = started.json()["run"]["id"].as_str().unwrap().to_string();
    server.wait_status(&id, "waiting");

    let html = page(&server, &format!("/ui/runs/{id}"));
    assert!(
        html.contains("rate(errors{service=&quot;api&quot;}[5m])"),
        "the manual step's query, filled in: {html}"
    );
    assert!(html.contains("data-live="), "a waiting run streams");
    assert!(
        html.contains("<p>Run this query for api:</p>") && html.contains("Step 1: Query api"),
        "the instructions as Markdown, the title filled in: {html}"
    );
    // The sop next document carries the block too, for an agent.
    let next = server.get(&format!("/api/runs/{id}/next"));
    let commands = next.json()["step"]["commands"].to_string();
    assert!(
        commands.contains(r#"rate(errors{service=\"api\"}[5m])"#),
        "{commands}"
    );

    // A page left open follows the run over Server-Sent Events...
    let addr = server
        .url("")
        .trim_start_matches("http://")
        .trim_end_matches('/')
        .to_string();
    let mut stream = std::net::TcpStream::connect(&addr).unwrap();
    write!(
        stream,
        "GET /ui/runs/{id}/live HTTP/1.1\r\nHost: {addr}\r\nAccept: text/event-stream\r\n\r\n"
    )
    .unwrap();
    stream.set_read_timeout(Some(DEADLINE)).unwrap();
    let mut reader = BufReader::new(stream);
    let mut line = String::new();
    while !line.starts_with("event: progress") {
        line.clear();
        assert!(reader.read_line(&mut line).unwrap() > 0, "the stream began");
    }
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut rest = Vec::new();
        let _ = std::io::Read::read_to_end(&mut reader, &mut rest);
        let _ = tx.send(String::from_utf8_lossy(&rest).into_owned());
    });
    // ...and a server asked to stop ends it, instead of waiting for the browser to go away.
    let asked = Instant::now();
    assert_eq!(server.terminate(), Some(0));
    let rest = rx.recv_timeout(DEADLINE).expect("the stream ended");
    assert!(
        !rest.contains("event: end"),
        "no `end`: the page reconnects: {rest}"
    );
    assert!(asked.elapsed() < DEADLINE);
}

#[test]
fn a_failed_manual_step_needs_no_ticks_and_options_stay_out_of_the_procedure() {
    let sb = sandbox();
    let server = Server::start(&sb, &[]);
    let sop = page(&server, "/ui/sops/check");
    assert!(!sop.contains("sop:") && !sop.contains("timeout"), "{sop}");
    assert!(
        sop.contains("<h3>Check</h3>") && sop.contains("<h4>Step 1: Query {{ service }}</h4>"),
        "{sop}"
    );
    // The page's script lifts the checklist's `required` once "The step failed" is ticked.
    let script = page(&server, "/ui/assets/console.js");
    assert!(script.contains("c.required = !box.checked"), "{script}");
}

#[test]
fn an_sop_only_its_schedule_starts_offers_no_run_button_but_an_admin_may_force_it() {
    let sb = sandbox();
    let open = Server::start(&sb, &[]);
    // With no token anywhere the local user acts with every scope: an admin.
    let html = page(&open, "/ui/sops/nightly");
    assert!(html.contains("recorded as forced"), "{html}");
    drop(open);

    let reader = token(&sb, "ops", "read,run");
    let server = Server::start(&sb, &[]);
    let agent = no_redirects();
    let signed = agent
        .post(server.url("/ui/signin"))
        .send_form([("token", reader.as_str()), ("next", "/ui/sops/nightly")])
        .unwrap();
    let cookie = signed.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_string();
    let mut reply = agent
        .get(server.url("/ui/sops/nightly"))
        .header("cookie", &cookie)
        .call()
        .unwrap();
    let html = reply.body_mut().read_to_string().unwrap();
    assert!(html.contains("run-by-triggers"), "{html}");
    assert!(
        !html.contains("/ui/sops/nightly/run"),
        "no form that would fail: {html}"
    );
}

#[test]
fn signing_in_comes_back_to_the_page_with_its_query() {
    let sb = sandbox();
    let _alice = token(&sb, "alice", "read");
    let server = Server::start(&sb, &[]);
    let agent = no_redirects();
    let reply = agent
        .get(server.url("/ui/runs?sop=check&status=failed&done=old"))
        .call()
        .unwrap();
    assert_eq!(reply.status().as_u16(), 303);
    assert_eq!(
        reply.headers()["location"],
        "/ui/signin?next=%2Fui%2Fruns%3Fsop%3Dcheck%26status%3Dfailed"
    );
}

#[test]
fn the_run_form_names_the_variables_an_sop_declares() {
    let sb = Sandbox::with_examples();
    let server = Server::start(&sb, &[]);
    let html = page(&server, "/ui/sops/deploy-prod");
    assert!(
        html.contains(
            "Declared: <code>version</code> (required) — The release to ship, e.g. 1.4.2."
        ),
        "{html}"
    );
    assert!(
        html.contains("conditions-need-variables"),
        "not an error notice: {html}"
    );
    let note = html.split("conditions-need-variables").nth(1).unwrap();
    let note = note.split("</p>").next().unwrap();
    assert!(
        !note.contains("--vars"),
        "no CLI advice in the console: {note}"
    );
    let html = page(&server, "/ui/sops/incident-response");
    assert!(html.contains("It declares no variables"), "{html}");
}

#[test]
fn an_unknown_console_page_is_a_page_and_the_lists_keep_themselves_current() {
    let sb = sandbox();
    let server = Server::start(&sb, &[]);
    let missing = server.request("GET", "/ui/nothing", &[], b"");
    assert_eq!(missing.status, 404);
    assert!(
        missing
            .header("content-type")
            .is_some_and(|t| t.starts_with("text/html")),
        "{:?}",
        missing.header("content-type")
    );
    assert!(
        missing.text.contains("there is no page at /ui/nothing"),
        "{}",
        missing.text
    );
    for path in ["/ui/approvals", "/ui/runs"] {
        assert!(
            page(&server, path).contains("data-refresh=\"10\""),
            "{path}"
        );
    }
    assert!(!page(&server, "/ui/facts").contains("data-refresh"));
}

#[test]
fn secret_facts_stay_hidden_the_console_address_opens_it_and_no_form_sends_you_elsewhere() {
    let sb = sandbox();
    let server = Server::start(&sb, &[]);
    let set = server.request(
        "PUT",
        "/api/facts/db_password2",
        &[("content-type", "application/json")],
        br#"{"value": "hunter2-hunter2"}"#,
    );
    assert_eq!(set.status, 200, "{}", set.text);
    let html = page(&server, "/ui/facts");
    assert!(!html.contains("hunter2"), "{html}");
    assert!(html.contains("[redacted]"), "{html}");

    let agent = no_redirects();
    for path in ["/ui", "/ui/", "/ui/sops"] {
        let reply = agent.get(server.url(path)).call().unwrap();
        assert_eq!(reply.status().as_u16(), 303, "{path}");
        assert_eq!(reply.headers()["location"], "/", "{path}");
    }
    for back in [
        "/\\evil.example/phish",
        "//evil.example/x",
        "https://evil.example/",
    ] {
        let reply = agent
            .post(server.url("/ui/facts"))
            .send_form([("name", "x"), ("value", "1"), ("back", back)])
            .unwrap();
        assert_eq!(reply.status().as_u16(), 303, "{back}");
        let to = reply.headers()["location"].to_str().unwrap();
        assert!(to.starts_with("/?error="), "{back} went to {to}");
    }
}

#[test]
fn a_manual_step_completed_in_the_console_gives_its_outputs_to_later_steps() {
    let sb = sandbox();
    let server = Server::start(&sb, &[]);
    let started = server.post(
        "/api/sop/check/trigger",
        &json!({"variables": {"service": "api"}}),
    );
    let id = started.json()["run"]["id"].as_str().unwrap().to_string();
    server.wait_status(&id, "waiting");
    let agent = no_redirects();
    let FormPage { cookie, csrf, html } = form_page(&agent, &server, &format!("/ui/runs/{id}"));
    assert!(html.contains("name=\"outputs\""), "{html}");
    let complete = |fields: &[(&str, &str)]| {
        let mut form = vec![("csrf", csrf.as_str()), ("step", "1")];
        form.extend_from_slice(fields);
        let reply = agent
            .post(server.url(&format!("/ui/runs/{id}/complete")))
            .header("cookie", &cookie)
            .send_form(form)
            .unwrap();
        reply.headers()["location"].to_str().unwrap().to_string()
    };
    let refused = complete(&[("outputs", "version=1.2"), ("failed", "true")]);
    assert!(
        refused.contains("error=a%20failed%20step%20has%20no%20outputs"),
        "{refused}"
    );
    let bad = complete(&[("outputs", "not a pair"), ("check0", "on")]);
    assert!(
        bad.contains("error=the%20outputs%20cannot%20be%20read"),
        "{bad}"
    );
    // Without the page's script, the server is what holds the checklist to being ticked.
    let unticked = complete(&[("outputs", "version=1.2")]);
    assert!(unticked.contains("error=tick%20every%20item"), "{unticked}");
    let done = complete(&[("outputs", "version=1.2\nrate=0.3"), ("check0", "on")]);
    assert!(!done.contains("error="), "{done}");
    let run = server.wait_status(&id, "succeeded");
    assert_eq!(run["steps"][0]["outputs"]["version"], "1.2", "{run}");
    assert_eq!(run["steps"][0]["outputs"]["rate"], "0.3", "{run}");
}

#[test]
fn a_form_sent_after_signing_out_says_after_signing_in_that_nothing_was_done() {
    let sb = sandbox();
    let _alice = token(&sb, "alice", "read,run");
    let server = Server::start(&sb, &[]);
    let agent = no_redirects();
    let sent = agent
        .post(server.url("/ui/facts"))
        .send_form([("name", "x"), ("value", "1"), ("back", "/ui/facts")])
        .unwrap();
    assert_eq!(sent.status().as_u16(), 303);
    let to = sent.headers()["location"].to_str().unwrap();
    assert!(
        to.starts_with("/ui/signin?next=%2Fui%2Ffacts%3Ferror%3Dyou%2520were%2520signed%2520out"),
        "{to}"
    );
    assert_eq!(sb.run(&["fact", "get", "x"]).code, 1, "nothing was set");
}

#[test]
fn a_refused_preview_comes_back_in_the_sops_own_form_and_a_forms_address_opens_its_page() {
    let sb = sandbox();
    let server = Server::start(&sb, &[]);
    let agent = no_redirects();
    let FormPage { cookie, csrf, .. } = form_page(&agent, &server, "/ui/sops/check");
    let typed = r#"{"service": "api""#;
    let mut preview = agent
        .post(server.url("/ui/sops/check/preview"))
        .header("cookie", &cookie)
        .send_form([("csrf", csrf.as_str()), ("variables", typed)])
        .unwrap();
    assert_eq!(preview.status().as_u16(), 200);
    let html = preview.body_mut().read_to_string().unwrap();
    assert!(html.contains("id=\"preview-refused\""), "{html}");
    assert!(html.contains("JSON"), "the reason: {html}");
    assert!(
        html.contains(">{&quot;service&quot;: &quot;api&quot;</textarea>"),
        "what was typed is still in the form: {html}"
    );
    for (path, to) in [
        ("/ui/sops/check/preview", "/ui/sops/check"),
        ("/ui/sops/check/run", "/ui/sops/check"),
        ("/ui/runs/abc/cancel", "/ui/runs/abc"),
    ] {
        let reply = agent.get(server.url(path)).call().unwrap();
        assert_eq!(reply.status().as_u16(), 303, "{path}");
        assert_eq!(reply.headers()["location"], to, "{path}");
    }
}
