//! Retry on 429 and 50003, backoff, Retry-After, the retry budget and the
//! client-side rate limit, on tokio's paused clock: nothing really sleeps,
//! and the virtual time spent is asserted.

use kafka_mirror_test_support as support;

use std::time::Duration;

use kafka_mirror::Error;
use kafka_mirror::retry::RetryPolicy;
use serde_json::json;
use support::scripted::{Reply, Scripted};
use support::{HTML_429, KEY, SECRET, list};
use tokio::time::Instant;

/// A client whose HTTP client has no timers of its own (no timeout, no idle
/// pool), so the paused clock only moves for the SDK's own waits.
fn client(url: &str, policy: RetryPolicy) -> kafka_mirror::confluent::Client {
    let http = kafka_mirror::client::http_client_builder()
        .unwrap()
        .pool_max_idle_per_host(0)
        .build()
        .unwrap();
    kafka_mirror::confluent::Client::builder(url)
        .basic_auth(KEY, SECRET)
        .http_client(http)
        .retry(policy)
        // These tests time the retry loop alone; the adaptive rate limit
        // (the default) has tests of its own below.
        .no_rate_limit()
        .build()
        .unwrap()
}

fn ok() -> Reply {
    Reply::json(200, list("KafkaLinkDataList", vec![]))
}

async fn list_links(c: &kafka_mirror::confluent::Client) -> Result<(), Error> {
    c.list_links().cluster_id("c").send().await.map(|_| ())
}

#[tokio::test(start_paused = true)]
async fn two_429s_then_200_with_backoff() {
    let s = Scripted::start(
        vec![
            Reply::text(429, "text/html", HTML_429),
            Reply::text(429, "text/html", HTML_429),
        ],
        ok(),
    )
    .await;
    let start = Instant::now();
    list_links(&client(s.url(), RetryPolicy::default()))
        .await
        .unwrap();
    assert_eq!(s.hits(), 3);
    // Full jitter: the first wait is at most 1 s, the second at most 2 s.
    assert!(
        start.elapsed() <= Duration::from_secs(3),
        "{:?}",
        start.elapsed()
    );
}

#[tokio::test(start_paused = true)]
async fn two_429s_then_200_honouring_retry_after() {
    let slow_down = Reply::text(429, "text/html", HTML_429).header("retry-after", "2");
    let s = Scripted::start(vec![slow_down.clone(), slow_down], ok()).await;
    let start = Instant::now();
    list_links(&client(s.url(), RetryPolicy::default()))
        .await
        .unwrap();
    assert_eq!(s.hits(), 3);
    let spent = start.elapsed();
    assert!(
        spent >= Duration::from_secs(4) && spent < Duration::from_millis(4100),
        "{spent:?}"
    );
    let arrivals = s.arrivals();
    assert!(arrivals[1] - arrivals[0] >= Duration::from_secs(2));
}

#[tokio::test(start_paused = true)]
async fn retry_after_as_an_http_date() {
    let wall = std::time::Instant::now();
    let at = httpdate::fmt_http_date(std::time::SystemTime::now() + Duration::from_secs(5));
    let s = Scripted::start(vec![Reply::status(429).header("retry-after", &at)], ok()).await;
    let start = Instant::now();
    list_links(&client(s.url(), RetryPolicy::default()))
        .await
        .unwrap();
    assert_eq!(s.hits(), 2);
    // HTTP dates have whole seconds: the wait is between 4 and 5 s, less the
    // real (not paused) time that passed before the client read the date,
    // which a loaded machine makes noticeable.
    let spent = start.elapsed();
    let lowest = Duration::from_secs(4).saturating_sub(wall.elapsed());
    assert!(
        spent >= lowest && spent <= Duration::from_millis(5100),
        "{spent:?}"
    );
}

#[tokio::test(start_paused = true)]
async fn a_retry_after_above_the_cap_is_capped() {
    let s = Scripted::start(vec![Reply::status(429).header("retry-after", "3600")], ok()).await;
    let start = Instant::now();
    list_links(&client(
        s.url(),
        RetryPolicy::default().max_retry_after(Duration::from_secs(3)),
    ))
    .await
    .unwrap();
    assert_eq!(s.hits(), 2);
    let spent = start.elapsed();
    assert!(
        spent >= Duration::from_secs(3) && spent < Duration::from_millis(3100),
        "{spent:?}"
    );
}

/// Answers `first`, then 200; returns the call's outcome and the hits.
async fn first_then_ok(first: Reply) -> (Result<(), Error>, usize) {
    let s = Scripted::start(vec![first], ok()).await;
    let result = list_links(&client(s.url(), RetryPolicy::default())).await;
    (result, s.hits())
}

