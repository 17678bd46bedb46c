//! Benchmarks of pagination and per-call overhead against a local server.
//!
//! `cargo bench --bench pagination`
//!
//! 1. Peak heap while streaming 20 and then 200 pages of 1,000 mirror topics
//!    (a counting allocator): it must not grow with the page count (the two
//!    peaks within 10% of each other).
//! 2. Items per second through `.stream()` against fetching and decoding the
//!    same pages with raw reqwest and serde into the same types: within 1.15x.
//! 3. A plain `send()` on a small answer against raw reqwest on the same
//!    server: within 1.05x per call (median of 4,000 interleaved pairs).
//!
//! The raw reqwest client is configured as the SDK's default one (the same
//! TLS setup, 30 s and 10 s timeouts, no redirects) and sends the same
//! Basic credentials, so the ratios measure the SDK's layer, not a
//! difference in configuration.
//!
//! The server runs in a child process (this binary again), so the counting
//! allocator sees only the client; SDK and raw rounds alternate and the
//! median of paired ratios is compared, so drift in the machine's speed
//! hits both alike.

mod common;

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use axum::Router;
use std::collections::HashMap;
use std::sync::Arc;

use axum::extract::{Path, Query, State};
use axum::routing::get;
use bytes::Bytes;
use futures_util::StreamExt;
use kafka_mirror::confluent::types::ListMirrorTopicsResponseDataList;

/// Counts live heap bytes and their peak.
struct Counting;
static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let p = unsafe { System.alloc(layout) };
        if !p.is_null() {
            let now = LIVE.fetch_add(layout.size(), Ordering::Relaxed) + layout.size();
            PEAK.fetch_max(now, Ordering::Relaxed);
        }
        p
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) };
        LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

const TOPICS_PER_PAGE: usize = 1000;

/// Every page body, rendered before measuring so that the in-process
/// server allocates nothing per request but a reference count.
#[derive(Clone)]
struct Bodies(Arc<HashMap<(usize, usize), Bytes>>);

#[derive(serde::Deserialize)]
struct PageQuery {
    page: Option<usize>,
}

async fn mirrors(
    State(Bodies(bodies)): State<Bodies>,
    Path(count): Path<usize>,
    Query(q): Query<PageQuery>,
) -> Bytes {
    bodies[&(count, q.page.unwrap_or(1))].clone()
}

/// Page `page` of `count` (the cluster segment says how many), 1,000 topics
/// each, linked by absolute URLs.
fn render(base: &str, count: usize, page: usize) -> Bytes {
    let next = if page < count {
        format!(
            "\"{base}/kafka/v3/clusters/{count}/links/-/mirrors?page={}\"",
            page + 1
        )
    } else {
        "null".to_string()
    };
    let mut body = String::with_capacity(TOPICS_PER_PAGE * 330);
    body.push_str(&format!("{{\"kind\":\"KafkaMirrorDataList\",\"metadata\":{{\"self\":\"x\",\"next\":{next}}},\"data\":["));
    for i in 0..TOPICS_PER_PAGE {
        if i > 0 {
            body.push(',');
        }
        body.push_str(&format!(
            "{{\"kind\":\"KafkaMirrorData\",\"metadata\":{{\"self\":\"x\"}},\"link_name\":\"dr\",\"mirror_topic_name\":\"topic-{page}-{i}\",\
             \"source_topic_name\":\"topic-{page}-{i}\",\"num_partitions\":2,\"mirror_lags\":[{{\"partition\":0,\"lag\":3,\
             \"last_source_fetch_offset\":100}},{{\"partition\":1,\"lag\":0,\"last_source_fetch_offset\":90}}],\
             \"mirror_status\":\"ACTIVE\",\"state_time_ms\":1700000000000}}"
        ));
    }
    body.push_str("]}");
    Bytes::from(body)
}

async fn small() -> &'static str {
    r#"{"kind":"KafkaLinkData","metadata":{"self":"x"},"link_name":"dr","cluster_link_id":"id","topic_names":[]}"#
}

