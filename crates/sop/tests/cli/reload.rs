//! Hot reload of a real `sop serve`: an SOP edited and broken while the server runs keeps its
//! last good version serving (webhook, API start), `GET /api/sops/{name}` shows the problems
//! and the version in use, the log names file:line:col; a fixed edit is picked up, with its new
//! webhook path and its cron schedule; SIGHUP reloads too.

use crate::serving::{Server, eventually};
use crate::support::Sandbox;
use serde_json::json;

fn toml(path: &str, cron: &str) -> String {
    format!(
        "[sop]\nname = \"demo\"\ndescription = \"reloaded\"\nexecution_mode = \"auto\"\n\n[[triggers]]\ntype = \"manual\"\n\n[[triggers]]\ntype = \"webhook\"\npath = \"{path}\"\n\n[[triggers]]\ntype = \"cron\"\nexpression = \"{cron}\"\n"
    )
}

const MD: &str = "## Step 1: Say\n```bash\necho first version\n```\n";

#[test]
fn a_broken_edit_keeps_the_last_good_version_serving_until_fixed() {
    let sb = Sandbox::new();
    sb.sop("demo", &toml("/hook-one", "0 0 1 1 *"), MD);
    let server = Server::start(&sb, &[]);
    let before = server.get("/api/sops/demo").json()["sop"].clone();
    assert_eq!(before["valid"], true);
    let hash = before["in_use"]["definition_hash"]
        .as_str()
        .unwrap()
        .to_string();

    let dir = sb.sops_dir().join("demo");
    std::fs::write(
        dir.join("SOP.toml"),
        toml("/hook-one", "0 0 1 1 *").replace("type = \"manual\"", "type = \"manul\""),
    )
    .unwrap();
    eventually("the server to see the broken files", || {
        server.get("/api/sops/demo").json()["sop"]["valid"] == false
    });
    let broken = server.get("/api/sops/demo").json()["sop"].clone();
    let problems = broken["problems"].to_string();
    assert!(problems.contains("demo/SOP.toml:7:8"), "{problems}");
    assert_eq!(broken["in_use"]["definition_hash"], hash);
    assert_eq!(broken["description"], "reloaded");
    eventually("the log to name the problem", || {
        server.log().contains("demo/SOP.toml:7:8")
    });
    // The console shows the version in use, its procedure and Run form, beside the problems.
    let page = server.get("/ui/sops/demo");
    assert_eq!(page.status, 200, "{}", page.text);
    assert!(page.text.contains("id=\"broken\""), "{}", page.text);
    assert!(page.text.contains("demo/SOP.toml:7:8"), "{}", page.text);
    assert!(page.text.contains("echo first version"), "{}", page.text);
    assert!(page.text.contains("/ui/sops/demo/run"), "{}", page.text);

    // The last good version still starts, through the API and its webhook.
    let started = server.post("/api/sop/demo/trigger", &json!({}));
    assert_eq!(started.status, 202, "{started:?}");
    let id = started.json()["run"]["id"].as_str().unwrap().to_string();
    let run = server.wait_status(&id, "succeeded");
    assert_eq!(run["definition_hash"], hash);
    let hooked = server.post("/hook-one", &json!({}));
    assert_eq!(hooked.status, 202, "{hooked:?}");

    // Fixed with a new webhook path and a schedule every two seconds: both follow.
    std::fs::write(dir.join("SOP.toml"), toml("/hook-two", "*/2 * * * * *")).unwrap();
    eventually("the fixed version in use", || {
        let sop = server.get("/api/sops/demo").json()["sop"].clone();
        sop["valid"] == true && sop["in_use"]["definition_hash"] != hash
    });
    assert_eq!(server.post("/hook-two", &json!({})).status, 202);
    assert_eq!(server.post("/hook-one", &json!({})).status, 404);
    eventually("the new schedule to fire", || {
        let out = sb.run(&["schedule", "demo", "--json", "--next", "1"]);
        out.json()["schedules"][0]["last"]["decision"] == "fired"
    });
}

#[test]
fn sighup_reloads_the_sops() {
    let sb = Sandbox::new();
    sb.sop("demo", &toml("/hook-one", "0 0 1 1 *"), MD);
    let server = Server::start(&sb, &[]);
    let hash = server.get("/api/sops/demo").json()["sop"]["in_use"]["definition_hash"].clone();
    std::fs::write(
        sb.sops_dir().join("demo/SOP.md"),
        "## Step 1: Say\n```bash\necho second version\n```\n",
    )
    .unwrap();
    // SAFETY: signalling the server process this test started.
    unsafe { libc::kill(server.pid() as i32, libc::SIGHUP) };
    eventually("the edit in use", || {
        server.get("/api/sops/demo").json()["sop"]["in_use"]["definition_hash"] != hash
    });
    assert!(server.log().contains("SOP reloaded"), "{}", server.log());
}
