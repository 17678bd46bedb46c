//! The event a DR tool exists for: the source cluster goes away, the mirrors
//! fail over, the source comes back, and the topics fail back. Also the
//! link details the specs describe (modes, tasks, transition errors) and
//! bearer-token authentication.

use kafka_mirror_test_support::emulator as support;

use kafka_mirror_test_support::names;
use support::client;

use std::time::Duration;

use kafka_mirror::confluent::types::{
    ConfigData, CreateLinkRequestData, LinkError, LinkState, MirrorTopicStatus as S,
};
use kafka_mirror::retry::RetryPolicy;
use kafka_mirror_emulator::Emulator;

async fn mirror(c: &kafka_mirror::confluent::Client, topic: &str) -> (S, i64) {
    let m = c
        .get_mirror_topic()
        .cluster_id("lkc-dr")
        .link_name("dr")
        .mirror_topic_name(topic)
        .send()
        .await
        .unwrap()
        .into_inner();
    (m.mirror_status, m.mirror_lags.iter().map(|l| l.lag).sum())
}

async fn emulator() -> Emulator {
    Emulator::builder()
        .promote_delay(Duration::from_secs(2))
        .link("lkc-dr", "dr", "lkc-primary")
        .mirror("lkc-dr", "dr", "orders", &[500, 500])
        .mirror("lkc-dr", "dr", "payments", &[0])
        .mirror("lkc-dr", "dr", "audit", &[0])
        .start()
        .await
        .unwrap()
}

#[tokio::test(start_paused = true)]
async fn an_outage_of_the_source_then_failover_recovery_and_failback() {
    let e = emulator().await;
    let c = client(&e);
    tokio::time::advance(Duration::from_secs(2)).await;
    let (_, lag_before) = mirror(&c, "orders").await;
    assert!(lag_before > 0 && lag_before < 1000, "{lag_before}");

    // The source goes away, through the emulator's HTTP control route.
    let http = kafka_mirror::client::http_client_builder()
        .unwrap()
        .build()
        .unwrap();
    let outage = format!("{}/emulator/v1/clusters/lkc-primary/outage", e.base_url());
    assert_eq!(http.post(&outage).send().await.unwrap().status(), 204);

    let link = c
        .get_link()
        .cluster_id("lkc-dr")
        .link_name("dr")
        .send()
        .await
        .unwrap();
    assert_eq!(link.link_state, Some(LinkState::Unavailable));
    assert_eq!(
        link.link_error,
        Some(LinkError::BootstrapTcpConnectionFailedError)
    );
    assert!(
        link.link_error_message
            .as_deref()
            .unwrap()
            .contains("lkc-primary")
    );
    let (status, lag) = mirror(&c, "orders").await;
    assert_eq!(status, S::SourceUnavailable);
    tokio::time::advance(Duration::from_secs(10)).await;
    assert_eq!(mirror(&c, "orders").await.1, lag, "lag stops draining");

    // The source's own endpoint does not answer.
    let down = c
        .list_links()
        .cluster_id("lkc-primary")
        .send()
        .await
        .unwrap_err();
    assert_eq!(down.status().map(|s| s.as_u16()), Some(503), "{down}");

    // Promotion needs the source: refused per topic inside a 200.
    let promoted = c
        .promote_mirror_topics()
        .cluster_id("lkc-dr")
        .link_name("dr")
        .body(names(&["orders"]))
        .send()
        .await
        .unwrap();
    assert_eq!(promoted.failed().len(), 1);
    assert!(
        promoted.failed()[0]
            .error_message
            .as_deref()
            .unwrap()
            .contains("failover"),
        "{promoted:?}"
    );
    // Failover does not.
    let failed_over = c
        .failover_mirror_topics()
        .cluster_id("lkc-dr")
        .link_name("dr")
        .body(names(&["orders", "payments"]))
        .send()
        .await
        .unwrap();
    assert!(failed_over.all_succeeded(), "{failed_over:?}");
    assert_eq!(mirror(&c, "orders").await.0, S::Stopped);
    // Truncating needs the source too.
    let early = c
        .truncate_and_restore_mirror_topics()
        .cluster_id("lkc-dr")
        .link_name("dr")
        .body(names(&["orders"]))
        .send()
        .await
        .unwrap();
    assert_eq!(early.failed().len(), 1);

    // Recovery: the link is back, the untouched mirror mirrors again.
    assert_eq!(http.delete(&outage).send().await.unwrap().status(), 204);
    assert_eq!(http.delete(&outage).send().await.unwrap().status(), 404);
    let link = c
        .get_link()
        .cluster_id("lkc-dr")
        .link_name("dr")
        .send()
        .await
        .unwrap();
    assert_eq!(link.link_state, Some(LinkState::Active));
    assert_eq!(mirror(&c, "audit").await.0, S::Active);
    assert_eq!(mirror(&c, "orders").await.0, S::Stopped);

    // Failback: truncate-and-restore, then the mirror catches up.
    let restored = c
        .truncate_and_restore_mirror_topics()
        .cluster_id("lkc-dr")
        .link_name("dr")
        .include_partition_level_truncation_data(true)
        .body(names(&["orders"]))
        .send()
        .await
        .unwrap();
    assert!(restored.all_succeeded(), "{restored:?}");
    assert_eq!(
        restored.data[0]
            .partition_level_truncation_data
            .as_ref()
            .map(Vec::len),
        Some(2)
    );
    assert_eq!(mirror(&c, "orders").await.0, S::PendingRestore);
    tokio::time::advance(e.behaviour().restore_delay).await;
    assert_eq!(mirror(&c, "orders").await.0, S::Active);
    tokio::time::advance(Duration::from_secs(30)).await;
    assert_eq!(mirror(&c, "orders").await.1, 0, "caught up");

    // And the other way round for a healthy mirror: reverse-and-start.
    let reversed = c
        .reverse_and_start_mirror_topics()
        .cluster_id("lkc-dr")
        .link_name("dr")
        .body(names(&["audit"]))
        .send()
        .await
        .unwrap();
    assert!(reversed.all_succeeded(), "{reversed:?}");
    let back = c
        .get_mirror_topic()
        .cluster_id("lkc-primary")
        .link_name("dr")
        .mirror_topic_name("audit")
        .send()
        .await
        .unwrap();
    assert_eq!(back.mirror_status, S::Active);
}

