//! Per-call overhead of `send()` against a plain reqwest client.
//!
//! `cargo bench --bench overhead`
//!
//! One small GET (a link, about 100 bytes of JSON) on loopback, timed per
//! call in interleaved rounds of four:
//!
//! - **plain**: `reqwest::Client::builder().build()` with nothing set, the
//!   answer read and decoded into the same type: what a user who writes
//!   their own calls pays;
//! - **configured**: the same with the SDK's client settings (its TLS setup,
//!   30 s and 10 s timeouts, no redirects, its user agent), so the
//!   difference from `plain` is what those settings cost inside reqwest;
//! - **sdk**: `get_link().send()` on the SDK's default client;
//! - **sdk on plain**: the same call on an SDK client built around the plain
//!   reqwest client (`.http_client(..)`), so the difference from `plain` is
//!   the SDK's own layer alone (checks, credentials, retry loop, error
//!   record, decoding).
//!
//! Medians of 5,000 calls each after 500 to warm up; the target is the
//! SDK's layer at most 4 µs a call over plain reqwest (`sdk` - `plain`).
//! The server runs in a child process (this binary again); the client runs
//! on one thread.

mod common;

use std::time::{Duration, Instant};

use axum::Router;
use axum::routing::get;
use kafka_mirror::confluent::types::ListLinksResponseData;

/// The target: microseconds a call over plain reqwest.
const TARGET_US: f64 = 4.0;
const WARMUP: usize = 500;
const CALLS: usize = 5_000;

async fn link() -> &'static str {
    r#"{"kind":"KafkaLinkData","metadata":{"self":"x"},"link_name":"dr","cluster_link_id":"id","topic_names":[]}"#
}

async fn serve() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    println!("http://{}", listener.local_addr().unwrap());
    let app = Router::new().route("/kafka/v3/clusters/{cluster}/links/{link}", get(link));
    axum::serve(listener, app).await.unwrap();
}

async fn raw(http: &reqwest::Client, url: &str) -> ListLinksResponseData {
    serde_json::from_slice(&common::raw_get(http, url).await).unwrap()
}

async fn sdk(c: &kafka_mirror::confluent::Client) -> ListLinksResponseData {
    c.get_link()
        .cluster_id("c")
        .link_name("dr")
        .send()
        .await
        .unwrap()
        .into_inner()
}

fn median(mut v: Vec<Duration>) -> f64 {
    v.sort();
    v[v.len() / 2].as_secs_f64() * 1e6
}

async fn client_main() {
    let (mut server, url) = common::child_server("OVERHEAD_BENCH_SERVER");
    let plain = reqwest::Client::builder().build().unwrap();
    let configured = kafka_mirror::client::http_client_builder()
        .unwrap()
        .timeout(kafka_mirror::client::DEFAULT_TIMEOUT)
        .connect_timeout(kafka_mirror::client::DEFAULT_CONNECT_TIMEOUT)
        .build()
        .unwrap();
    let sdk_default = kafka_mirror::confluent::Client::builder(&url)
        .basic_auth("k", "s")
        .build()
        .unwrap();
    let sdk_plain = kafka_mirror::confluent::Client::builder(&url)
        .basic_auth("k", "s")
        .http_client(plain.clone())
        .build()
        .unwrap();
    let link_url = format!("{url}/kafka/v3/clusters/c/links/dr");
    // One kind of call only, for a profiler (callgrind counts instructions
    // per function): OVERHEAD_PROFILE=plain|sdk|sdk-plain.
    if let Ok(kind) = std::env::var("OVERHEAD_PROFILE") {
        for _ in 0..2_000 {
            match kind.as_str() {
                "plain" => drop(std::hint::black_box(raw(&plain, &link_url).await)),
                "sdk" => drop(std::hint::black_box(sdk(&sdk_default).await)),
                _ => drop(std::hint::black_box(sdk(&sdk_plain).await)),
            }
        }
        let _ = server.kill();
        return;
    }
    let mut t: [Vec<Duration>; 4] = Default::default();
    for i in 0..WARMUP + CALLS {
        let mut took = [Duration::ZERO; 4];
        let s = Instant::now();
        std::hint::black_box(raw(&plain, &link_url).await);
        took[0] = s.elapsed();
        let s = Instant::now();
        std::hint::black_box(raw(&configured, &link_url).await);
        took[1] = s.elapsed();
        let s = Instant::now();
        std::hint::black_box(sdk(&sdk_default).await);
        took[2] = s.elapsed();
        let s = Instant::now();
        std::hint::black_box(sdk(&sdk_plain).await);
        took[3] = s.elapsed();
        if i >= WARMUP {
            for (all, one) in t.iter_mut().zip(took) {
                all.push(one);
            }
        }
    }
    // The same difference, call by call within each round: the rounds run
    // back to back, so a slow stretch of the machine slows both sides.
    let paired_us = {
        let mut d: Vec<f64> = t[2]
            .iter()
            .zip(&t[0])
            .map(|(sdk, plain)| sdk.as_secs_f64() * 1e6 - plain.as_secs_f64() * 1e6)
            .collect();
        d.sort_by(f64::total_cmp);
        d[d.len() / 2]
    };
    let [plain_us, configured_us, sdk_us, sdk_plain_us] = t.map(median);
    println!("overhead: medians of {CALLS} calls, µs per call");
    // Every layer of a call moves this much when it is created and awaited.
    let call = sdk_default
        .get_link()
        .cluster_id("c")
        .link_name("dr")
        .send();
    println!(
        "overhead:   (a send() future is {} bytes)",
        std::mem::size_of_val(&call)
    );
    drop(call);
    println!("overhead:   plain reqwest              {plain_us:7.1}");
    println!(
        "overhead:   reqwest, SDK's settings    {configured_us:7.1}  ({:+.1})",
        configured_us - plain_us
    );
    println!(
        "overhead:   SDK send()                 {sdk_us:7.1}  ({:+.1}, ratio {:.3})",
        sdk_us - plain_us,
        sdk_us / plain_us
    );
    println!(
        "overhead:   SDK send() on plain        {sdk_plain_us:7.1}  ({:+.1})",
        sdk_plain_us - plain_us
    );
    println!("overhead:   SDK send() - plain, median of the rounds' differences {paired_us:+.1}");
    let over = sdk_us - plain_us;
    let ok = over <= TARGET_US;
    println!(
        "overhead: SDK send() over plain reqwest: {over:.1} µs (target {TARGET_US} µs): {}",
        if ok { "PASS" } else { "FAIL" }
    );
    let _ = server.kill();
    if !ok {
        std::process::exit(1);
    }
}

fn main() {
    common::server_or_client("OVERHEAD_BENCH_SERVER", serve, client_main);
}
