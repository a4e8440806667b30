//! Commands that read a value as code even when it is quoted.
//!
//! Quoting makes a value one word, but some commands run a word as code: `eval`, `trap`,
//! `sh -c`, `python -c`, `ssh`, `su -c`, `watch`; bash evaluates arithmetic (`((...))`,
//! `[[ a -eq b ]]`, `let`, array subscripts, integer variables) and variable names (`declare`,
//! `read`, `unset`, `printf -v`), and an array subscript runs command substitutions:
//! `[[ 'a[$(id)]' -eq 1 ]]` runs `id`. Some variables are code too (`BASH_ENV`, `PS4`). The
//! checks look through what hides a command: wrappers (`command`, `sudo -u x`, `env`,
//! `timeout 5`, `xargs`), quotes and backslashes in its name (`"eval"`, `\eval`), any option
//! order (`sh -e -c`, `sh -ec`, `sh -c --`) and pipes into an interpreter (`... | sh`).
//!
//! This is a safety net, not a proof: a value reaches a step safely only as an environment
//! variable (`"$SOP_VAR_NAME"`) used as data.

use super::builtins::is_stdin_path;
use super::command::{Command, Word};
use super::help;
use super::invocation::{command_at, program_at};
use super::literal::{literal, program_name};
use super::programs::{self, Kind};
use super::variables::{assigned, is_dangerous};
use std::borrow::Cow;

pub(super) use help::NUMBER as NUMBER_HELP;

/// Placeholders a command would evaluate as code, why, and what to write instead.
pub(super) struct Evaluated {
    pub holes: Vec<usize>,
    pub reason: Cow<'static, str>,
    pub help: &'static str,
}

/// The findings of one command, the most specific first.
#[derive(Default)]
pub(super) struct Found(pub Vec<Evaluated>);

impl Found {
    pub fn add(
        &mut self,
        holes: Vec<usize>,
        reason: impl Into<Cow<'static, str>>,
        help: &'static str,
    ) {
        if !holes.is_empty() {
            self.0.push(Evaluated {
                holes,
                reason: reason.into(),
                help,
            });
        }
    }
}

/// Words after which a command name comes: `find -exec CMD`, `kubectl exec pod -- CMD`.
const EXEC_MARKERS: [&str; 4] = ["-exec", "-execdir", "-ok", "-okdir"];

/// ssh options that take a value as the next word.
const SSH_VALUE_OPTIONS: &str = "BbcDEeFIiJLlmOoPpQRSWw";

/// Every way `command` would evaluate a placeholder as code.
pub(super) fn evaluated(command: &Command) -> Vec<Evaluated> {
    let words = command.plain();
    let mut found = Found::default();
    dangerous_assignments(&command.words, &mut found);
    let mut visited = Vec::new();
    if let Some(name) = command.name() {
        command_at(&words, name, command, &mut found, &mut visited);
    }
    for (i, word) in words.iter().enumerate() {
        if visited.contains(&i) {
            continue;
        }
        let marker = i
            .checked_sub(1)
            .and_then(|p| literal(words[p]))
            .unwrap_or_default();
        if EXEC_MARKERS.contains(&marker.as_str()) {
            command_at(&words, i, command, &mut found, &mut visited);
            continue;
        }
        let Some(name) = program_name(word) else {
            continue;
        };
        if let Some(program) = programs::find(&name)
            && matches!(program.kind, Kind::Shell | Kind::Interpreter | Kind::Runner)
        {
            program_at(
                program,
                &name,
                &words,
                i,
                marker == "--",
                command,
                &mut found,
            );
        }
    }
    ssh(&words, command, &mut found);
    if command.declares_integer() {
        let args = command.name().map_or(&words[..0], |n| &words[n + 1..]);
        found.add(
            args.iter().flat_map(|w| w.holes.iter().copied()).collect(),
            "an integer variable (`-i`) evaluates what is assigned to it as arithmetic, which \
             can run code",
            help::NUMBER,
        );
    }
    found.0
}

/// `BASH_ENV={{ x }}`, `export PS4={{ x }}`, `env LD_PRELOAD={{ x }}`, `--setenv=PATH={{ x }}`.
fn dangerous_assignments(words: &[Word], found: &mut Found) {
    for word in words {
        for (hole, prefix) in word.hole_prefixes() {
            if let Some(name) = assigned(prefix).filter(|n| is_dangerous(n)) {
                found.add(
                    vec![hole],
                    format!(
                        "the value would be assigned to `{name}`, which is read as code or \
                         decides which code runs"
                    ),
                    help::VARIABLE,
                );
            }
        }
    }
}

/// `ssh [options] destination command...` runs the command through the remote shell; without
/// one, the remote shell reads its script from stdin.
fn ssh(words: &[&Word], command: &Command, found: &mut Found) {
    let Some(ssh) = words
        .iter()
        .position(|w| program_name(w).as_deref() == Some("ssh"))
    else {
        return;
    };
    let mut i = ssh + 1;
    while let Some(option) = words.get(i).and_then(|w| w.text.strip_prefix('-')) {
        let takes_value = option.len() == 1 && SSH_VALUE_OPTIONS.contains(option);
        i += if takes_value { 2 } else { 1 };
    }
    // words[i] is the destination; everything after it is the remote command.
    let remote: Vec<usize> = words
        .iter()
        .skip(i + 1)
        .flat_map(|w| w.holes.iter().copied())
        .collect();
    let reads_stdin = words.len() <= i + 1
        || words
            .get(i + 1)
            .and_then(|w| program_name(w))
            .is_some_and(|p| {
                programs::find(&p).is_some_and(|p| p.kind == Kind::Shell) || is_stdin_path(&p)
            })
            && words.len() == i + 2;
    found.add(
        remote,
        "ssh runs its command through the remote shell, where the value's quotes are gone",
        help::SSH,
    );
    if reads_stdin {
        found.add(
            command.stdin_holes(),
            "ssh without a command runs what it reads from standard input in the remote shell",
            help::STDIN_SCRIPT,
        );
    }
}
