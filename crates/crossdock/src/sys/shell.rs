//! Terminal output in cargo's style: a right-aligned status word per step on stderr,
//! warnings, and `-v` echo of commands. With `--json` only errors reach stderr and stdout
//! carries nothing but JSON, so the engine never prints to stdout itself.

use std::io::{IsTerminal, Write};
use std::sync::atomic::{AtomicU8, Ordering};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Verbosity {
    Quiet = 0,
    Normal = 1,
    Verbose = 2,
}

static VERBOSITY: AtomicU8 = AtomicU8::new(Verbosity::Normal as u8);

pub fn set_verbosity(v: Verbosity) {
    VERBOSITY.store(v as u8, Ordering::Relaxed);
}

pub fn verbosity() -> Verbosity {
    match VERBOSITY.load(Ordering::Relaxed) {
        0 => Verbosity::Quiet,
        1 => Verbosity::Normal,
        _ => Verbosity::Verbose,
    }
}

fn color() -> bool {
    std::env::var_os("NO_COLOR").is_none() && std::io::stderr().is_terminal()
}

fn paint(code: &str, word: &str) -> String {
    if color() {
        format!("\x1b[1;{code}m{word:>12}\x1b[0m")
    } else {
        format!("{word:>12}")
    }
}

/// `    Building app 0.1.0 (x86_64-unknown-linux-gnu)` in green, like cargo.
pub fn status(word: &str, message: impl std::fmt::Display) {
    if verbosity() >= Verbosity::Normal {
        let _ = writeln!(std::io::stderr(), "{} {message}", paint("32", word));
    }
}

/// A step that was skipped or is informative only (cyan).
pub fn note(word: &str, message: impl std::fmt::Display) {
    if verbosity() >= Verbosity::Normal {
        let _ = writeln!(std::io::stderr(), "{} {message}", paint("36", word));
    }
}

/// Another program's messages (a concurrent build's cargo output), written in one piece
/// under stderr's lock so that no line of another thread lands inside the block.
pub fn block(text: &str) {
    let text = text.trim_end();
    if text.is_empty() {
        return;
    }
    let _ = std::io::stderr()
        .lock()
        .write_all(format!("{text}\n").as_bytes());
}

/// Printed even with `--json`: warnings must not be lost.
pub fn warn(message: impl std::fmt::Display) {
    let word = if color() {
        "\x1b[1;33mwarning\x1b[0m"
    } else {
        "warning"
    };
    let _ = writeln!(std::io::stderr(), "{word}: {message}");
}

/// `-v`: echo a command line before running it.
pub fn echo_command(line: &str) {
    if verbosity() >= Verbosity::Verbose {
        let _ = writeln!(std::io::stderr(), "{} {line}", paint("35", "Running"));
    }
}

pub fn is_interactive() -> bool {
    verbosity() == Verbosity::Normal && std::io::stderr().is_terminal()
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
    use super::printable;

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
