//! Printing: human tables by default, or JSON / YAML for scripts; notes and
//! progress on stderr; colour only on a terminal and without `NO_COLOR`.

use std::io::{IsTerminal, Write};
use std::sync::atomic::{AtomicBool, Ordering};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use serde::Serialize;

use crate::args::Format;
use crate::exit::CliError;

/// How this run prints.
#[derive(Debug, Clone, Copy)]
pub struct Out {
    pub format: Format,
    pub quiet: bool,
    color: bool,
}

impl Out {
    pub fn new(format: Format, quiet: bool) -> Self {
        let color = std::io::stdout().is_terminal()
            && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty());
        Self {
            format,
            quiet,
            color,
        }
    }

    /// Prints a result: `value` as JSON or YAML, or `human()` as text.
    pub fn result<T: Serialize>(
        &self,
        value: &T,
        human: impl FnOnce(&Self) -> String,
    ) -> Result<(), CliError> {
        let text = match self.format {
            Format::Json => serde_json::to_string_pretty(value)
                .map(|s| s + "\n")
                .map_err(|e| CliError::Output(e.to_string()))?,
            Format::Yaml => {
                yaml_serde::to_string(value).map_err(|e| CliError::Output(e.to_string()))?
            }
            Format::Human => {
                let mut h = human(self);
                if !h.is_empty() && !h.ends_with('\n') {
                    h.push('\n');
                }
                h
            }
        };
        stdout(text.as_bytes())
    }

    /// Lines of a command's human output that come before its result (the
    /// drill's story): stdout, human output only, not with --quiet.
    pub fn story(&self, line: &str) -> Result<(), CliError> {
        if self.quiet || self.format != Format::Human {
            return Ok(());
        }
        stdout(format!("{line}\n").as_bytes())
    }

    /// Bytes as they are (a completion script).
    pub fn raw(&self, bytes: &[u8]) -> Result<(), CliError> {
        stdout(bytes)
    }

    /// A line for the person at the terminal (stderr; not with --quiet).
    pub fn note(&self, line: &str) {
        if !self.quiet {
            stderr(line);
        }
    }

    /// A step of a long command (stderr, human output only).
    pub fn step(&self, line: &str) {
        if !self.quiet && self.format == Format::Human {
            stderr(line);
        }
    }

    /// Why the command failed (stderr, even with --quiet).
    pub fn error(&self, line: &str) {
        stderr(line);
    }

    /// A progress bar of `len` items on stderr; hidden with --quiet, with
    /// JSON or YAML output, and when stderr is not a terminal.
    pub fn progress(&self, len: u64, what: &str) -> ProgressBar {
        let bar = ProgressBar::new(len);
        if self.quiet || self.format != Format::Human {
            bar.set_draw_target(ProgressDrawTarget::hidden());
        }
        bar.set_style(
            ProgressStyle::with_template(&format!("  [{{bar:30}}] {{pos}}/{{len}} {what} {{msg}}"))
                .expect("a valid template")
                .progress_chars("=> "),
        );
        bar
    }

    /// Whether this run prints in colour (a terminal, no `NO_COLOR`).
    pub fn colored(&self) -> bool {
        self.color
    }

    pub fn red(&self, s: &str) -> String {
        self.paint("31", s)
    }

    pub fn green(&self, s: &str) -> String {
        self.paint("32", s)
    }

    pub fn yellow(&self, s: &str) -> String {
        self.paint("33", s)
    }

    fn paint(&self, code: &str, s: &str) -> String {
        if self.color {
            format!("\x1b[{code}m{s}\x1b[0m")
        } else {
            s.to_string()
        }
    }
}

/// Set once stdout's reader has gone (`kmirror ... | head`): nothing more
/// is written there, and the command ends as it would have.
static STDOUT_CLOSED: AtomicBool = AtomicBool::new(false);

/// Writes to stdout. A reader that has gone is not an error: what it did
/// not read was not wanted, and the command's exit code stays its own.
fn stdout(bytes: &[u8]) -> Result<(), CliError> {
    if STDOUT_CLOSED.load(Ordering::Relaxed) {
        return Ok(());
    }
    let mut out = std::io::stdout().lock();
    match out.write_all(bytes).and_then(|_| out.flush()) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => {
            STDOUT_CLOSED.store(true, Ordering::Relaxed);
            Ok(())
        }
        Err(e) => Err(CliError::Output(e.to_string())),
    }
}

/// Writes a line to stderr; a closed stderr is ignored (there is nowhere
/// left to say so).
fn stderr(line: &str) {
    let mut err = std::io::stderr().lock();
    let _ = writeln!(err, "{line}");
}

/// A table: a header row and aligned columns (the last one unpadded).
pub fn table(headers: &[&str], rows: &[Vec<String>]) -> String {
    let mut widths: Vec<usize> = headers.iter().map(|h| h.chars().count()).collect();
    for row in rows {
        for (i, cell) in row.iter().enumerate() {
            if let Some(w) = widths.get_mut(i) {
                *w = (*w).max(visible_len(cell));
            }
        }
    }
    let line = |cells: Vec<&str>| {
        let last = cells.len().saturating_sub(1);
        let mut out = String::new();
        for (i, cell) in cells.into_iter().enumerate() {
            out.push_str(cell);
            if i < last {
                let pad = widths[i] - visible_len(cell) + 2;
                out.push_str(&" ".repeat(pad));
            }
        }
        out.trim_end().to_string()
    };
    let mut out = vec![line(headers.to_vec())];
    for row in rows {
        out.push(line(row.iter().map(String::as_str).collect()));
    }
    out.join("\n") + "\n"
}

/// Characters a terminal shows (colour codes take no room).
fn visible_len(s: &str) -> usize {
    let mut n = 0;
    let mut in_escape = false;
    for c in s.chars() {
        match (in_escape, c) {
            (false, '\x1b') => in_escape = true,
            (true, 'm') => in_escape = false,
            (true, _) => {}
            (false, _) => n += 1,
        }
    }
    n
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_line_up_whatever_the_colour() {
        let t = table(
            &["TOPIC", "STATUS"],
            &[
                vec!["orders".into(), "\x1b[32mACTIVE\x1b[0m".into()],
                vec!["a".into(), "STOPPED".into()],
            ],
        );
        assert_eq!(
            t,
            "TOPIC   STATUS\norders  \x1b[32mACTIVE\x1b[0m\na       STOPPED\n"
        );
    }
}
