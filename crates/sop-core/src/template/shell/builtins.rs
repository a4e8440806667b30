//! Shell builtins that read an argument as code, as arithmetic or as a variable name (whose
//! array subscript is arithmetic, which runs `$(...)`): `eval`, `let`, `declare`, `read`, ...

use super::command::{Command, Word, is_assignment};
use super::evaluated::Found;
use super::help;
use super::literal::literal;
use super::variables::is_dangerous;

/// `[[ ... ]]` operators that evaluate their operands as arithmetic or as variable names.
const TEST_EVALUATING: [&str; 8] = ["-eq", "-ne", "-lt", "-le", "-gt", "-ge", "-v", "-R"];

/// Builtins whose arguments are code, or name code to run (`hash -p`, `enable -f`).
const CODE_BUILTINS: [&str; 7] = [
    "alias", "compgen", "complete", "enable", "hash", "fc", "bind",
];

const DECLARATIONS: [&str; 5] = ["declare", "typeset", "local", "export", "readonly"];

/// Judges the builtin `name`; returns whether `name` is one of those above.
pub(super) fn judge(name: &str, args: &[&Word], command: &Command, found: &mut Found) -> bool {
    let all = || holes(args);
    let has = |options: &[&str]| {
        args.iter()
            .any(|w| literal(w).is_some_and(|t| options.contains(&t.as_str())))
    };
    match name {
        "eval" => found.add(all(), "`eval` runs its arguments as shell code", help::EVAL),
        "let" => found.add(
            all(),
            "`let` evaluates its arguments as arithmetic, which can run code",
            help::NUMBER,
        ),
        "trap" => found.add(
            all(),
            "`trap` runs its first argument as shell code",
            help::TRAP,
        ),
        "unset" => found.add(
            all(),
            "`unset` evaluates array subscripts in its arguments, which can run code",
            help::NAME,
        ),
        "mapfile" | "readarray" => found.add(
            all(),
            format!("`{name}` takes a variable name and a callback that runs as code"),
            help::NAME,
        ),
        _ if CODE_BUILTINS.contains(&name) => found.add(
            all(),
            format!("`{name}` reads its arguments as shell code or as code to run"),
            help::CODE_ARGUMENTS,
        ),
        "[[" if has(&TEST_EVALUATING) => found.add(
            all(),
            "this `[[ ... ]]` evaluates its operands as arithmetic or variable names, which can \
             run code",
            help::NUMBER,
        ),
        "[" | "test" if has(&["-v", "-R"]) => found.add(
            all(),
            "`-v` and `-R` evaluate their operand as a variable name, which can run code",
            help::NAME,
        ),
        "printf" => printf(args, found),
        "read" => read(args, command, found),
        "getopts" => found.add(
            args.get(1).map(|w| w.holes.clone()).unwrap_or_default(),
            "`getopts` assigns to the variable its second argument names, which can run code",
            help::NAME,
        ),
        "source" | "." => source(name, args, command, found),
        _ if DECLARATIONS.contains(&name) => declaration(name, args, found),
        _ => return false,
    }
    true
}

fn holes(words: &[&Word]) -> Vec<usize> {
    words.iter().flat_map(|w| w.holes.iter().copied()).collect()
}

fn printf(args: &[&Word], found: &mut Found) {
    let Some(target) = args
        .iter()
        .position(|w| literal(w).as_deref() == Some("-v"))
        .and_then(|v| args.get(v + 1))
    else {
        return;
    };
    found.add(
        target.holes.clone(),
        "`printf -v` evaluates the subscript of the variable name, which can run code",
        help::NAME,
    );
    if let Some(name) = literal(target).filter(|n| is_dangerous(n)) {
        found.add(
            holes(args),
            format!("`printf -v {name}` assigns the value to `{name}`, which runs as code"),
            help::VARIABLE,
        );
    }
}

/// `read [-a NAME] [-d D] [-p PROMPT] ... NAME...`: the names are code; what it reads is data,
/// unless it reads into a variable such as `PS4`.
fn read(args: &[&Word], command: &Command, found: &mut Found) {
    let name_reason = "`read` assigns to the variables its arguments name, which can run code";
    let mut names = Vec::new();
    let mut i = 0;
    while let Some(word) = args.get(i) {
        i += 1;
        let text = literal(word);
        let Some(flags) = text.as_deref().and_then(|t| t.strip_prefix('-')) else {
            found.add(word.holes.clone(), name_reason, help::NAME);
            names.extend(text);
            continue;
        };
        for (at, letter) in flags.char_indices() {
            if !"adinNptu".contains(letter) {
                continue;
            }
            let glued = &flags[at + 1..];
            let value = if glued.is_empty() {
                i += 1;
                args.get(i - 1).copied()
            } else {
                None
            };
            if letter == 'a' {
                names.push(glued.to_string());
                if let Some(value) = value {
                    found.add(value.holes.clone(), name_reason, help::NAME);
                    names.extend(literal(value));
                }
            }
            break;
        }
    }
    if let Some(name) = names.iter().find(|n| is_dangerous(n)) {
        found.add(
            command.stdin_holes(),
            format!("`read {name}` assigns what it reads to `{name}`, which runs as code"),
            help::VARIABLE,
        );
    }
}

fn source(name: &str, args: &[&Word], command: &Command, found: &mut Found) {
    let Some(file) = args.first() else {
        return;
    };
    if literal(file).is_some_and(|f| is_stdin_path(&f)) {
        found.add(
            command.stdin_holes(),
            format!("`{name}` runs what it reads from standard input, which holds the value"),
            help::STDIN_SCRIPT,
        );
    }
    found.add(
        file.holes.clone(),
        format!("the value would choose the file whose code `{name}` runs"),
        help::SCRIPT_FILE,
    );
}

/// `declare NAME=VALUE ...`: names and options are code; values are data unless `-n`
/// (a name), `-a`/`-A` (a quoted list of assignments) or `-i` (arithmetic, judged elsewhere).
fn declaration(name: &str, args: &[&Word], found: &mut Found) {
    let mut flags = String::new();
    for word in args {
        if let Some(text) = literal(word)
            && text.len() > 1
            && (text.starts_with('-') || text.starts_with('+'))
        {
            flags.push_str(&text[1..]);
            continue;
        }
        if word.holes.is_empty() {
            continue;
        }
        if !is_assignment(word) {
            found.add(
                word.holes.clone(),
                format!(
                    "the value would be a variable name or an option of `{name}`, and a name \
                     can run code through an array subscript"
                ),
                help::NAME,
            );
        } else if flags.contains(['n', 'a', 'A']) {
            found.add(
                word.holes.clone(),
                format!(
                    "`{name} -{flags}` reads the assigned value as a variable name or as a list \
                     of assignments, which can run code"
                ),
                help::NAME,
            );
        }
    }
}

/// Paths that make a program read its script from standard input.
pub(super) fn is_stdin_path(path: &str) -> bool {
    matches!(path, "-" | "/dev/stdin" | "/dev/fd/0" | "/proc/self/fd/0")
}
