//! The DR runbooks (`kafka_mirror::dr`) against the emulator, on tokio's
//! paused clock: lag gate, promote, failover in an outage, failback after
//! recovery, dry runs that change nothing, pre-flight refusals.

use kafka_mirror_test_support::emulator as support;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use kafka_mirror::confluent::MirrorAction;
use kafka_mirror::confluent::types::MirrorTopicStatus as S;
use kafka_mirror::dr::{Event, TopicOutcome};
use kafka_mirror_emulator::Emulator;
use support::{Journal, client, statuses};

const DR: &str = "lkc-dr";
const LINK: &str = "primary-to-dr";

async fn emulator(lags: &[u64]) -> Emulator {
    Emulator::builder()
        .promote_delay(Duration::from_secs(3))
        .link(DR, LINK, "lkc-primary")
        .mirror(DR, LINK, "orders", lags)
        .mirror(DR, LINK, "payments", &[0])
        .mirror(DR, LINK, "inventory", &[10])
        .start()
        .await
        .unwrap()
}

#[tokio::test(start_paused = true)]
async fn switchover_waits_for_the_lag_gate_then_promotes_and_waits_for_stopped() {
    let e = emulator(&[0, 500]).await;
    let c = client(&e);
    let events = Arc::new(Mutex::new(Vec::new()));
    let seen = events.clone();
    let started = tokio::time::Instant::now();
    let report = c
        .switchover(DR, LINK)
        .on_event(move |ev| seen.lock().unwrap().push(ev.clone()))
        .await
        .unwrap();
    assert!(report.succeeded(), "{report:#?}");
    // 510 messages of lag drain at 100 a second and partition: 5 s, then
    // 3 s of PENDING_STOPPED.
    assert!(
        started.elapsed() >= Duration::from_secs(8),
        "{:?}",
        started.elapsed()
    );
    let orders = &report.topics["orders"];
    assert_eq!(orders.action, Some(MirrorAction::Promote));
    assert_eq!(orders.statuses, [S::Active, S::PendingStopped, S::Stopped]);
    assert_eq!(orders.total_lag(), 0, "the lag when promoted");
    assert!(
        statuses(&c, DR, LINK)
            .await
            .values()
            .all(|s| *s == S::Stopped)
    );
    let events = events.lock().unwrap();
    let gate: Vec<u64> = events
        .iter()
        .filter_map(|e| match e {
            Event::Lag { total, .. } => Some(*total),
            _ => None,
        })
        .collect();
    assert_eq!(gate.first(), Some(&510));
    assert_eq!(gate.last(), Some(&0));
    assert!(
        report
            .warnings
            .iter()
            .any(|w| w.contains("consumer.offset.sync.enable")),
        "{:?}",
        report.warnings
    );
}

#[tokio::test(start_paused = true)]
async fn a_lag_gate_that_is_not_met_in_time_stops_cleanly_and_promotes_nothing() {
    let e = emulator(&[1_000_000]).await;
    let c = client(&e);
    let report = c
        .switchover(DR, LINK)
        .timeout(Duration::from_secs(30))
        .await
        .unwrap();
    assert!(!report.succeeded());
    let why = report.stopped_early.as_deref().unwrap();
    assert!(why.contains("nothing was promoted"), "{why}");
    assert!(matches!(
        report.topics["orders"].outcome,
        TopicOutcome::NotStarted { .. }
    ));
    assert_eq!(report.topics["orders"].action, None);
    assert!(
        statuses(&c, DR, LINK)
            .await
            .values()
            .all(|s| *s == S::Active)
    );
}

