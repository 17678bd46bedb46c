//! The SDK's health check (`kafka_mirror::health`) against the emulator:
//! what it reads, what it costs, and what it concludes; and the emulator
//! answering what the check reads (category counts, a failed mirror, a
//! config reset through `configs:alter`).

use kafka_mirror_test_support::emulator as support;

use kafka_mirror::confluent::types::{
    AlterConfigBatchRequestData, AlterConfigBatchRequestDataData,
    AlterConfigBatchRequestDataOperation, MirrorTopicStatus as S,
};
use kafka_mirror::dr::fleet::Links;
use kafka_mirror::health::{Check, Severity, Verdict};
use kafka_mirror_emulator::{Emulator, EmulatorBuilder, Fault, Script};
use support::client;

const DR: &str = "lkc-dr";

fn two_links() -> EmulatorBuilder {
    Emulator::builder()
        .page_size(2)
        .link(DR, "ok", "lkc-a")
        .link_config(DR, "ok", "consumer.offset.sync.enable", "true")
        .mirror(DR, "ok", "a1", &[0])
        .mirror(DR, "ok", "a2", &[0])
        .mirror(DR, "ok", "a3", &[0])
        .link(DR, "sick", "lkc-b")
        .mirror(DR, "sick", "b1", &[0, 50_000])
        .mirror(DR, "sick", "b2", &[0])
        .failed_mirror(
            DR,
            "sick",
            "b2",
            "UNEXPECTED_TRUNCATION",
            "Truncated below the mirror.",
        )
        .task_error(
            DR,
            "sick",
            "ConsumerOffsetSync",
            "GROUP_AUTHORIZATION_FAILED",
            "No READ on groups.",
        )
}

#[tokio::test(start_paused = true)]
async fn a_check_reads_each_link_once_and_judges_what_it_read() {
    let e = two_links().start().await.unwrap();
    let c = client(&e);
    let before = e.requests();
    let r = c.health_check(DR, Links::All).max_lag(1_000).await.unwrap();
    assert_eq!(r.verdict(), Verdict::Unhealthy);
    assert_eq!(
        r.links["ok"].verdict(),
        Verdict::Healthy,
        "{:#?}",
        r.links["ok"]
    );
    let sick: Vec<(Severity, Check, Option<&str>)> = r.links["sick"]
        .findings
        .iter()
        .map(|f| {
            (
                f.severity,
                f.check,
                f.topic.as_deref().or(f.task.as_deref()),
            )
        })
        .collect();
    assert_eq!(
        sick,
        [
            (Severity::Problem, Check::Task, Some("ConsumerOffsetSync")),
            (Severity::Problem, Check::TopicLag, Some("b1")),
            (Severity::Problem, Check::MirrorStatus, Some("b2")),
            (Severity::Warning, Check::OffsetSync, None),
        ]
    );
    let b2 = &r.links["sick"].observed.topics["b2"];
    assert_eq!(b2.status, S::Failed);
    assert_eq!(b2.transition_errors[0].code, "UNEXPECTED_TRUNCATION");
    assert_eq!(r.links["sick"].observed.category_counts["IN_ERROR"], 1);
    // Listing the links (1), then per link: the link with its tasks (1),
    // the offset sync config (1), the mirror pages (ok: 2, sick: 1), and
    // the failed topic's transition errors (sick: 1).
    assert_eq!(e.requests() - before, 1 + (1 + 1 + 2) + (1 + 1 + 1 + 1));
}

#[tokio::test(start_paused = true)]
async fn without_details_a_check_reads_only_links_and_mirrors() {
    let e = two_links().start().await.unwrap();
    let c = client(&e);
    let before = e.requests();
    let r = c
        .health_check(DR, Links::Names(vec!["sick".into()]))
        .details(false)
        .await
        .unwrap();
    assert_eq!(e.requests() - before, 2);
    assert_eq!(r.links["sick"].observed.offset_sync, None);
    assert!(
        r.links["sick"]
            .findings
            .iter()
            .all(|f| f.check != Check::OffsetSync)
    );
}