#[tokio::test(start_paused = true)]
async fn a_500_with_50003_is_retried() {
    let (result, hits) = first_then_ok(Reply::json(
        500,
        json!({"error_code": 50003, "message": "retriable"}),
    ))
    .await;
    result.unwrap();
    assert_eq!(hits, 2);
}

#[tokio::test(start_paused = true)]
async fn a_500_with_50002_is_not_retried() {
    let (result, hits) = first_then_ok(Reply::json(
        500,
        json!({"error_code": 50002, "message": "fatal"}),
    ))
    .await;
    let e = result.unwrap_err();
    assert_eq!(hits, 1);
    assert_eq!(e.error_code(), Some(50002));
    assert_eq!(e.attempts(), Some(1));
}

#[tokio::test(start_paused = true)]
async fn a_503_html_page_from_a_gateway_is_retried() {
    let (result, hits) = first_then_ok(Reply::text(
        503,
        "text/html",
        "<html>Service Unavailable</html>",
    ))
    .await;
    result.unwrap();
    assert_eq!(hits, 2);
}

#[tokio::test(start_paused = true)]
async fn a_400_is_not_retried() {
    let (result, hits) = first_then_ok(Reply::json(
        400,
        json!({"error_code": 400, "message": "bad"}),
    ))
    .await;
    assert_eq!(result.unwrap_err().status().unwrap(), 400);
    assert_eq!(hits, 1);
}

#[tokio::test(start_paused = true)]
async fn a_post_cut_after_sending_is_not_retried_but_a_get_is() {
    let s = Scripted::start(
        vec![Reply::Cut],
        Reply::json(200, support::alter_result(&["t"], &[])),
    )
    .await;
    let c = client(s.url(), RetryPolicy::default());
    let e = c
        .promote_mirror_topics()
        .cluster_id("c")
        .link_name("l")
        .body(kafka_mirror::confluent::types::AlterMirrorsRequestData::default())
        .send()
        .await
        .unwrap_err();
    assert!(matches!(e, Error::Transport { .. }));
    assert_eq!(e.attempts(), Some(1));
    assert_eq!(
        s.hits(),
        1,
        "a promote that may have happened is not sent again"
    );

    let s = Scripted::start(vec![Reply::Cut], ok()).await;
    list_links(&client(s.url(), RetryPolicy::default()))
        .await
        .unwrap();
    assert_eq!(
        s.requests(),
        [
            "GET /kafka/v3/clusters/c/links",
            "GET /kafka/v3/clusters/c/links"
        ]
    );
}

#[tokio::test(start_paused = true)]
async fn a_connect_failure_is_retried_even_for_post() {
    // Nothing listens on the port: nothing was sent, so a POST may be retried.
    // Port 1 (tcpmux): nothing listens there on a test machine. A port
    // bound and dropped here could be taken by a test running beside it.
    let port = 1;
    let c = client(
        &format!("http://127.0.0.1:{port}"),
        RetryPolicy::default().max_attempts(3),
    );
    let start = Instant::now();
    let e = c
        .pause_mirror_topics()
        .cluster_id("c")
        .link_name("l")
        .body(kafka_mirror::confluent::types::AlterMirrorsRequestData::default())
        .send()
        .await
        .unwrap_err();
    assert!(matches!(e, Error::Transport { .. }));
    assert_eq!(e.attempts(), Some(3), "{e}");
    assert_eq!(e.elapsed(), Some(start.elapsed()));
    assert!(
        e.to_string().starts_with("connection refused: POST "),
        "{e}"
    );
    assert!(
        start.elapsed() > Duration::ZERO,
        "it waited before retrying"
    );
}

#[tokio::test(start_paused = true)]
async fn running_out_of_attempts_says_how_many_what_and_how_long() {
    let s = Scripted::start(
        vec![],
        Reply::text(429, "text/html", HTML_429).header("retry-after", "1"),
    )
    .await;
    let start = Instant::now();
    // A 429 has retries of its own: 1 attempt + 10 throttled retries.
    let e = list_links(&client(s.url(), RetryPolicy::default()))
        .await
        .unwrap_err();
    assert_eq!(s.hits(), 11);
    assert_eq!(e.attempts(), Some(11));
    let api = e.api().unwrap();
    assert_eq!(api.status(), 429);
    assert_eq!(api.raw_body(), HTML_429);
    assert_eq!(api.elapsed(), start.elapsed());
    assert_eq!(start.elapsed(), Duration::from_secs(10));
    assert!(
        e.to_string().ends_with(
            "answered 429 Too Many Requests: HTML page \"Error 429 Too Many Requests\" \
             (11 attempts in 10.0 s)"
        ),
        "{e}"
    );
    assert!(
        api.headers().get("x-kafka-mirror-attempts").is_none(),
        "only the service's own headers"
    );
}

