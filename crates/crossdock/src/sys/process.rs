//! The one way crossdock starts a process. Every command is echoed with `-v`, named in its
//! errors (with its stderr), and can carry a timeout so nothing hangs (offline `rustup
//! target add` does). Nothing else in the crate calls `std::process::Command`.

use std::collections::BTreeMap;
use std::ffi::OsString;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{bail, Context, Result};

use crate::sys::shell;

#[derive(Debug, Clone, Default)]
pub struct Cmd {
    pub program: OsString,
    pub args: Vec<OsString>,
    pub env: BTreeMap<String, OsString>,
    pub env_remove: Vec<String>,
    pub cwd: Option<PathBuf>,
}

#[derive(Debug)]
pub struct Output {
    pub status: std::process::ExitStatus,
    pub stdout: String,
    pub stderr: String,
}

impl Output {
    pub fn success(&self) -> bool {
        self.status.success()
    }
    /// stdout and stderr together, for error messages.
    pub fn combined(&self) -> String {
        let mut s = self.stdout.trim_end().to_string();
        if !self.stderr.trim().is_empty() {
            if !s.is_empty() {
                s.push('\n');
            }
            s.push_str(self.stderr.trim_end());
        }
        s
    }
}

impl Cmd {
    pub fn new(program: impl Into<OsString>) -> Cmd {
        Cmd {
            program: program.into(),
            ..Cmd::default()
        }
    }
    pub fn arg(mut self, a: impl Into<OsString>) -> Cmd {
        self.args.push(a.into());
        self
    }
    pub fn args<I: IntoIterator<Item = S>, S: Into<OsString>>(mut self, a: I) -> Cmd {
        self.args.extend(a.into_iter().map(Into::into));
        self
    }
    pub fn env(mut self, k: impl Into<String>, v: impl Into<OsString>) -> Cmd {
        self.env.insert(k.into(), v.into());
        self
    }
    pub fn env_remove(mut self, k: impl Into<String>) -> Cmd {
        self.env_remove.push(k.into());
        self
    }
    pub fn cwd(mut self, dir: impl AsRef<Path>) -> Cmd {
        self.cwd = Some(dir.as_ref().to_path_buf());
        self
    }

    /// The command as a shell would read it, env assignments first.
    pub fn display(&self) -> String {
        let mut parts: Vec<String> = self
            .env
            .iter()
            .map(|(k, v)| format!("{k}={}", quote(&v.to_string_lossy())))
            .collect();
        parts.push(quote(&self.program.to_string_lossy()));
        parts.extend(self.args.iter().map(|a| quote(&a.to_string_lossy())));
        parts.join(" ")
    }

    // The one place a process is built; clippy.toml bans `duct::cmd` everywhere else.
    #[allow(clippy::disallowed_methods)]
    fn expression(&self) -> duct::Expression {
        let mut e = duct::cmd(&self.program, &self.args);
        for k in &self.env_remove {
            e = e.env_remove(k);
        }
        for (k, v) in &self.env {
            e = e.env(k, v);
        }
        if let Some(d) = &self.cwd {
            e = e.dir(d);
        }
        e.unchecked()
    }

    fn spawn_error(&self, e: std::io::Error) -> anyhow::Error {
        let program = self.program.to_string_lossy();
        if e.kind() == std::io::ErrorKind::NotFound {
            anyhow::anyhow!(
                "`{program}` was not found on PATH (needed for: {})",
                self.display()
            )
        } else {
            anyhow::anyhow!("cannot run `{}`: {e}", self.display())
        }
    }

    /// Runs to completion capturing stdout and stderr, killing it after `timeout`.
    pub fn output(&self, timeout: Option<Duration>) -> Result<Output> {
        shell::echo_command(&self.display());
        let handle = self
            .expression()
            .stdout_capture()
            .stderr_capture()
            .stdin_null()
            .start()
            .map_err(|e| self.spawn_error(e))?;
        // Waited for on a thread of its own, so the result is taken the moment the process
        // ends (a poll with a sleep cost every short tool call up to 20 ms) while the
        // timeout still kills it. The thread is not joined after a kill: a grandchild that
        // keeps the output pipes open must not hold crossdock up (duct's handle may be
        // killed while another thread waits on it).
        let handle = std::sync::Arc::new(handle);
        let (tx, rx) = std::sync::mpsc::channel();
        let waiting = std::sync::Arc::clone(&handle);
        std::thread::spawn(move || {
            let _ = tx.send(waiting.wait().map(|o| Output {
                status: o.status,
                stdout: String::from_utf8_lossy(&o.stdout).into_owned(),
                stderr: String::from_utf8_lossy(&o.stderr).into_owned(),
            }));
        });
        let got = match timeout {
            Some(t) => rx.recv_timeout(t).ok(),
            None => rx.recv().ok(),
        };
        let out = match got {
            Some(r) => Ok(r),
            None => {
                let _ = handle.kill();
                Err(timeout.unwrap_or_default())
            }
        };
        match out {
            Ok(r) => r.map_err(|e| self.spawn_error(e)),
            Err(after) => bail!(TimedOut {
                command: self.display(),
                after
            }),
        }
    }

