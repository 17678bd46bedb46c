//! SIGINT and SIGTERM during a runbook or `mirror ACTION`: the first one
//! asks the runbook to stop (no further action is sent, the partial report
//! is printed with the line that resumes it); a second Ctrl-C exits at once.

use std::future::Future;

use tokio::sync::watch;

/// The signal that interrupted a command.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Signal {
    Int,
    Term,
}

impl Signal {
    /// 128 + the signal's number, as shells report it.
    pub fn exit_code(self) -> u8 {
        match self {
            Signal::Int => 130,
            Signal::Term => 143,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Signal::Int => "SIGINT",
            Signal::Term => "SIGTERM",
        }
    }
}

/// Listens for SIGINT and SIGTERM from its creation on.
pub struct Interrupts {
    received: watch::Receiver<Option<Signal>>,
}

impl Interrupts {
    /// Starts listening (on the current runtime).
    pub fn install() -> std::io::Result<Self> {
        let (tx, rx) = watch::channel(None);
        #[cfg(unix)]
        {
            use tokio::signal::unix::{SignalKind, signal};
            let mut int = signal(SignalKind::interrupt())?;
            let mut term = signal(SignalKind::terminate())?;
            tokio::spawn(async move {
                loop {
                    let got = tokio::select! {
                        Some(()) = int.recv() => Signal::Int,
                        Some(()) = term.recv() => Signal::Term,
                        else => return,
                    };
                    if tx.borrow().is_some() {
                        // The second one: the operator wants out now.
                        eprintln!("\n{}: exiting at once.", got.name());
                        std::process::exit(got.exit_code().into());
                    }
                    eprintln!(
                        "\n{}: no further action will be sent; finishing the report (again to exit at once).",
                        got.name()
                    );
                    let _ = tx.send(Some(got));
                }
            });
        }
        #[cfg(not(unix))]
        tokio::spawn(async move {
            while tokio::signal::ctrl_c().await.is_ok() {
                if tx.borrow().is_some() {
                    std::process::exit(130);
                }
                let _ = tx.send(Some(Signal::Int));
            }
        });
        Ok(Self { received: rx })
    }

    /// Completes when the first signal arrives.
    pub fn signal(&self) -> impl Future<Output = ()> + Send + 'static {
        let mut rx = self.received.clone();
        async move {
            let _ = rx.wait_for(Option::is_some).await;
        }
    }

    /// The signal received, if any.
    pub fn received(&self) -> Option<Signal> {
        *self.received.borrow()
    }
}

/// The command line that was run, to run it again: values of flags that
/// name a secret are left out (they come from the environment or the
/// config file when run again), and each word is quoted for a POSIX shell
/// when it needs to be.
pub fn command_line() -> String {
    let mut words = Vec::new();
    let secret: Vec<String> = crate::args::connection_settings()
        .into_iter()
        .filter(|s| s.secret)
        .map(|s| s.flag)
        .collect();
    let mut args = std::env::args().skip(1);
    words.push("kmirror".to_string());
    while let Some(arg) = args.next() {
        let (flag, inline) = match arg.split_once('=') {
            Some((f, v)) if f.starts_with("--") => (f.to_string(), Some(v.to_string())),
            _ => (arg.clone(), None),
        };
        if secret.contains(&flag) {
            if inline.is_none() {
                args.next();
            }
            continue;
        }
        words.push(quote(&arg));
    }
    words.join(" ")
}

fn quote(word: &str) -> String {
    let plain = !word.is_empty()
        && word
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./=:,@%+".contains(c));
    if plain {
        word.to_string()
    } else {
        format!("'{}'", word.replace('\'', r"'\''"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_are_quoted_only_when_a_shell_needs_it() {
        assert_eq!(quote("--link"), "--link");
        assert_eq!(quote("^orders\\..*"), "'^orders\\..*'");
        assert_eq!(quote("it's"), r"'it'\''s'");
        assert_eq!(quote(""), "''");
    }
}