#[tokio::test(start_paused = true)]
async fn throttled_retries_do_not_use_up_max_attempts() {
    // Four 429s, then a 503 and a 503, then success: max_attempts(3) counts
    // only the 503s (with the first attempt), max_throttled_retries(4) the 429s.
    let s = Scripted::start(
        vec![
            Reply::status(429),
            Reply::status(429),
            Reply::status(429),
            Reply::status(429),
            Reply::status(503),
            Reply::status(503),
        ],
        ok(),
    )
    .await;
    let policy = RetryPolicy::default()
        .max_attempts(3)
        .max_throttled_retries(4);
    list_links(&client(s.url(), policy.clone())).await.unwrap();
    assert_eq!(s.hits(), 7);
    // One 429 more than allowed: the fifth is returned.
    let s = Scripted::start(vec![], Reply::status(429)).await;
    let e = list_links(&client(s.url(), policy)).await.unwrap_err();
    assert_eq!(e.attempts(), Some(5));
    assert_eq!(s.hits(), 5);
}

#[tokio::test(start_paused = true)]
async fn a_deadline_stops_retrying_early() {
    let s = Scripted::start(vec![], Reply::status(429).header("retry-after", "10")).await;
    let e = list_links(&client(
        s.url(),
        RetryPolicy::default().deadline(Duration::from_secs(25)),
    ))
    .await
    .unwrap_err();
    assert_eq!(s.hits(), 3, "waits of 10 s: a third wait would pass 25 s");
    assert_eq!(e.attempts(), Some(3));
}

#[tokio::test(start_paused = true)]
async fn an_empty_budget_stops_retrying() {
    // A gateway that is down: 503 with no JSON body, 5 tokens per retry.
    let s = Scripted::start(vec![], Reply::status(503)).await;
    // 10 tokens: two retries of 5, then nothing left for anyone.
    let c = client(s.url(), RetryPolicy::default().budget(10).max_attempts(10));
    let e = list_links(&c).await.unwrap_err();
    assert_eq!(s.hits(), 3);
    assert_eq!(e.attempts(), Some(3));
    // The budget is the client's: the next call gets no retry at all.
    let e = list_links(&c.clone()).await.unwrap_err();
    assert_eq!(s.hits(), 4);
    assert_eq!(e.attempts(), Some(1));
}

#[tokio::test(start_paused = true)]
async fn throttling_costs_little_and_a_success_refunds_the_retries() {
    // 5 tokens: a 503 retry would take them all, but 429 retries cost 1.
    let s = Scripted::start(
        vec![Reply::status(429), Reply::status(429), Reply::status(429)],
        ok(),
    )
    .await;
    let c = client(s.url(), RetryPolicy::default().budget(5).max_attempts(10));
    list_links(&c).await.unwrap();
    assert_eq!(s.hits(), 4, "three 429s retried with 5 tokens");
    // The success gave the 3 tokens back, so a 503 (5 tokens) can still be
    // retried; without the refund only 2 would be left.
    s.push([Reply::status(503)]);
    list_links(&c).await.unwrap();
    assert_eq!(s.hits(), 6);
}

#[tokio::test(start_paused = true)]
async fn no_retries_with_retry_policy_none() {
    let s = Scripted::start(vec![], Reply::status(429)).await;
    list_links(&client(s.url(), RetryPolicy::none()))
        .await
        .unwrap_err();
    assert_eq!(s.hits(), 1);
}

#[tokio::test(start_paused = true)]
async fn a_hundred_concurrent_calls_stay_within_the_rate_limit() {
    let s = Scripted::start(vec![], ok()).await;
    let http = kafka_mirror::client::http_client_builder()
        .unwrap()
        .pool_max_idle_per_host(0)
        .build()
        .unwrap();
    let c = kafka_mirror::confluent::Client::builder(s.url())
        .http_client(http)
        .rate_limit(10)
        .build()
        .unwrap();
    let start = Instant::now();
    let calls: Vec<_> = (0..100)
        .map(|_| {
            let c = c.clone();
            tokio::spawn(async move { list_links(&c).await })
        })
        .collect();
    for call in calls {
        call.await.unwrap().unwrap();
    }
    let mut at = s.arrivals();
    at.sort();
    assert_eq!(at.len(), 100);
    for (i, t) in at.iter().enumerate().skip(10) {
        assert!(
            *t - at[i - 10] >= Duration::from_secs(1),
            "11 requests within one second at {i}"
        );
    }
    // 100 requests at 10 per second: the last starts after 9 windows.
    assert!(
        start.elapsed() >= Duration::from_secs(9) && start.elapsed() < Duration::from_secs(11),
        "{:?}",
        start.elapsed()
    );
}

