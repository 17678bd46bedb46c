//! Waiters, on tokio's paused clock against the emulator.

use kafka_mirror_test_support::emulator as support;

use support::client;

use std::time::Duration;

use kafka_mirror::confluent::types::{AlterMirrorsRequestData, MirrorTopicStatus as S};
use kafka_mirror::instaclustr::types::MirrorStatus;
use kafka_mirror::wait::Outcome;
use kafka_mirror_emulator::Emulator;
use tokio::time::Instant;

async fn emulator() -> Emulator {
    Emulator::builder()
        .promote_delay(Duration::from_secs(5))
        .link("dr", "l", "p")
        .mirror("dr", "l", "a", &[0])
        .mirror("dr", "l", "b", &[0])
        .mirror("dr", "l", "gone", &[0])
        .start()
        .await
        .unwrap()
}

#[tokio::test(start_paused = true)]
async fn waits_for_promoted_topics_to_stop_and_reports_progress() {
    let e = emulator().await;
    let c = client(&e);
    let names = AlterMirrorsRequestData {
        mirror_topic_names: vec!["a".into(), "b".into()],
        mirror_topic_name_pattern: None,
    };
    c.promote_mirror_topics()
        .cluster_id("dr")
        .link_name("l")
        .body(names)
        .send()
        .await
        .unwrap();
    let start = Instant::now();
    let mut seen = Vec::new();
    let report = c
        .wait_for_mirror_topics("dr", "l")
        .topics(["a", "b"])
        .until(S::Stopped)
        .on_progress(|p| seen.push((p.done, p.states.get("a").cloned())))
        .await
        .unwrap();
    assert!(report.all_reached(), "{report:?}");
    // Promote settles after 5 s; polls at 0, 1, 2.5, 4.75 and 8.1 s, each
    // wait varied by up to 20%: the first poll after 5 s comes by 9.05 s.
    assert!(
        start.elapsed() >= Duration::from_secs(5) && start.elapsed() < Duration::from_secs(10),
        "{:?}",
        start.elapsed()
    );
    assert_eq!(seen.first(), Some(&(0, Some(S::PendingStopped))));
    assert_eq!(seen.last(), Some(&(2, Some(S::Stopped))));
}

#[tokio::test(start_paused = true)]
async fn a_stopped_topic_waited_for_active_fails_a_missing_one_is_missing() {
    let e = emulator().await;
    let c = client(&e);
    let names = AlterMirrorsRequestData {
        mirror_topic_names: vec!["gone".into()],
        mirror_topic_name_pattern: None,
    };
    c.failover_mirror_topics()
        .cluster_id("dr")
        .link_name("l")
        .body(names)
        .send()
        .await
        .unwrap();
    let report = c
        .wait_for_mirror_topics("dr", "l")
        .topics(["a", "gone", "nope"])
        .until(S::Active)
        .await
        .unwrap();
    assert_eq!(report.outcomes["a"], Outcome::Reached);
    assert_eq!(
        report.outcomes["gone"],
        Outcome::Failed { status: S::Stopped }
    );
    assert_eq!(report.outcomes["nope"], Outcome::Missing);
    assert_eq!(report.not_reached().len(), 2);
}

#[tokio::test(start_paused = true)]
async fn the_timeout_ends_the_wait_with_the_last_state() {
    let e = emulator().await;
    let c = client(&e);
    let start = Instant::now();
    let report = c
        .wait_for_mirror_topics("dr", "l")
        .topics(["a"])
        .timeout(Duration::from_secs(30))
        .await
        .unwrap();
    assert_eq!(
        report.outcomes["a"],
        Outcome::TimedOut {
            last: Some(S::Active),
            last_poll_failed: false,
        }
    );
    // It stops at the poll after which the next (at most 10 s, +20%
    // jitter) would come past 30 s: at 18 s at the earliest.
    assert!(start.elapsed() <= Duration::from_secs(30));
    assert!(
        start.elapsed() > Duration::from_secs(18),
        "{:?}",
        start.elapsed()
    );
}

#[tokio::test(start_paused = true)]
async fn instaclustr_mirrors_are_waited_until_in_sync() {
    let e = Emulator::start().await.unwrap();
    let i = support::instaclustr_client(&e);
    let cluster = kafka_mirror::instaclustr::Uuid::new_v4();
    let created = i
        .create_mirror()
        .cluster_id(cluster)
        .body(
            kafka_mirror::instaclustr::types::CreateMirrorRequest::Custom {
                source_connection_properties: "bootstrap.servers=source:9092".into(),
                topics_regex: Some(".*".into()),
                max_tasks: None,
                source_alias: None,
                use_renaming: None,
            },
        )
        .send()
        .await
        .unwrap();
    let mut polls = 0;
    let report = i
        .wait_for_mirrors(cluster)
        .mirrors([created.mirror_id.as_str(), "missing-id"])
        .until(MirrorStatus::InSync)
        .on_progress(|_| polls += 1)
        .await
        .unwrap();
    assert_eq!(report.outcomes[&created.mirror_id], Outcome::Reached);
    assert_eq!(report.outcomes["missing-id"], Outcome::Missing);
    assert!(polls >= 2, "it polled until the mirror left CREATING");
}

#[tokio::test(start_paused = true)]
async fn without_topics_every_mirror_topic_of_the_link_is_waited_for() {
    let e = emulator().await;
    let c = client(&e);
    let mut totals = Vec::new();
    let report = c
        .wait_for_mirror_topics("dr", "l")
        .until(S::Active)
        .poll_interval(Duration::from_millis(100), Duration::from_millis(100))
        .on_progress(|p| totals.push(p.total))
        .await
        .unwrap();
    let names: Vec<_> = report.outcomes.keys().map(String::as_str).collect();
    assert_eq!(names, ["a", "b", "gone"]);
    assert!(report.all_reached(), "{report:?}");
    assert_eq!(totals, [3]);
}

#[tokio::test(start_paused = true)]
async fn a_poll_that_fails_returns_the_error() {
    let e = emulator().await;
    let c = client(&e);
    let err = c
        .wait_for_mirror_topics("dr", "no-such-link")
        .await
        .unwrap_err();
    assert!(err.is_not_found(), "{err}");
    assert_eq!(err.attempts(), Some(1));
}
