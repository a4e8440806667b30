//! SKILL.md cannot drift from the binary: every command it shows is run, in order, against the
//! bundled examples, and must exit as the file says and print JSON of the shape it shows.

use crate::support::{Sandbox, repo_root};
use serde_json::Value;

/// One example: the command line, the exit code it states, and the JSON it shows.
struct Example {
    command: String,
    exit: i32,
    shown: Option<Value>,
}

fn examples(text: &str) -> Vec<Example> {
    let mut out: Vec<Example> = Vec::new();
    let mut lines = text.lines();
    while let Some(line) = lines.next() {
        let fence = line.trim_end();
        if fence != "```sh" && fence != "```json" {
            continue;
        }
        let body: Vec<&str> = lines
            .by_ref()
            .take_while(|l| l.trim_end() != "```")
            .collect();
        if fence == "```json" {
            let last = out.last_mut().expect("a JSON block follows a command");
            assert!(
                last.shown.is_none(),
                "two JSON blocks after `{}`",
                last.command
            );
            last.shown = Some(serde_json::from_str(&body.join("\n")).unwrap());
            continue;
        }
        let command = body.iter().find_map(|l| l.strip_prefix("$ ")).unwrap();
        let exit = body
            .iter()
            .find_map(|l| l.strip_prefix("# exits "))
            .map_or(0, |rest| rest[..1].parse().unwrap());
        out.push(Example {
            command: command.to_string(),
            exit,
            shown: None,
        });
    }
    out
}

/// Splits a command line into words: spaces separate, single quotes keep text whole.
fn words(line: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut word = String::new();
    let mut quoted = false;
    let mut any = false;
    for c in line.chars() {
        match c {
            '\'' => {
                quoted = !quoted;
                any = true;
            }
            ' ' if !quoted => {
                if any {
                    out.push(std::mem::take(&mut word));
                }
                any = false;
            }
            c => {
                word.push(c);
                any = true;
            }
        }
    }
    if any {
        out.push(word);
    }
    out
}

/// `Err(path)` where `actual` has another shape than `shown`: other keys, or another type
/// where the example is not `null`. Each element an array shows must match one it has.
fn same_shape(shown: &Value, actual: &Value, path: &str) -> Result<(), String> {
    match (shown, actual) {
        (Value::Null, _) => Ok(()),
        (Value::Object(s), Value::Object(a)) => {
            let (sk, ak): (Vec<_>, Vec<_>) = (s.keys().collect(), a.keys().collect());
            if sk != ak {
                return Err(format!("{path}: keys {sk:?} shown, {ak:?} printed"));
            }
            s.iter()
                .try_for_each(|(k, v)| same_shape(v, &a[k], &format!("{path}.{k}")))
        }
        (Value::Array(s), Value::Array(a)) => s.iter().enumerate().try_for_each(|(i, v)| {
            a.iter()
                .find_map(|x| same_shape(v, x, "").ok())
                .ok_or_else(|| format!("{path}[{i}]: no printed element has its shape"))
        }),
        (Value::Bool(_), Value::Bool(_))
        | (Value::Number(_), Value::Number(_))
        | (Value::String(_), Value::String(_)) => Ok(()),
        _ => Err(format!("{path}: {shown} shown, {actual} printed")),
    }
}

#[test]
fn every_command_in_skill_md_prints_what_it_shows() {
    let text = std::fs::read_to_string(repo_root().join("SKILL.md")).unwrap();
    assert!(text.starts_with("---\nname: sop\ndescription: "));
    let examples = examples(&text);
    assert!(examples.len() >= 8, "{} examples", examples.len());
    let sb = Sandbox::with_examples();
    let mut run = String::new();
    for ex in &examples {
        let args: Vec<String> = words(&ex.command)
            .into_iter()
            .map(|w| if w == "RUN" { run.clone() } else { w })
            .collect();
        assert_eq!(args[0], "sop", "{}", ex.command);
        let args: Vec<&str> = args[1..].iter().map(String::as_str).collect();
        let out = sb.run(&args);
        assert_eq!(out.code, ex.exit, "{}\n{out}", ex.command);
        let printed = out.json();
        if args[0] == "execute" && !args.contains(&"--dry-run") {
            run = printed["id"].as_str().unwrap().to_string();
        }
        let shown = ex.shown.as_ref().expect("every command shows its output");
        if let Err(e) = same_shape(shown, &printed, "") {
            panic!("SKILL.md drifted at `{}`: {e}", ex.command);
        }
    }
}

#[test]
fn a_drifted_shape_is_caught() {
    let shown = serde_json::json!({"id": "x", "steps": [{"number": 1}]});
    assert!(same_shape(&shown, &serde_json::json!({"id": "y", "steps": []}), "").is_err());
    assert!(same_shape(&shown, &serde_json::json!({"id": 1, "steps": []}), "").is_err());
    assert!(
        same_shape(
            &shown,
            &serde_json::json!({"id": "y", "steps": [{"n": 1}]}),
            ""
        )
        .is_err()
    );
    let ok = serde_json::json!({"id": "y", "steps": [{"number": 2}, {"number": 3}]});
    assert_eq!(same_shape(&shown, &ok, ""), Ok(()));
    assert_eq!(words("a '{\"x\": 1}' b"), ["a", "{\"x\": 1}", "b"]);
}
