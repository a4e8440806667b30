//! The guard against placeholders where the shell runs text as code: every form found to run a
//! payload, generated variants of them (wrapper × spelling of the command × option order), and
//! the common safe forms that must stay accepted.

use crate::template::{CommandTemplate, ProblemKind, Vars, render_command};
use serde_json::{Map, Value, json};

/// The refusal (message, help) of the first refused placeholder, or `None` when accepted.
fn refused(source: &str) -> Option<(String, String)> {
    let e = CommandTemplate::parse(source).err()?;
    let p = e
        .problems
        .iter()
        .find(|p| matches!(p.kind, ProblemKind::ShellContext { .. }))?;
    Some((p.message(), p.help()))
}

fn assert_refused(source: &str) {
    assert!(refused(source).is_some(), "accepted: {source}");
}

#[test]
fn the_forms_that_ran_a_payload_are_refused() {
    for source in [
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
    ] {
        assert_refused(source);
    }
}

#[test]
fn evaluating_commands_behind_wrappers_and_spellings() {
    for source in [
        "'ev'al {{ x }}",
        "e\\val {{ x }}",
        "$'eval' {{ x }}",
        "time eval {{ x }}",
        "time -p eval {{ x }}",
        "if eval {{ x }}; then :; fi",
        "! eval {{ x }}",
        "function f { eval {{ x }}; }",
        "2>/dev/null eval {{ x }}",
        "eval 2>&1 {{ x }}",
        "X=1 eval {{ x }}",
        "sudo -u root -E sh -c {{ x }}",
        "env -i PATH=/bin sh -c {{ x }}",
        "env -S {{ x }}",
        "nice -n 5 sh -c {{ x }}",
        "nohup bash -c {{ x }}",
        "timeout -s KILL 5 bash -c {{ x }}",
        "timeout 5s eval {{ x }}",
        "xargs -I{} -n 1 sh -c {{ x }}",
        "exec -a name sh -c {{ x }}",
        "busybox sh -c {{ x }}",
        "/bin/sh -c {{ x }}",
        "\"/usr/bin/bash\" -c {{ x }}",
        "bash -ec {{ x }}",
        "bash -xc {{ x }}",
        "bash -ce {{ x }}",
        "bash -o pipefail -c {{ x }}",
        "bash --norc -c {{ x }}",
        "zsh -c {{ x }}",
        "python3 -c {{ x }}",
        "python3 -Sc {{ x }}",
        "perl -e {{ x }}",
        "perl -lne {{ x }}",
        "perl -e 'print @ARGV' {{ x }}",
        "ruby -e {{ x }}",
        "node -e {{ x }}",
        "node --eval={{ x }}",
        "php -r {{ x }}",
        "awk {{ x }} file",
        "su -c {{ x }} app",
        "su - app -c {{ x }}",
        "runuser -u app -- sh -c {{ x }}",
        "flock /tmp/lock -c {{ x }}",
        "watch -n 5 {{ x }}",
        "tar -cf /dev/null --checkpoint=1 --checkpoint-action=exec={{ x }} f",
        "tar --to-command {{ x }} -xf a.tar",
        "tar -I {{ x }} -cf a.tar dir",
        "rsync -e {{ x }} a host:b",
        "rsync --rsync-path={{ x }} a host:b",
        "ssh -o ProxyCommand={{ x }} host true",
        "scp -oProxyCommand={{ x }} a host:b",
        "sudo -s {{ x }}",
        "docker run --rm alpine sh -c {{ x }}",
        "kubectl exec pod -- sh -c {{ x }}",
        "kubectl exec pod -- python3 {{ x }}",
        "find . -exec sh -c {{ x }} \\;",
        "find . -exec {{ x }} \\;",
        "echo {{ x }} | sh",
        "printf '%s' {{ x }} | sudo bash",
        "echo {{ x }} | python3 -",
        "bash <<< {{ x }}",
        "sh -s < {{ x }}",
        "source <(echo {{ x }})",
        "bash <(echo {{ x }})",
        ". {{ x }}",
        "bash {{ x }}",
        "python3 {{ x }}",
        "{{ x }} --version",
        "sudo {{ x }}",
        "$TOOL {{ x }}",
        "${E}val {{ x }}",
        "alias ll={{ x }}",
        "complete -C {{ x }} git",
        "mapfile -C {{ x }} arr",
        "hash -p {{ x }} ls",
        "enable -f {{ x }} name",
        "printf -v PS4 %s {{ x }}",
        "read -r PS1 <<< {{ x }}",
        "declare -a arr={{ x }}",
        "export PATH={{ x }}",
        "env LD_PRELOAD={{ x }} ls",
        "IFS={{ x }} read -r a b",
        "PROMPT_COMMAND={{ x }}",
        "GIT_SSH_COMMAND={{ x }} git fetch",
        "ENV={{ x }} sh -i",
        "systemd-run --setenv=BASH_ENV={{ x }} true",
        "ssh host",
        "ssh -p 22 host ls {{ x }}",
        "echo {{ x }} | ssh host",
        "getopts ab {{ x }}",
    ] {
        // `ssh host` alone has no placeholder: its stdin does, in the next test.
        if !source.contains("{{") {
            continue;
        }
        assert_refused(source);
    }
}

