//! The DR runbooks against scripted failures, on tokio's paused clock: a
//! promote reset before it is applied, one applied whose answer is lost, a
//! partial 200 (with and without its answer), a burst of failing reads
//! during the wait, a storm of 429s. Each test checks the end state, how
//! many action requests were sent (never a second one for a topic that had
//! moved) and what the report says.

use kafka_mirror_test_support::emulator as support;

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use kafka_mirror::confluent::MirrorAction;
use kafka_mirror::confluent::types::MirrorTopicStatus as S;
use kafka_mirror::dr::{Event, Report, Stage, TopicOutcome};
use kafka_mirror::retry::RetryPolicy;
use kafka_mirror_emulator::{Emulator, Fault, Script};
use support::statuses;

const DR: &str = "lkc-dr";
const LINK: &str = "primary-to-dr";
const PROMOTE: &str = "/mirrors:promote";

async fn emulator(scripts: &[Script]) -> Emulator {
    let mut b = Emulator::builder()
        .promote_delay(Duration::from_secs(3))
        .link(DR, LINK, "lkc-primary")
        .mirror(DR, LINK, "orders", &[0, 0])
        .mirror(DR, LINK, "payments", &[0])
        .mirror(DR, LINK, "inventory", &[0]);
    for s in scripts {
        b = b.script(s.clone());
    }
    b.start().await.unwrap()
}

/// A client with the default retry policy and rate limit, as users run it:
/// the retry layer must not replay a POST whose connection was reset.
fn client(e: &Emulator) -> kafka_mirror::confluent::Client {
    let (u, s) = e.credentials().unwrap();
    kafka_mirror::confluent::Client::builder(e.base_url())
        .basic_auth(u, s)
        .http_client(support::http())
        .build()
        .unwrap()
}

/// Every topic ended `STOPPED`, on the service and in the report.
async fn all_stopped(c: &kafka_mirror::confluent::Client, report: &Report) {
    assert!(report.succeeded(), "{report:#?}");
    for (name, t) in &report.topics {
        assert_eq!(t.outcome, TopicOutcome::Done, "{name}");
        assert_eq!(t.statuses.last(), Some(&S::Stopped), "{name}");
    }
    let now = statuses(c, DR, LINK).await;
    assert_eq!(now.len(), 3);
    assert!(now.values().all(|s| *s == S::Stopped), "{now:?}");
}

fn requests(report: &Report) -> BTreeMap<&str, u32> {
    report
        .topics
        .iter()
        .map(|(n, t)| (n.as_str(), t.requests))
        .collect()
}

#[tokio::test(start_paused = true)]
async fn a_promote_reset_before_it_was_applied_is_read_back_and_sent_again() {
    let e = emulator(&[Script::new(Fault::ResetBeforeApplying).on("POST", PROMOTE)]).await;
    let c = client(&e);
    let report = c.switchover(DR, LINK).await.unwrap();
    assert_eq!(e.injected(Fault::ResetBeforeApplying), 1);
    all_stopped(&c, &report).await;
    assert_eq!(
        report.action_requests, 2,
        "the first promote, then once more"
    );
    assert_eq!(
        requests(&report),
        BTreeMap::from([("inventory", 2), ("orders", 2), ("payments", 2)])
    );
    for (name, t) in &report.topics {
        assert_eq!(t.lost_answers.len(), 1, "{name}");
        let lost = &t.lost_answers[0];
        assert_eq!(lost.action, MirrorAction::Promote);
        assert_eq!(lost.read_back, Some(S::Active), "{name}: not moved");
        assert!(!lost.applied, "{name}");
    }
}

