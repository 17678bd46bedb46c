//! Benchmark: page prefetch. A local server answers each page after 20 ms;
//! the consumer spends 15 ms on each page. With `.prefetch(1)` the next page
//! is on its way while the consumer works, so items/s must be at least 1.6x
//! the sequential stream's.
//!
//! `cargo bench --bench prefetch`

use std::time::{Duration, Instant};

use axum::Router;
use axum::extract::Query;
use axum::routing::get;
use futures_util::StreamExt;
use kafka_mirror::confluent::Client;

const PAGES: usize = 60;
const ITEMS_PER_PAGE: usize = 50;
const SERVER_LATENCY: Duration = Duration::from_millis(20);
const CONSUMER_WORK: Duration = Duration::from_millis(15);
const TARGET: f64 = 1.6;

#[derive(serde::Deserialize)]
struct Token {
    page_token: Option<usize>,
}

fn page(base: &str, n: usize) -> serde_json::Value {
    let next = (n + 1 < PAGES).then(|| {
        format!(
            "{base}/kafka/v3/clusters/c/links/-/mirrors?page_token={}",
            n + 1
        )
    });
    let data: Vec<_> = (0..ITEMS_PER_PAGE)
        .map(|i| {
            serde_json::json!({
                "kind": "KafkaMirrorData", "metadata": {"self": "x"},
                "link_name": "l", "mirror_topic_name": format!("t{n}-{i}"), "source_topic_name": "s",
                "num_partitions": 1, "mirror_lags": [{"partition": 0, "lag": 0, "last_source_fetch_offset": 1}],
                "mirror_status": "ACTIVE", "state_time_ms": 1
            })
        })
        .collect();
    serde_json::json!({"kind": "KafkaMirrorDataList", "metadata": {"self": "x", "next": next}, "data": data})
}

/// Items per second over the whole list, the consumer working on each page.
async fn run(c: &Client, prefetch: usize) -> f64 {
    let started = Instant::now();
    let mut pages = c
        .list_all_mirror_topics()
        .cluster_id("c")
        .pages()
        .prefetch(prefetch);
    let mut items = 0;
    while let Some(page) = pages.next().await {
        items += page.unwrap().data.len();
        tokio::time::sleep(CONSUMER_WORK).await;
    }
    assert_eq!(items, PAGES * ITEMS_PER_PAGE);
    items as f64 / started.elapsed().as_secs_f64()
}

#[tokio::main]
async fn main() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let url = base.clone();
    let app = Router::new().route(
        "/kafka/v3/clusters/c/links/-/mirrors",
        get(move |Query(t): Query<Token>| {
            let base = url.clone();
            async move {
                tokio::time::sleep(SERVER_LATENCY).await;
                axum::Json(page(&base, t.page_token.unwrap_or(0)))
            }
        }),
    );
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    let c = Client::builder(&base).build().unwrap();
    run(&c, 1).await; // warm-up: connections, allocator
    let mut ratios = Vec::new();
    for round in 1..=3 {
        let sequential = run(&c, 0).await;
        let prefetched = run(&c, 1).await;
        let ratio = prefetched / sequential;
        println!(
            "round {round}: sequential {sequential:.0} items/s, prefetch(1) {prefetched:.0} items/s, ratio {ratio:.2}"
        );
        ratios.push(ratio);
    }
    ratios.sort_by(|a, b| a.partial_cmp(b).unwrap());
    let median = ratios[1];
    if median >= TARGET {
        println!("prefetch: median ratio {median:.2} >= {TARGET} (target met)");
    } else {
        println!("prefetch: median ratio {median:.2} < {TARGET} (MISSED)");
        std::process::exit(1);
    }
}
