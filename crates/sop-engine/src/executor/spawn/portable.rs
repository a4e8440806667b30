//! Starting a step's process where the Linux start is not available: through
//! `std::process::Command`.

use super::*;
use std::os::fd::OwnedFd;
use std::os::unix::process::CommandExt;

pub fn spawn(cmd: &StepCommand) -> io::Result<StepChild> {
    let (argv0, rest) = cmd
        .args
        .split_first()
        .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "no argv[0]"))?;
    let mut command = std::process::Command::new(&cmd.program);
    command
        .arg0(argv0)
        .args(rest)
        .current_dir(&cmd.cwd)
        .process_group(cmd.pgid)
        .env_clear()
        .envs(cmd.env.pairs())
        .stdin(match cmd.stdin {
            Stdin::Null => std::process::Stdio::null(),
            Stdin::Piped => std::process::Stdio::piped(),
        })
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    let mut child = command.spawn()?;
    let file = |fd: Option<OwnedFd>| fd.map(File::from);
    Ok(StepChild {
        pid: child.id() as i32,
        stdin: file(child.stdin.take().map(OwnedFd::from)),
        stdout: file(child.stdout.take().map(OwnedFd::from)),
        stderr: file(child.stderr.take().map(OwnedFd::from)),
        status: None,
    })
}