#[tokio::test(start_paused = true)]
async fn a_read_that_keeps_failing_is_unchecked_and_the_other_links_are_checked() {
    let e = two_links()
        .script(
            Script::new(Fault::Unavailable)
                .on("GET", "/links/sick/mirrors")
                .times(usize::MAX),
        )
        .start()
        .await
        .unwrap();
    let c = client(&e);
    let r = c
        .health_check(DR, Links::Names(vec!["ok".into(), "sick".into()]))
        .await
        .unwrap();
    assert_eq!(r.links["ok"].verdict(), Verdict::Healthy);
    let unchecked: Vec<&str> = r.links["sick"]
        .findings
        .iter()
        .filter(|f| f.severity == Severity::Unchecked)
        .map(|f| f.message.as_str())
        .collect();
    assert_eq!(unchecked.len(), 1, "{:#?}", r.links["sick"].findings);
    assert!(
        unchecked[0].starts_with("cannot read the mirror topics: "),
        "{}",
        unchecked[0]
    );
    // The task in error was read before: the link is still unhealthy.
    assert_eq!(r.verdict(), Verdict::Unhealthy);
}

#[tokio::test(start_paused = true)]
async fn an_empty_list_of_links_is_refused_before_any_request() {
    let e = two_links().start().await.unwrap();
    let before = e.requests();
    let err = client(&e)
        .health_check(DR, Links::Names(vec![]))
        .await
        .unwrap_err();
    assert!(err.to_string().contains("at least one link"), "{err}");
    assert_eq!(e.requests(), before);
}

#[tokio::test(start_paused = true)]
async fn configs_alter_delete_puts_each_default_back() {
    let e = two_links().start().await.unwrap();
    let c = client(&e);
    let alter = |op: AlterConfigBatchRequestDataOperation, value: Option<&str>| {
        AlterConfigBatchRequestData {
            data: ["consumer.offset.sync.enable", "topic.config.sync.ms"]
                .iter()
                .map(|n| AlterConfigBatchRequestDataData {
                    name: n.to_string(),
                    value: value.map(str::to_string),
                    operation: Some(op.clone()),
                })
                .collect(),
            validate_only: None,
        }
    };
    c.alter_link_configs()
        .cluster_id(DR)
        .link_name("ok")
        .body(alter(AlterConfigBatchRequestDataOperation::Set, Some("1")))
        .send()
        .await
        .unwrap();
    c.alter_link_configs()
        .cluster_id(DR)
        .link_name("ok")
        .body(alter(AlterConfigBatchRequestDataOperation::Delete, None))
        .send()
        .await
        .unwrap();
    for (name, default) in [
        ("consumer.offset.sync.enable", "false"),
        ("topic.config.sync.ms", "5000"),
    ] {
        let got = c
            .get_link_config()
            .cluster_id(DR)
            .link_name("ok")
            .config_name(name)
            .send()
            .await
            .unwrap();
        assert_eq!(
            (got.value.as_str(), got.is_default),
            (default, true),
            "{name}"
        );
    }
}

#[tokio::test(start_paused = true)]
async fn the_sick_link_seed_of_the_readme_is_sick_in_the_ways_it_says() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("seeds/sick-link.json");
    let seed = kafka_mirror_emulator::SeedFile::read(&path).unwrap();
    let e = Emulator::builder().seed_file(&seed).start().await.unwrap();
    let r = client(&e)
        .health_check(DR, Links::All)
        .max_lag(10_000)
        .await
        .unwrap();
    assert_eq!(r.links["primary-to-dr"].verdict(), Verdict::Healthy);
    let west: Vec<(Check, Option<&str>)> = r.links["west-to-dr"]
        .findings
        .iter()
        .map(|f| (f.check, f.topic.as_deref().or(f.task.as_deref())))
        .collect();
    assert_eq!(
        west,
        [
            (Check::Task, Some("AclSync")),
            (Check::MirrorStatus, Some("audit")),
            (Check::TopicLag, Some("clicks")),
            (Check::OffsetSync, None),
        ]
    );
}