#[tokio::test(start_paused = true)]
async fn failover_during_an_outage_reports_the_lag_it_may_lose() {
    let e = emulator(&[0, 300]).await;
    let c = client(&e);
    e.outage("lkc-primary");
    assert!(
        statuses(&c, DR, LINK)
            .await
            .values()
            .all(|s| *s == S::SourceUnavailable)
    );
    // A switchover refuses: the link is not active.
    let refused = c.switchover(DR, LINK).await.unwrap();
    assert!(
        refused
            .stopped_early
            .as_deref()
            .unwrap()
            .contains("run a failover"),
        "{refused:?}"
    );
    let report = c.failover(DR, LINK).await.unwrap();
    assert!(report.succeeded(), "{report:#?}");
    assert_eq!(report.unmirrored_messages(), 310);
    assert_eq!(report.topics["orders"].total_lag(), 300);
    assert_eq!(
        report.topics["orders"].statuses,
        [S::SourceUnavailable, S::Stopped]
    );
    assert!(
        statuses(&c, DR, LINK)
            .await
            .values()
            .all(|s| *s == S::Stopped)
    );
}

#[tokio::test(start_paused = true)]
async fn failback_after_recovery_restores_the_mirrors_and_waits_for_them_to_catch_up() {
    let e = emulator(&[0, 300]).await;
    let c = client(&e);
    e.outage("lkc-primary");
    c.failover(DR, LINK).await.unwrap();
    // Still down: truncate-and-restore needs the source.
    let early = c.failback(DR, LINK).await.unwrap();
    assert!(!early.succeeded());
    assert!(matches!(
        early.topics["orders"].outcome,
        TopicOutcome::Failed { .. }
    ));
    e.recover("lkc-primary");
    let report = c.failback(DR, LINK).await.unwrap();
    assert!(report.succeeded(), "{report:#?}");
    let orders = &report.topics["orders"];
    assert_eq!(orders.action, Some(MirrorAction::TruncateAndRestore));
    assert_eq!(orders.statuses.first(), Some(&S::Stopped));
    assert_eq!(orders.statuses.last(), Some(&S::Active));
    assert!(orders.messages_truncated.is_some());
    assert!(
        statuses(&c, DR, LINK)
            .await
            .values()
            .all(|s| *s == S::Active)
    );
}

#[tokio::test(start_paused = true)]
async fn failback_reverses_topics_that_are_still_mirroring() {
    let e = emulator(&[0]).await;
    let c = client(&e);
    let report = c.failback(DR, LINK).topics(["payments"]).await.unwrap();
    assert!(report.succeeded(), "{report:#?}");
    assert_eq!(
        report.topics["payments"].action,
        Some(MirrorAction::ReverseAndStart)
    );
    assert_eq!(statuses(&c, DR, LINK).await["payments"], S::Stopped);
    assert_eq!(
        statuses(&c, DR, LINK).await["orders"],
        S::Active,
        "not selected"
    );
}

#[tokio::test(start_paused = true)]
async fn dry_runs_validate_and_change_nothing() {
    let e = emulator(&[0, 50]).await;
    let c = client(&e);
    for (name, runbook) in [
        ("switchover", c.switchover(DR, LINK)),
        ("failover", c.failover(DR, LINK)),
        ("failback", c.failback(DR, LINK)),
    ] {
        let report = runbook.dry_run(true).await.unwrap();
        assert!(report.dry_run);
        assert!(
            report
                .topics
                .values()
                .all(|t| t.outcome == TopicOutcome::Planned),
            "{name}: {report:#?}"
        );
        assert!(
            statuses(&c, DR, LINK)
                .await
                .values()
                .all(|s| *s == S::Active),
            "{name}"
        );
    }
    // The switchover's dry run saw the lag and said so instead of waiting.
    let report = c.switchover(DR, LINK).dry_run(true).await.unwrap();
    assert!(
        report
            .warnings
            .iter()
            .any(|w| w.contains("a real run would wait"))
    );
}

#[tokio::test(start_paused = true)]
async fn a_link_task_in_error_stops_a_switchover_before_any_change() {
    let e = Emulator::builder()
        .link(DR, LINK, "lkc-primary")
        .mirror(DR, LINK, "orders", &[0])
        .task_error(
            DR,
            LINK,
            "AclSync",
            "SOURCE_ACL_READ_FAILED",
            "Not authorized to describe ACLs",
        )
        .start()
        .await
        .unwrap();
    let c = client(&e);
    let report = c.switchover(DR, LINK).await.unwrap();
    let why = report.stopped_early.unwrap();
    assert!(
        why.contains("AclSync") && why.contains("Not authorized"),
        "{why}"
    );
    assert_eq!(statuses(&c, DR, LINK).await["orders"], S::Active);
}

