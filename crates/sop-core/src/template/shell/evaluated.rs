//! Commands that read a value as code even when it is quoted.
//!
//! Bash evaluates arithmetic in `((...))`, `[[ a -eq b ]]`, `let`, array subscripts and integer
//! variables, and an array subscript inside that arithmetic runs command substitutions:
//! `[[ 'a[$(id)]' -eq 1 ]]` runs `id`. `eval`, `trap`, `sh -c` and `ssh` run their argument as a
//! script. Quoting cannot help there, so placeholders in such places are refused.

use super::command::{Command, Word};

/// Placeholders a command would evaluate as code, why, and what to write instead.
pub(super) struct Evaluated {
    pub holes: Vec<usize>,
    pub reason: &'static str,
    pub help: &'static str,
}

/// For values used as numbers.
pub(super) const NUMBER_HELP: &str = "compare numbers with `[ ... ]`, which does not evaluate \
     its operands (e.g. `[ {{ n }} -gt 5 ]`), or check the value is a plain number before any \
     arithmetic";

const NAME_HELP: &str = "write variable names literally; a value used as a name can run code \
                         through an array subscript";

const SCRIPT_HELP: &str = "write the script literally and pass the value as an argument, e.g. \
     `sh -c 'echo \"$1\"' sh {{ x }}`, or read it from the environment (\"$SOP_VAR_X\")";

/// `[[ ... ]]` operators that evaluate their operands as arithmetic or as variable names.
const TEST_EVALUATING: [&str; 8] = ["-eq", "-ne", "-lt", "-le", "-gt", "-ge", "-v", "-R"];

/// Programs whose `-c` argument is a shell script.
const SHELLS: [&str; 8] = ["sh", "bash", "dash", "zsh", "ksh", "ash", "mksh", "su"];

/// ssh options that take a value as the next word.
const SSH_VALUE_OPTIONS: &str = "BbcDEeFIiJLlmOoPpQRSWw";

/// Every way `command` would evaluate a placeholder as code.
pub(super) fn evaluated(command: &Command) -> Vec<Evaluated> {
    let mut found = Vec::new();
    let mut add = |holes: Vec<usize>, reason, help| {
        if !holes.is_empty() {
            found.push(Evaluated {
                holes,
                reason,
                help,
            });
        }
    };
    if let Some((name, args)) = command.name_and_args() {
        by_name(name, args, command.declares_integer(), &mut add);
    }
    if let Some(script) = shell_script(&command.words) {
        add(
            script.holes.clone(),
            "the argument of `-c` is run as a shell script, where the value's quotes are gone",
            SCRIPT_HELP,
        );
    }
    add(
        ssh_command(&command.words),
        "ssh runs its command through the remote shell, where the value's quotes are gone",
        "send the value on stdin instead, e.g. `printf '%s\\n' {{ x }} | ssh host 'read -r x; \
         ...'`",
    );
    found
}

fn by_name(
    name: &str,
    args: &[Word],
    declares_integer: bool,
    add: &mut impl FnMut(Vec<usize>, &'static str, &'static str),
) {
    let all = || args.iter().flat_map(|w| w.holes.iter().copied()).collect();
    let has = |options: &[&str]| args.iter().any(|w| options.contains(&w.text.as_str()));
    match name {
        "let" => add(
            all(),
            "`let` evaluates its arguments as arithmetic, which can run code",
            NUMBER_HELP,
        ),
        "eval" => add(
            all(),
            "`eval` runs its arguments as shell code",
            "run the command directly instead of through `eval`; the value is quoted for you",
        ),
        "trap" => add(
            all(),
            "`trap` runs its first argument as shell code",
            "write the trap's command literally and read the value from the environment \
             (\"$SOP_VAR_X\") when the trap runs",
        ),
        "unset" => add(
            all(),
            "`unset` evaluates array subscripts in its arguments, which can run code",
            NAME_HELP,
        ),
        "[[" if has(&TEST_EVALUATING) => add(
            all(),
            "this `[[ ... ]]` evaluates its operands as arithmetic or variable names, which can \
             run code",
            NUMBER_HELP,
        ),
        "[" | "test" if has(&["-v", "-R"]) => add(
            all(),
            "`-v` and `-R` evaluate their operand as a variable name, which can run code",
            NAME_HELP,
        ),
        "printf" => {
            let target = args
                .iter()
                .position(|w| w.text == "-v")
                .and_then(|v| args.get(v + 1));
            add(
                target.map(|w| w.holes.clone()).unwrap_or_default(),
                "`printf -v` evaluates the subscript of the variable name, which can run code",
                NAME_HELP,
            );
        }
        _ if declares_integer => add(
            all(),
            "an integer variable (`-i`) evaluates what is assigned to it as arithmetic, which \
             can run code",
            NUMBER_HELP,
        ),
        _ => {}
    }
}

