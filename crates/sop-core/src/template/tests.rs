//! Tests of template parsing, text rendering and command quoting.

use super::*;
use serde_json::{Map, Value, json};

fn vars(v: Value) -> Map<String, Value> {
    match v {
        Value::Object(map) => map,
        _ => panic!("test variables must be an object"),
    }
}

#[test]
fn renders_text() {
    let map = vars(json!({"name": "api"}));
    assert_eq!(
        render_text("deploy {{ name }} and {{name}}", &Vars::new(&map)).unwrap(),
        "deploy api and api"
    );
}

#[test]
fn quotes_commands() {
    let map = vars(json!({"x": "it's"}));
    assert_eq!(
        render_command("echo {{ x }}", &Vars::new(&map)).unwrap(),
        r"echo 'it'\''s'"
    );
}
