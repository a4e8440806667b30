//! Programs that run code given to them as text, and programs that run another command: what
//! the guard needs to know about their options to find that code.

/// How a program reads the words after its options.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Kind {
    /// A shell: with `-c` among its flags the first operand is a script; otherwise the first
    /// operand is a script file, and without one (or with `-s`) the script is read from stdin.
    Shell,
    /// A language interpreter: the value of a code option (`-c`, `-e`) is a script; otherwise
    /// the first operand is a script file, and without one (or `-`) stdin is.
    Interpreter,
    /// awk: the first operand is the program unless an option gave it.
    Awk,
    /// Runs another command after its options and `operands` fixed operands
    /// (`timeout DURATION COMMAND`).
    Wrapper { operands: usize },
    /// Runs the value of its code option through a shell (`su -c`); other words are data.
    Runner,
    /// Joins its operands into one shell command (`watch`).
    Joins,
}

#[derive(Debug)]
pub(super) struct Program {
    pub names: &'static [&'static str],
    pub kind: Kind,
    /// Options that take a value: the next word, or glued on (`-uroot`, `--user=root`).
    pub value_options: &'static [&'static str],
    /// Options whose value is code, or (for a shell) flags that make the first operand code.
    pub code_options: &'static [&'static str],
    /// Options after which every word is an argument (python's `-c` and `-m`).
    pub last_options: &'static [&'static str],
    /// Flags after which the command (or script) comes from a shell reading the rest
    /// (`sudo -s`), or from stdin (`sh -s`).
    pub shell_flags: &'static [&'static str],
    /// Flags after which nothing runs (`command -v`).
    pub inert_flags: &'static [&'static str],
    /// Takes `NAME=value` words before the command (`env`, `sudo`).
    pub assignments: bool,
}

const fn program(names: &'static [&'static str], kind: Kind) -> Program {
    Program {
        names,
        kind,
        value_options: &[],
        code_options: &[],
        last_options: &[],
        shell_flags: &[],
        inert_flags: &[],
        assignments: false,
    }
}

const SHELL_VALUES: &[&str] = &["-o", "+o", "-O", "+O", "--rcfile", "--init-file"];

