//! The emulator's command-line flags, declared once (clap) and used by both
//! programs that start it: this package's `kafka-mirror-emulator` binary
//! and `kmirror emulator`. Feature `cli` (on by default).

use std::path::PathBuf;
use std::time::Duration;

use crate::{Emulator, EmulatorBuilder, SeedFile};

/// How to start the emulator from a command line.
#[derive(Debug, Clone, PartialEq, clap::Args)]
pub struct EmulatorFlags {
    /// Listen on 127.0.0.1:PORT (0: any free port).
    #[arg(long, short = 'p', default_value_t = 8090)]
    pub port: u16,
    /// Start with the links, mirrors and outages of this JSON file
    /// (default: link primary-to-dr on lkc-dr, mirroring orders, payments
    /// and inventory).
    #[arg(long = "seed", value_name = "FILE")]
    pub seed_file: Option<PathBuf>,
    /// Items per page of every list (default 50).
    #[arg(long, value_name = "N", value_parser = positive)]
    pub page_size: Option<usize>,
    /// How long PENDING_STOPPED lasts after a promote (default 2s).
    #[arg(long, value_name = "DURATION", value_parser = duration)]
    pub promote_delay: Option<Duration>,
    /// Accept requests without credentials.
    #[arg(long)]
    pub no_auth: bool,
    /// Answer 429 above N requests in any sliding second.
    #[arg(long, value_name = "N", value_parser = positive)]
    pub rate_limit: Option<usize>,
    /// Answer this fraction (0 to 1) of requests 500 with error_code 50003.
    #[arg(long, value_name = "FRACTION", value_parser = fraction)]
    pub retriable_errors: Option<f64>,
    /// Delay every answer (500ms, 1s...).
    #[arg(long, value_name = "DURATION", value_parser = duration)]
    pub latency: Option<Duration>,
    /// Close the connection of this fraction of requests, unanswered,
    /// before applying them.
    #[arg(long, value_name = "FRACTION", value_parser = fraction)]
    pub connection_resets: Option<f64>,
    /// Apply this fraction of requests, then close the connection
    /// unanswered (the change is made, the answer is lost).
    #[arg(long, value_name = "FRACTION", value_parser = fraction)]
    pub lost_answers: Option<f64>,
    /// Seed of the fault injector, so a faulty run repeats (default 1).
    #[arg(long, value_name = "N")]
    pub fault_seed: Option<u64>,
}

impl EmulatorFlags {
    /// The builder these flags describe.
    ///
    /// # Errors
    ///
    /// The seed file cannot be read or is not a seed file (the message
    /// names it).
    pub fn builder(&self) -> Result<EmulatorBuilder, String> {
        let mut b = Emulator::builder().port(self.port);
        b = match &self.seed_file {
            Some(path) => b.seed_file(&SeedFile::read(path)?),
            None => b.standard_fixtures(),
        };
        if let Some(n) = self.page_size {
            b = b.page_size(n);
        }
        if let Some(d) = self.promote_delay {
            b = b.promote_delay(d);
        }
        if self.no_auth {
            b = b.no_auth();
        }
        if let Some(n) = self.rate_limit {
            b = b.rate_limit(n);
        }
        if let Some(f) = self.retriable_errors {
            b = b.retriable_errors(f);
        }
        if let Some(d) = self.latency {
            b = b.latency(d);
        }
        if let Some(f) = self.connection_resets {
            b = b.connection_resets(f);
        }
        if let Some(f) = self.lost_answers {
            b = b.lost_answers(f);
        }
        if let Some(s) = self.fault_seed {
            b = b.fault_seed(s);
        }
        Ok(b)
    }
}

fn fraction(v: &str) -> Result<f64, String> {
    v.parse::<f64>()
        .ok()
        .filter(|f| (0.0..=1.0).contains(f))
        .ok_or_else(|| format!("a fraction from 0 to 1, not `{v}`"))
}

fn positive(v: &str) -> Result<usize, String> {
    v.parse::<usize>()
        .ok()
        .filter(|n| *n > 0)
        .ok_or_else(|| format!("a whole number above 0, not `{v}`"))
}

/// `500ms`, `3s`, `1m`, or a number of seconds.
fn duration(v: &str) -> Result<Duration, String> {
    let bad = || format!("a duration such as 500ms, 3s or 1m, not `{v}`");
    if let Ok(secs) = v.parse::<u64>() {
        return Ok(Duration::from_secs(secs));
    }
    let (number, unit) = v
        .find(|c: char| !c.is_ascii_digit())
        .map(|i| v.split_at(i))
        .ok_or_else(bad)?;
    let n: u64 = number.parse().map_err(|_| bad())?;
    match unit {
        "ms" => Ok(Duration::from_millis(n)),
        "s" => Ok(Duration::from_secs(n)),
        "m" => Ok(Duration::from_secs(n * 60)),
        _ => Err(bad()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    #[derive(Parser)]
    struct Cli {
        #[command(flatten)]
        flags: EmulatorFlags,
    }

    fn parse(args: &[&str]) -> Result<EmulatorFlags, String> {
        Cli::try_parse_from(std::iter::once("emulator").chain(args.iter().copied()))
            .map(|c| c.flags)
            .map_err(|e| e.to_string())
    }

    #[test]
    fn the_port_defaults_to_8090_and_flags_are_read() {
        assert_eq!(parse(&[]).unwrap().port, 8090);
        let o = parse(&[
            "--port",
            "9000",
            "--page-size=2",
            "--promote-delay",
            "500ms",
            "--rate-limit",
            "35",
            "--retriable-errors",
            "0.1",
            "--latency",
            "1s",
            "--no-auth",
            "--seed",
            "s.json",
            "--connection-resets",
            "0.02",
            "--lost-answers",
            "0.1",
            "--fault-seed",
            "7",
        ])
        .unwrap();
        assert_eq!(o.port, 9000);
        assert_eq!(o.page_size, Some(2));
        assert_eq!(o.promote_delay, Some(Duration::from_millis(500)));
        assert_eq!(o.rate_limit, Some(35));
        assert_eq!(o.retriable_errors, Some(0.1));
        assert_eq!(o.latency, Some(Duration::from_secs(1)));
        assert!(o.no_auth);
        assert_eq!(o.seed_file, Some("s.json".into()));
        assert_eq!(o.connection_resets, Some(0.02));
        assert_eq!(o.lost_answers, Some(0.1));
        assert_eq!(o.fault_seed, Some(7));
        assert_eq!(
            parse(&["--promote-delay", "3"]).unwrap().promote_delay,
            Some(Duration::from_secs(3))
        );
    }

    #[test]
    fn bad_arguments_are_refused_with_a_reason() {
        let e = |a: &[&str]| parse(a).unwrap_err();
        assert!(e(&["--port"]).contains("a value is required"));
        assert!(e(&["--port", "http"]).contains("http"));
        assert!(e(&["8090"]).contains("unexpected argument"));
        assert!(e(&["--page-size", "0"]).contains("above 0"));
        assert!(e(&["--retriable-errors", "2"]).contains("from 0 to 1"));
        assert!(e(&["--latency", "fast"]).contains("such as 500ms"));
        assert!(e(&["--promote-delay", "3h"]).contains("such as 500ms"));
    }

    #[test]
    fn a_bad_seed_file_names_itself() {
        let o = parse(&["--seed", "/nonexistent/seed.json"]).unwrap();
        let message = o.builder().err().unwrap();
        assert!(message.contains("/nonexistent/seed.json"), "{message}");
    }
}