#[tokio::test(start_paused = true)]
async fn instaclustr_defaults_to_35_per_second() {
    let s = Scripted::start(vec![], Reply::json(200, json!({"mirrors": []}))).await;
    let http = kafka_mirror::client::http_client_builder()
        .unwrap()
        .pool_max_idle_per_host(0)
        .build()
        .unwrap();
    let c = kafka_mirror::instaclustr::Client::builder(s.url())
        .basic_auth(KEY, SECRET)
        .http_client(http)
        .build()
        .unwrap();
    let calls: Vec<_> = (0..70)
        .map(|_| {
            let c = c.clone();
            tokio::spawn(async move {
                c.list_mirrors()
                    .cluster_id(support::cluster_uuid())
                    .send()
                    .await
                    .map(|_| ())
            })
        })
        .collect();
    for call in calls {
        call.await.unwrap().unwrap();
    }
    let mut at = s.arrivals();
    at.sort();
    assert!(
        at[35] - at[0] >= Duration::from_secs(1),
        "the 36th request waited for the window"
    );
    assert!(
        at[34] - at[0] < Duration::from_millis(100),
        "the first 35 went at once"
    );
}

/// A Confluent client with the default (adaptive) rate limit.
fn default_limit_client(url: &str) -> kafka_mirror::confluent::Client {
    let http = kafka_mirror::client::http_client_builder()
        .unwrap()
        .pool_max_idle_per_host(0)
        .build()
        .unwrap();
    kafka_mirror::confluent::Client::builder(url)
        .http_client(http)
        .build()
        .unwrap()
}

#[tokio::test(start_paused = true)]
async fn the_confluent_client_learns_its_rate_from_a_429() {
    // One request in a second was refused: the service allows fewer than 2.
    let s = Scripted::start(
        vec![Reply::text(429, "text/html", HTML_429).header("retry-after", "0")],
        ok(),
    )
    .await;
    let c = default_limit_client(s.url());
    for _ in 0..3 {
        list_links(&c).await.unwrap();
    }
    let at = s.arrivals();
    assert_eq!(at.len(), 4);
    // The retry and the calls after it go one per window (1 s + 25 ms),
    // until the limit probes upward 4 s after the 429.
    for pair in at[1..].windows(2) {
        assert!(pair[1] - pair[0] >= Duration::from_secs(1), "{at:?}");
    }
}

#[tokio::test(start_paused = true)]
async fn the_confluent_client_does_not_hold_back_one_call_at_a_time_before_a_429() {
    let s = Scripted::start(vec![], ok()).await;
    let c = default_limit_client(s.url());
    let start = Instant::now();
    for _ in 0..100 {
        list_links(&c).await.unwrap();
    }
    assert_eq!(s.hits(), 100);
    assert!(
        start.elapsed() < Duration::from_millis(100),
        "{:?}",
        start.elapsed()
    );
}

#[tokio::test(start_paused = true)]
async fn an_error_answer_cut_mid_body_is_retried_for_a_get_not_a_post() {
    let cut = || Reply::CutBody(503, "<html><head><title>503".into());
    let s = Scripted::start(vec![cut()], ok()).await;
    list_links(&client(s.url(), RetryPolicy::default()))
        .await
        .unwrap();
    assert_eq!(s.hits(), 2, "the GET was sent again");

    let s = Scripted::start(
        vec![cut()],
        Reply::json(200, support::alter_result(&["t"], &[])),
    )
    .await;
    let e = client(s.url(), RetryPolicy::default())
        .promote_mirror_topics()
        .cluster_id("c")
        .link_name("l")
        .body(kafka_mirror::confluent::types::AlterMirrorsRequestData::default())
        .send()
        .await
        .unwrap_err();
    assert!(matches!(e, Error::Transport { .. }), "{e:?}");
    assert_eq!(
        s.hits(),
        1,
        "a promote that may have happened is not sent again"
    );
}

#[tokio::test(start_paused = true)]
async fn a_429_after_the_last_counted_attempt_is_still_retried() {
    // max_attempts(1): no retry after a failure, but 429s have their own.
    let s = Scripted::start(
        vec![Reply::text(429, "text/html", HTML_429).header("retry-after", "1")],
        ok(),
    )
    .await;
    list_links(&client(s.url(), RetryPolicy::default().max_attempts(1)))
        .await
        .unwrap();
    assert_eq!(s.hits(), 2);
}
