//! Typed parameters declared under `[variables.NAME]`: `sop check` reports bad declarations and
//! placeholders naming undeclared variables, `sop show` lists the parameters, and
//! `sop show --schema` prints them as JSON Schema.

use crate::support::Sandbox;

const TOML: &str = r#"[sop]
name = "deploy"

[variables.environment]
type = "string"
required = true
enum = ["staging", "production"]
description = "Where to deploy"

[variables.replicas]
type = "integer"
default = 2
min = 1
max = 10

[variables.api-token]
secret = true
pattern = "[A-Za-z0-9]+"
"#;

const MD: &str = "# Deploy\n\n## Step 1: Roll out\n\n```bash\ndeploy --env {{ environment }} --replicas {{ replicas }}\n```\n";

fn sandbox() -> Sandbox {
    let sb = Sandbox::new();
    sb.sop("deploy", TOML, MD);
    sb
}

#[test]
fn show_lists_the_parameters() {
    let out = sandbox().run(&["show", "deploy"]);
    assert_eq!(out.code, 0, "{out}");
    let at = out
        .stdout
        .find("Parameters:")
        .expect("a Parameters section");
    let section: Vec<&str> = out.stdout[at..].lines().take(4).collect();
    insta::assert_snapshot!(section.join("\n"), @r#"
        Parameters:
          environment   string, required, one of "staging", "production" — Where to deploy
          replicas      integer, default 2, 1 to 10
          api-token     string, matching `[A-Za-z0-9]+`, secret
        "#);
}

#[test]
fn show_json_carries_the_parameters() {
    let out = sandbox().run(&["show", "deploy", "--json"]).json();
    insta::assert_json_snapshot!(out["parameters"], @r#"
        [
          {
            "description": "Where to deploy",
            "enum": [
              "staging",
              "production"
            ],
            "name": "environment",
            "required": true,
            "secret": false,
            "type": "string"
          },
          {
            "default": 2,
            "max": 10,
            "min": 1,
            "name": "replicas",
            "required": false,
            "secret": false,
            "type": "integer"
          },
          {
            "name": "api-token",
            "pattern": "[A-Za-z0-9]+",
            "required": false,
            "secret": true,
            "type": "string"
          }
        ]
        "#);
}

#[test]
fn show_schema_prints_json_schema() {
    let out = sandbox().run(&["show", "deploy", "--schema"]);
    insta::assert_snapshot!(out.to_string(), @r#"
        exit: 0
        --- stdout
        {
          "$schema": "https://json-schema.org/draft/2020-12/schema",
          "additionalProperties": false,
          "properties": {
            "api-token": {
              "pattern": "^(?:[A-Za-z0-9]+)$",
              "type": "string",
              "writeOnly": true
            },
            "environment": {
              "description": "Where to deploy",
              "enum": [
                "staging",
                "production"
              ],
              "type": "string"
            },
            "replicas": {
              "default": 2,
              "maximum": 10,
              "minimum": 1,
              "type": "integer"
            }
          },
          "required": [
            "environment"
          ],
          "title": "deploy",
          "type": "object"
        }
        --- stderr
        "#);
}

#[test]
fn check_reports_bad_declarations_and_undeclared_names() {
    let sb = Sandbox::new();
    let toml = "[sop]\nname = \"deploy\"\n\n[variables.replicas]\ntype = \"integer\"\ndefault = 20\nmax = 10\nmni = 1\n";
    let md = "# Deploy\n\n## Step 1: Roll out\n\n```bash\ndeploy {{ replica }}\n```\n";
    sb.sop("deploy", toml, md);
    let out = sb.run(&["check"]);
    insta::assert_snapshot!(out.to_string(), @r#"
        exit: 2
        --- stdout
        FAIL deploy: 3 problems

        1 SOP checked: 0 valid, 1 invalid (3 problems)
        --- stderr
        error: `default`: variable `replicas` must be at most 10, got 20
          --> [ROOT]/sops/deploy/SOP.toml:6:11
          |
        6 | default = 20
          |           ^^
          = help: make the default follow the variable's own rules

        error: unknown key `mni` in [variables.replicas]
          --> [ROOT]/sops/deploy/SOP.toml:8:1
          |
        8 | mni = 1
          | ^^^
          = help: did you mean `min`?

        error: `replica` is not a declared variable of this SOP
          --> [ROOT]/sops/deploy/SOP.md:6:8
          |
        6 | deploy {{ replica }}
          |        ^^^^^^^^^^^^^
          = help: did you mean `replicas`?
        "#);
}
