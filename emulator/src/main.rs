//! `kafka-mirror-emulator`: the emulator of both services, standalone.
//!
//! `kafka-mirror-emulator --help` lists the flags, which
//! `kafka_mirror_emulator::EmulatorFlags` declares once for this binary
//! and `kmirror emulator`.
//!
//! Listens on 127.0.0.1, port 8090 by default (Confluent Platform's REST
//! port). Credentials: `emulator-key` / `emulator-secret`. Without `--seed`,
//! seeded with a link `primary-to-dr` from cluster `lkc-primary` on cluster
//! `lkc-dr`, mirroring the topics `orders`, `payments` and `inventory`.
//! Ctrl-C stops it. Bad arguments print the usage and exit with 2.
#![allow(rustdoc::invalid_html_tags)]

use std::process::ExitCode;

use clap::Parser;
use kafka_mirror_emulator::{EmulatorBuilder, EmulatorFlags};

/// The emulator of Confluent Cloud Cluster Linking and Instaclustr Kafka
/// Connect mirrors, on this machine.
///
/// Credentials: emulator-key / emulator-secret. Outages: POST
/// /emulator/v1/clusters/{cluster_id}/outage, DELETE the same to recover.
/// Ctrl-C stops it.
#[derive(Parser)]
#[command(name = "kafka-mirror-emulator", version)]
struct Cli {
    #[command(flatten)]
    flags: EmulatorFlags,
}

#[tokio::main]
async fn main() -> ExitCode {
    // Bad flags: clap prints the usage and exits with 2.
    let flags = Cli::parse().flags;
    let builder = match flags.builder() {
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
                flags.port
            );
            ExitCode::FAILURE
        }
    }
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
