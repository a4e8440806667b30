//! The binary starts, knows its name and version, and rejects unknown commands with exit 2.

use crate::support::Sandbox;

#[test]
fn version_prints_name_and_version() {
    let out = Sandbox::new().run(&["--version"]);
    assert_eq!(out.code, 0, "{out}");
    assert_eq!(out.stdout, format!("sop {}\n", env!("CARGO_PKG_VERSION")));
}

#[test]
fn unknown_command_is_a_usage_error() {
    let out = Sandbox::new().run(&["frobnicate"]);
    assert_eq!(out.code, 2, "{out}");
    assert!(
        out.stderr.contains("unrecognized subcommand 'frobnicate'"),
        "{out}"
    );
}
