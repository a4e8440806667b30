//! Tests of template parsing, text rendering and command quoting.

use super::*;
use crate::step_output;
use serde_json::{Map, Value, json};
use std::collections::BTreeMap;

fn vars(v: Value) -> Map<String, Value> {
    match v {
        Value::Object(map) => map,
        _ => panic!("test variables must be an object"),
    }
}

fn text(source: &str, v: Value) -> Result<String, TemplateError> {
    render_text(source, &Vars::new(&vars(v)))
}

fn command(source: &str, v: Value) -> Result<String, TemplateError> {
    render_command(source, &Vars::new(&vars(v)))
}

/// The reason a command template refuses its (single) placeholder.
fn refusal(source: &str) -> String {
    let e = CommandTemplate::parse(source).expect_err(source);
    assert_eq!(e.problems.len(), 1, "{source}: {e}");
    assert!(
        matches!(e.problems[0].kind, ProblemKind::ShellContext { .. }),
        "{source}: {e}"
    );
    e.problems[0].message()
}

#[test]
fn substitutes_with_or_without_spaces() {
    assert_eq!(
        text(
            "deploy {{ name }}, {{name}} and {{  name\t}}",
            json!({"name": "api"})
        )
        .unwrap(),
        "deploy api, api and api"
    );
}

#[test]
fn names_match_case_insensitively_when_not_exact() {
    assert_eq!(
        text("{{ Severity }}/{{ SEVERITY }}", json!({"severity": "high"})).unwrap(),
        "high/high"
    );
    assert_eq!(
        text("{{ host }}", json!({"host": "a", "HOST": "b"})).unwrap(),
        "a"
    );
    let e = text("{{ Host }}", json!({"host": "a", "HOST": "b"})).unwrap_err();
    assert_eq!(
        e.problems[0].message(),
        "`Host` matches several variables that differ only in case: `HOST`, `host`"
    );
}

#[test]
fn dotted_paths_into_objects_and_lists() {
    let v = json!({"alert": {"labels": {"severity": "page"}}, "hosts": ["a", "b"]});
    assert_eq!(
        text("{{ alert.labels.severity }} {{ hosts.1 }}", v).unwrap(),
        "page b"
    );
}

#[test]
fn lists_are_indexed_as_conditions_write_it_too() {
    let v = json!({"alerts": [{"labels": {"instance": "db-1"}}], "m": [[1, 2], [3, 4]]});
    assert_eq!(
        text(
            "{{ alerts[0].labels.instance }} {{ alerts.0.labels.instance }} {{m[1][0]}}",
            v
        )
        .unwrap(),
        "db-1 db-1 3"
    );
    assert_eq!(
        command(
            "echo {{ alerts[0].labels.instance }}",
            json!({"alerts": [{"labels": {"instance": "it's"}}]})
        )
        .unwrap(),
        r"echo 'it'\''s'"
    );
    let t = Template::parse("{{ alerts[0].labels }}").unwrap();
    let var = t.placeholders().next().unwrap();
    assert_eq!(var.path, ["alerts", "0", "labels"]);
    assert_eq!(var.name, "alerts[0].labels", "messages quote it as written");
    for bad in [
        "{{ a[x] }}",
        "{{ a[] }}",
        "{{ a[0 }}",
        "{{ a.[0] }}",
        "{{ a[0]b }}",
        "{{ [0] }}",
        "{{ a[-1] }}",
        "{{ a['k'] }}",
    ] {
        let e = Template::parse(bad).expect_err(bad);
        assert!(
            matches!(e.problems[0].kind, ProblemKind::InvalidName { .. }),
            "{bad}: {e}"
        );
    }
}

#[test]
fn non_strings_render_as_compact_json() {
    let v = json!({"n": 3, "f": 1.5, "b": false, "z": null, "o": {"k": [1, "x"]}});
    assert_eq!(
        text("{{n}} {{f}} {{b}} {{z}} {{o}} {{o.k}}", v).unwrap(),
        r#"3 1.5 false null {"k":[1,"x"]} [1,"x"]"#
    );
}

