//! A command at a position where the shell runs it: through the wrappers in front of it
//! (`sudo -u app timeout 5 env X=1 ...`) to the command that runs, and how that command reads
//! its words: as a script (`sh -c`, `python -c`), a script file, or a program from stdin.

use super::builtins::{self, is_stdin_path};
use super::command::{Command, Word, is_assignment};
use super::evaluated::Found;
use super::help;
use super::literal::{literal, program_name};
use super::options;
use super::programs::{self, Kind, Program};

/// Judges the command whose name is `words[at]`, following wrappers; every index it reads as a
/// command name goes to `visited`.
pub(super) fn command_at(
    words: &[&Word],
    mut at: usize,
    command: &Command,
    found: &mut Found,
    visited: &mut Vec<usize>,
) {
    while let Some(word) = words.get(at) {
        visited.push(at);
        if !word.holes.is_empty() {
            found.add(
                word.holes.clone(),
                "a placeholder as the command name lets the value choose the program that runs",
                help::COMMAND_NAME,
            );
            return;
        }
        let Some(name) = program_name(word) else {
            found.add(
                holes(&words[at + 1..]),
                format!(
                    "the command `{}` is only known when the script runs, so it cannot be told \
                     whether it runs its arguments as code",
                    word.text
                ),
                help::COMPUTED_NAME,
            );
            return;
        };
        if builtins::judge(&name, &words[at + 1..], command, found) {
            return;
        }
        let Some(program) = programs::find(&name) else {
            return;
        };
        let Kind::Wrapper { operands } = program.kind else {
            program_at(program, &name, words, at, true, command, found);
            return;
        };
        match wrapped(program, &name, words, at, operands, found) {
            Some(next) => at = next,
            None => return,
        }
    }
}

/// Reads a wrapper's options, assignments and operands; the index of the command it runs.
fn wrapped(
    program: &Program,
    name: &str,
    words: &[&Word],
    at: usize,
    operands: usize,
    found: &mut Found,
) -> Option<usize> {
    let mut next = at + 1;
    for round in 0..=operands {
        if round > 0 {
            next += 1;
        }
        let o = options::read(program, words, next);
        let code = holes(&o.code)
            .into_iter()
            .chain(o.glued_code.iter().copied());
        found.add(
            code.collect(),
            format!("this option of `{name}` runs its value as a command"),
            help::SCRIPT,
        );
        if o.has(program.inert_flags) {
            return None;
        }
        if o.has(program.shell_flags) {
            found.add(
                holes(&words[o.end..]),
                format!("`{name}` with these options runs its command through a shell"),
                help::SCRIPT,
            );
            return None;
        }
        next = o.end;
        if program.assignments {
            while words.get(next).is_some_and(|w| is_assignment(w)) {
                next += 1;
            }
        }
    }
    (next < words.len()).then_some(next)
}

/// Judges an interpreter (or awk, `su`, `watch`) named `words[at]`. At a command position
/// (`at_command`) its options, script file and stdin are judged too; elsewhere (`docker run img
/// sh -c ...`) only when a code option shows it runs text.
pub(super) fn program_at(
    program: &Program,
    name: &str,
    words: &[&Word],
    at: usize,
    at_command: bool,
    command: &Command,
    found: &mut Found,
) {
    let o = options::read(program, words, at + 1);
    let operand = words.get(o.end);
    let code_holes: Vec<usize> = holes(&o.code)
        .into_iter()
        .chain(o.glued_code.iter().copied())
        .collect();
    let option_reason = format!(
        "a placeholder among the options of `{name}` could be an option such as `-c` or `-e` \
         that runs text as code"
    );
    let stdin_reason =
        format!("`{name}` reads its script from standard input, which holds the value");
    match program.kind {
        Kind::Shell => {
            let script = o.has(program.code_options);
            if !(at_command || script || !o.holes.is_empty()) {
                return;
            }
            found.add(o.holes.clone(), option_reason, help::INTERPRETER);
            let operand_holes = operand.map(|w| w.holes.clone()).unwrap_or_default();
            if script {
                found.add(
                    operand_holes,
                    format!(
                        "the argument of `{name} -c` is run as a shell script, where the value's \
                         quotes are gone"
                    ),
                    help::SCRIPT,
                );
            } else if !at_command {
            } else if o.has(program.shell_flags) || operand.is_none() {
                found.add(command.stdin_holes(), stdin_reason, help::STDIN_SCRIPT);
            } else {
                found.add(
                    operand_holes,
                    format!("the value would choose the script file `{name}` runs"),
                    help::SCRIPT_FILE,
                );
            }
        }
        Kind::Interpreter => {
            let code = !code_holes.is_empty() || !o.code.is_empty() || o.has(program.code_options);
            if !(at_command || code || !o.holes.is_empty()) {
                return;
            }
            found.add(
                code_holes,
                format!("`{name}` runs the value of this option as code"),
                help::INTERPRETER,
            );
            found.add(o.holes.clone(), option_reason.clone(), help::INTERPRETER);
            match operand {
                _ if o.last => {}
                Some(w) if code && !o.dashdash => {
                    found.add(w.holes.clone(), option_reason, help::INTERPRETER)
                }
                Some(_) if code || !at_command => {}
                Some(w) if literal(w).is_some_and(|p| is_stdin_path(&p)) => {
                    found.add(command.stdin_holes(), stdin_reason, help::STDIN_SCRIPT)
                }
                Some(w) => found.add(
                    w.holes.clone(),
                    format!("the value would choose the script file `{name}` runs"),
                    help::SCRIPT_FILE,
                ),
                None if code || !at_command => {}
                None => found.add(command.stdin_holes(), stdin_reason, help::STDIN_SCRIPT),
            }
        }
        Kind::Awk => {
            if !at_command {
                return;
            }
            found.add(
                code_holes,
                format!("`{name}` runs the value of this option as its program"),
                help::CODE_ARGUMENTS,
            );
            if !o.has(program.code_options)
                && let Some(w) = operand
            {
                found.add(
                    w.holes.clone(),
                    format!(
                        "the first operand of `{name}` is its program, which can run commands \
                         (`system()`)"
                    ),
                    help::CODE_ARGUMENTS,
                );
            }
        }
        Kind::Runner => {
            // Options may follow the user name (`su - app -c ...`): look at every word.
            let mut code = code_holes;
            for (i, word) in words.iter().enumerate().skip(at + 1) {
                let text = literal(word).unwrap_or_default();
                if program.code_options.contains(&text.as_str()) {
                    code.extend(
                        words
                            .get(i + 1)
                            .map(|w| w.holes.clone())
                            .unwrap_or_default(),
                    );
                } else if program
                    .code_options
                    .iter()
                    .any(|c| word.text.starts_with(c))
                {
                    code.extend(&word.holes);
                }
            }
            found.add(
                code,
                format!("`{name}` runs the value of this option through a shell"),
                help::SCRIPT,
            );
        }
        Kind::Joins => found.add(
            holes(&words[o.end..]),
            format!(
                "`{name}` runs its arguments through `sh -c`, where the value's quotes are gone"
            ),
            help::SCRIPT,
        ),
        Kind::Wrapper { .. } => {}
    }
}

fn holes(words: &[&Word]) -> Vec<usize> {
    words.iter().flat_map(|w| w.holes.iter().copied()).collect()
}
