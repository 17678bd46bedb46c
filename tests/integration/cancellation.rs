//! Deadlines and cancellation, on tokio's paused clock: a deadline bounds
//! the whole call, waits for rate-limit permits included, and dropping a
//! call, a stream or a waiter sends nothing more.

use kafka_mirror_test_support as support;

use std::time::Duration;

use std::future::IntoFuture;
use support::scripted::{Reply, Scripted};
use support::*;

use futures_util::StreamExt;
use kafka_mirror::Error;
use kafka_mirror::retry::RetryPolicy;
use serde_json::json;

fn client(
    url: &str,
    policy: RetryPolicy,
    rate_limit: Option<u32>,
) -> kafka_mirror::confluent::Client {
    let http = kafka_mirror::client::http_client_builder()
        .unwrap()
        .pool_max_idle_per_host(0)
        .build()
        .unwrap();
    let mut b = kafka_mirror::confluent::Client::builder(url)
        .basic_auth(KEY, SECRET)
        .http_client(http)
        .retry(policy);
    if let Some(n) = rate_limit {
        b = b.rate_limit(n);
    }
    b.build().unwrap()
}

fn links() -> Reply {
    Reply::json(200, list("KafkaLinkDataList", vec![]))
}

#[tokio::test(start_paused = true)]
async fn the_deadline_bounds_the_wait_for_a_rate_limit_permit() {
    let s = Scripted::start(vec![], links()).await;
    let c = client(
        s.url(),
        RetryPolicy::default().deadline(Duration::from_millis(500)),
        Some(1),
    );
    c.list_links().cluster_id("c").send().await.unwrap();
    // The next permit is a second away, past the deadline: nothing is sent.
    let e = c.list_links().cluster_id("c").send().await.unwrap_err();
    assert!(
        matches!(
            e,
            Error::Deadline {
                in_flight: false,
                ..
            }
        ),
        "{e:?}"
    );
    assert!(e.is_timeout());
    assert_eq!(e.attempts(), Some(0));
    assert_eq!(s.hits(), 1);
    assert!(
        e.to_string()
            .starts_with("the deadline passed before it was sent (waiting for a rate-limit permit or an access token): GET "),
        "{e}"
    );
}

#[tokio::test(start_paused = true)]
async fn the_deadline_bounds_a_request_in_flight() {
    // A server that reads and never answers.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let held = tokio::spawn(async move {
        let mut open = Vec::new();
        while let Ok((socket, _)) = listener.accept().await {
            open.push(socket);
        }
    });
    let c = client(
        &url,
        RetryPolicy::default().deadline(Duration::from_secs(5)),
        None,
    );
    let started = tokio::time::Instant::now();
    let e = c.list_links().cluster_id("c").send().await.unwrap_err();
    held.abort();
    assert!(
        matches!(
            e,
            Error::Deadline {
                in_flight: true,
                ..
            }
        ),
        "{e:?}"
    );
    assert_eq!(e.attempts(), Some(1));
    assert_eq!(started.elapsed(), Duration::from_secs(5));
}

#[tokio::test(start_paused = true)]
async fn dropping_a_call_that_waits_for_a_permit_sends_nothing() {
    let s = Scripted::start(vec![], links()).await;
    let c = client(s.url(), RetryPolicy::default(), Some(1));
    c.list_links().cluster_id("c").send().await.unwrap();
    let waiting = c.list_links().cluster_id("c").send();
    assert!(
        tokio::time::timeout(Duration::from_millis(100), waiting)
            .await
            .is_err()
    );
    tokio::time::advance(Duration::from_secs(5)).await;
    tokio::task::yield_now().await;
    assert_eq!(s.hits(), 1);
}

#[tokio::test(start_paused = true)]
async fn dropping_a_call_during_a_retry_wait_sends_nothing_more() {
    let s = Scripted::start(vec![], Reply::status(503)).await;
    let c = client(s.url(), RetryPolicy::default(), None);
    let call = c.list_links().cluster_id("c").send();
    // The first attempt fails; the retry waits up to 1 s of backoff.
    let _ = tokio::time::timeout(Duration::from_millis(1), call).await;
    let hits = s.hits();
    assert!(hits <= 1, "{hits}");
    tokio::time::advance(Duration::from_secs(60)).await;
    tokio::task::yield_now().await;
    assert_eq!(s.hits(), hits);
}

#[tokio::test(start_paused = true)]
async fn dropping_a_stream_fetches_no_more_pages() {
    let s = Scripted::start(vec![], links()).await;
    let url = s.url().to_string();
    let page = |n: usize| {
        let next = format!("{url}/kafka/v3/clusters/c/links?page_token={}", n + 1);
        Reply::json(
            200,
            json!({
                "kind": "KafkaLinkDataList",
                "metadata": {"self": format!("{url}/p{n}"), "next": next},
                "data": [link(&format!("l{n}")), link(&format!("m{n}"))],
            }),
        )
    };
    s.push([page(0), page(1), page(2)]);
    let c = client(&url, RetryPolicy::none(), None);
    let mut items = c.list_links().cluster_id("c").stream();
    assert!(items.next().await.unwrap().is_ok());
    drop(items);
    tokio::time::advance(Duration::from_secs(5)).await;
    tokio::task::yield_now().await;
    assert_eq!(s.hits(), 1, "only the first page was fetched");
}

#[tokio::test(start_paused = true)]
async fn dropping_a_waiter_polls_no_more() {
    let s = Scripted::start(
        vec![],
        Reply::json(
            200,
            list(
                "KafkaMirrorDataList",
                vec![mirror("orders", "PENDING_STOPPED")],
            ),
        ),
    )
    .await;
    let c = client(s.url(), RetryPolicy::none(), None);
    let waiter = c
        .wait_for_mirror_topics("c", "l")
        .topics(["orders"])
        .poll_interval(Duration::from_secs(1), Duration::from_secs(1));
    assert!(
        tokio::time::timeout(Duration::from_millis(2_800), waiter.into_future())
            .await
            .is_err()
    );
    // Each wait is 1 s varied by up to 20%: polls at 0, 0.8-1.2, 1.6-2.4
    // and 2.4-3.6 s, so 3 or 4 of them before the waiter is dropped.
    let polls = s.hits();
    assert!((3..=4).contains(&polls), "{polls} polls in 2.8 s");
    tokio::time::advance(Duration::from_secs(10)).await;
    tokio::task::yield_now().await;
    assert_eq!(s.hits(), polls);
}
