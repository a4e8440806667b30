//! The web console end to end: a real `sop serve` and a real headless Chromium. An operator
//! signs in, starts an SOP with variables, watches its steps and output arrive live, approves
//! its gate with a comment and sees the run go on, completes a manual step, cancels a running
//! run and sets and unsets a fact; a reader sees no actions. Plus the session's cookie and the
//! CSRF checks over plain HTTP.

use crate::browser::{Browser, runtime};
use crate::serving::{Server, token};
use crate::support::Sandbox;
use serde_json::json;

/// `deploy` waits in step 1 for the file `go` (so the test sees it running), asks for a
/// decision before step 2, and ends with a manual step; `slow` runs until cancelled.
fn console_sandbox() -> Sandbox {
    let sb = Sandbox::new();
    let go = sb.root().join("go");
    sb.sop(
        "deploy",
        "[sop]\nname = \"deploy\"\ndescription = \"Deploy a release\"\npriority = \"normal\"\nexecution_mode = \"auto\"\napprovers = [\"alice\"]\n\n[[triggers]]\ntype = \"manual\"\n",
        &format!(
            "# Deploy\n\nShips **a release**. <script>alert(1)</script>\n\n## Step 1: Build\n```sh\necho building {{{{ version }}}}\nwhile [ ! -f '{}' ]; do sleep 0.02; done\n```\n\n## Step 2: Ship\n<!-- sop: approval = \"required\" -->\n```sh\necho shipped\n```\n\n## Step 3: Announce\n- Post in the channel\n- Update the status page\n",
            go.display()
        ),
    );
    sb.sop(
        "slow",
        "[sop]\nname = \"slow\"\ndescription = \"Runs until stopped\"\nexecution_mode = \"auto\"\n\n[[triggers]]\ntype = \"manual\"\n",
        "# Slow\n\n## Step 1: Wait\n```sh\necho tick\nsleep 60\n```\n",
    );
    sb
}

