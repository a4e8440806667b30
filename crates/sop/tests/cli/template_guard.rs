//! `sop check` refuses `{{ name }}` placeholders where bash would run the value as code, each
//! located, and points to the environment variable that carries the value instead.

use crate::support::Sandbox;

const TOML: &str = "[sop]\nname = \"guard\"\n";

/// Every form that ran a payload when it was accepted, one per line.
const FORMS: [&str; 21] = [
    "sh -c -- {{ x }}",
    "sh -c -e {{ x }}",
    "command eval {{ x }}",
    "builtin eval {{ x }}",
    "\\eval {{ x }}",
    "\"eval\" {{ x }}",
    "declare {{ x }}",
    "typeset {{ x }}",
    "f() { local {{ x }}; }",
    "export {{ x }}",
    "readonly {{ x }}",
    "read {{ x }} <<< 1",
    "declare -n ref={{ x }}",
    "compgen -W {{ x }}",
    "BASH_ENV={{ x }} bash -c true",
    "PS4={{ x }}; set -x",
    "echo $(( {{ x }} ))",
    "(( {{ x }} ))",
    "let {{ x }}",
    "[[ 1 -eq {{ x }} ]]",
    "a[{{ x }}]=1",
];

#[test]
fn every_form_that_ran_a_payload_is_refused_at_its_line() {
    let md = format!(
        "# Guard\n\n## Step 1: Run\n\n```bash\n{}\n```\n",
        FORMS.join("\n")
    );
    let sb = Sandbox::new();
    sb.sop("guard", TOML, &md);
    let out = sb.run(&["check", "--json"]);
    assert_eq!(out.code, 2, "{out}");
    let errors = out.json()["sops"][0]["errors"].clone();
    let errors = errors.as_array().expect("an error list");
    assert_eq!(errors.len(), FORMS.len(), "{out}");
    for (i, error) in errors.iter().enumerate() {
        assert_eq!(error["line"], 6 + i, "{error}");
        let help = error["help"].as_str().unwrap_or_default();
        assert!(help.contains("SOP_VAR_X"), "{}: {help}", FORMS[i]);
    }
}

#[test]
fn a_refusal_shows_where_and_the_environment_variable_to_use() {
    let md = "# Guard\n\n## Step 1: Run\n\n```bash\nsudo -u app bash -ec \"deploy {{ version }}\"\necho {{ db-host }} | sh\nbash -c 'deploy \"$SOP_VAR_VERSION\"'\n```\n";
    let sb = Sandbox::new();
    sb.sop("guard", TOML, md);
    let out = sb.run(&["check"]);
    insta::assert_snapshot!(out.to_string(), @r#"
        exit: 2
        --- stdout
        FAIL guard: 2 problems

        1 SOP checked: 0 valid, 1 invalid (2 problems)
        --- stderr
        error: the argument of `bash -c` is run as a shell script, where the value's quotes are gone
          --> [ROOT]/sops/guard/SOP.md:6:30
          |
        6 | sudo -u app bash -ec "deploy {{ version }}"
          |                              ^^^^^^^^^^^^^
          = help: write the script literally and read the value from the environment inside it, e.g. `sh -c 'echo "$SOP_VAR_VERSION"'`, or pass it as an argument: `sh -c 'echo "$1"' sh {{ version }}`

        error: `sh` reads its script from standard input, which holds the value
          --> [ROOT]/sops/guard/SOP.md:7:6
          |
        7 | echo {{ db-host }} | sh
          |      ^^^^^^^^^^^^^
          = help: write the script literally (`sh -c '...'` or a file) and read the value from the environment inside it: "$SOP_VAR_DB_HOST"
        "#);
}
