//! Fleet runs (`kafka_mirror::dr::fleet`) against the emulator, on tokio's
//! paused clock: several links at once, one link failing its checks, one
//! topic failing, a dry run, the combined report, and waits that read only
//! what is left.

use kafka_mirror_test_support::emulator as support;

use std::collections::BTreeSet;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use kafka_mirror::Error;
use kafka_mirror::confluent::types::MirrorTopicStatus as S;
use kafka_mirror::dr::fleet::{LinkResult, Links};
use kafka_mirror::dr::{Kind, TopicOutcome};
use kafka_mirror_emulator::{Emulator, EmulatorBuilder, Fault, Script};
use support::{Journal, client, statuses};

const DR: &str = "lkc-dr";

fn link(i: usize) -> String {
    format!("link-{i}")
}

/// `links` links of `topics` topics each (`l{i}-t{j}`, no lag), each link
/// from its own source cluster, promotes taking 2 s.
fn fleet(links: usize, topics: usize) -> EmulatorBuilder {
    let mut b = Emulator::builder().promote_delay(Duration::from_secs(2));
    for i in 0..links {
        b = b.link(DR, &link(i), &format!("lkc-src-{i}"));
        for j in 0..topics {
            b = b.mirror(DR, &link(i), &format!("l{i}-t{j}"), &[0, 0]);
        }
    }
    b
}

#[tokio::test(start_paused = true)]
async fn a_fleet_switchover_promotes_every_link_and_reports_them_together() {
    let e = fleet(3, 4).start().await.unwrap();
    let c = client(&e);
    let journal = Journal::default();
    let seen = Arc::new(Mutex::new(BTreeSet::new()));
    let record = seen.clone();
    let before = e.requests();
    let report = c
        .fleet(Kind::Switchover, DR, Links::All)
        .journal(journal.clone())
        .on_event(move |l, _| {
            record.lock().unwrap().insert(l.to_owned());
        })
        .await
        .unwrap();
    assert!(report.succeeded(), "{report:#?}");
    let t = report.totals();
    assert_eq!(
        (t.links, t.links_succeeded, t.topics, t.done),
        (3, 3, 12, 12)
    );
    assert_eq!(t.action_requests, 3, "one promote per link");
    // Per link: the list, the link, its configs, the promote, the final
    // list, and a few one-request polls while the promote is pending.
    let requests = e.requests() - before;
    assert!((3 * 6..=3 * 10).contains(&requests), "{requests} requests");
    assert_eq!(*seen.lock().unwrap(), (0..3).map(link).collect());
    for i in 0..3 {
        let LinkResult::Ran(r) = &report.links[&link(i)] else {
            panic!("{i} did not run")
        };
        assert_eq!(
            r.topics[&format!("l{i}-t0")].statuses,
            [S::Active, S::PendingStopped, S::Stopped]
        );
        assert!(
            statuses(&c, DR, &link(i))
                .await
                .values()
                .all(|s| *s == S::Stopped)
        );
    }
    // The links ran at once: one promote delay, not three.
    assert!(
        report.elapsed < Duration::from_secs(4),
        "{:?}",
        report.elapsed
    );

    // Each journal line names its link; each link's wait read the pending
    // topics only, then the link once in full.
    let lines = journal.lines();
    assert!(lines.iter().all(|l| l["link"].is_string()));
    for i in 0..3 {
        let reads: Vec<&str> = lines
            .iter()
            .filter(|l| l["link"] == link(i).as_str() && l["method"] == "GET")
            .filter_map(|l| l["path"].as_str())
            .filter(|p| p.contains("/mirrors"))
            .collect();
        let waypoint = reads
            .iter()
            .filter(|p| p.ends_with("/mirrors?mirror_status=PENDING_STOPPED"))
            .count();
        let complete = reads.iter().filter(|p| p.ends_with("/mirrors")).count();
        assert!(waypoint >= 1, "{reads:?}");
        assert_eq!(complete, 2, "the pre-flight and the final read: {reads:?}");
    }
}

#[tokio::test(start_paused = true)]
async fn a_link_that_fails_its_checks_does_not_stop_the_others() {
    let e = fleet(2, 2)
        .task_error(DR, &link(1), "AclSync", "AUTH_FAILED", "not authorized")
        .start()
        .await
        .unwrap();
    let c = client(&e);
    let links = Links::Names(vec![link(0), link(1), "no-such-link".into()]);
    let report = c.fleet(Kind::Switchover, DR, links).await.unwrap();
    assert!(!report.succeeded());
    let t = report.totals();
    assert_eq!(
        (
            t.links,
            t.links_succeeded,
            t.links_not_run,
            t.done,
            t.not_started
        ),
        (3, 1, 1, 2, 2)
    );
    let LinkResult::Ran(sick) = &report.links[&link(1)] else {
        panic!("link-1 did not run")
    };
    assert!(
        sick.stopped_early.as_deref().unwrap().contains("AclSync"),
        "{sick:#?}"
    );
    assert_eq!(
        report.links["no-such-link"],
        LinkResult::NotRun {
            error: report.not_run()[0].1.to_owned(),
            status: Some(404)
        }
    );
    assert_eq!(report.not_run()[0].0, "no-such-link");
    assert!(
        statuses(&c, DR, &link(0))
            .await
            .values()
            .all(|s| *s == S::Stopped)
    );
    assert!(
        statuses(&c, DR, &link(1))
            .await
            .values()
            .all(|s| *s == S::Active)
    );
}

