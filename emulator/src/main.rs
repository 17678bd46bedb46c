//! `kafka-mirror-emulator`: the emulator of both services, standalone.
//!
//! ```text
//! kafka-mirror-emulator [--port PORT]
//! ```
//!
//! Listens on 127.0.0.1, port 8090 by default (Confluent Platform's REST
//! port). Credentials: `emulator-key` / `emulator-secret`. Seeded with a link
//! `primary-to-dr` from cluster `lkc-primary` on cluster `lkc-dr`, mirroring
//! the topics `orders`, `payments` and `inventory`. Ctrl-C stops it.

use std::process::ExitCode;

use kafka_mirror_emulator::Emulator;

const USAGE: &str = "usage: kafka-mirror-emulator [--port PORT]   (default port 8090)";

#[tokio::main]
async fn main() -> ExitCode {
    let port = match parse_port(std::env::args().skip(1)) {
        Ok(port) => port,
        Err(message) => {
            eprintln!("{message}\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    match run(port).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("kafka-mirror-emulator: cannot serve on port {port}: {e}");
            ExitCode::FAILURE
        }
    }
}

fn parse_port(mut args: impl Iterator<Item = String>) -> Result<u16, String> {
    let mut port = 8090;
    while let Some(arg) = args.next() {
        let value = match arg.as_str() {
            "--port" | "-p" => args.next().ok_or("--port needs a value")?,
            "--help" | "-h" => {
                return Err(
                    "the emulator of Confluent Cluster Linking and Instaclustr mirrors".into(),
                );
            }
            other => match other.strip_prefix("--port=") {
                Some(v) => v.to_string(),
                None => return Err(format!("unknown argument `{other}`")),
            },
        };
        port = value
            .parse()
            .map_err(|_| format!("--port takes a number from 0 to 65535, not `{value}`"))?;
    }
    Ok(port)
}

async fn run(port: u16) -> std::io::Result<()> {
    let emulator = Emulator::builder()
        .port(port)
        .link("lkc-dr", "primary-to-dr", "lkc-primary")
        .mirror("lkc-dr", "primary-to-dr", "orders", &[0, 1_200, 300])
        .mirror("lkc-dr", "primary-to-dr", "payments", &[50, 0])
        .mirror("lkc-dr", "primary-to-dr", "inventory", &[0])
        .start()
        .await?;
    let (user, secret) = emulator.credentials().unwrap_or(("", ""));
    println!(
        "Confluent Cluster Linking and Instaclustr mirrors emulator on {}",
        emulator.base_url()
    );
    println!("credentials: {user} / {secret}");
    println!(
        "try: curl -u {user}:{secret} {}/kafka/v3/clusters/lkc-dr/links/-/mirrors",
        emulator.base_url()
    );
    tokio::signal::ctrl_c().await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::parse_port;

    fn args(a: &[&str]) -> impl Iterator<Item = String> {
        a.iter()
            .map(|s| s.to_string())
            .collect::<Vec<_>>()
            .into_iter()
    }

    #[test]
    fn the_port_defaults_to_8090_and_is_read_from_the_flag() {
        assert_eq!(parse_port(args(&[])), Ok(8090));
        assert_eq!(parse_port(args(&["--port", "9000"])), Ok(9000));
        assert_eq!(parse_port(args(&["--port=0"])), Ok(0));
    }

    #[test]
    fn bad_arguments_are_refused_with_a_reason() {
        assert!(
            parse_port(args(&["--port"]))
                .unwrap_err()
                .contains("needs a value")
        );
        assert!(
            parse_port(args(&["--port", "http"]))
                .unwrap_err()
                .contains("not `http`")
        );
        assert!(
            parse_port(args(&["8090"]))
                .unwrap_err()
                .contains("unknown argument")
        );
    }
}
