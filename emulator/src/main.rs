//! `kafka-mirror-emulator`: the emulator of both services, standalone.
//!
//! ```text
//! kafka-mirror-emulator [--port PORT] [--seed FILE] [--page-size N]
//!                       [--promote-delay DURATION] [--no-auth]
//!                       [--rate-limit N] [--retriable-errors FRACTION]
//!                       [--latency DURATION] [--connection-resets FRACTION]
//!                       [--lost-answers FRACTION] [--fault-seed N]
//! ```
//!
//! Listens on 127.0.0.1, port 8090 by default (Confluent Platform's REST
//! port). Credentials: `emulator-key` / `emulator-secret`. Without `--seed`,
//! seeded with a link `primary-to-dr` from cluster `lkc-primary` on cluster
//! `lkc-dr`, mirroring the topics `orders`, `payments` and `inventory`.
//! Ctrl-C stops it. Bad arguments print the usage and exit with 2.

use std::process::ExitCode;
use std::time::Duration;

use kafka_mirror_emulator::{Emulator, EmulatorBuilder, SeedFile};

const USAGE: &str = "\
usage: kafka-mirror-emulator [options]

  --port PORT                 listen on 127.0.0.1:PORT (default 8090; 0: any free port)
  --seed FILE                 start with the links, mirrors and outages of this JSON file
                              (default: link primary-to-dr on lkc-dr, topics orders, payments, inventory)
  --page-size N               items per page of every list (default 50)
  --promote-delay DURATION    how long PENDING_STOPPED lasts after a promote (default 2s)
  --no-auth                   accept requests without credentials
  --rate-limit N              answer 429 above N requests in any sliding second
  --retriable-errors FRACTION answer this fraction (0 to 1) of requests 500 with error_code 50003
  --latency DURATION          delay every answer
  --connection-resets FRACTION close the connection of this fraction of requests before applying them
  --lost-answers FRACTION     apply this fraction of requests, then close the connection unanswered
  --fault-seed N              seed of the fault injector (default 1)
  -h, --help                  this text

DURATION: a number with ms, s or m (500ms, 3s, 1m).
Outages: POST /emulator/v1/clusters/{cluster_id}/outage, DELETE the same to recover.";

#[derive(Debug, PartialEq)]
struct Options {
    port: u16,
    seed: Option<std::path::PathBuf>,
    page_size: Option<usize>,
    promote_delay: Option<Duration>,
    no_auth: bool,
    rate_limit: Option<usize>,
    retriable_errors: Option<f64>,
    connection_resets: Option<f64>,
    lost_answers: Option<f64>,
    latency: Option<Duration>,
    fault_seed: Option<u64>,
}

enum Parsed {
    Run(Options),
    Help,
}