#[tokio::test(start_paused = true)]
async fn one_failing_topic_does_not_stop_the_others() {
    let e = emulator(&[0]).await;
    let c = client(&e);
    let report = c
        .switchover(DR, LINK)
        .topics(["orders", "no-such-topic"])
        .await
        .unwrap();
    assert!(!report.succeeded());
    assert_eq!(report.topics["orders"].outcome, TopicOutcome::Done);
    let failed = report.failed();
    assert_eq!(failed.len(), 1);
    assert_eq!(failed[0].0, "no-such-topic");
    assert_eq!(
        failed[0].1.to_string(),
        "failed: not a mirror topic of link primary-to-dr"
    );
}

#[tokio::test(start_paused = true)]
async fn a_pattern_selects_and_a_bad_pattern_is_refused_before_any_request() {
    let e = emulator(&[0]).await;
    let c = client(&e);
    let report = c
        .failover(DR, LINK)
        .pattern("^(orders|payments)$")
        .await
        .unwrap();
    assert_eq!(
        report.topics.keys().collect::<Vec<_>>(),
        ["orders", "payments"]
    );
    assert_eq!(statuses(&c, DR, LINK).await["inventory"], S::Active);
    let e = c.failover(DR, LINK).pattern("(").await.unwrap_err();
    assert!(matches!(e, kafka_mirror::Error::InvalidArgument(_)), "{e}");
}

#[tokio::test(start_paused = true)]
async fn an_interrupted_failback_resumed_from_its_journal_does_not_undo_what_it_did() {
    let e = emulator(&[0]).await;
    let c = client(&e);
    c.failover(DR, LINK).topics(["orders"]).await.unwrap();
    // The first run reverses payments (STOPPED at once) and starts
    // restoring orders (PENDING_RESTORE for 2 s), then is interrupted.
    let journal = Journal::default();
    let first = c
        .failback(DR, LINK)
        .topics(["orders", "payments"])
        .journal(journal.clone())
        .interrupt_on(tokio::time::sleep(Duration::from_millis(500)))
        .await
        .unwrap();
    assert!(first.interrupted, "{first:#?}");
    assert_eq!(first.action_requests, 2);
    let now = statuses(&c, DR, LINK).await;
    assert_eq!(
        (&now["orders"], &now["payments"]),
        (&S::PendingRestore, &S::Stopped)
    );

    // Alone, payments' STOPPED reads as "truncate and restore it": the
    // journal says it was reversed, so the re-run leaves it be.
    let planned = c
        .failback(DR, LINK)
        .topics(["orders", "payments"])
        .dry_run(true)
        .await
        .unwrap();
    assert_eq!(
        planned.topics["payments"].action,
        Some(MirrorAction::TruncateAndRestore),
        "without the journal: {planned:#?}"
    );
    let second = c
        .failback(DR, LINK)
        .topics(["orders", "payments"])
        .resume_from(journal.text())
        .journal(journal.clone())
        .await
        .unwrap();
    assert!(second.succeeded(), "{second:#?}");
    assert_eq!(second.action_requests, 0, "{second:#?}");
    let payments = &second.topics["payments"];
    assert_eq!(payments.action, Some(MirrorAction::ReverseAndStart));
    assert!(payments.resumed);
    assert_eq!(payments.outcome, TopicOutcome::Done);
    assert!(second.topics["orders"].resumed);
    let now = statuses(&c, DR, LINK).await;
    assert_eq!(
        (&now["orders"], &now["payments"]),
        (&S::Active, &S::Stopped)
    );

    // The second run succeeded and closed the record: a third run decides
    // afresh from the statuses.
    let third = c
        .failback(DR, LINK)
        .topics(["payments"])
        .resume_from(journal.text())
        .dry_run(true)
        .await
        .unwrap();
    assert_eq!(
        third.topics["payments"].action,
        Some(MirrorAction::TruncateAndRestore)
    );
}
