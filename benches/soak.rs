//! Benchmark: the retry budget under stress, against a local fault server.
//!
//! `cargo bench --bench soak`
//!
//! Default retry policy except base delay 1 ms and max delay 10 ms, one
//! client shared by 50 tasks:
//!
//! 1. faults on 42% of attempts (30% HTTP 429 with Confluent's HTML page,
//!    10% 500 with `error_code` 50003, 2% connection closed after the request
//!    was read): of 10,000 GETs >= 99% succeed, with <= 2.0 server hits per
//!    call;
//! 2. a dead service (every answer 503 with an HTML body): after the first
//!    100 calls, <= 1.1 server hits per call;
//! 3. POSTs under the faults of 1: no request is sent again after a
//!    connection closed once it was read (0 replays).
//!
//! Prints the figures and exits non-zero when a target is missed.

mod common;

use std::collections::HashSet;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use http_body_util::BodyExt;
use kafka_mirror::confluent::Client;
use kafka_mirror::confluent::types::AlterMirrorsRequestData;
use kafka_mirror::retry::RetryPolicy;

const TASKS: usize = 50;
const GETS: usize = 10_000;
const POSTS: usize = 2_000;

const HTML_429: &str = "<html><head><title>Error 429 Too Many Requests</title></head><body><h2>HTTP ERROR 429</h2></body></html>";
const HTML_503: &str =
    "<html><head><title>503 Service Unavailable</title></head><body>upstream down</body></html>";
const LINKS: &str = r#"{"kind":"KafkaLinkDataList","metadata":{"self":"x","next":null},"data":[]}"#;

/// What the fault server does.
struct Server {
    hits: AtomicU64,
    dead: AtomicBool,
    rng: Mutex<fastrand::Rng>,
    /// POST bodies whose connection was closed after they were read.
    reset_bodies: Mutex<HashSet<Vec<u8>>>,
    replays: AtomicU64,
}

enum Fault {
    None,
    Throttle,
    Retriable,
    Reset,
    Dead,
}

impl Server {
    fn pick(&self) -> Fault {
        if self.dead.load(Ordering::Relaxed) {
            return Fault::Dead;
        }
        let roll = self.rng.lock().unwrap().f64();
        match roll {
            r if r < 0.30 => Fault::Throttle,
            r if r < 0.40 => Fault::Retriable,
            r if r < 0.42 => Fault::Reset,
            _ => Fault::None,
        }
    }
}

fn answer(
    status: u16,
    content_type: &str,
    body: &str,
) -> hyper::Response<http_body_util::Full<bytes::Bytes>> {
    hyper::Response::builder()
        .status(status)
        .header("content-type", content_type)
        .body(http_body_util::Full::new(bytes::Bytes::from(
            body.to_string(),
        )))
        .unwrap()
}

async fn handle(
    server: Arc<Server>,
    request: hyper::Request<hyper::body::Incoming>,
) -> Result<hyper::Response<http_body_util::Full<bytes::Bytes>>, std::io::Error> {
    server.hits.fetch_add(1, Ordering::Relaxed);
    let post = request.method() == hyper::Method::POST;
    let body = request
        .into_body()
        .collect()
        .await
        .map(|b| b.to_bytes().to_vec())
        .unwrap_or_default();
    if post && server.reset_bodies.lock().unwrap().contains(&body) {
        server.replays.fetch_add(1, Ordering::Relaxed);
    }
    Ok(match server.pick() {
        Fault::Dead => answer(503, "text/html", HTML_503),
        Fault::Throttle => answer(429, "text/html", HTML_429),
        Fault::Retriable => answer(
            500,
            "application/json",
            r#"{"error_code":50003,"message":"This server is not the leader for that topic-partition."}"#,
        ),
        Fault::Reset => {
            if post {
                server.reset_bodies.lock().unwrap().insert(body);
            }
            // The request was read; the connection closes with no answer.
            return Err(std::io::Error::new(
                std::io::ErrorKind::ConnectionReset,
                "reset",
            ));
        }
        Fault::None if post => answer(
            200,
            "application/json",
            r#"{"kind":"KafkaAlterMirrorsDataList","metadata":{"self":"x","next":null},"data":[]}"#,
        ),
        Fault::None => answer(200, "application/json", LINKS),
    })
}

