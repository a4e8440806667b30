//! The help texts of refusals. `{env}` stands for the name of the environment variable that
//! holds the placeholder's value (`SOP_VAR_X`) and `{placeholder}` for the placeholder; both are
//! filled in per placeholder, because the environment variable is the safe way to use a value.

pub(super) const ENV: &str = "use the environment variable instead: \"${env}\"";

pub(super) const NUMBER: &str = "compare numbers with `[ \"${env}\" -gt 5 ]`, which does not \
     evaluate its operands, and check that the value is a plain number (`case \"${env}\" in \
     ''|*[!0-9]*) exit 1;; esac`) before any arithmetic";

pub(super) const NAME: &str = "write variable names literally and use the value as data, e.g. \
     `name=\"${env}\"`; a value used as a name can run code through an array subscript";

pub(super) const EVAL: &str = "run the command directly instead of through `eval` (the \
     placeholder is then quoted for you), and use the value only as data: \"${env}\"";

pub(super) const TRAP: &str = "write the trap's command literally and read the value from the \
     environment when it runs: `trap 'rm -f \"${env}\"' EXIT`";

pub(super) const CODE_ARGUMENTS: &str = "write the arguments literally and use the value only \
     as data, read from the environment: \"${env}\"";

pub(super) const SCRIPT: &str = "write the script literally and read the value from the \
     environment inside it, e.g. `sh -c 'echo \"${env}\"'`, or pass it as an argument: `sh -c \
     'echo \"$1\"' sh {placeholder}`";

pub(super) const INTERPRETER: &str = "write the interpreter's options and script literally and \
     read the value from the environment inside the script (\"${env}\", \
     `os.environ[\"{env}\"]`, `$ENV{{env}}`), or pass it after `--` as an argument";

pub(super) const SCRIPT_FILE: &str = "write the script's path literally and pass the value to \
     it as an argument, or let the script read \"${env}\"";

pub(super) const STDIN_SCRIPT: &str = "write the script literally (`sh -c '...'` or a file) and \
     read the value from the environment inside it: \"${env}\"";

pub(super) const COMMAND_NAME: &str = "write the command name literally and choose with `case`, \
     e.g. `case \"${env}\" in start|stop) systemctl \"${env}\" app;; esac`";

pub(super) const COMPUTED_NAME: &str = "write the command name literally, so it can be seen what \
     runs the value, or pass the value as \"${env}\"";

pub(super) const VARIABLE: &str = "do not let a value set this variable; use the value as data \
     under a name of your own, e.g. `value=\"${env}\"`";

pub(super) const SSH: &str = "send the value on stdin, e.g. `printf '%s\\n' {placeholder} | ssh \
     host 'read -r x; ...'`, and never in the remote command; locally it is \"${env}\"";