fn program(word: &Word) -> &str {
    word.text.rsplit('/').next().unwrap_or(&word.text)
}

/// The script word of `sh -c SCRIPT` (also behind `sudo`, `env`, `xargs`, `find -exec`, ...).
fn shell_script(words: &[Word]) -> Option<&Word> {
    let shell = words.iter().position(|w| SHELLS.contains(&program(w)))?;
    let flag = words[shell + 1..].iter().position(|w| {
        w.text.starts_with('-') && !w.text.starts_with("--") && w.text.contains('c')
    })?;
    words.get(shell + 1 + flag + 1)
}

/// Placeholders in the remote command of `ssh [options] destination command...`.
fn ssh_command(words: &[Word]) -> Vec<usize> {
    let Some(ssh) = words.iter().position(|w| program(w) == "ssh") else {
        return Vec::new();
    };
    let mut i = ssh + 1;
    while let Some(word) = words.get(i) {
        let Some(option) = word.text.strip_prefix('-') else {
            break;
        };
        let takes_value = option.len() == 1 && SSH_VALUE_OPTIONS.contains(option);
        i += if takes_value { 2 } else { 1 };
    }
    // words[i] is the destination; everything after it is the remote command.
    words
        .iter()
        .skip(i + 1)
        .flat_map(|w| w.holes.iter().copied())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn command(words: &[&str], holes_at: &[usize]) -> Command {
        let mut command = Command::default();
        for (i, text) in words.iter().enumerate() {
            command.words.push(Word {
                text: text.to_string(),
                holes: if holes_at.contains(&i) {
                    vec![i]
                } else {
                    vec![]
                },
                subscript: false,
            });
        }
        command
    }

    fn refused(words: &[&str], holes_at: &[usize]) -> Vec<usize> {
        let mut holes: Vec<usize> = evaluated(&command(words, holes_at))
            .into_iter()
            .flat_map(|e| e.holes)
            .collect();
        holes.sort_unstable();
        holes
    }

    #[test]
    fn shell_scripts_behind_wrappers() {
        assert_eq!(refused(&["sh", "-c", "X", "sh", "X"], &[2, 4]), [2]);
        assert_eq!(
            refused(&["sudo", "-u", "bob", "/bin/bash", "-ec", "X"], &[5]),
            [5]
        );
        assert_eq!(refused(&["bash", "--norc", "-c", "X"], &[3]), [3]);
        assert_eq!(
            refused(&["bash", "script.sh", "X"], &[2]),
            Vec::<usize>::new()
        );
    }

    #[test]
    fn ssh_remote_commands() {
        assert_eq!(refused(&["ssh", "-p", "22", "X", "ls", "X"], &[3, 5]), [5]);
        assert_eq!(refused(&["ssh", "-t", "host", "X"], &[3]), [3]);
        assert_eq!(refused(&["scp", "X", "host:"], &[1]), Vec::<usize>::new());
    }

    #[test]
    fn trap_and_eval() {
        assert_eq!(refused(&["trap", "X", "EXIT"], &[1]), [1]);
        assert_eq!(refused(&["eval", "X"], &[1]), [1]);
    }
}