#[tokio::test(start_paused = true)]
async fn failover_is_accepted_from_every_state_the_service_allows() {
    let e = emulator().await;
    let c = client(&e);
    // PAUSED and PENDING_STOPPED before the outage.
    c.pause_mirror_topics()
        .cluster_id("lkc-dr")
        .link_name("dr")
        .body(names(&["payments"]))
        .send()
        .await
        .unwrap();
    c.promote_mirror_topics()
        .cluster_id("lkc-dr")
        .link_name("dr")
        .body(names(&["audit"]))
        .send()
        .await
        .unwrap();
    assert_eq!(mirror(&c, "audit").await.0, S::PendingStopped);
    e.outage("lkc-primary");
    for t in ["orders", "payments", "audit"] {
        assert_eq!(mirror(&c, t).await.0, S::SourceUnavailable, "{t}");
    }
    // A promotion under way does not finish while the source is down.
    tokio::time::advance(Duration::from_secs(10)).await;
    assert_eq!(mirror(&c, "audit").await.0, S::SourceUnavailable);
    let all = c
        .failover_mirror_topics()
        .cluster_id("lkc-dr")
        .link_name("dr")
        .body(names(&["orders", "payments", "audit"]))
        .send()
        .await
        .unwrap();
    assert!(all.all_succeeded(), "{all:?}");
    // The refusals are kept as state transition errors.
    let detail = c
        .get_mirror_topic()
        .cluster_id("lkc-dr")
        .link_name("dr")
        .mirror_topic_name("orders")
        .include_state_transition_errors(true)
        .send()
        .await
        .unwrap();
    assert!(!detail.mirror_state_transition_errors.is_empty());
    let plain = c
        .get_mirror_topic()
        .cluster_id("lkc-dr")
        .link_name("dr")
        .mirror_topic_name("orders")
        .send()
        .await
        .unwrap();
    assert!(plain.mirror_state_transition_errors.is_empty());
    assert!(e.recover("lkc-primary"));
    assert!(!e.recover("lkc-primary"));
}

#[tokio::test(start_paused = true)]
async fn a_promotion_interrupted_by_an_outage_resumes_after_recovery() {
    let e = emulator().await;
    let c = client(&e);
    c.promote_mirror_topics()
        .cluster_id("lkc-dr")
        .link_name("dr")
        .body(names(&["audit"]))
        .send()
        .await
        .unwrap();
    e.outage("lkc-primary");
    tokio::time::advance(Duration::from_secs(30)).await;
    e.recover("lkc-primary");
    assert_eq!(mirror(&c, "audit").await.0, S::PendingStopped);
    tokio::time::advance(Duration::from_secs(2)).await;
    assert_eq!(mirror(&c, "audit").await.0, S::Stopped);
}