#[test]
fn step_outputs() {
    let map = Map::new();
    let mut steps: BTreeMap<u32, step_output::Outputs> = BTreeMap::new();
    steps.insert(2, [("version".to_string(), "1.4".to_string())].into());
    let v = Vars::new(&map).with_steps(&steps);
    assert_eq!(
        render_text("v{{ steps.2.version }} {{ Steps.2.VERSION }}", &v).unwrap(),
        "v1.4 1.4"
    );
    assert_eq!(
        render_text("{{ steps.2 }}", &v).unwrap(),
        r#"{"version":"1.4"}"#
    );
    let e = render_text("{{ steps.2.nope }} {{ steps.3.x }} {{ steps.x }}", &v).unwrap_err();
    let messages: Vec<String> = e.problems.iter().map(Problem::message).collect();
    assert_eq!(
        messages,
        [
            "`steps.2.nope` is not defined: step 2 wrote no output `nope`",
            "`steps.3.x` is not defined: step 3 has no outputs (yet)",
            "`steps.x` is not defined: `steps.x`: write the step number, e.g. `steps.2.x`",
        ]
    );
}

#[test]
fn missing_names_are_errors_listing_every_one() {
    let e = text("{{ a }} {{ b }} {{ a }} {{ c.d }}", json!({"c": "text"})).unwrap_err();
    assert_eq!(e.missing(), ["a", "b", "c.d"]);
    assert_eq!(e.problems.len(), 4);
    assert_eq!(
        e.problems[3].message(),
        "`c.d` is not defined: `c` is a string, which has no part `d`"
    );
    let e = text("x {{ nope }}", json!({})).unwrap_err();
    assert_eq!(
        e.to_string(),
        "undefined variable `nope` (help: pass it among the run's variables, e.g. \
         {\"nope\": \"...\"} (`--vars` at the command line))"
    );
    let e = text("{{ a }} {{ b }} {{ a }}", json!({})).unwrap_err();
    assert_eq!(
        e.to_string(),
        "undefined variables `a`, `b` (help: pass them among the run's variables, e.g. \
         {\"a\": \"...\", \"b\": \"...\"} (`--vars` at the command line))"
    );
    let e = command("echo `{{ a }}` {{ b }}", json!({})).unwrap_err();
    assert_eq!(
        e.to_string(),
        "1:7: a placeholder inside backquotes `...` is not supported (help: use `$(...)` instead \
         of backquotes, where placeholders are quoted, or write \"$SOP_VAR_A\"); 1:16: variable `b` is not defined \
         (help: pass it among the run's variables, e.g. {\"b\": \"...\"} (`--vars` at the command \
         line))"
    );
}

#[test]
fn missing_list_items_and_keys_say_which_part() {
    let v = json!({"hosts": ["a"], "alert": {"labels": {}}});
    let e = text("{{ hosts.3 }} {{ hosts.x }} {{ alert.labels.sev }}", v).unwrap_err();
    let messages: Vec<String> = e.problems.iter().map(Problem::message).collect();
    assert_eq!(
        messages,
        [
            "`hosts.3` is not defined: `hosts` has 1 items, so there is no item 3",
            "`hosts.x` is not defined: `hosts` is a list; index it with a number, e.g. `hosts.0`",
            "`alert.labels.sev` is not defined: `alert.labels` has no key `sev`",
        ]
    );
}

#[test]
fn lenient_rendering_keeps_what_it_cannot_fill() {
    let map = vars(json!({"a": "1"}));
    let v = Vars::new(&map);
    assert_eq!(
        render_text_lenient("{{ a }} {{ b }} {{ bad name }} {{ open", &v),
        "1 {{ b }} {{ bad name }} {{ open"
    );
    assert_eq!(
        render_command_lenient("echo {{ a }} {{ b }} `{{ a }}`", &v),
        "echo '1' {{ b }} `{{ a }}`"
    );
}

#[test]
fn four_braces_are_a_literal_pair() {
    assert_eq!(
        text("{{{{ not }} {{x}}", json!({"x": 1})).unwrap(),
        "{{ not }} 1"
    );
    assert_eq!(
        command(
            "docker inspect -f '{{{{.State.Running}}' {{ c }}",
            json!({"c": "web"})
        )
        .unwrap(),
        "docker inspect -f '{{.State.Running}}' 'web'"
    );
    assert_eq!(text("a }} b", json!({})).unwrap(), "a }} b");
}

