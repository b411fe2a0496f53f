//! Terminal output in cargo's style: a right-aligned status word per step on stderr,
//! warnings, and `-v` echo of commands. With `--json` only errors reach stderr and stdout
//! carries nothing but JSON, so the engine never prints to stdout itself.

use std::cell::RefCell;
use std::io::{IsTerminal, Write};
use std::sync::{Arc, Mutex};

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord)]
pub enum Verbosity {
    Quiet = 0,
    #[default]
    Normal = 1,
    Verbose = 2,
}

/// Where one run's messages go and how many of them: made by the CLI from `-v`/`--json`
/// (or by an xtask, a test) and carried by the run's `Options` (`merge`: its `Rules`), so
/// two runs in one process, one after the other or in parallel threads, each print what
/// their own caller asked for. Cheap to clone; clones share the capture buffer.
#[derive(Clone, Default)]
pub struct Shell {
    verbosity: Verbosity,
    /// Instead of stderr (tests): everything this shell prints, uncoloured.
    capture: Option<Arc<Mutex<Vec<u8>>>>,
}

impl std::fmt::Debug for Shell {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Shell")
            .field("verbosity", &self.verbosity)
            .field("captured", &self.capture.is_some())
            .finish()
    }
}

thread_local! {
    /// The shell of the run this thread works for, while [`Shell::enter`]'s guard lives.
    static CURRENT: RefCell<Option<Shell>> = const { RefCell::new(None) };
}

/// The shell of the run this thread works for (a fresh `Normal` one outside any run).
pub fn current() -> Shell {
    CURRENT.with(|c| c.borrow().clone()).unwrap_or_default()
}

/// `work`, to run on another thread, printing through the shell current here.
/// Every thread a run starts is spawned through this (or `exec::jobs::parallel`).
pub fn carry<T>(work: impl FnOnce() -> T) -> impl FnOnce() -> T {
    let shell = current();
    move || {
        let _in = shell.enter();
        work()
    }
}

/// While alive, this thread prints through the shell it was made from; dropped, the
/// shell current before is back.
pub struct Entered {
    previous: Option<Shell>,
    /// `!Send`: the guard restores the thread it was made on.
    _thread: std::marker::PhantomData<*const ()>,
}

impl Drop for Entered {
    fn drop(&mut self) {
        let previous = self.previous.take();
        CURRENT.with(|c| *c.borrow_mut() = previous);
    }
}

impl Shell {
    pub fn new(verbosity: Verbosity) -> Shell {
        Shell {
            verbosity,
            capture: None,
        }
    }

    /// A shell that keeps what it prints in memory instead (read it with [`Shell::captured`]).
    pub fn capturing(verbosity: Verbosity) -> Shell {
        Shell {
            verbosity,
            capture: Some(Arc::default()),
        }
    }

    /// What a [`Shell::capturing`] shell printed so far.
    pub fn captured(&self) -> String {
        self.capture
            .as_ref()
            .map(|c| String::from_utf8_lossy(&c.lock().expect("capture lock")).into_owned())
            .unwrap_or_default()
    }

    pub fn verbosity(&self) -> Verbosity {
        self.verbosity
    }

    /// Makes this the current thread's shell until the guard is dropped: what the run's
    /// code prints below this point (`shell::status(…)`, the process runner's `-v` echo)
    /// goes through it.
    pub fn enter(&self) -> Entered {
        let previous = CURRENT.with(|c| c.borrow_mut().replace(self.clone()));
        Entered {
            previous,
            _thread: std::marker::PhantomData,
        }
    }

    fn write(&self, text: &str) {
        match &self.capture {
            Some(c) => c
                .lock()
                .expect("capture lock")
                .extend_from_slice(text.as_bytes()),
            None => {
                let _ = std::io::stderr().lock().write_all(text.as_bytes());
            }
        }
    }

    fn color(&self) -> bool {
        self.capture.is_none()
            && std::env::var_os("NO_COLOR").is_none()
            && std::io::stderr().is_terminal()
    }

    fn paint(&self, code: &str, word: &str) -> String {
        if self.color() {
            format!("\x1b[1;{code}m{word:>12}\x1b[0m")
        } else {
            format!("{word:>12}")
        }
    }