#[test]
fn an_operator_runs_watches_approves_completes_and_cancels_in_a_browser() {
    let sb = console_sandbox();
    let alice = token(&sb, "alice", "read,run,approve");
    let server = Server::start(&sb, &[]);
    let profile = sb.root().join("chromium-operator");
    runtime().block_on(async {
        let b = Browser::start(&server.url(""), "operator", &profile).await;
        b.goto("/ui/runs").await;
        b.wait("#token").await;
        b.shot("signin").await;
        b.sign_in(&alice).await;
        b.wait_text(".who .user", "alice").await;

        b.goto("/").await;
        b.wait_text("#sops", "deploy").await;
        b.fill("#filter", "slow").await;
        assert!(
            !b.all("#sops tbody tr[hidden]").await.is_empty(),
            "the filter hides the other SOPs"
        );
        b.shot("sops").await;

        // The SOP's page: rendered Markdown with its raw HTML shown as text.
        b.goto("/ui/sops/deploy").await;
        b.wait_text(".markdown strong", "a release").await;
        assert!(b.all(".markdown script").await.is_empty());
        assert!(
            b.text(".markdown")
                .await
                .contains("<script>alert(1)</script>")
        );
        b.shot("sop").await;

        // Variables are checked before the form is sent.
        b.fill("#variables", "{\"version\": ").await;
        b.click("form[data-json] button[type=submit]").await;
        b.wait_text("#vars-error", "Not valid JSON").await;
        assert_eq!(b.path().await, "/ui/sops/deploy");
        b.fill("#variables", r#"{"version": "1.2.3"}"#).await;
        b.click("form[data-json] button[type=submit]").await;
        b.wait("#live").await;
        let run_path = b.path().await;
        assert!(run_path.starts_with("/ui/runs/"), "{run_path}");

        // Step 1 runs, and its output arrives while it runs; then the file lets it finish and
        // the gate's form appears — all without reloading the page.
        b.script("window.stayed = true;").await;
        b.wait("#step-1[data-step-status=running]").await;
        b.wait_text("#step-1 pre", "building 1.2.3").await;
        b.shot("run-live").await;
        std::fs::write(sb.root().join("go"), "").unwrap();
        b.wait("#step-1[data-step-status=succeeded]").await;
        b.wait("#actions-live form[action$='/approve']").await;
        assert_eq!(
            b.script("return window.stayed === true;").await,
            json!(true),
            "the page was reloaded"
        );

        b.goto("/ui/approvals").await;
        b.wait_text("main", "deploy — step 2").await;
        b.wait_text("main time[data-countdown] .left", "in ").await;
        b.shot("approvals").await;

        b.goto(&run_path).await;
        b.fill("#comment", "looks good").await;
        b.click("#actions-live button[value=approve]").await;
        b.wait_text("p.notice.done", "Approved").await;
        b.wait_text("#live .decisions", "looks good").await;
        b.wait_text("#live .decisions", "alice").await;
        // The run goes on to its manual step.
        b.wait("#step-2[data-step-status=succeeded]").await;
        b.wait("#actions-live form[action$='/complete']").await;
        b.shot("run-manual").await;
        for check in b.all("#actions-live input[name^=check]").await {
            check.click().await.unwrap();
        }
        b.fill("#note", "announced").await;
        b.click("#actions-live form[action$='/complete'] button[type=submit]")
            .await;
        b.wait("#live [data-run-status=succeeded]").await;
        b.wait_text("#step-3", "announced").await;
        b.wait_text("main", "The audit chain verifies").await;
        b.shot("run-succeeded").await;

        // A running run is cancelled.
        b.goto("/ui/sops/slow").await;
        b.click("form[data-json] button[type=submit]").await;
        b.wait("#step-1[data-step-status=running]").await;
        b.wait_text("#step-1 pre", "tick").await;
        b.fill("#reason", "not today").await;
        b.click("#actions-live form[action$='/cancel'] button")
            .await;
        b.wait("#live [data-run-status=cancelled]").await;
        b.shot("run-cancelled").await;

        b.goto("/ui/runs?status=cancelled").await;
        b.wait_text("#runs tbody", "slow").await;
        assert!(!b.text("#runs tbody").await.contains("deploy"));
        b.shot("runs").await;

        b.goto("/ui/facts").await;
        b.fill("#fact-name", "release_frozen").await;
        b.fill("#fact-value", "true").await;
        b.click("form[action='/ui/facts'] button[type=submit]")
            .await;
        b.wait_text("#facts", "release_frozen").await;
        b.shot("facts").await;
        b.click("button[aria-label='Unset release_frozen']").await;
        b.wait_text("p.notice.done", "release_frozen unset").await;
        assert!(b.all("#facts").await.is_empty());

        b.goto("/ui/schedules").await;
        b.wait("#fires-h").await;
        b.shot("schedules").await;

        b.click("form[action='/ui/signout'] button").await;
        b.wait("#token").await;
        b.goto("/ui/runs").await;
        b.wait("#token").await;
        b.close().await;
    });
    let audit = sb.run(&["audit", "--json"]);
    assert!(audit.stdout.contains("console.signed_in"), "{audit}");
    assert!(!audit.stdout.contains(&alice), "the token is never audited");
    assert_eq!(sb.run(&["audit", "verify"]).code, 0);
}

#[test]
fn a_reader_sees_the_run_but_no_actions() {
    let sb = console_sandbox();
    let alice = token(&sb, "alice", "read,run,approve");
    let reader = token(&sb, "rita", "read");
    let server = Server::start(&sb, &[]).with_token(&alice);
    std::fs::write(sb.root().join("go"), "").unwrap();
    let id = server
        .post(
            "/api/sop/deploy/trigger",
            &json!({"variables": {"version": "9"}}),
        )
        .json()["run"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    server.wait_status(&id, "awaiting_approval");
    let profile = sb.root().join("chromium-reader");
    runtime().block_on(async {
        let b = Browser::start(&server.url(""), "reader", &profile).await;
        b.sign_in(&reader).await;
        b.goto(&format!("/ui/runs/{id}")).await;
        b.wait("#live [data-run-status=awaiting_approval]").await;
        b.wait("#no-actions").await;
        assert!(
            b.all("main form").await.is_empty(),
            "a reader gets no forms"
        );
        b.shot("run").await;
        b.goto("/ui/sops/deploy").await;
        b.wait("#triggers-h").await;
        assert!(b.all("#variables").await.is_empty(), "no Run form");
        b.goto("/ui/approvals").await;
        b.wait("main h1").await;
        assert!(b.all("main form").await.is_empty());
        b.goto("/ui/facts").await;
        b.wait("main h1").await;
        assert!(b.all("main form").await.is_empty());
        b.close().await;
    });
}

/// An agent that shows redirects instead of following them.
fn raw_agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .max_redirects(0)
        .build()
        .into()
}

#[test]
fn the_session_cookie_is_lax_and_forms_need_the_sessions_csrf_token() {
    let mut sb = console_sandbox();
    sb.env("SOP_PUBLIC_URL", "https://sop.example");
    let alice = token(&sb, "alice", "read,run");
    let server = Server::start(&sb, &[]);
    let agent = raw_agent();
    let page = agent.get(server.url("/ui/facts")).call().unwrap();
    assert_eq!(
        page.status().as_u16(),
        303,
        "not signed in: to the sign-in page"
    );
    let bad = agent
        .post(server.url("/ui/signin"))
        .send_form([("token", "sopapi_nope"), ("next", "/ui/facts")])
        .unwrap();
    assert_eq!(bad.status().as_u16(), 401);
    let signed = agent
        .post(server.url("/ui/signin"))
        .send_form([("token", alice.as_str()), ("next", "/ui/facts")])
        .unwrap();
    assert_eq!(signed.status().as_u16(), 303);
    assert_eq!(signed.headers()["location"], "/ui/facts");
    let set = signed.headers()["set-cookie"].to_str().unwrap().to_string();
    for part in [
        "sop_session=sopses_",
        "HttpOnly",
        "SameSite=Lax",
        "Secure",
        "Path=/",
    ] {
        assert!(set.contains(part), "{part} missing: {set}");
    }
    let cookie = set.split(';').next().unwrap().to_string();
    let mut facts = agent
        .get(server.url("/ui/facts"))
        .header("cookie", &cookie)
        .call()
        .unwrap();
    assert_eq!(facts.status().as_u16(), 200);
    let html = facts.body_mut().read_to_string().unwrap();
    let csrf = crate::console_pages::csrf_of(&html);
    let forged = agent
        .post(server.url("/ui/facts"))
        .header("cookie", &cookie)
        .send_form([("name", "x"), ("value", "1"), ("back", "/ui/facts")])
        .unwrap();
    assert_eq!(forged.status().as_u16(), 303);
    assert!(
        forged.headers()["location"]
            .to_str()
            .unwrap()
            .contains("error=")
    );
    let other_site = agent
        .post(server.url("/ui/facts"))
        .header("cookie", &cookie)
        .header("origin", "https://evil.example")
        .send_form([("name", "x"), ("value", "1"), ("csrf", csrf.as_str())])
        .unwrap();
    assert!(
        other_site.headers()["location"]
            .to_str()
            .unwrap()
            .contains("error=")
    );
    assert_eq!(
        sb.run(&["fact", "get", "x"]).code,
        1,
        "neither form set the fact"
    );
    let sent = agent
        .post(server.url("/ui/facts"))
        .header("cookie", &cookie)
        .send_form([("name", "x"), ("value", "1"), ("csrf", csrf.as_str())])
        .unwrap();
    assert_eq!(sent.headers()["location"], "/ui/facts?done=x%20set");
    assert_eq!(sb.run(&["fact", "get", "x"]).code, 0);
    // Signing out ends the session in the store, not only in the browser.
    let out = agent
        .post(server.url("/ui/signout"))
        .header("cookie", &cookie)
        .send_form([("csrf", csrf.as_str())])
        .unwrap();
    assert_eq!(out.status().as_u16(), 303);
    let after = agent
        .get(server.url("/ui/facts"))
        .header("cookie", &cookie)
        .call()
        .unwrap();
    assert_eq!(after.status().as_u16(), 303);
    // The console is not part of the API: unknown API paths still answer JSON.
    let api = agent.get(server.url("/api/nope")).call().unwrap();
    assert_eq!(api.status().as_u16(), 404);
}

#[test]
fn the_events_page_lists_recent_events_with_the_runs_they_started() {
    let sb = console_sandbox();
    sb.sop(
        "on-deploy-failed",
        "[sop]\nname = \"on-deploy-failed\"\ndescription = \"Roll back\"\nexecution_mode = \"auto\"\n\n[[triggers]]\ntype = \"event\"\nevent = \"deploy.*\"\n",
        "# Roll back\n\n## Step 1: Roll back\n```sh\ntrue\n```\n",
    );
    let alice = token(&sb, "alice", "read");
    let emitted = sb.run(&[
        "emit",
        "deploy.failed",
        "--data",
        "{\"service\": \"api\"}",
        "--json",
    ]);
    assert_eq!(emitted.code, 0, "{emitted}");
    let run = emitted.json()["outcomes"][0]["run"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let server = Server::start(&sb, &[]);
    let agent = raw_agent();
    let signed = agent
        .post(server.url("/ui/signin"))
        .send_form([("token", alice.as_str()), ("next", "/ui/schedules")])
        .unwrap();
    let cookie = signed.headers()["set-cookie"].to_str().unwrap();
    let cookie = cookie.split(';').next().unwrap().to_string();
    let mut page = agent
        .get(server.url("/ui/schedules"))
        .header("cookie", &cookie)
        .call()
        .unwrap();
    assert_eq!(page.status().as_u16(), 200);
    let html = page.body_mut().read_to_string().unwrap();
    assert!(html.contains("Recent events"), "{html}");
    assert!(html.contains("<code>deploy.failed</code>"), "{html}");
    assert!(!run.is_empty(), "{emitted}");
    assert!(html.contains(&format!("/ui/runs/{run}")), "{html}");
}