#[test]
fn syntax_problems_are_located_and_all_reported() {
    let e = Template::parse("ok {{ x }}\n  {{ .State }} and {{ open\n{{ 9lives }}").unwrap_err();
    let found: Vec<(u32, u32, String)> = e
        .problems
        .iter()
        .map(|p| (p.line, p.col, p.message()))
        .collect();
    assert_eq!(
        found,
        [
            (
                2,
                3,
                "`{{ .State }}` is not a variable placeholder".to_string()
            ),
            (
                2,
                20,
                "`{{` is not closed by `}}` on the same line".to_string()
            ),
            (
                3,
                1,
                "`{{ 9lives }}` is not a variable placeholder".to_string()
            ),
        ]
    );
    assert!(
        e.problems[0]
            .help()
            .contains("write `{{{{` for a literal `{{`")
    );
}

#[test]
fn columns_count_characters() {
    let e = Template::parse("ééé {{ x y }}").unwrap_err();
    assert_eq!((e.problems[0].line, e.problems[0].col), (1, 5));
}

#[test]
fn render_text_reports_syntax_and_missing_together() {
    let e = text("{{ a }} {{ b c }}", json!({})).unwrap_err();
    assert_eq!(e.problems.len(), 2);
    assert!(matches!(e.problems[0].kind, ProblemKind::Missing { .. }));
    assert!(matches!(
        e.problems[1].kind,
        ProblemKind::InvalidName { .. }
    ));
}

#[test]
fn placeholders_are_listed_in_order() {
    let t = Template::parse("{{ b }} {{ a.x }}").unwrap();
    let names: Vec<&str> = t.placeholders().map(|p| p.name.as_str()).collect();
    assert_eq!(names, ["b", "a.x"]);
}

#[test]
fn commands_quote_every_value_as_one_word() {
    let hostile = json!({
        "sub": "$(touch /tmp/pwned)",
        "tick": "`id`",
        "quote": "'; rm -rf ~ #",
        "nl": "a\nb; touch /tmp/pwned",
        "empty": "",
    });
    assert_eq!(
        command(
            "echo {{ sub }} {{ tick }} {{ quote }} {{ nl }} {{ empty }}",
            hostile
        )
        .unwrap(),
        "echo '$(touch /tmp/pwned)' '`id`' ''\\''; rm -rf ~ #' 'a\nb; touch /tmp/pwned' ''"
    );
}