#[tokio::test(start_paused = true)]
async fn a_promote_applied_whose_answer_was_lost_is_awaited_and_not_sent_again() {
    let e = emulator(&[Script::new(Fault::LoseAnswer).on("POST", PROMOTE)]).await;
    let c = client(&e);
    let report = c.switchover(DR, LINK).await.unwrap();
    assert_eq!(e.injected(Fault::LoseAnswer), 1);
    all_stopped(&c, &report).await;
    assert_eq!(report.action_requests, 1, "no second promote");
    assert_eq!(
        requests(&report),
        BTreeMap::from([("inventory", 1), ("orders", 1), ("payments", 1)])
    );
    for (name, t) in &report.topics {
        let lost = &t.lost_answers[..];
        assert_eq!(lost.len(), 1, "{name}");
        assert!(lost[0].applied, "{name}");
        assert!(
            matches!(lost[0].read_back, Some(S::PendingStopped | S::Stopped)),
            "{name}: {:?}",
            lost[0].read_back
        );
        assert!(!lost[0].error.is_empty());
    }
}

#[tokio::test(start_paused = true)]
async fn a_partial_200_whose_answer_was_lost_resends_only_the_topic_that_did_not_move() {
    let e = emulator(&[
        Script::new(Fault::TopicError)
            .on("POST", PROMOTE)
            .topic("payments"),
        Script::new(Fault::LoseAnswer).on("POST", PROMOTE),
    ])
    .await;
    let c = client(&e);
    let report = c.switchover(DR, LINK).await.unwrap();
    assert_eq!(e.injected(Fault::TopicError), 1);
    assert_eq!(e.injected(Fault::LoseAnswer), 1);
    all_stopped(&c, &report).await;
    assert_eq!(report.action_requests, 2);
    assert_eq!(
        requests(&report),
        BTreeMap::from([("inventory", 1), ("orders", 1), ("payments", 2)]),
        "the second promote names payments alone"
    );
    let payments = &report.topics["payments"].lost_answers;
    assert_eq!(
        (payments[0].read_back.clone(), payments[0].applied),
        (Some(S::Active), false)
    );
    let orders = &report.topics["orders"].lost_answers;
    assert!(orders[0].applied);
}

#[tokio::test(start_paused = true)]
async fn a_topic_refused_with_50003_inside_a_200_is_read_back_and_sent_again() {
    let e = emulator(&[Script::new(Fault::TopicError)
        .on("POST", PROMOTE)
        .topic("payments")])
    .await;
    let c = client(&e);
    let report = c.switchover(DR, LINK).await.unwrap();
    assert_eq!(e.injected(Fault::TopicError), 1);
    all_stopped(&c, &report).await;
    assert_eq!(report.action_requests, 2);
    assert_eq!(
        requests(&report),
        BTreeMap::from([("inventory", 1), ("orders", 1), ("payments", 2)])
    );
    let lost = &report.topics["payments"].lost_answers;
    assert_eq!(lost.len(), 1);
    assert!(lost[0].error.contains("50003"), "{}", lost[0].error);
    assert!(report.topics["orders"].lost_answers.is_empty());
}

#[tokio::test(start_paused = true)]
async fn a_topic_refused_with_400_inside_a_200_is_not_sent_again() {
    // A 4xx code is the service's answer: final, and sent once. (Reversing
    // needs the source cluster, which is down.)
    let e = Emulator::builder()
        .promote_delay(Duration::from_secs(3))
        .link(DR, LINK, "lkc-primary")
        .mirror(DR, LINK, "orders", &[0])
        .outage("lkc-primary")
        .start()
        .await
        .unwrap();
    let c = client(&e);
    let report = c
        .mirror_action(DR, LINK, MirrorAction::ReverseAndStart)
        .await
        .unwrap();
    assert!(!report.succeeded());
    assert_eq!(report.action_requests, 1);
    assert!(
        matches!(
            &report.topics["orders"].outcome,
            TopicOutcome::Failed {
                error_code: Some(400),
                ..
            }
        ),
        "{:?}",
        report.topics["orders"].outcome
    );
}