fn client(url: &str) -> Client {
    Client::builder(url)
        .basic_auth("key", "secret")
        // This server's 429s are drawn at random, whatever the rate: an
        // adaptive limit (the default) would rightly slow down to a crawl,
        // and this benchmark measures the retry budget, not the rate limit
        // (`benches/adaptive_rate.rs` does).
        .no_rate_limit()
        .retry(
            RetryPolicy::default()
                .base_delay(Duration::from_millis(1))
                .max_delay(Duration::from_millis(10)),
        )
        .build()
        .unwrap()
}

/// Runs `calls` calls from `TASKS` tasks; returns how many succeeded.
async fn run<F, Fut>(calls: usize, call: F) -> usize
where
    F: Fn(usize) -> Fut + Send + Sync + 'static,
    Fut: std::future::Future<Output = bool> + Send,
{
    let call = Arc::new(call);
    let next = Arc::new(AtomicU64::new(0));
    let mut tasks = Vec::new();
    for _ in 0..TASKS {
        let (call, next) = (call.clone(), next.clone());
        tasks.push(tokio::spawn(async move {
            let mut ok = 0;
            loop {
                let n = next.fetch_add(1, Ordering::Relaxed) as usize;
                if n >= calls {
                    return ok;
                }
                if call(n).await {
                    ok += 1;
                }
            }
        }));
    }
    let mut ok = 0;
    for t in tasks {
        ok += t.await.unwrap();
    }
    ok
}

#[tokio::main]
async fn main() {
    let server = Arc::new(Server {
        hits: AtomicU64::new(0),
        dead: AtomicBool::new(false),
        rng: Mutex::new(fastrand::Rng::with_seed(42)),
        reset_bodies: Mutex::new(HashSet::new()),
        replays: AtomicU64::new(0),
    });
    let url = common::start(server.clone(), handle);
    let mut missed = Vec::new();

    // 1. GETs under 42% faulty attempts.
    let c = client(&url);
    let started = Instant::now();
    let ok = run(GETS, move |_| {
        let c = c.clone();
        async move { c.list_links().cluster_id("c").send().await.is_ok() }
    })
    .await;
    let hits = server.hits.swap(0, Ordering::Relaxed);
    let success = ok as f64 / GETS as f64;
    let per_call = hits as f64 / GETS as f64;
    println!(
        "faulty (42%): {ok}/{GETS} GETs succeeded ({:.2}%), {hits} server hits ({per_call:.2} per call), {:.1} s",
        success * 100.0,
        started.elapsed().as_secs_f64()
    );
    if success < 0.99 {
        missed.push(format!("success {:.2}% < 99%", success * 100.0));
    }
    if per_call > 2.0 {
        missed.push(format!("hits per call {per_call:.2} > 2.0"));
    }

    // 2. A dead service, on a fresh client (a fresh budget).
    server.dead.store(true, Ordering::Relaxed);
    let c = client(&url);
    let first = c.clone();
    run(100, move |_| {
        let c = first.clone();
        async move { c.list_links().cluster_id("c").send().await.is_ok() }
    })
    .await;
    let warmup = server.hits.swap(0, Ordering::Relaxed);
    let later = 1_000;
    run(later, move |_| {
        let c = c.clone();
        async move { c.list_links().cluster_id("c").send().await.is_ok() }
    })
    .await;
    let hits = server.hits.swap(0, Ordering::Relaxed);
    let per_call = hits as f64 / later as f64;
    println!(
        "dead service: first 100 calls {warmup} hits; next {later} calls {hits} hits ({per_call:.2} per call)"
    );
    if per_call > 1.1 {
        missed.push(format!("dead service: hits per call {per_call:.2} > 1.1"));
    }
    server.dead.store(false, Ordering::Relaxed);

    // 3. POSTs under the same faults: nothing sent again after a reset.
    let c = client(&url);
    let ok = run(POSTS, move |n| {
        let c = c.clone();
        async move {
            c.pause_mirror_topics()
                .cluster_id("c")
                .link_name("l")
                .body(AlterMirrorsRequestData {
                    mirror_topic_names: vec![format!("topic-{n}")],
                    mirror_topic_name_pattern: None,
                })
                .send()
                .await
                .is_ok()
        }
    })
    .await;
    let resets = server.reset_bodies.lock().unwrap().len();
    let replays = server.replays.load(Ordering::Relaxed);
    println!("POSTs: {ok}/{POSTS} succeeded; {resets} closed after being read; {replays} replays");
    if replays > 0 {
        missed.push(format!("{replays} POSTs sent again after a reset"));
    }

    if missed.is_empty() {
        println!("soak: all targets met");
    } else {
        println!("soak: MISSED: {}", missed.join("; "));
        std::process::exit(1);
    }
}