#[tokio::main]
async fn main() -> ExitCode {
    let options = match parse(std::env::args().skip(1)) {
        Ok(Parsed::Run(options)) => options,
        Ok(Parsed::Help) => {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Err(message) => {
            eprintln!("kafka-mirror-emulator: {message}\n\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    let builder = match configure(&options) {
        Ok(b) => b,
        Err(message) => {
            eprintln!("kafka-mirror-emulator: {message}");
            return ExitCode::from(2);
        }
    };
    match run(builder).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            let why = if e.kind() == std::io::ErrorKind::AddrInUse {
                "the port is already in use".to_string()
            } else {
                e.to_string()
            };
            eprintln!(
                "kafka-mirror-emulator: cannot listen on 127.0.0.1:{}: {why}",
                options.port
            );
            ExitCode::FAILURE
        }
    }
}

fn parse(mut args: impl Iterator<Item = String>) -> Result<Parsed, String> {
    let mut o = Options {
        port: 8090,
        seed: None,
        page_size: None,
        promote_delay: None,
        no_auth: false,
        rate_limit: None,
        retriable_errors: None,
        connection_resets: None,
        lost_answers: None,
        latency: None,
        fault_seed: None,
    };
    while let Some(arg) = args.next() {
        let (flag, inline) = match arg.split_once('=') {
            Some((f, v)) if f.starts_with("--") => (f.to_string(), Some(v.to_string())),
            _ => (arg.clone(), None),
        };
        let mut value = || -> Result<String, String> {
            inline
                .clone()
                .or_else(|| args.next())
                .ok_or_else(|| format!("{flag} needs a value"))
        };
        match flag.as_str() {
            "-h" | "--help" => return Ok(Parsed::Help),
            "--no-auth" => o.no_auth = true,
            "--port" | "-p" => {
                let v = value()?;
                o.port = v
                    .parse()
                    .map_err(|_| format!("--port takes a number from 0 to 65535, not `{v}`"))?;
            }
            "--seed" => o.seed = Some(value()?.into()),
            "--page-size" => o.page_size = Some(positive(&flag, &value()?)?),
            "--rate-limit" => o.rate_limit = Some(positive(&flag, &value()?)?),
            "--promote-delay" => o.promote_delay = Some(duration(&flag, &value()?)?),
            "--latency" => o.latency = Some(duration(&flag, &value()?)?),
            "--retriable-errors" => o.retriable_errors = Some(fraction(&flag, &value()?)?),
            "--connection-resets" => o.connection_resets = Some(fraction(&flag, &value()?)?),
            "--lost-answers" => o.lost_answers = Some(fraction(&flag, &value()?)?),
            "--fault-seed" => {
                let v = value()?;
                o.fault_seed = Some(
                    v.parse()
                        .map_err(|_| format!("--fault-seed takes a number, not `{v}`"))?,
                );
            }
            other => return Err(format!("unknown argument `{other}`")),
        }
    }
    Ok(Parsed::Run(o))
}

fn fraction(flag: &str, v: &str) -> Result<f64, String> {
    v.parse::<f64>()
        .ok()
        .filter(|f| (0.0..=1.0).contains(f))
        .ok_or_else(|| format!("{flag} takes a fraction from 0 to 1, not `{v}`"))
}

fn positive(flag: &str, v: &str) -> Result<usize, String> {
    v.parse::<usize>()
        .ok()
        .filter(|n| *n > 0)
        .ok_or_else(|| format!("{flag} takes a whole number above 0, not `{v}`"))
}

/// `500ms`, `3s`, `1m`.
fn duration(flag: &str, v: &str) -> Result<Duration, String> {
    let bad = || format!("{flag} takes a duration such as 500ms, 3s or 1m, not `{v}`");
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

fn configure(o: &Options) -> Result<EmulatorBuilder, String> {
    let mut b = Emulator::builder().port(o.port);
    b = match &o.seed {
        Some(path) => b.seed_file(&SeedFile::read(path)?),
        None => b.standard_seed(),
    };
    if let Some(n) = o.page_size {
        b = b.page_size(n);
    }
    if let Some(d) = o.promote_delay {
        b = b.promote_delay(d);
    }
    if o.no_auth {
        b = b.no_auth();
    }
    if let Some(n) = o.rate_limit {
        b = b.rate_limit(n);
    }
    if let Some(f) = o.retriable_errors {
        b = b.retriable_errors(f);
    }
    if let Some(f) = o.connection_resets {
        b = b.connection_resets(f);
    }
    if let Some(f) = o.lost_answers {
        b = b.lost_answers(f);
    }
    if let Some(d) = o.latency {
        b = b.latency(d);
    }
    if let Some(s) = o.fault_seed {
        b = b.seed(s);
    }
    Ok(b)
}

async fn run(builder: EmulatorBuilder) -> std::io::Result<()> {
    let emulator = builder.start().await?;
    println!(
        "Confluent Cluster Linking and Instaclustr mirrors emulator on {}",
        emulator.base_url()
    );
    match emulator.credentials() {
        Some((user, secret)) => {
            println!("credentials: {user} / {secret}");
            println!(
                "try: curl -u {user}:{secret} {}/kafka/v3/clusters/lkc-dr/links/-/mirrors",
                emulator.base_url()
            );
        }
        None => println!("no credentials needed"),
    }
    if let Some((_, pool)) = emulator.oauth_client_credentials() {
        println!(
            "OAuth (Confluent API): token URL {}, client {}, identity pool {}",
            emulator.token_url(),
            kafka_mirror_emulator::DEFAULT_OAUTH_CLIENT.0,
            pool.as_deref().unwrap_or("none")
        );
    }
    tokio::signal::ctrl_c().await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run_with(a: &[&str]) -> Result<Options, String> {
        match parse(a.iter().map(|s| s.to_string()))? {
            Parsed::Run(o) => Ok(o),
            Parsed::Help => Err("help".into()),
        }
    }

    #[test]
    fn the_port_defaults_to_8090_and_flags_are_read() {
        assert_eq!(run_with(&[]).unwrap().port, 8090);
        let o = run_with(&[
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
        ])
        .unwrap();
        assert_eq!(o.port, 9000);
        assert_eq!(o.page_size, Some(2));
        assert_eq!(o.promote_delay, Some(Duration::from_millis(500)));
        assert_eq!(o.rate_limit, Some(35));
        assert_eq!(o.retriable_errors, Some(0.1));
        assert_eq!(o.latency, Some(Duration::from_secs(1)));
        assert!(o.no_auth);
        assert_eq!(o.seed, Some("s.json".into()));
        assert_eq!(o.connection_resets, Some(0.02));
    }

    #[test]
    fn bad_arguments_are_refused_with_a_reason() {
        let e = |a: &[&str]| run_with(a).unwrap_err();
        assert!(e(&["--port"]).contains("needs a value"));
        assert!(e(&["--port", "http"]).contains("not `http`"));
        assert!(e(&["8090"]).contains("unknown argument"));
        assert!(e(&["--page-size", "0"]).contains("above 0"));
        assert!(e(&["--retriable-errors", "2"]).contains("from 0 to 1"));
        assert!(e(&["--latency", "fast"]).contains("such as 500ms"));
        assert!(e(&["--promote-delay", "3h"]).contains("such as 500ms"));
        assert_eq!(e(&["--help"]), "help");
    }

    #[test]
    fn a_bad_seed_file_names_itself() {
        let o = run_with(&["--seed", "/nonexistent/seed.json"]).unwrap();
        let message = configure(&o).err().unwrap();
        assert!(message.contains("/nonexistent/seed.json"), "{message}");
    }
}