    /// `    Building app 0.1.0 (x86_64-unknown-linux-gnu)` in green, like cargo.
    pub fn status(&self, word: &str, message: impl std::fmt::Display) {
        if self.verbosity >= Verbosity::Normal {
            self.write(&format!("{} {message}\n", self.paint("32", word)));
        }
    }

    /// A step that was skipped or is informative only (cyan).
    pub fn note(&self, word: &str, message: impl std::fmt::Display) {
        if self.verbosity >= Verbosity::Normal {
            self.write(&format!("{} {message}\n", self.paint("36", word)));
        }
    }

    /// A line whose subject failed (`verify`'s `Differs`), in red; printed with `-q` too.
    pub fn failure(&self, word: &str, message: impl std::fmt::Display) {
        self.write(&format!("{} {message}\n", self.paint("31", word)));
    }

    /// Another program's messages (a concurrent build's cargo output), written in one piece
    /// under stderr's lock so that no line of another thread lands inside the block.
    pub fn block(&self, text: &str) {
        let text = text.trim_end();
        if !text.is_empty() {
            self.write(&format!("{text}\n"));
        }
    }

    /// Printed even with `--json`: warnings must not be lost.
    pub fn warn(&self, message: impl std::fmt::Display) {
        let word = if self.color() {
            "\x1b[1;33mwarning\x1b[0m"
        } else {
            "warning"
        };
        self.write(&format!("{word}: {message}\n"));
    }

    /// `-v`: echo a command line before running it.
    pub fn echo_command(&self, line: &str) {
        if self.verbosity >= Verbosity::Verbose {
            self.write(&format!("{} {line}\n", self.paint("35", "Running")));
        }
    }

    pub fn is_interactive(&self) -> bool {
        self.verbosity == Verbosity::Normal
            && self.capture.is_none()
            && std::io::stderr().is_terminal()
    }
}

/// [`Shell::status`] of the current shell.
pub fn status(word: &str, message: impl std::fmt::Display) {
    current().status(word, message)
}

/// [`Shell::note`] of the current shell.
pub fn note(word: &str, message: impl std::fmt::Display) {
    current().note(word, message)
}

/// [`Shell::block`] of the current shell.
pub fn block(text: &str) {
    current().block(text)
}

/// [`Shell::warn`] of the current shell.
pub fn warn(message: impl std::fmt::Display) {
    current().warn(message)
}

/// [`Shell::echo_command`] of the current shell.
pub fn echo_command(line: &str) {
    current().echo_command(line)
}

/// Only the progress bar asks (feature `progress`; an xtask built with `cli` alone has none).
#[cfg(feature = "progress")]
pub fn is_interactive() -> bool {
    current().is_interactive()
}

/// Human-readable size: `1.2 MiB`.
pub fn human_size(bytes: u64) -> String {
    const UNITS: [&str; 4] = ["B", "KiB", "MiB", "GiB"];
    let mut v = bytes as f64;
    let mut unit = 0;
    while v >= 1024.0 && unit < UNITS.len() - 1 {
        v /= 1024.0;
        unit += 1;
    }
    if unit == 0 {
        format!("{bytes} B")
    } else {
        format!("{v:.1} {}", UNITS[unit])
    }
}

/// A progress bar over the archives when stderr is a terminal (feature `progress`).
pub struct Progress {
    #[cfg(feature = "progress")]
    bar: Option<indicatif::ProgressBar>,
}

impl Progress {
    pub fn new(len: usize) -> Progress {
        let _ = len;
        Progress {
            #[cfg(feature = "progress")]
            bar: is_interactive().then(|| {
                let bar = indicatif::ProgressBar::new(len as u64);
                bar.set_style(
                    indicatif::ProgressStyle::with_template(
                        "   Packaging [{bar:27}] {pos}/{len}: {msg}",
                    )
                    .expect("valid template")
                    .progress_chars("=> "),
                );
                bar
            }),
        }
    }
    pub fn done(&self, name: &str) {
        let _ = name;
        #[cfg(feature = "progress")]
        if let Some(b) = &self.bar {
            b.set_message(name.to_string());
            b.inc(1);
        }
    }
    pub fn finish(&self) {
        #[cfg(feature = "progress")]
        if let Some(b) = &self.bar {
            b.finish_and_clear();
        }
    }
}