#[test]
fn quoting_follows_the_surrounding_quotes() {
    let v = json!({"x": "it's $(id)"});
    assert_eq!(
        command("echo 'a{{ x }}b'", v.clone()).unwrap(),
        r"echo 'ait'\''s $(id)b'"
    );
    assert_eq!(
        command(r#"echo "a{{ x }}b""#, v.clone()).unwrap(),
        r#"echo "a"'it'\''s $(id)'"b""#
    );
    assert_eq!(
        command(r#"echo "$(printf %s {{ x }})""#, v.clone()).unwrap(),
        r#"echo "$(printf %s 'it'\''s $(id)')""#
    );
    assert_eq!(
        command(r#"echo "$(printf '%s' "{{ x }}")""#, v).unwrap(),
        r#"echo "$(printf '%s' ""'it'\''s $(id)'"")""#
    );
}

#[test]
fn placeholders_in_comments_stay_as_written() {
    assert_eq!(
        command(
            "echo {{ x }} # uses {{ x }} and {{ undefined }}\necho a#{{ x }}",
            json!({"x": "v\n"})
        )
        .unwrap(),
        "echo 'v\n' # uses {{ x }} and {{ undefined }}\necho a#'v\n'"
    );
}

#[test]
fn nul_bytes_cannot_reach_a_command() {
    let e = command("echo {{ x }}", json!({"x": "a\u{0}b"})).unwrap_err();
    assert_eq!(
        e.problems[0].message(),
        "the value of `x` contains a NUL byte, which a command cannot carry"
    );
    assert_eq!(text("{{ x }}", json!({"x": "a\u{0}b"})).unwrap(), "a\u{0}b");
}

#[test]
fn refuses_where_quotes_are_not_read() {
    for (source, expected) in [
        ("echo `echo {{ x }}`", "inside backquotes"),
        ("echo \"`echo {{ x }}`\"", "inside backquotes"),
        ("echo $'a{{ x }}'", "inside `$'...'`"),
        ("echo ${y:-{{ x }}}", "inside `${...}`"),
        ("echo \"${y:-{{ x }}}\"", "inside `${...}`"),
        ("cat <<EOF\n{{ x }}\nEOF", "inside a here-document"),
        ("cat <<'EOF'\nline {{ x }}\nEOF", "inside a here-document"),
        ("cat <<-EOF\n\t{{ x }}\n\tEOF", "inside a here-document"),
        ("cat << {{ x }}\nEOF", "here-document delimiter"),
        ("echo \\{{ x }}", "backslash"),
        ("echo \"\\{{ x }}\"", "backslash"),
        ("echo ${{ x }}", "`$` right before"),
    ] {
        let message = refusal(source);
        assert!(message.contains(expected), "{source}: {message}");
    }
}

#[test]
fn refuses_where_bash_evaluates_quoted_values() {
    for (source, expected) in [
        ("echo $(( {{ x }} + 1 ))", "evaluated as arithmetic"),
        ("(( {{ x }} > 1 ))", "evaluated as arithmetic"),
        (
            "for (( i = 0; i < {{ x }}; i++ )); do :; done",
            "evaluated as arithmetic",
        ),
        (
            "if [[ {{ x }} -gt 5 ]]; then :; fi",
            "`[[ ... ]]` evaluates",
        ),
        ("[[ a == b && {{ x }} -eq 1 ]]", "`[[ ... ]]` evaluates"),
        ("[[ -v {{ x }} ]]", "`[[ ... ]]` evaluates"),
        ("[[ $(echo {{ x }}) -eq 1 ]]", "`[[ ... ]]` evaluates"),
        ("[ -v {{ x }} ]", "`-v` and `-R`"),
        ("let n={{ x }}", "`let` evaluates"),
        ("true && let {{ x }}", "`let` evaluates"),
        ("eval echo {{ x }}", "`eval` runs"),
        ("eval \"echo $(printf %s {{ x }})\"", "`eval` runs"),
        ("unset {{ x }}", "`unset` evaluates"),
        ("printf -v {{ x }} %s 1", "`printf -v`"),
        ("arr[{{ x }}]=1", "array subscript"),
        ("arr[\"{{ x }}\"]=1", "array subscript"),
        ("arr[$(echo {{ x }})]=1", "array subscript"),
        ("b=([{{ x }}]=1)", "array subscript"),
        ("declare -i n={{ x }}", "integer variable"),
        ("local -ri n={{ x }}", "integer variable"),
        ("declare -i n\nn={{ x }}", "declares an integer variable"),
        (
            "f() { n={{ x }}; }\ndeclare -i n\nf",
            "declares an integer variable",
        ),
        ("echo $[ {{ x }} + 1 ]", "`$[...]`"),
        ("echo $(( $(echo {{ x }}) ))", "evaluated as arithmetic"),
        ("sh -c \"echo {{ x }}\"", "is run as a shell script"),
        (
            "sudo -u app bash -ec 'ls {{ x }}'",
            "is run as a shell script",
        ),
        (
            "ssh -p 2222 host ls {{ x }}",
            "ssh runs its command through the remote shell",
        ),
        ("trap \"rm {{ x }}\" EXIT", "`trap` runs its first argument"),
    ] {
        let message = refusal(source);
        assert!(message.contains(expected), "{source}: {message}");
    }
}

#[test]
fn stops_guessing_after_constructs_it_cannot_follow() {
    for (source, expected) in [
        (
            "x=$(case a in a) echo;; esac)\necho {{ x }}",
            "`case` statement inside `$(...)`",
        ),
        ("echo $'a\\'b' {{ x }}", "`\\'` inside `$'...'`"),
        ("echo \"${a:-'b'}\" {{ x }}", "`'` inside \"${...}\""),
        ("echo ${a:-{b}} {{ x }}", "`{` inside `${...}`"),
    ] {
        let message = refusal(source);
        assert!(
            message.contains("cannot tell how the shell quotes") && message.contains(expected),
            "{source}: {message}"
        );
    }
}

#[test]
fn accepts_the_common_safe_forms() {
    let v = json!({"x": "v"});
    for (source, rendered) in [
        ("[ {{ x }} -gt 5 ]", "[ 'v' -gt 5 ]"),
        ("[[ {{ x }} == prod* ]]", "[[ 'v' == prod* ]]"),
        (
            "[[ {{ x }} =~ ^v$ ]] && echo {{ x }}",
            "[[ 'v' =~ ^v$ ]] && echo 'v'",
        ),
        ("test {{ x }} = v", "test 'v' = v"),
        (
            "case {{ x }} in v) echo {{ x }};; esac",
            "case 'v' in v) echo 'v';; esac",
        ),
        (
            "cat <<EOF\nbody\nEOF\necho {{ x }}",
            "cat <<EOF\nbody\nEOF\necho 'v'",
        ),
        (
            "cat <<EOF | grep {{ x }}\nbody\nEOF",
            "cat <<EOF | grep 'v'\nbody\nEOF",
        ),
        ("cat <<<{{ x }}", "cat <<<'v'"),
        ("grep -v {{ x }} file", "grep -v 'v' file"),
        ("X={{ x }} make", "X='v' make"),
        (
            "echo $# {{ x }} ${#} $((1+2)) {{ x }}",
            "echo $# 'v' ${#} $((1+2)) 'v'",
        ),
        ("echo $(echo \")\") {{ x }}", "echo $(echo \")\") 'v'"),
        ("arr[1]={{ x }}", "arr[1]='v'"),
        ("ls *[ab]* {{ x }}", "ls *[ab]* 'v'"),
        ("echo \"$((1 + 2))\" {{ x }}", "echo \"$((1 + 2))\" 'v'"),
        ("diff <(sort {{ x }}) b", "diff <(sort 'v') b"),
        (
            "sh -c 'echo \"$1\"' sh {{ x }}",
            "sh -c 'echo \"$1\"' sh 'v'",
        ),
        ("ssh {{ x }} uptime", "ssh 'v' uptime"),
        ("scp {{ x }} host:", "scp 'v' host:"),
    ] {
        assert_eq!(command(source, v.clone()).unwrap(), rendered, "{source}");
    }
}

#[test]
fn command_template_is_checked_without_values() {
    let t = CommandTemplate::parse("echo {{ a }} \"{{ b }}\"").unwrap();
    let names: Vec<&str> = t.placeholders().map(|p| p.name.as_str()).collect();
    assert_eq!(names, ["a", "b"]);
    let e = CommandTemplate::parse("echo `{{ a }}` {{ b c }}").unwrap_err();
    assert_eq!(e.problems.len(), 2);
    assert_eq!((e.problems[0].line, e.problems[0].col), (1, 7));
}

/// Reads one POSIX shell word made of single-quoted parts and backslash escapes, as `sh` does.
fn unquote_word(word: &str) -> Option<String> {
    let mut out = String::new();
    let mut chars = word.chars();
    while let Some(c) = chars.next() {
        match c {
            '\'' => loop {
                match chars.next()? {
                    '\'' => break,
                    c => out.push(c),
                }
            },
            '\\' => out.push(chars.next()?),
            c if c.is_whitespace() || "$`\"|&;<>()*?[#~".contains(c) => return None,
            c => out.push(c),
        }
    }
    Some(out)
}

proptest::proptest! {
    #[test]
    fn quoted_values_read_back_verbatim(value in "\\PC*|[\\s\\S]*") {
        proptest::prop_assert_eq!(unquote_word(&shell_quote(&value)), Some(value));
    }

    #[test]
    fn rendered_commands_read_back_verbatim(value in "[^\\x00]*") {
        let map = vars(json!({ "v": value.clone() }));
        let rendered = render_command("echo {{ v }}", &Vars::new(&map)).unwrap();
        let word = rendered.strip_prefix("echo ").unwrap();
        proptest::prop_assert_eq!(unquote_word(word), Some(value));
    }

    #[test]
    fn parsing_never_panics(source in "[{}a-z .$'\"`\\\\()\\[\\]<#\n-]*") {
        let _ = CommandTemplate::parse(&source);
        let _ = Template::parse(&source);
        let map = vars(json!({"a": "x"}));
        let _ = render_command_lenient(&source, &Vars::new(&map));
    }
}
