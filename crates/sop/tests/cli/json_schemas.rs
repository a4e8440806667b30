//! Real `--json` output of the bundled examples checked against the committed schemas in
//! `docs/schemas`, so a schema cannot promise what the binary does not print.

use crate::support::{Sandbox, repo_root};
use serde_json::Value;

fn check(name: &str, doc: &Value) {
    let path = repo_root().join(format!("docs/schemas/{name}.json"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{name}: {e}"));
    let schema: Value = serde_json::from_str(&text).unwrap();
    let validator = jsonschema::draft202012::new(&schema).unwrap();
    let errors: Vec<String> = validator.iter_errors(doc).map(|e| e.to_string()).collect();
    assert!(errors.is_empty(), "{name}: {errors:#?}\n{doc:#}");
}

#[test]
fn every_document_matches_its_schema() {
    let sb = Sandbox::with_examples();
    check("sop-list", &sb.run(&["list", "--json"]).json());
    for sop in [
        "cleanup-logs",
        "daily-backup",
        "deploy-prod",
        "employee-onboarding",
        "incident-response",
    ] {
        check("sop", &sb.run(&["show", sop, "--json"]).json());
        check(
            "plan",
            // deploy-prod declares a required `version`; the others take anything.
            &sb.run(&[
                "execute",
                sop,
                "--dry-run",
                "--json",
                "--vars",
                if sop == "deploy-prod" {
                    r#"{"version": "1.2.3"}"#
                } else {
                    "{}"
                },
            ])
            .json(),
        );
    }
    check("check", &sb.run(&["check", "--json"]).json());

    let vars = r#"{"employee": "Ada", "team": "platform", "start_date": "2026-03-02"}"#;
    let run = sb
        .run(&["execute", "employee-onboarding", "--vars", vars, "--json"])
        .json();
    check("run", &run);
    let id = run["id"].as_str().unwrap();
    check("pending", &sb.run(&["pending", "--json"]).json());
    check("run", &sb.run(&["approve", id, "--json"]).json());
    check("next-step", &sb.run(&["next", id, "--json"]).json());
    check(
        "run",
        &sb.run(&["done", id, "--note", "done", "--json"]).json(),
    );
    check("run", &sb.run(&["status", id, "--json"]).json());
    check("run-list", &sb.run(&["status", "--json"]).json());

    assert_eq!(sb.run(&["fact", "set", "tests_passed", "true"]).code, 0);
    check("fact-list", &sb.run(&["fact", "list", "--json"]).json());
}

#[test]
fn a_document_that_breaks_its_schema_is_caught() {
    let sb = Sandbox::with_examples();
    let mut list = sb.run(&["list", "--json"]).json();
    list["count"] = Value::String("five".into());
    let path = repo_root().join("docs/schemas/sop-list.json");
    let schema: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    assert!(!jsonschema::draft202012::is_valid(&schema, &list));
}
