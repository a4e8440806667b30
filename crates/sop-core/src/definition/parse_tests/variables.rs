//! Tests of `definition::parse` on `[variables.NAME]`: the declarations, every problem in one
//! pass, and placeholders in SOP.md that name no declared variable.

use super::*;
use crate::parameters::{ParamType, StartOrigin};
use serde_json::json;

const HEAD: &str = "[sop]\nname = \"demo\"\n\n";
const PLAIN_MD: &str = "# Demo\n\n## Step 1: Look\n\nCheck it.\n";
const STEP_MD: &str = "# Demo\n\n## Step 1: Deploy\n\n```bash\ndeploy {{ environment }} {{ replicas }} {{ steps.1.id }}\n```\n";

#[test]
fn declarations_are_read_with_their_rules() {
    let toml = format!(
        "{HEAD}[variables.environment]\ntype = \"string\"\nrequired = true\nenum = [\"staging\", \"production\"]\ndescription = \"Where to deploy\"\n\n[variables.replicas]\ntype = \"integer\"\ndefault = 2\nmin = 1\nmax = 10\n\n[variables.token]\nsecret = true\npattern = \"[a-z0-9]+\"\n"
    );
    let sop = parse(&source(&toml, STEP_MD)).unwrap();
    let names: Vec<&str> = sop.parameters.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(names, ["environment", "replicas", "token"]);
    let token = sop.parameters.get("token").unwrap();
    assert_eq!(token.kind, ParamType::String);
    assert!(token.secret);
    let out = sop
        .parameters
        .validate(
            json!({"environment": "staging", "token": "abc"})
                .as_object()
                .unwrap(),
            StartOrigin::Manual,
        )
        .unwrap();
    assert_eq!(out["replicas"], json!(2));
}

#[test]
fn every_problem_of_the_declarations_in_one_pass() {
    let toml = format!(
        "{HEAD}[variables.a]\ntyp = \"string\"\n\n[variables.b]\ntype = \"int\"\n\n[variables.c]\ntype = \"integer\"\nmin = 5\nmax = 1\ndefault = \"3\"\n\n[variables.d]\npattern = \"(\"\n\n[variables.e]\ntype = \"boolean\"\nmax = 2\nenum = [true, \"no\"]\n\n[variables.f]\ntype = \"string\"\nmin = -1\ndefault = \"x\"\nrequired = true\nenum = []\n\n[variables.g]\ntype = \"integer\"\npattern = \"[0-9]+\"\ndefault = 20\nmax = 10\n\n[variables.1x]\n\n[variables.steps]\n"
    );
    let errs = errors(&toml, PLAIN_MD);
    let expected = [
        "demo/SOP.toml:5:1: unknown key `typ` in [variables.a] (help: did you mean `type`?)",
        "demo/SOP.toml:8:8: `int` is not a valid `type` (help: expected one of: `string`, `number`,",
        "demo/SOP.toml:13:7: `max` (1) is below `min` (5) (help: make `min` at most `max`)",
        "demo/SOP.toml:14:11: `default`: variable `c` must be an integer, got a string \"3\" (help: make the default follow the variable's own rules)",
        "demo/SOP.toml:17:11: `pattern` is not a valid regular expression",
        "demo/SOP.toml:21:7: `min` and `max` do not apply to a boolean",
        "demo/SOP.toml:22:15: `enum` values must be a boolean like the variable, found a string",
        "demo/SOP.toml:26:7: for a string `f`, `min` and `max` count characters and must be whole numbers of 0 or more",
        "demo/SOP.toml:27:11: `f` is required and has a default, which is never used",
        "demo/SOP.toml:29:8: `enum` is empty, so no value would be accepted",
        "demo/SOP.toml:33:11: `pattern` applies to strings, but `g` is an integer",
        "demo/SOP.toml:34:11: `default`: variable `g` must be at most 10, got 20",
        "demo/SOP.toml:37:12: `1x` is not a valid variable name: it must start with a letter or `_`",
        "demo/SOP.toml:39:12: `steps` is not a valid variable name",
    ];
    assert_eq!(errs.len(), expected.len(), "{errs:#?}");
    for (err, want) in errs.iter().zip(expected) {
        assert!(
            err.starts_with(want),
            "{err}\n  does not start with\n{want}"
        );
    }
}

#[test]
fn colliding_and_misplaced_declarations() {
    let toml = format!("{HEAD}[variables.db-host]\n\n[variables.DB_HOST]\n");
    let errs = errors(&toml, PLAIN_MD);
    assert_eq!(errs.len(), 1, "{errs:?}");
    assert!(errs[0].contains("both be the environment variable SOP_VAR_DB_HOST"));
    let errs = errors(&format!("variables = 3\n{HEAD}"), PLAIN_MD);
    assert!(errs[0].contains("`variables` must be a table"), "{errs:?}");
    let errs = errors(&format!("{HEAD}[variables]\nx = 1\n"), PLAIN_MD);
    assert!(
        errs[0].contains("`variables.x` must be a table, found an integer"),
        "{errs:?}"
    );
}

#[test]
fn placeholders_must_name_declared_variables() {
    let toml = format!("{HEAD}[variables.environment]\n[variables.replicas]\ntype = \"integer\"\n");
    assert!(parse(&source(&toml, STEP_MD)).is_ok());
    let md = "# Demo\n\n## Step 1: Deploy\n\nTarget: {{ enviroment }}.\n\n```bash\ndeploy {{ Environment }} {{ region.name }}\n```\n";
    assert_eq!(
        errors(&toml, md),
        [
            "demo/SOP.md:5:9: `enviroment` is not a declared variable of this SOP (help: did you mean `environment`?)",
            "demo/SOP.md:8:26: `region` is not a declared variable of this SOP (help: declare it in SOP.toml:\n[variables.region]\ntype = \"string\"\n(the declared variables are `environment` or `replicas`))",
        ]
    );
    // Without declarations, any name may be used.
    assert!(parse(&source(HEAD, md)).is_ok());
}