#[test]
fn the_common_safe_forms_stay_accepted() {
    let v = json!({"x": "v"});
    let map: Map<String, Value> = v.as_object().cloned().unwrap();
    for source in [
        "echo {{ x }}",
        "sh -c 'echo \"$1\"' sh {{ x }}",
        "bash -c 'echo \"$SOP_VAR_X\"'",
        "python3 -c 'import sys; print(sys.argv[1])' {{ x }}",
        "perl -e 'print @ARGV' -- {{ x }}",
        "bash script.sh {{ x }}",
        "./deploy.sh {{ x }}",
        "\"$HOME/bin/deploy\" {{ x }}",
        "sudo -u {{ x }} systemctl restart app",
        "timeout {{ x }} curl https://example.invalid",
        "nice -n {{ x }} make",
        "env REGION={{ x }} make",
        "X={{ x }} make",
        "VERSION={{ x }}",
        "export VERSION={{ x }}",
        "local v={{ x }}",
        "readonly V={{ x }}",
        "read -r -p {{ x }} answer",
        "read -r a <<< {{ x }}",
        "awk -v x={{ x }} '{ print x }' file",
        "awk '{ print }' {{ x }}",
        "grep -c {{ x }} file",
        "git checkout -- {{ x }}",
        "kubectl -n {{ x }} get pods",
        "docker run --rm -e REGION={{ x }} alpine env",
        "echo {{ x }} | grep v",
        "printf '%s\\n' {{ x }} | ssh host 'read -r x; echo \"$x\"'",
        "command -v {{ x }}",
        "[ {{ x }} -gt 5 ]",
        "test {{ x }} = v",
        "echo {{ x }} > out.txt",
        "echo {{ x }} 2>&1 >> log.txt",
        "cat < {{ x }}",
        "diff <(sort {{ x }}) b",
        "su -c 'systemctl restart app' {{ x }}",
        "tar -czf {{ x }} dir",
        "rsync -av {{ x }} host:/srv/",
        "ssh -o User={{ x }} -o BatchMode=yes host uptime",
        "for h in {{ x }}; do echo \"$h\"; done",
        "case {{ x }} in v) echo ok;; esac",
    ] {
        let rendered = render_command(source, &Vars::new(&map));
        assert!(rendered.is_ok(), "{source}: {}", rendered.unwrap_err());
    }
}

#[test]
fn every_refusal_names_the_environment_variable() {
    for (source, env) in [
        ("eval {{ db-host }}", "\"$SOP_VAR_DB_HOST\""),
        ("sh -c {{ steps.2.version }}", "$SOP_STEP_2_VERSION"),
        ("echo $(( {{ n }} ))", "[ \"$SOP_VAR_N\" -gt 5 ]"),
        ("echo `{{ x }}`", "\"$SOP_VAR_X\""),
        ("cat <<EOF\n{{ x }}\nEOF", "\"$SOP_VAR_X\""),
        ("echo \\{{ x }}", "\"$SOP_VAR_X\""),
        ("PS4={{ x }}", "\"$SOP_VAR_X\""),
        ("{{ x }}", "\"$SOP_VAR_X\""),
        (
            "sh -c {{ alert.labels.severity }}",
            "all of `alert` as JSON",
        ),
    ] {
        let (_, help) = refused(source).unwrap_or_else(|| panic!("accepted: {source}"));
        assert!(help.contains(env), "{source}: {help}");
    }
}

/// How a generated command spells `eval`, and how it spells a shell's `-c`.
const EVAL_SPELLINGS: [&str; 6] = ["eval", "\\eval", "\"eval\"", "'eval'", "'ev'al", "e\"va\"l"];
const WRAPPERS: [&str; 11] = [
    "",
    "command ",
    "builtin ",
    "time ",
    "X=1 ",
    "if ",
    "{ ",
    "2>/dev/null ",
    "command -p ",
    "time -p ",
    "! ",
];
const EXTERNAL_WRAPPERS: [&str; 12] = [
    "",
    "sudo ",
    "sudo -u app ",
    "sudo -E -u app -- ",
    "env ",
    "env -i A=1 ",
    "nice -n 10 ",
    "nohup ",
    "timeout 5 ",
    "timeout -k 1 5s ",
    "xargs -0 ",
    "exec ",
];
const SHELLS: [&str; 6] = ["sh", "bash", "/bin/sh", "\"dash\"", "zsh", "busybox sh"];
const SCRIPT_OPTIONS: [&str; 7] = [
    "-c",
    "-c --",
    "-c -e",
    "-ec",
    "-xc",
    "-e -c",
    "-o pipefail -c",
];

proptest::proptest! {
    #[test]
    fn eval_behind_any_prefix_and_spelling(
        wrapper in proptest::sample::select(&WRAPPERS[..]),
        spelling in proptest::sample::select(&EVAL_SPELLINGS[..]),
        quote in proptest::sample::select(&["", "\"", "'"][..]),
    ) {
        let source = format!("{wrapper}{spelling} {quote}{{{{ x }}}}{quote}");
        proptest::prop_assert!(refused(&source).is_some(), "accepted: {}", source);
    }

    #[test]
    fn shell_scripts_behind_any_wrapper_and_option_order(
        wrapper in proptest::sample::select(&EXTERNAL_WRAPPERS[..]),
        shell in proptest::sample::select(&SHELLS[..]),
        options in proptest::sample::select(&SCRIPT_OPTIONS[..]),
        script in proptest::sample::select(&["{{ x }}", "\"echo {{ x }}\"", "'echo {{ x }}'"][..]),
    ) {
        let source = format!("{wrapper}{shell} {options} {script}");
        proptest::prop_assert!(refused(&source).is_some(), "accepted: {}", source);
        let safe = format!("{wrapper}{shell} {options} 'echo \"$1\"' sh {{{{ x }}}}");
        proptest::prop_assert!(refused(&safe).is_none(), "refused: {}", safe);
    }
}