#[tokio::test(start_paused = true)]
async fn one_topic_that_fails_leaves_the_rest_of_the_fleet_done() {
    let e = fleet(2, 2)
        .script(
            Script::new(Fault::TopicError)
                .on("POST", "/mirrors:promote")
                .topic("l1-t0")
                .times(100),
        )
        .start()
        .await
        .unwrap();
    let c = client(&e);
    let report = c
        .fleet(Kind::Switchover, DR, Links::All)
        .max_resends(1)
        .await
        .unwrap();
    let failed: Vec<(&str, &str)> = report.failed().iter().map(|(l, t, _)| (*l, *t)).collect();
    assert_eq!(failed, [("link-1", "l1-t0")]);
    assert!(matches!(report.failed()[0].2, TopicOutcome::Failed { .. }));
    let t = report.totals();
    assert_eq!(
        (t.topics, t.done, t.failed, t.links_succeeded),
        (4, 3, 1, 1)
    );
}

#[tokio::test(start_paused = true)]
async fn a_dry_run_validates_every_link_and_changes_nothing() {
    let e = fleet(2, 3).start().await.unwrap();
    let c = client(&e);
    let report = c
        .fleet(Kind::Failover, DR, Links::All)
        .dry_run(true)
        .await
        .unwrap();
    assert!(report.succeeded(), "{report:#?}");
    assert!(report.dry_run);
    assert_eq!(report.totals().planned, 6);
    for i in 0..2 {
        assert!(
            statuses(&c, DR, &link(i))
                .await
                .values()
                .all(|s| *s == S::Active)
        );
    }
}

#[tokio::test(start_paused = true)]
async fn the_combined_report_serializes_per_link_with_the_totals() {
    let e = fleet(1, 2).start().await.unwrap();
    let c = client(&e);
    let links = Links::Names(vec![link(0), "gone".into()]);
    let report = c.fleet(Kind::Switchover, DR, links).await.unwrap();
    let json = serde_json::to_value(&report).unwrap();
    assert_eq!(json["kind"], "switchover");
    assert_eq!(json["cluster"], DR);
    assert_eq!(json["links"]["link-0"]["result"], "ran");
    assert_eq!(
        json["links"]["link-0"]["topics"]["l0-t1"]["outcome"],
        "done"
    );
    assert_eq!(json["links"]["gone"]["result"], "not_run");
    assert_eq!(json["links"]["gone"]["status"], 404);
    assert_eq!(json["totals"]["links"], 2);
    assert_eq!(json["totals"]["done"], 2);
    assert_eq!(json["totals"]["links_not_run"], 1);
    assert!(json["elapsed"].is_f64());
}

#[tokio::test(start_paused = true)]
async fn links_run_at_most_concurrency_at_once() {
    let e = fleet(3, 1).start().await.unwrap();
    let c = client(&e);
    let one_at_a_time = c
        .fleet(Kind::Switchover, DR, Links::All)
        .concurrency(1)
        .await
        .unwrap();
    assert!(one_at_a_time.succeeded());
    // Three promote delays of 2 s one after the other.
    assert!(
        one_at_a_time.elapsed >= Duration::from_secs(6),
        "{:?}",
        one_at_a_time.elapsed
    );
}

#[tokio::test(start_paused = true)]
async fn no_link_at_all_is_refused_before_any_request() {
    let e = fleet(1, 1).start().await.unwrap();
    let c = client(&e);
    let err = c
        .fleet(Kind::Switchover, DR, Links::Names(Vec::new()))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::InvalidArgument(_)), "{err:?}");
}

#[tokio::test(start_paused = true)]
async fn an_interrupted_fleet_run_sends_nothing_after_the_signal() {
    let e = fleet(2, 2).start().await.unwrap();
    let c = client(&e);
    let report = c
        .fleet(Kind::Switchover, DR, Links::All)
        .interrupt_on(std::future::ready(()))
        .await
        .unwrap();
    assert!(report.interrupted);
    assert_eq!(report.totals().action_requests, 0);
    assert!(!report.succeeded());
}