    /// Runs and fails with the command and its output when it exits non-zero.
    pub fn run_checked(&self, timeout: Option<Duration>) -> Result<Output> {
        let out = self.output(timeout)?;
        if !out.success() {
            bail!(
                "`{}` failed ({}):\n{}",
                self.display(),
                out.status,
                out.combined()
            );
        }
        Ok(out)
    }

    /// stdout of a successful run, trimmed.
    pub fn read(&self) -> Result<String> {
        Ok(self
            .run_checked(Some(Duration::from_secs(120)))?
            .stdout
            .trim()
            .to_string())
    }

    /// Runs with stderr going to the user's terminal and each stdout line handed to
    /// `on_line` as it arrives (cargo's JSON messages). Returns the exit status.
    pub fn stream_stdout(&self, on_line: impl FnMut(&str)) -> Result<std::process::ExitStatus> {
        Ok(self.stream(false, on_line)?.0)
    }

    /// As [`Cmd::stream_stdout`], but stderr is captured and returned with the status
    /// (concurrent builds print their output as one block each, not interleaved).
    pub fn stream_stdout_capturing_stderr(
        &self,
        on_line: impl FnMut(&str),
    ) -> Result<(std::process::ExitStatus, String)> {
        self.stream(true, on_line)
    }

    fn stream(
        &self,
        capture_stderr: bool,
        mut on_line: impl FnMut(&str),
    ) -> Result<(std::process::ExitStatus, String)> {
        shell::echo_command(&self.display());
        let mut expression = self.expression().stdin_null();
        if capture_stderr {
            expression = expression.stderr_capture();
        }
        let reader = expression.reader().map_err(|e| self.spawn_error(e))?;
        let mut lines = BufReader::new(&reader);
        let mut line = String::new();
        loop {
            line.clear();
            let n = lines
                .read_line(&mut line)
                .with_context(|| format!("reading the output of `{}`", self.display()))?;
            if n == 0 {
                break;
            }
            on_line(line.trim_end());
        }
        let out = reader
            .try_wait()
            .with_context(|| format!("waiting for `{}`", self.display()))?
            .context("process still running after its output closed")?;
        Ok((
            out.status,
            String::from_utf8_lossy(&out.stderr).into_owned(),
        ))
    }
}

/// A command killed because it ran past its time limit; callers branch on it to explain.
#[derive(Debug)]
pub struct TimedOut {
    pub command: String,
    pub after: Duration,
}

impl std::fmt::Display for TimedOut {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "`{}` did not finish within {} s and was stopped",
            self.command,
            self.after.as_secs()
        )
    }
}

impl std::error::Error for TimedOut {}

fn quote(s: &str) -> String {
    if !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./=:,+@%".contains(c))
    {
        s.to_string()
    } else {
        format!("'{}'", s.replace('\'', "'\\''"))
    }
}

/// Looks a program up on PATH (or checks an explicit path).
pub fn which(program: &str) -> Option<PathBuf> {
    let p = Path::new(program);
    if p.components().count() > 1 {
        return p.is_file().then(|| p.to_path_buf());
    }
    let path = std::env::var_os("PATH")?;
    let names: Vec<String> = if cfg!(windows) && p.extension().is_none() {
        vec![
            format!("{program}.exe"),
            format!("{program}.cmd"),
            format!("{program}.bat"),
        ]
    } else {
        vec![program.to_string()]
    };
    std::env::split_paths(&path)
        .flat_map(|d| names.iter().map(move |n| d.join(n)))
        .find(|c| crate::sys::fs::is_executable(c))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(unix)] // runs `sh`
    #[test]
    fn timeout_kills_and_says_so() {
        let e = Cmd::new("sleep")
            .arg("5")
            .output(Some(Duration::from_millis(200)))
            .unwrap_err();
        assert!(e.downcast_ref::<TimedOut>().is_some());
        assert!(e.to_string().contains("`sleep 5` did not finish"), "{e}");
    }

    #[test]
    fn missing_program_is_named() {
        let e = Cmd::new("crossdock-no-such-tool").output(None).unwrap_err();
        assert!(
            e.to_string()
                .contains("`crossdock-no-such-tool` was not found on PATH"),
            "{e}"
        );
    }

    #[test]
    fn failure_shows_output() {
        let e = Cmd::new("sh")
            .args(["-c", "echo boom >&2; exit 3"])
            .run_checked(None)
            .unwrap_err();
        assert!(e.to_string().contains("boom"), "{e}");
    }
}
