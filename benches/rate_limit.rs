//! Benchmark: the Instaclustr client's default rate limit against a server
//! that, like Instaclustr, answers 429 above 35 requests in any sliding
//! second. 500 calls from 20 tasks must get zero 429s and run at no less
//! than 90% of the allowed rate.
//!
//! `cargo bench --bench rate_limit`

use std::collections::VecDeque;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use axum::Router;
use axum::http::StatusCode;
use axum::routing::get;
use tokio::sync::Mutex;

const LIMIT: usize = 35;
const CALLS: usize = 500;
const TASKS: usize = 20;

#[derive(Default)]
struct Window {
    arrivals: Mutex<VecDeque<Instant>>,
    served: AtomicUsize,
    refused: AtomicUsize,
}

async fn mirrors(window: Arc<Window>) -> (StatusCode, &'static str) {
    let now = Instant::now();
    let mut arrivals = window.arrivals.lock().await;
    while arrivals
        .front()
        .is_some_and(|t| now.duration_since(*t) >= Duration::from_secs(1))
    {
        arrivals.pop_front();
    }
    // Every request counts toward the window, refused ones too.
    arrivals.push_back(now);
    if arrivals.len() > LIMIT {
        window.refused.fetch_add(1, Ordering::Relaxed);
        (StatusCode::TOO_MANY_REQUESTS, "Too many requests")
    } else {
        window.served.fetch_add(1, Ordering::Relaxed);
        (StatusCode::OK, r#"{"mirrors":[]}"#)
    }
}

#[tokio::main]
async fn main() {
    let window = Arc::new(Window::default());
    let state = window.clone();
    let app = Router::new().route(
        "/provisioning/v1/{cluster}/kafka-connect/mirrors",
        get(move || mirrors(state.clone())),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });

    // The client exactly as a user gets it: default retry and rate limit.
    let client = kafka_mirror::instaclustr::Client::builder(&url)
        .basic_auth("bench", "key")
        .build()
        .unwrap();
    let cluster = kafka_mirror::instaclustr::Uuid::nil();
    let start = Instant::now();
    let tasks: Vec<_> = (0..TASKS)
        .map(|_| {
            let c = client.clone();
            tokio::spawn(async move {
                for _ in 0..CALLS / TASKS {
                    c.list_mirrors()
                        .cluster_id(cluster)
                        .send()
                        .await
                        .expect("call succeeds");
                }
            })
        })
        .collect();
    for t in tasks {
        t.await.unwrap();
    }
    let elapsed = start.elapsed();
    let rate = CALLS as f64 / elapsed.as_secs_f64();
    let refused = window.refused.load(Ordering::Relaxed);
    println!(
        "rate_limit: {CALLS} calls from {TASKS} tasks in {:.2} s",
        elapsed.as_secs_f64()
    );
    println!(
        "rate_limit: {rate:.1} requests/s = {:.1}% of the allowed {LIMIT}/s",
        rate / LIMIT as f64 * 100.0
    );
    println!(
        "rate_limit: 429s served: {refused}; 200s served: {}",
        window.served.load(Ordering::Relaxed)
    );
    let ok = refused == 0 && rate >= 0.9 * LIMIT as f64;
    println!(
        "rate_limit: {}",
        if ok {
            "PASS (zero 429s, at least 90% of the allowed rate)"
        } else {
            "FAIL"
        }
    );
    if !ok {
        std::process::exit(1);
    }
}