fn client(url: &str) -> kafka_mirror::confluent::Client {
    kafka_mirror::confluent::Client::builder(url)
        .basic_auth("k", "s")
        .build()
        .unwrap()
}

async fn stream_pages(url: &str, count: usize) -> (usize, Duration, usize) {
    let c = client(url);
    let before = LIVE.load(Ordering::Relaxed);
    PEAK.store(before, Ordering::Relaxed);
    let start = Instant::now();
    let mut items = 0usize;
    let mut stream = c
        .list_all_mirror_topics()
        .cluster_id(count.to_string())
        .stream();
    while let Some(item) = stream.next().await {
        item.unwrap();
        items += 1;
        if std::env::var("TRACE_HEAP").is_ok() && items.is_multiple_of(TOPICS_PER_PAGE * 20) {
            eprintln!(
                "heap after {} pages: live {:.2} MiB, peak {:.2} MiB",
                items / TOPICS_PER_PAGE,
                mib(LIVE.load(Ordering::Relaxed) - before),
                mib(PEAK.load(Ordering::Relaxed) - before)
            );
        }
    }
    let elapsed = start.elapsed();
    (items, elapsed, PEAK.load(Ordering::Relaxed) - before)
}

/// A reqwest client configured as the SDK's default one.
fn raw_client() -> reqwest::Client {
    kafka_mirror::client::http_client_builder()
        .unwrap()
        .timeout(kafka_mirror::client::DEFAULT_TIMEOUT)
        .connect_timeout(kafka_mirror::client::DEFAULT_CONNECT_TIMEOUT)
        .build()
        .unwrap()
}

async fn raw_pages(url: &str, count: usize) -> (usize, Duration) {
    let http = raw_client();
    let start = Instant::now();
    let mut items = 0;
    let mut next = Some(format!("{url}/kafka/v3/clusters/{count}/links/-/mirrors"));
    while let Some(u) = next {
        let bytes = common::raw_get(&http, &u).await;
        let page: ListMirrorTopicsResponseDataList = serde_json::from_slice(&bytes).unwrap();
        items += page.data.len();
        next = page.metadata.next.clone();
    }
    (items, start.elapsed())
}

/// Median of paired ratios: `a` and `b` run alternately, so drift in the
/// machine's speed hits both alike.
async fn paired<FA, FB, A, B>(pairs: usize, mut a: FA, mut b: FB) -> (f64, Duration, Duration)
where
    FA: FnMut() -> A,
    FB: FnMut() -> B,
    A: std::future::Future<Output = Duration>,
    B: std::future::Future<Output = Duration>,
{
    let mut ratios = Vec::new();
    let (mut ta, mut tb) = (Vec::new(), Vec::new());
    for _ in 0..pairs {
        let x = a().await;
        let y = b().await;
        ratios.push(x.as_secs_f64() / y.as_secs_f64());
        ta.push(x);
        tb.push(y);
    }
    ratios.sort_by(f64::total_cmp);
    ta.sort();
    tb.sort();
    (ratios[pairs / 2], ta[pairs / 2], tb[pairs / 2])
}

/// Serves the pages; run in a child process so that only the client's heap
/// is counted. Prints its URL on the first line of stdout.
async fn serve() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let mut bodies = HashMap::new();
    for count in [2, 20, 50, 200] {
        for page in 1..=count {
            bodies.insert((count, page), render(&url, count, page));
        }
    }
    let app = Router::new()
        .route("/kafka/v3/clusters/{count}/links/-/mirrors", get(mirrors))
        .route("/kafka/v3/clusters/{cluster}/links/{link}", get(small))
        .with_state(Bodies(Arc::new(bodies)));
    println!("{url}");
    axum::serve(listener, app).await.unwrap();
}

fn main() {
    common::server_or_client("PAGINATION_BENCH_SERVER", serve, client_main);
}