static PROGRAMS: &[Program] = &[
    Program {
        value_options: SHELL_VALUES,
        code_options: &["-c"],
        shell_flags: &["-s", "-i"],
        ..program(
            &[
                "sh", "bash", "dash", "zsh", "ksh", "ksh93", "mksh", "pdksh", "oksh", "loksh",
                "lksh", "ash", "yash", "posh", "rbash", "fish", "csh", "tcsh",
            ],
            Kind::Shell,
        )
    },
    Program {
        value_options: &["-W", "-X", "-Q"],
        code_options: &["-c", "-m"],
        last_options: &["-c", "-m"],
        ..program(
            &[
                "python",
                "python2",
                "python3",
                "pypy",
                "pypy3",
                "python3.8",
                "python3.9",
                "python3.10",
                "python3.11",
                "python3.12",
                "python3.13",
                "python3.14",
            ],
            Kind::Interpreter,
        )
    },
    Program {
        value_options: &["-I", "-M", "-m", "-x", "-C", "-d", "-D", "-i", "-l", "-0"],
        code_options: &["-e", "-E"],
        ..program(&["perl", "perl5"], Kind::Interpreter)
    },
    Program {
        value_options: &["-I", "-r", "-C", "-E", "-F", "-x", "-W", "-K"],
        code_options: &["-e"],
        ..program(&["ruby", "irb", "jruby"], Kind::Interpreter)
    },
    Program {
        value_options: &[
            "-r",
            "--require",
            "--import",
            "--loader",
            "--input-type",
            "-C",
        ],
        code_options: &["-e", "-p", "--eval", "--print"],
        ..program(
            &["node", "nodejs", "bun", "deno", "tsx", "ts-node"],
            Kind::Interpreter,
        )
    },
    Program {
        value_options: &["-c", "-d", "-z", "-t"],
        code_options: &["-r", "-R", "-B", "-E", "-F"],
        ..program(&["php", "php-cli"], Kind::Interpreter)
    },
    Program {
        value_options: &["-l"],
        code_options: &["-e"],
        ..program(
            &[
                "lua",
                "luajit",
                "lua5.1",
                "lua5.3",
                "lua5.4",
                "Rscript",
                "julia",
                "osascript",
            ],
            Kind::Interpreter,
        )
    },
    Program {
        code_options: &["-c", "-Command", "-command", "-EncodedCommand", "-e", "-ec"],
        value_options: &["-File", "-f"],
        ..program(
            &["pwsh", "powershell", "tclsh", "wish", "expect"],
            Kind::Interpreter,
        )
    },
    Program {
        value_options: &["-F", "-v", "--assign", "--field-separator"],
        code_options: &[
            "-e",
            "--source",
            "-f",
            "--file",
            "-E",
            "--exec",
            "-i",
            "--include",
            "-l",
            "--load",
        ],
        ..program(&["awk", "gawk", "mawk", "nawk", "busybox-awk"], Kind::Awk)
    },
    Program {
        value_options: &["-a"],
        inert_flags: &["-v", "-V"],
        ..program(&["command"], Kind::Wrapper { operands: 0 })
    },
    Program {
        value_options: &["-a"],
        ..program(&["builtin", "exec"], Kind::Wrapper { operands: 0 })
    },
    Program {
        value_options: &["-u", "--unset", "-C", "--chdir", "-P"],
        code_options: &["-S", "--split-string"],
        assignments: true,
        ..program(&["env"], Kind::Wrapper { operands: 0 })
    },
    Program {
        value_options: &["-n", "--adjustment"],
        ..program(&["nice", "renice"], Kind::Wrapper { operands: 0 })
    },
    Program {
        ..program(
            &[
                "nohup",
                "setsid",
                "unbuffer",
                "busybox",
                "toybox",
                "catchsegv",
                "caffeinate",
            ],
            Kind::Wrapper { operands: 0 },
        )
    },
    Program {
        value_options: &["-s", "--signal", "-k", "--kill-after"],
        ..program(&["timeout", "gtimeout"], Kind::Wrapper { operands: 1 })
    },
    Program {
        value_options: &[
            "-u",
            "--user",
            "-g",
            "--group",
            "-h",
            "--host",
            "-p",
            "--prompt",
            "-C",
            "--close-from",
            "-D",
            "--chdir",
            "-r",
            "--role",
            "-t",
            "--type",
            "-T",
            "--command-timeout",
            "-U",
            "--other-user",
            "-R",
            "--chroot",
        ],
        shell_flags: &["-s", "--shell", "-i", "--login"],
        inert_flags: &[
            "-l",
            "--list",
            "-v",
            "--validate",
            "-k",
            "--reset-timestamp",
            "-e",
            "--edit",
        ],
        assignments: true,
        ..program(
            &["sudo", "sudo-rs", "doas", "pkexec", "run0"],
            Kind::Wrapper { operands: 0 },
        )
    },
    Program {
        value_options: &[
            "-a",
            "--arg-file",
            "-d",
            "--delimiter",
            "-E",
            "-I",
            "-L",
            "--max-lines",
            "-n",
            "--max-args",
            "-P",
            "--max-procs",
            "-s",
            "--max-chars",
            "--process-slot-var",
        ],
        ..program(&["xargs"], Kind::Wrapper { operands: 0 })
    },
    Program {
        value_options: &["-f", "--format", "-o", "--output"],
        ..program(&["time", "gtime"], Kind::Wrapper { operands: 0 })
    },
    Program {
        value_options: &["-i", "--input", "-o", "--output", "-e", "--error"],
        ..program(&["stdbuf"], Kind::Wrapper { operands: 0 })
    },
    Program {
        value_options: &["--userspec", "--groups"],
        ..program(&["chroot"], Kind::Wrapper { operands: 1 })
    },
    Program {
        value_options: &["-w", "--timeout", "-E", "--conflict-exit-code"],
        code_options: &["-c", "--command"],
        ..program(&["flock"], Kind::Wrapper { operands: 1 })
    },
    Program {
        value_options: &[
            "-c",
            "--class",
            "-n",
            "--classdata",
            "-p",
            "--pid",
            "-P",
            "-u",
        ],
        ..program(&["ionice"], Kind::Wrapper { operands: 0 })
    },
    Program {
        value_options: &[
            "-t",
            "--target",
            "-S",
            "--setuid",
            "-G",
            "--setgid",
            "-w",
            "--wd",
            "-u",
            "--unit",
            "-p",
            "--property",
            "-E",
            "--setenv",
            "--uid",
            "--gid",
            "-M",
            "--machine",
            "--description",
            "--slice",
            "--working-directory",
            "-o",
            "-e",
            "-s",
        ],
        ..program(
            &["nsenter", "unshare", "systemd-run", "strace", "ltrace"],
            Kind::Wrapper { operands: 0 },
        )
    },
    Program {
        value_options: &["-s", "--shell", "-g", "--group", "-G", "--supp-group", "-w"],
        code_options: &["-c", "--command", "--session-command"],
        ..program(&["su", "runuser", "script"], Kind::Runner)
    },
    Program {
        value_options: &["-n", "--interval", "-d", "--differences", "-q", "--equexit"],
        ..program(&["watch"], Kind::Joins)
    },
    // Options whose value is a command the program starts (through a shell, or as the remote
    // shell): a quoted value is still code there.
    Program {
        code_options: &[
            "--to-command",
            "--use-compress-program",
            "-I",
            "--rsh-command",
            "--info-script",
            "--new-volume-script",
            "-F",
            "--checkpoint-action=exec",
        ],
        ..program(&["tar", "gtar", "bsdtar"], Kind::Runner)
    },
    Program {
        code_options: &["-e", "--rsh", "--rsync-path"],
        ..program(&["rsync"], Kind::Runner)
    },
    Program {
        code_options: &[
            "ProxyCommand=",
            "proxycommand=",
            "-oProxyCommand=",
            "-oproxycommand=",
            "LocalCommand=",
            "localcommand=",
            "-oLocalCommand=",
            "KnownHostsCommand=",
            "-oKnownHostsCommand=",
        ],
        ..program(&["ssh", "scp", "sftp"], Kind::Runner)
    },
];

/// The program named `name` (a file name, as [`program_name`](super::literal::program_name)
/// gives it), when it is one the guard knows.
pub(super) fn find(name: &str) -> Option<&'static Program> {
    PROGRAMS.iter().find(|p| p.names.contains(&name))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_name_is_listed_once() {
        let mut names: Vec<&str> = PROGRAMS
            .iter()
            .flat_map(|p| p.names.iter().copied())
            .collect();
        let all = names.len();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), all);
        assert_eq!(find("bash").map(|p| p.kind), Some(Kind::Shell));
        assert_eq!(
            find("timeout").map(|p| p.kind),
            Some(Kind::Wrapper { operands: 1 })
        );
    }
}