#[tokio::test(start_paused = true)]
async fn a_burst_of_failing_reads_during_the_wait_does_not_end_it() {
    let e = Arc::new(emulator(&[]).await);
    let c = client(&e);
    let during_wait = e.clone();
    let report = c
        .switchover(DR, LINK)
        .on_event(move |ev| {
            if matches!(ev, Event::Step(s) if s.starts_with("waiting for")) {
                // Longer than the retry policy: several polls fail in a row.
                during_wait.script(
                    Script::new(Fault::Unavailable)
                        .on("GET", "/mirrors")
                        .times(15),
                );
            }
        })
        .await
        .unwrap();
    assert_eq!(e.injected(Fault::Unavailable), 15);
    all_stopped(&c, &report).await;
    assert_eq!(report.action_requests, 1);
    assert!(report.failed_polls >= 2, "{}", report.failed_polls);
    let last = report.last_poll_error.as_deref().unwrap_or_default();
    assert!(last.contains("503"), "{last}");
}

#[tokio::test(start_paused = true)]
async fn a_429_storm_slows_the_runbook_but_sends_each_promote_once() {
    let e = emulator(&[Script::new(Fault::RateLimited).times(40)]).await;
    let c = client(&e);
    let report = c.switchover(DR, LINK).await.unwrap();
    assert_eq!(
        e.injected(Fault::RateLimited),
        40,
        "the whole storm was met"
    );
    all_stopped(&c, &report).await;
    assert_eq!(report.action_requests, 1);
    assert_eq!(
        requests(&report),
        BTreeMap::from([("inventory", 1), ("orders", 1), ("payments", 1)])
    );
    assert!(report.topics.values().all(|t| t.lost_answers.is_empty()));
}

#[tokio::test(start_paused = true)]
async fn a_promote_that_keeps_failing_ends_with_a_report_not_an_error() {
    // Every promote is reset before it is applied: the runbook reads back,
    // sends again up to its bound, then reports each topic as not moved.
    let e = emulator(&[Script::new(Fault::ResetBeforeApplying)
        .on("POST", PROMOTE)
        .times(100)])
    .await;
    let c = client(&e);
    let report = c
        .switchover(DR, LINK)
        .max_resends(2)
        .timeout(Duration::from_secs(120))
        .await
        .unwrap();
    assert!(!report.succeeded());
    assert_eq!(report.action_requests, 3, "the first promote and 2 more");
    assert_eq!(e.injected(Fault::ResetBeforeApplying), 3);
    assert!(!report.errors.is_empty(), "the failures are in the report");
    for (name, t) in &report.topics {
        assert_eq!(t.requests, 3, "{name}");
        assert_eq!(t.lost_answers.len(), 3, "{name}");
        assert!(!t.outcome.succeeded(), "{name}: {:?}", t.outcome);
    }
    assert!(
        statuses(&c, DR, LINK)
            .await
            .values()
            .all(|s| *s == S::Active)
    );
}

#[tokio::test(start_paused = true)]
async fn the_runbook_timeout_bounds_an_action_request_and_its_retries() {
    // Every promote is throttled, and the client would retry a 429 a
    // thousand times: the runbook's timeout ends the request all the same.
    let e = emulator(&[Script::new(Fault::RateLimited)
        .on("POST", PROMOTE)
        .times(10_000)])
    .await;
    let (u, s) = e.credentials().unwrap();
    let c = kafka_mirror::confluent::Client::builder(e.base_url())
        .basic_auth(u, s)
        .http_client(support::http())
        .retry(RetryPolicy::default().max_throttled_retries(1_000))
        .build()
        .unwrap();
    let timeout = Duration::from_secs(60);
    let report = c
        .switchover(DR, LINK)
        .max_resends(0)
        .timeout(timeout)
        .await
        .unwrap();
    assert!(
        report.elapsed <= timeout + Duration::from_secs(1),
        "{:?}",
        report.elapsed
    );
    assert!(!report.succeeded());
    assert_eq!(report.action_requests, 1);
    let cut = report.errors.iter().find(|e| e.stage == Stage::Action);
    // Cut short where the next retry would pass the runbook's deadline.
    assert!(
        cut.is_some_and(|e| e.status == Some(429) && e.at <= timeout),
        "{:#?}",
        report.errors
    );
    let now = statuses(&c, DR, LINK).await;
    assert!(now.values().all(|s| *s == S::Active), "{now:?}");
}