#[tokio::test]
async fn links_have_tasks_and_can_be_source_initiated_or_bidirectional() {
    let e = Emulator::builder()
        .link("lkc-dr", "dr", "lkc-primary")
        .task_error(
            "lkc-dr",
            "dr",
            "AclSync",
            "AUTHORIZATION_FAILED",
            "Not authorized to describe ACLs",
        )
        .start()
        .await
        .unwrap();
    let c = client(&e);
    let link = c
        .get_link()
        .cluster_id("lkc-dr")
        .link_name("dr")
        .include_tasks(true)
        .send()
        .await
        .unwrap();
    let tasks = link.tasks.clone().expect("tasks were asked for");
    let state = |name: &str| {
        tasks
            .iter()
            .find(|t| t.task_name == name)
            .map(|t| t.state.as_str().to_string())
    };
    assert_eq!(state("AclSync").as_deref(), Some("IN_ERROR"));
    assert_eq!(
        state("ConsumerOffsetSync").as_deref(),
        Some("NOT_CONFIGURED")
    );
    assert_eq!(state("TopicConfigsSync").as_deref(), Some("ACTIVE"));
    let acl = tasks.iter().find(|t| t.task_name == "AclSync").unwrap();
    assert_eq!(acl.errors[0].error_code, "AUTHORIZATION_FAILED");
    let without = c
        .get_link()
        .cluster_id("lkc-dr")
        .link_name("dr")
        .send()
        .await
        .unwrap();
    assert_eq!(without.tasks, None);

    let mode = |m: &str| ConfigData {
        name: "link.mode".into(),
        value: Some(m.into()),
    };
    c.create_link()
        .cluster_id("lkc-primary")
        .link_name("to-dr")
        .body(CreateLinkRequestData {
            destination_cluster_id: Some("lkc-dr".into()),
            configs: vec![mode("SOURCE")],
            ..Default::default()
        })
        .send()
        .await
        .unwrap();
    let source_side = c
        .get_link()
        .cluster_id("lkc-primary")
        .link_name("to-dr")
        .send()
        .await
        .unwrap();
    assert_eq!(
        source_side.destination_cluster_id.as_deref(),
        Some("lkc-dr")
    );
    assert_eq!(source_side.source_cluster_id, None);
    c.create_link()
        .cluster_id("lkc-dr")
        .link_name("both-ways")
        .body(CreateLinkRequestData {
            remote_cluster_id: Some("lkc-primary".into()),
            configs: vec![mode("BIDIRECTIONAL")],
            ..Default::default()
        })
        .send()
        .await
        .unwrap();
    let both = c
        .get_link()
        .cluster_id("lkc-dr")
        .link_name("both-ways")
        .send()
        .await
        .unwrap();
    assert_eq!(both.remote_cluster_id.as_deref(), Some("lkc-primary"));
    let missing = c
        .create_link()
        .cluster_id("lkc-primary")
        .link_name("nowhere")
        .body(CreateLinkRequestData {
            configs: vec![mode("SOURCE")],
            ..Default::default()
        })
        .send()
        .await
        .unwrap_err();
    assert_eq!(missing.status().map(|s| s.as_u16()), Some(400));
    assert!(
        missing.to_string().contains("destination_cluster_id"),
        "{missing}"
    );
}

#[tokio::test(start_paused = true)]
async fn bearer_tokens_with_identity_pool_and_expiry() {
    let e = Emulator::builder()
        .link("lkc-dr", "dr", "lkc-primary")
        .bearer_token("token-1", Some("pool-abc"), Duration::from_secs(900))
        .start()
        .await
        .unwrap();
    let http = || support::http();
    let bearer = |pool: Option<&str>| {
        let mut b = kafka_mirror::confluent::Client::builder(e.base_url())
            .bearer_token("token-1")
            .http_client(http())
            .retry(RetryPolicy::none());
        if let Some(p) = pool {
            b = b.identity_pool_id(p);
        }
        b.build().unwrap()
    };
    let list = |c: kafka_mirror::confluent::Client| async move {
        c.list_links().cluster_id("lkc-dr").send().await.map(|_| ())
    };
    list(bearer(Some("pool-abc"))).await.unwrap();
    let wrong_pool = list(bearer(Some("pool-xyz"))).await.unwrap_err();
    assert!(wrong_pool.is_unauthorized() && wrong_pool.error_code() == Some(40101));
    assert!(list(bearer(None)).await.unwrap_err().is_unauthorized());
    // Basic credentials still work beside tokens.
    list(client(&e)).await.unwrap();
    tokio::time::advance(Duration::from_secs(901)).await;
    let expired = list(bearer(Some("pool-abc"))).await.unwrap_err();
    assert_eq!(expired.error_code(), Some(40101));
    assert!(expired.to_string().contains("expired"), "{expired}");
}
