//! Waiters on a bad day, on tokio's paused clock against scripted
//! answers: a poll that fails for a reason that may pass is counted and
//! polled again, only the timeout ends a wait, and an error that polling
//! again would not change ends it at once.

use kafka_mirror_test_support as support;

use std::time::Duration;

use support::scripted::{Reply, Scripted};
use support::*;

use kafka_mirror::confluent::types::MirrorTopicStatus as S;
use kafka_mirror::retry::RetryPolicy;
use kafka_mirror::wait::Outcome;
use tokio::time::Instant;

fn client(url: &str) -> kafka_mirror::confluent::Client {
    kafka_mirror::confluent::Client::builder(url)
        .basic_auth(KEY, SECRET)
        .retry(RetryPolicy::none())
        .build()
        .unwrap()
}

fn topics(status: &str) -> Reply {
    Reply::json(
        200,
        list("KafkaMirrorDataList", vec![mirror("orders", status)]),
    )
}

#[tokio::test(start_paused = true)]
async fn a_burst_of_failed_polls_does_not_end_the_wait() {
    let mut script = vec![topics("PENDING_STOPPED")];
    script.extend(std::iter::repeat_with(|| Reply::status(503)).take(4));
    script.push(Reply::json(
        500,
        serde_json::json!({"error_code": 50003, "message": "not the leader"}),
    ));
    let s = Scripted::start(script, topics("STOPPED")).await;
    let c = client(s.url());
    let mut failed = Vec::new();
    let report = c
        .wait_for_mirror_topics("c", "l")
        .topics(["orders"])
        .poll_interval(Duration::from_secs(1), Duration::from_secs(1))
        .on_progress(|p| failed.push(p.failed_polls))
        .await
        .unwrap();
    assert_eq!(report.outcomes["orders"], Outcome::Reached);
    assert_eq!(report.failed_polls, 5);
    assert!(
        report
            .last_poll_error
            .as_deref()
            .is_some_and(|e| e.contains("500")),
        "{:?}",
        report.last_poll_error
    );
    assert_eq!(failed, [0, 1, 2, 3, 4, 5, 5]);
    assert_eq!(s.hits(), 7);
    assert!(
        s.requests().iter().all(|r| r.starts_with("GET ")),
        "{:?}",
        s.requests()
    );
}

#[tokio::test(start_paused = true)]
async fn a_topic_that_times_out_says_its_last_poll_failed() {
    let s = Scripted::start(vec![topics("PENDING_STOPPED")], Reply::status(503)).await;
    let c = client(s.url());
    let start = Instant::now();
    let report = c
        .wait_for_mirror_topics("c", "l")
        .topics(["orders"])
        .timeout(Duration::from_secs(20))
        .await
        .unwrap();
    assert_eq!(
        report.outcomes["orders"],
        Outcome::TimedOut {
            last: Some(S::PendingStopped),
            last_poll_failed: true,
        }
    );
    assert!(report.failed_polls >= 3, "{report:?}");
    assert!(start.elapsed() <= Duration::from_secs(20));
}

#[tokio::test(start_paused = true)]
async fn an_unknown_link_ends_the_wait_at_once() {
    let s = Scripted::start(
        vec![],
        Reply::json(
            404,
            serde_json::json!({"error_code": 404, "message": "link not found"}),
        ),
    )
    .await;
    let c = client(s.url());
    let err = c.wait_for_mirror_topics("c", "nope").await.unwrap_err();
    assert!(err.is_not_found(), "{err}");
    assert!(err.is_permanent());
    assert_eq!(s.hits(), 1);
}

#[tokio::test(start_paused = true)]
async fn with_no_poll_ever_answered_the_last_error_comes_back() {
    // Without named topics, nothing is known of what to wait for: an
    // empty report would read as "every topic reached".
    let s = Scripted::start(vec![], Reply::status(503)).await;
    let c = client(s.url());
    let start = Instant::now();
    let err = c
        .wait_for_mirror_topics("c", "l")
        .timeout(Duration::from_secs(15))
        .await
        .unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(503), "{err}");
    assert!(!err.is_permanent());
    assert!(s.hits() >= 3, "polled until the timeout: {}", s.hits());
    assert!(start.elapsed() <= Duration::from_secs(15));
}

#[tokio::test(start_paused = true)]
async fn polls_are_jittered_within_a_fifth_of_the_interval() {
    let s = Scripted::start(vec![], topics("PENDING_STOPPED")).await;
    let c = client(s.url());
    let _ = c
        .wait_for_mirror_topics("c", "l")
        .topics(["orders"])
        .poll_interval(Duration::from_secs(10), Duration::from_secs(10))
        .timeout(Duration::from_secs(200))
        .await
        .unwrap();
    let at = s.arrivals();
    let gaps: Vec<Duration> = at.windows(2).map(|w| w[1] - w[0]).collect();
    assert!(gaps.len() >= 10, "{gaps:?}");
    assert!(
        gaps.iter()
            .all(|g| *g >= Duration::from_secs(8) && *g <= Duration::from_secs(12)),
        "{gaps:?}"
    );
    assert!(
        gaps.windows(2).any(|w| w[0] != w[1]),
        "the waits vary: {gaps:?}"
    );
}
