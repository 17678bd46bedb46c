//! Benchmark: the Confluent client's default (adaptive) rate limit against a
//! server whose limit it is not told, and which changes mid-run.
//!
//! `cargo bench --bench adaptive_rate`
//!
//! The server serves at most `limit` requests in any sliding second (the
//! requests it served; refused ones do not count) and answers the rest 429
//! with Confluent's HTML page and no `Retry-After`. One client as a user
//! gets it (default retry policy and rate limit), 50 tasks calling in a loop:
//!
//! 1. limit 20/s, the first 1,500 calls: 429s <= 2% of requests, and
//!    calls completed >= 90% of 20/s;
//! 2. the limit rises to 35/s: within 10 s the client is served >= 85% of
//!    35/s (29.75 requests in a trailing second);
//! 3. the limit falls back to 20/s: 429s settle within 3 s (no later second
//!    has more than one 429, the cost of one upward probe) and stay <= 2% of
//!    requests over the next 10 s.
//!
//! 4. three clients (each its own limiter, as three processes sharing one
//!    API key would be), 20 tasks each, share a quota of 30/s for 20 s:
//!    Jain's fairness index of their served calls >= 0.9, <= 5% of requests
//!    refused, >= 85% of the quota used.
//!
//! Prints the figures and exits non-zero when a target is missed.

mod common;

use std::collections::VecDeque;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use http_body_util::Full;
use kafka_mirror::confluent::Client;

const TASKS: usize = 50;
const CALLS: usize = 1_500;
const LOW: usize = 20;
const HIGH: usize = 35;
const RISE_WATCH: Duration = Duration::from_secs(15);
const SHARED: usize = 30;
const SHARING_CLIENTS: usize = 3;
const SHARING_TASKS: usize = 20;
const SHARING_WATCH: Duration = Duration::from_secs(20);
const FALL_WATCH: Duration = Duration::from_secs(13);

const HTML_429: &str = "<html><head><title>Error 429 Too Many Requests</title></head><body><h2>HTTP ERROR 429</h2></body></html>";
const LINKS: &str = r#"{"kind":"KafkaLinkDataList","metadata":{"self":"x","next":null},"data":[]}"#;

/// A sliding-window limit on served requests, and a log of every answer.
struct Server {
    limit: AtomicUsize,
    served: Mutex<VecDeque<Instant>>,
    /// (arrival, served?) for every request.
    log: Mutex<Vec<(Instant, bool)>>,
}

impl Server {
    fn admit(&self) -> bool {
        let now = Instant::now();
        let mut served = self.served.lock().unwrap();
        while served
            .front()
            .is_some_and(|t| now.duration_since(*t) >= Duration::from_secs(1))
        {
            served.pop_front();
        }
        let ok = served.len() < self.limit.load(Ordering::Relaxed);
        if ok {
            served.push_back(now);
        }
        self.log.lock().unwrap().push((now, ok));
        ok
    }
}

async fn handle(
    server: Arc<Server>,
    _request: hyper::Request<hyper::body::Incoming>,
) -> Result<hyper::Response<Full<bytes::Bytes>>, std::io::Error> {
    let (status, kind, body) = if server.admit() {
        (200, "application/json", LINKS)
    } else {
        (429, "text/html", HTML_429)
    };
    Ok(hyper::Response::builder()
        .status(status)
        .header("content-type", kind)
        .body(Full::new(bytes::Bytes::from_static(body.as_bytes())))
        .unwrap())
}

/// Requests and 429s whose arrival is in `[from, to)`.
fn count(log: &[(Instant, bool)], from: Instant, to: Instant) -> (usize, usize) {
    let inside = log.iter().filter(|(t, _)| *t >= from && *t < to);
    inside.fold((0, 0), |(n, refused), (_, ok)| {
        (n + 1, refused + usize::from(!ok))
    })
}