async fn client_main() {
    let (mut server, url) = common::child_server("PAGINATION_BENCH_SERVER");
    let mut ok = true;

    // 1. Peak heap: the largest of 30 runs of 20 pages against the largest
    //    of 3 runs of 200 pages, so both sides fetch 600 pages and have as
    //    many chances of a transient peak (hyper's read buffer grows with
    //    what waits in the socket, which depends on timing). TRACE_HEAP=1
    //    prints the live heap and the peak every 20 pages of a run.
    let _warm = stream_pages(&url, 2).await;
    let peak_of = |count: usize, runs: usize| {
        let url = url.clone();
        async move {
            let mut peak = 0;
            let mut took = Duration::ZERO;
            for _ in 0..runs {
                let (n, t, p) = stream_pages(&url, count).await;
                assert_eq!(n, count * TOPICS_PER_PAGE);
                peak = peak.max(p);
                took = t;
            }
            (peak, took)
        }
    };
    let (peak20, _) = peak_of(20, 30).await;
    let (peak200, t200) = peak_of(200, 3).await;
    let ratio = peak200 as f64 / peak20 as f64;
    println!(
        "pagination: peak heap streaming 20 pages: {:.2} MiB; 200 pages: {:.2} MiB; ratio {ratio:.3} (limit 0.9..1.1)",
        mib(peak20),
        mib(peak200)
    );
    ok &= (0.9..=1.1).contains(&ratio);

    // 2. Items per second against raw reqwest + serde, 50 pages per round.
    let items = 50.0 * TOPICS_PER_PAGE as f64;
    let (slow, sdk, raw) = paired(
        7,
        || async { stream_pages(&url, 50).await.1 },
        || async { raw_pages(&url, 50).await.1 },
    )
    .await;
    println!(
        "pagination: items/s through stream(): {:.0}; raw reqwest + serde: {:.0}; median paired ratio {slow:.3} (limit 1.15)",
        items / sdk.as_secs_f64(),
        items / raw.as_secs_f64()
    );
    println!(
        "pagination: (200 pages of 1,000 topics took {:.2} s)",
        t200.as_secs_f64()
    );
    ok &= slow <= 1.15;

    // 3. Per-call overhead of send() on a small answer: one SDK call and one
    //    raw call alternate, each timed; the medians of 4,000 per-call
    //    latencies are compared.
    let c = client(&url);
    let http = raw_client();
    let small_url = format!("{url}/kafka/v3/clusters/c/links/dr");
    let (mut sdk, mut raw) = (Vec::new(), Vec::new());
    for i in 0..4_200 {
        let start = Instant::now();
        c.get_link()
            .cluster_id("c")
            .link_name("dr")
            .send()
            .await
            .unwrap();
        let s = start.elapsed();
        let start = Instant::now();
        let bytes = common::raw_get(&http, &small_url).await;
        let _: kafka_mirror::confluent::types::ListLinksResponseData =
            serde_json::from_slice(&bytes).unwrap();
        let r = start.elapsed();
        if i >= 200 {
            // The first 200 pairs warm both connections up.
            sdk.push(s);
            raw.push(r);
        }
    }
    sdk.sort();
    raw.sort();
    let (s, r) = (sdk[sdk.len() / 2], raw[raw.len() / 2]);
    let overhead = s.as_secs_f64() / r.as_secs_f64();
    let us = |d: Duration| d.as_secs_f64() * 1e6;
    println!(
        "pagination: send() median {:.1} µs/call (p90 {:.1}); raw reqwest median {:.1} µs/call (p90 {:.1}); ratio {overhead:.3} (limit 1.05)",
        us(s),
        us(sdk[sdk.len() * 9 / 10]),
        us(r),
        us(raw[raw.len() * 9 / 10])
    );
    ok &= overhead <= 1.05;

    let _ = server.kill();
    println!("pagination: {}", if ok { "PASS" } else { "FAIL" });
    if !ok {
        std::process::exit(1);
    }
}

fn mib(bytes: usize) -> f64 {
    bytes as f64 / (1024.0 * 1024.0)
}
