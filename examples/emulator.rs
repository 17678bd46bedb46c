//! Runs the emulator of both services standalone.
//!
//! `cargo run --example emulator --features emulator -- [PORT]`
//! (default port 8090, Confluent Platform's REST port). Credentials:
//! `emulator-key` / `emulator-secret`. Seeded with a link `primary-to-dr`
//! on cluster `lkc-dr` mirroring three topics. Ctrl-C stops it.

use kafka_mirror::emulator::Emulator;

#[tokio::main]
async fn main() -> std::io::Result<()> {
    let port = std::env::args()
        .nth(1)
        .map(|p| p.parse().expect("PORT is a number"))
        .unwrap_or(8090);
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