#[tokio::main]
async fn main() {
    // ADAPTIVE_RATE_SHARING_ONLY=1: part 4 alone, to repeat it.
    if std::env::var_os("ADAPTIVE_RATE_SHARING_ONLY").is_some() {
        let ok = sharing().await;
        std::process::exit(if ok { 0 } else { 1 });
    }
    let server = Arc::new(Server {
        limit: AtomicUsize::new(LOW),
        served: Mutex::new(VecDeque::new()),
        log: Mutex::new(Vec::new()),
    });
    let url = common::start(server.clone(), handle);
    let client = Client::builder(&url)
        .basic_auth("key", "secret")
        .build()
        .unwrap();

    let done = Arc::new(AtomicUsize::new(0));
    let stop = Arc::new(AtomicBool::new(false));
    let tasks: Vec<_> = (0..TASKS)
        .map(|_| {
            let (c, done, stop) = (client.clone(), done.clone(), stop.clone());
            tokio::spawn(async move {
                while !stop.load(Ordering::Relaxed) {
                    c.list_links()
                        .cluster_id("lkc-1")
                        .send()
                        .await
                        .expect("a throttled call is retried until it succeeds");
                    done.fetch_add(1, Ordering::Relaxed);
                }
            })
        })
        .collect();

    // 1. 20/s until 1,500 calls are done.
    let start_at = Instant::now();
    while done.load(Ordering::Relaxed) < CALLS {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let low_end = Instant::now();
    // 2. The limit rises.
    server.limit.store(HIGH, Ordering::Relaxed);
    tokio::time::sleep(RISE_WATCH).await;
    // 3. The limit falls.
    let fall_at = Instant::now();
    server.limit.store(LOW, Ordering::Relaxed);
    tokio::time::sleep(FALL_WATCH).await;
    stop.store(true, Ordering::Relaxed);
    for t in tasks {
        t.await.unwrap();
    }
    let log = server.log.lock().unwrap().clone();

    if std::env::var_os("ADAPTIVE_RATE_TRACE").is_some() {
        let refusals: Vec<String> = log
            .iter()
            .filter(|(_, ok)| !ok)
            .map(|(t, _)| format!("{:.2}", (*t - start_at).as_secs_f64()))
            .collect();
        println!("adaptive_rate: 429s at (s): {}", refusals.join(" "));
    }
    let low_secs = (low_end - start_at).as_secs_f64();
    let (requests, refused) = count(&log, start_at, low_end);
    let throttled_pct = refused as f64 / requests as f64 * 100.0;
    let throughput = CALLS as f64 / low_secs;
    let low_ok = throttled_pct <= 2.0 && throughput >= 0.9 * LOW as f64;
    println!(
        "adaptive_rate: limit {LOW}/s: {CALLS} calls in {low_secs:.1} s = {throughput:.1}/s ({:.1}% of {LOW}/s); {refused} 429s in {requests} requests ({throttled_pct:.2}%)",
        throughput / LOW as f64 * 100.0
    );

    // The first time after the rise that a trailing second held >= 85% of 35.
    let served: Vec<Instant> = log.iter().filter(|(_, ok)| *ok).map(|(t, _)| *t).collect();
    let target = (0.85 * HIGH as f64).ceil() as usize;
    let reached = served
        .iter()
        .enumerate()
        .filter(|(_, t)| **t >= low_end + Duration::from_secs(1))
        .find(|(i, t)| {
            let first = served.partition_point(|s| **t - Duration::from_secs(1) >= *s);
            i + 1 - first >= target
        })
        .map(|(_, t)| *t - low_end);
    let (rise_requests, rise_refused) = count(&log, low_end, fall_at);
    let rise_ok = reached.is_some_and(|d| d <= Duration::from_secs(10));
    println!(
        "adaptive_rate: limit raised to {HIGH}/s: {target} served in a trailing second after {}; {rise_refused} 429s in {rise_requests} requests",
        reached.map_or("never".to_string(), |d| format!("{:.1} s", d.as_secs_f64()))
    );

    // Settled: the end of the last second after the fall with 2+ 429s.
    let unsettled = (0..FALL_WATCH.as_secs())
        .filter(|s| {
            let from = fall_at + Duration::from_secs(*s);
            count(&log, from, from + Duration::from_secs(1)).1 >= 2
        })
        .map(|s| s + 1)
        .max()
        .unwrap_or(0);
    let after = fall_at + Duration::from_secs(3);
    let (late_requests, late_refused) = count(&log, after, after + Duration::from_secs(10));
    let late_pct = late_refused as f64 / late_requests.max(1) as f64 * 100.0;
    let (fall_requests, fall_refused) = count(&log, fall_at, after);
    let fall_ok = unsettled <= 3 && late_pct <= 2.0;
    println!(
        "adaptive_rate: limit back to {LOW}/s: settled after {unsettled} s ({fall_refused} 429s in {fall_requests} requests in the first 3 s); then {late_refused} 429s in {late_requests} requests ({late_pct:.2}%) over 10 s"
    );

    let shared_ok = sharing().await;

    let ok = low_ok && rise_ok && fall_ok && shared_ok;
    println!(
        "adaptive_rate: {}",
        if ok {
            "PASS (429s <= 2% and >= 90% of 20/s; >= 85% of 35/s within 10 s; settled within 3 s; three clients: Jain >= 0.9, <= 5% refused, >= 85% used)"
        } else {
            "FAIL"
        }
    );
    if !ok {
        std::process::exit(1);
    }
}

/// Part 4: three clients share one quota. `true` when the targets are met.
async fn sharing() -> bool {
    let server = Arc::new(Server {
        limit: AtomicUsize::new(SHARED),
        served: Mutex::new(VecDeque::new()),
        log: Mutex::new(Vec::new()),
    });
    let url = common::start(server.clone(), handle);
    let stop = Arc::new(AtomicBool::new(false));
    let served: Vec<Arc<AtomicUsize>> = (0..SHARING_CLIENTS)
        .map(|_| Arc::new(AtomicUsize::new(0)))
        .collect();
    let start_at = Instant::now();
    let mut tasks = Vec::new();
    for counter in &served {
        let client = Client::builder(&url)
            .basic_auth("key", "secret")
            .build()
            .unwrap();
        for _ in 0..SHARING_TASKS {
            let (c, counter, stop) = (client.clone(), counter.clone(), stop.clone());
            tasks.push(tokio::spawn(async move {
                while !stop.load(Ordering::Relaxed) {
                    if c.list_links().cluster_id("lkc-1").send().await.is_ok()
                        && start_at.elapsed() < SHARING_WATCH
                    {
                        counter.fetch_add(1, Ordering::Relaxed);
                    }
                }
            }));
        }
    }
    tokio::time::sleep(SHARING_WATCH).await;
    stop.store(true, Ordering::Relaxed);
    for t in tasks {
        let _ = t.await;
    }
    let log = server.log.lock().unwrap().clone();
    let (requests, refused) = count(&log, start_at, start_at + SHARING_WATCH);
    let shares: Vec<f64> = served
        .iter()
        .map(|c| c.load(Ordering::Relaxed) as f64)
        .collect();
    let total: f64 = shares.iter().sum();
    let jain = total * total / (shares.len() as f64 * shares.iter().map(|x| x * x).sum::<f64>());
    let refused_pct = refused as f64 / requests.max(1) as f64 * 100.0;
    let used_pct = total / (SHARED as f64 * SHARING_WATCH.as_secs_f64()) * 100.0;
    let percent: Vec<String> = shares
        .iter()
        .map(|x| format!("{:.0}%", x / total * 100.0))
        .collect();
    println!(
        "adaptive_rate: {SHARING_CLIENTS} clients sharing {SHARED}/s for {} s: shares {}; Jain's index {jain:.3}; {refused} 429s in {requests} requests ({refused_pct:.1}%); {used_pct:.0}% of the quota used",
        SHARING_WATCH.as_secs(),
        percent.join(" ")
    );
    jain >= 0.9 && refused_pct <= 5.0 && used_pct >= 85.0
}