/// `text` without terminal control sequences (colours, OSC hyperlinks and titles, cursor
/// moves) or other control characters, for a status line that quotes a program's output.
pub fn printable(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\x1b' => match chars.next() {
                // CSI: parameters and intermediates up to a final byte in @..~.
                Some('[') => {
                    for c in chars.by_ref() {
                        if ('@'..='~').contains(&c) {
                            break;
                        }
                    }
                }
                // OSC, DCS, SOS, PM, APC: a string up to BEL or ESC \.
                Some(']' | 'P' | 'X' | '^' | '_') => {
                    while let Some(c) = chars.next() {
                        if c == '\x07' {
                            break;
                        }
                        if c == '\x1b' {
                            if chars.peek() == Some(&'\\') {
                                chars.next();
                            }
                            break;
                        }
                    }
                }
                // Two-character sequences (ESC 7, ESC c, …).
                _ => {}
            },
            // C1 CSI.
            '\u{9b}' => {
                for c in chars.by_ref() {
                    if ('@'..='~').contains(&c) {
                        break;
                    }
                }
            }
            '\t' => out.push(' '),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::{printable, Shell, Verbosity};

    /// What one run prints: statuses, notes, a warning, the runner's `-v` echo, and the same
    /// from a thread it starts. Many times over, so two runs at once would interleave.
    fn a_run(shell: &Shell, name: &str) {
        let _in = shell.enter();
        for i in 0..50 {
            super::status("Building", format!("{name} {i}"));
            super::note("Skipping", format!("{name} {i}"));
            // Echoed before it is started (this program does not exist).
            let _ = crate::sys::process::Cmd::new(format!("crossdock-test-no-such-{name}"))
                .output(None);
            std::thread::scope(|s| {
                s.spawn(super::carry(|| {
                    super::status("Worker", format!("{name} {i}"))
                }));
            });
        }
        super::warn(format!("{name} done"));
    }

    #[test]
    fn two_runs_in_parallel_threads_each_print_at_their_own_verbosity() {
        let quiet = Shell::capturing(Verbosity::Quiet);
        let verbose = Shell::capturing(Verbosity::Verbose);
        std::thread::scope(|s| {
            s.spawn(|| a_run(&quiet, "q"));
            s.spawn(|| a_run(&verbose, "v"));
        });
        // Quiet: the warning only (warnings are never lost), nothing of the other run.
        assert_eq!(quiet.captured(), "warning: q done\n");
        let out = verbose.captured();
        let expected: String = (0..50)
            .map(|i| {
                format!(
                    "{:>12} v {i}\n{:>12} v {i}\n{:>12} crossdock-test-no-such-v\n{:>12} v {i}\n",
                    "Building", "Skipping", "Running", "Worker"
                )
            })
            .chain(["warning: v done\n".to_string()])
            .collect();
        assert_eq!(out, expected);
        // Outside both runs this thread's shell is the default again.
        assert_eq!(super::current().verbosity(), Verbosity::Normal);
    }

    #[test]
    fn a_second_run_in_one_thread_is_not_changed_by_the_first() {
        let first = Shell::capturing(Verbosity::Verbose);
        let second = Shell::capturing(Verbosity::Normal);
        a_run(&first, "a");
        a_run(&second, "b");
        assert!(first
            .captured()
            .contains("Running crossdock-test-no-such-a"));
        assert!(!second.captured().contains("Running"));
        assert!(second.captured().contains("Building b 49"));
        assert!(!second.captured().contains(" a "));
    }

    #[test]
    fn printable_drops_colours_links_and_control_characters() {
        assert_eq!(printable("\x1b[1;32mapp\x1b[0m 1.2.3"), "app 1.2.3");
        assert_eq!(
            printable("\x1b]8;;https://x.org\x07home\x1b]8;;\x1b\\ page"),
            "home page"
        );
        assert_eq!(printable("a\x1b[2Kb\x07c\rd\te\u{9b}31mf"), "abcd ef");
        assert_eq!(printable("\x1b7saved\x1b8"), "saved");
        assert_eq!(printable("plain — ünïcode"), "plain — ünïcode");
    }
}
