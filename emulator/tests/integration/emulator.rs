//! The emulator: rules, the mirror state machine, pagination, auth, faults.

use kafka_mirror_test_support::emulator as support;

use kafka_mirror_test_support::names;
use support::client;

use std::time::Duration;

use kafka_mirror::confluent::types::{
    CreateLinkRequestData, CreateMirrorTopicRequestData, MirrorTopicStatus as S,
};
use kafka_mirror::retry::RetryPolicy;
use kafka_mirror_emulator::Emulator;

async fn status(c: &kafka_mirror::confluent::Client, topic: &str) -> S {
    c.get_mirror_topic()
        .cluster_id("dr")
        .link_name("l")
        .mirror_topic_name(topic)
        .send()
        .await
        .unwrap()
        .into_inner()
        .mirror_status
}

async fn seeded() -> Emulator {
    Emulator::builder()
        .link("dr", "l", "primary")
        .mirror("dr", "l", "a", &[10, 0])
        .mirror("dr", "l", "b", &[0])
        .start()
        .await
        .unwrap()
}

#[tokio::test(start_paused = true)]
async fn pause_resume_promote_and_failover_follow_the_state_machine() {
    let e = seeded().await;
    let c = client(&e);
    let r = c
        .pause_mirror_topics()
        .cluster_id("dr")
        .link_name("l")
        .body(names(&["a"]))
        .send()
        .await
        .unwrap();
    assert!(r.all_succeeded());
    assert_eq!(status(&c, "a").await, S::Paused);
    // Pausing again fails for that topic only, inside a 200.
    let r = c
        .pause_mirror_topics()
        .cluster_id("dr")
        .link_name("l")
        .body(names(&["a", "b"]))
        .send()
        .await
        .unwrap();
    assert_eq!(
        r.failed()
            .iter()
            .map(|t| t.mirror_topic_name.as_str())
            .collect::<Vec<_>>(),
        ["a"]
    );
    assert_eq!(status(&c, "b").await, S::Paused);
    c.resume_mirror_topics()
        .cluster_id("dr")
        .link_name("l")
        .body(names(&["a"]))
        .send()
        .await
        .unwrap();
    assert_eq!(status(&c, "a").await, S::Active);

    c.promote_mirror_topics()
        .cluster_id("dr")
        .link_name("l")
        .body(names(&["a"]))
        .send()
        .await
        .unwrap();
    assert_eq!(status(&c, "a").await, S::PendingStopped);
    tokio::time::advance(e.behaviour().promote_delay).await;
    assert_eq!(status(&c, "a").await, S::Stopped);
    let again = c
        .promote_mirror_topics()
        .cluster_id("dr")
        .link_name("l")
        .body(names(&["a"]))
        .send()
        .await
        .unwrap();
    assert_eq!(again.failed()[0].error_code, Some(400));
    assert_eq!(
        again.failed()[0].error_message.as_deref(),
        Some("Topic 'a' has already stopped its mirror from 'l'")
    );

    c.failover_mirror_topics()
        .cluster_id("dr")
        .link_name("l")
        .body(names(&["b"]))
        .send()
        .await
        .unwrap();
    assert_eq!(status(&c, "b").await, S::Stopped, "failover stops at once");
}

#[tokio::test(start_paused = true)]
async fn truncate_and_restore_and_reverse() {
    let e = seeded().await;
    let c = client(&e);
    c.failover_mirror_topics()
        .cluster_id("dr")
        .link_name("l")
        .body(names(&["a"]))
        .send()
        .await
        .unwrap();
    let r = c
        .truncate_and_restore_mirror_topics()
        .cluster_id("dr")
        .link_name("l")
        .body(names(&["a"]))
        .send()
        .await
        .unwrap();
    assert!(r.all_succeeded());
    assert_eq!(status(&c, "a").await, S::PendingRestore);
    tokio::time::advance(Duration::from_secs(3)).await;
    assert_eq!(status(&c, "a").await, S::Active);

    let r = c
        .reverse_and_pause_mirror_topics()
        .cluster_id("dr")
        .link_name("l")
        .body(names(&["b"]))
        .send()
        .await
        .unwrap();
    assert!(r.all_succeeded());
    assert_eq!(status(&c, "b").await, S::Stopped);
    // The source cluster now mirrors it back, paused.
    let back = c
        .get_mirror_topic()
        .cluster_id("primary")
        .link_name("l")
        .mirror_topic_name("b")
        .send()
        .await
        .unwrap();
    assert_eq!(back.mirror_status, S::Paused);
}

#[tokio::test(start_paused = true)]
async fn lag_drains_while_active_and_freezes_when_paused() {
    let e = Emulator::builder()
        .link("dr", "l", "p")
        .mirror("dr", "l", "a", &[1_000])
        .start()
        .await
        .unwrap();
    let c = client(&e);
    let lag = |c: kafka_mirror::confluent::Client| async move {
        c.get_mirror_topic()
            .cluster_id("dr")
            .link_name("l")
            .mirror_topic_name("a")
            .send()
            .await
            .unwrap()
            .mirror_lags[0]
            .lag
    };
    assert_eq!(lag(c.clone()).await, 1_000);
    tokio::time::advance(Duration::from_secs(3)).await;
    assert_eq!(
        lag(c.clone()).await,
        700,
        "100 messages per second by default"
    );
    c.pause_mirror_topics()
        .cluster_id("dr")
        .link_name("l")
        .body(names(&["a"]))
        .send()
        .await
        .unwrap();
    tokio::time::advance(Duration::from_secs(3)).await;
    assert_eq!(lag(c.clone()).await, 700);
}

#[tokio::test]
async fn duplicate_unknown_and_validate_only() {
    let e = seeded().await;
    let c = client(&e);
    let dup = c
        .create_link()
        .cluster_id("dr")
        .link_name("l")
        .body(CreateLinkRequestData {
            source_cluster_id: Some("p".into()),
            ..Default::default()
        })
        .send()
        .await;
    let dup = dup.unwrap_err();
    assert_eq!(dup.status().unwrap(), 400);
    assert!(
        dup.api()
            .unwrap()
            .message()
            .unwrap()
            .contains("already exists")
    );
    let missing = c
        .get_link()
        .cluster_id("dr")
        .link_name("nope")
        .send()
        .await
        .unwrap_err();
    assert!(missing.is_not_found());
    let body = CreateMirrorTopicRequestData {
        source_topic_name: "a".into(),
        mirror_topic_name: None,
        replication_factor: None,
        configs: vec![],
    };
    assert_eq!(
        c.create_mirror_topic()
            .cluster_id("dr")
            .link_name("l")
            .body(body)
            .send()
            .await
            .unwrap_err()
            .status()
            .unwrap(),
        400
    );
    // validate_only changes nothing.
    c.pause_mirror_topics()
        .cluster_id("dr")
        .link_name("l")
        .validate_only(true)
        .body(names(&["a"]))
        .send()
        .await
        .unwrap();
    assert_eq!(status(&c, "a").await, S::Active);
    let unknown = c
        .pause_mirror_topics()
        .cluster_id("dr")
        .link_name("l")
        .body(names(&["zzz"]))
        .send()
        .await
        .unwrap();
    assert_eq!(unknown.failed()[0].error_code, Some(404));
}

#[tokio::test]
async fn lists_paginate_with_absolute_next_links() {
    let mut b = Emulator::builder().page_size(3).link("dr", "l", "p");
    for i in 0..8 {
        b = b.mirror("dr", "l", &format!("t{i}"), &[0]);
    }
    let e = b.start().await.unwrap();
    let c = client(&e);
    let first = c
        .list_mirror_topics()
        .cluster_id("dr")
        .link_name("l")
        .send()
        .await
        .unwrap();
    assert_eq!(first.data.len(), 3);
    assert!(
        first
            .metadata
            .next
            .as_deref()
            .unwrap()
            .starts_with(e.base_url())
    );
    let all = c
        .list_all_mirror_topics()
        .cluster_id("dr")
        .mirror_status(S::Active)
        .collect_up_to(100)
        .await
        .unwrap();
    assert_eq!(all.len(), 8);
}

#[tokio::test]
async fn configs_have_defaults_and_deleting_restores_them() {
    let e = seeded().await;
    let c = client(&e);
    let cfg = c
        .get_link_config()
        .cluster_id("dr")
        .link_name("l")
        .config_name("consumer.offset.sync.ms")
        .send()
        .await
        .unwrap();
    assert!(cfg.is_default);
    c.update_link_config()
        .cluster_id("dr")
        .link_name("l")
        .config_name("consumer.offset.sync.ms")
        .body(
            kafka_mirror::confluent::types::UpdateLinkConfigRequestData {
                value: "1000".into(),
            },
        )
        .send()
        .await
        .unwrap();
    let cfg = c
        .get_link_config()
        .cluster_id("dr")
        .link_name("l")
        .config_name("consumer.offset.sync.ms")
        .send()
        .await
        .unwrap();
    assert_eq!(
        (cfg.value.as_str(), cfg.is_default, cfg.source.as_str()),
        ("1000", false, "DYNAMIC_CLUSTER_LINK_CONFIG")
    );
    c.delete_link_config()
        .cluster_id("dr")
        .link_name("l")
        .config_name("consumer.offset.sync.ms")
        .send()
        .await
        .unwrap();
    let cfg = c
        .get_link_config()
        .cluster_id("dr")
        .link_name("l")
        .config_name("consumer.offset.sync.ms")
        .send()
        .await
        .unwrap();
    assert_eq!((cfg.value.as_str(), cfg.is_default), ("30000", true));
}

#[tokio::test]
async fn wrong_credentials_get_40101_and_instaclustr_shape() {
    let e = seeded().await;
    let bad = kafka_mirror::confluent::Client::builder(e.base_url())
        .basic_auth("x", "y")
        .retry(RetryPolicy::none())
        .build()
        .unwrap();
    let err = bad.list_links().cluster_id("dr").send().await.unwrap_err();
    assert_eq!(err.error_code(), Some(40101));
    let bad = kafka_mirror::instaclustr::Client::builder(e.base_url())
        .basic_auth("x", "y")
        .retry(RetryPolicy::none())
        .build()
        .unwrap();
    let err = bad
        .list_mirrors()
        .cluster_id(kafka_mirror::instaclustr::Uuid::nil())
        .send()
        .await
        .unwrap_err();
    assert!(err.is_unauthorized());
    assert!(matches!(
        err.api().unwrap().vendor(),
        Some(kafka_mirror::VendorError::Instaclustr(_))
    ));
}

#[tokio::test(start_paused = true)]
async fn instaclustr_mirrors_go_creating_then_in_sync() {
    let e = Emulator::start().await.unwrap();
    let i = support::instaclustr_client(&e);
    let cluster = kafka_mirror::instaclustr::Uuid::new_v4();
    let created = i
        .create_mirror()
        .cluster_id(cluster)
        .body(
            kafka_mirror::instaclustr::types::CreateMirrorRequest::Instaclustr {
                kafka_source: "ff4fccf3-2ac0-494b-9f40-e95288dd752d".into(),
                topics_regex: Some("orders.*".into()),
                max_tasks: None,
                source_alias: None,
                use_private_ips: None,
                use_renaming: None,
            },
        )
        .send()
        .await
        .unwrap();
    let get = || {
        i.get_mirror()
            .cluster_id(cluster)
            .mirror_id(created.mirror_id.clone())
            .send()
    };
    assert_eq!(
        get().await.unwrap().status.as_ref().map(|s| s.as_str()),
        Some("CREATING")
    );
    tokio::time::advance(e.behaviour().instaclustr_sync_delay).await;
    assert_eq!(
        get().await.unwrap().status.as_ref().map(|s| s.as_str()),
        Some("IN_SYNC")
    );
    // Below the documented minimum, the emulator refuses too (sent by hand:
    // the SDK refuses it before sending).
    let raw = kafka_mirror::client::http_client_builder()
        .unwrap()
        .build()
        .unwrap()
        .put(format!(
            "{}/provisioning/v1/{cluster}/kafka-connect/mirrors/{}/targetLatency",
            e.base_url(),
            created.mirror_id
        ))
        .basic_auth("emulator-key", Some("emulator-secret"))
        .json(&serde_json::json!({"newTargetLatency": 999}))
        .send()
        .await
        .unwrap();
    assert_eq!(raw.status(), 400);
    i.delete_mirror()
        .cluster_id(cluster)
        .mirror_id(created.mirror_id.clone())
        .send()
        .await
        .unwrap();
    assert!(get().await.unwrap_err().is_not_found());
}

#[tokio::test]
async fn faults_rate_limit_and_retriable_errors() {
    let e = Emulator::builder()
        .link("dr", "l", "p")
        .rate_limit(2)
        .start()
        .await
        .unwrap();
    let c = client(&e);
    let mut limited = 0;
    for _ in 0..5 {
        if let Err(err) = c.get_link().cluster_id("dr").link_name("l").send().await {
            let err = err;
            assert!(err.is_rate_limited());
            assert!(err.api().unwrap().raw_body().contains("HTTP ERROR 429"));
            limited += 1;
        }
    }
    assert_eq!(limited, 3);

    let e = Emulator::builder()
        .link("dr", "l", "p")
        .retriable_errors(1.0)
        .start()
        .await
        .unwrap();
    let err = client(&e)
        .get_link()
        .cluster_id("dr")
        .link_name("l")
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.error_code(), Some(50003));
}

#[tokio::test(start_paused = true)]
async fn injected_latency_delays_every_answer() {
    let e = Emulator::builder()
        .link("dr", "l", "p")
        .latency(Duration::from_millis(750))
        .start()
        .await
        .unwrap();
    let c = client(&e);
    let start = tokio::time::Instant::now();
    c.get_link()
        .cluster_id("dr")
        .link_name("l")
        .send()
        .await
        .unwrap();
    c.get_link()
        .cluster_id("dr")
        .link_name("l")
        .send()
        .await
        .unwrap();
    assert!(
        start.elapsed() >= Duration::from_millis(1500),
        "{:?}",
        start.elapsed()
    );
}

#[tokio::test]
async fn it_listens_on_the_port_it_is_given() {
    // What `examples/emulator.rs` does with its PORT argument.
    // A port found free may be taken by a test beside this one before the
    // emulator binds it: another free port is tried then.
    let mut started = None;
    for _ in 0..5 {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        match Emulator::builder()
            .port(port)
            .no_auth()
            .link("dr", "l", "p")
            .start()
            .await
        {
            Ok(e) => {
                started = Some((e, port));
                break;
            }
            Err(e) if e.kind() == std::io::ErrorKind::AddrInUse => continue,
            Err(e) => panic!("{e}"),
        }
    }
    let (e, port) = started.expect("a free port within five tries");
    assert_eq!(e.base_url(), format!("http://127.0.0.1:{port}"));
    assert_eq!(e.credentials(), None);
    let c = kafka_mirror::confluent::Client::builder(e.base_url())
        .build()
        .unwrap();
    assert_eq!(
        c.get_link()
            .cluster_id("dr")
            .link_name("l")
            .send()
            .await
            .unwrap()
            .link_name,
        "l"
    );
}

#[tokio::test]
async fn the_connection_reset_fault_closes_connections_unanswered() {
    let e = Emulator::builder()
        .link("dr", "l", "src")
        .connection_resets(1.0)
        .start()
        .await
        .unwrap();
    // A GET is retried after a reset; with every connection reset, the
    // retries run out and the error says so.
    let c = kafka_mirror::confluent::Client::builder(e.base_url())
        .basic_auth("emulator-key", "emulator-secret")
        .retry(
            RetryPolicy::default()
                .max_attempts(3)
                .base_delay(Duration::from_millis(1))
                .max_delay(Duration::from_millis(2)),
        )
        .build()
        .unwrap();
    let err = c.list_links().cluster_id("dr").send().await.unwrap_err();
    assert!(
        matches!(err, kafka_mirror::Error::Transport { .. }),
        "{err:?}"
    );
    assert_eq!(err.attempts(), Some(3), "{err}");
    // A POST is not retried: it may have been applied.
    let err = c
        .pause_mirror_topics()
        .cluster_id("dr")
        .link_name("l")
        .body(names(&["t"]))
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.attempts(), Some(1), "{err}");
    // The control routes are never reset.
    e.outage("src");
    assert!(e.recover("src"));
}

#[tokio::test]
async fn scripted_faults_take_the_requests_they_match_in_order_and_are_counted() {
    use kafka_mirror_emulator::{Fault, Faults, Script};
    let e = Emulator::builder()
        .link("dr", "l", "src")
        .mirror("dr", "l", "a", &[0])
        .mirror("dr", "l", "b", &[0])
        .script(Script::new(Fault::Unavailable).on("GET", "/links").times(2))
        .script(
            Script::new(Fault::TopicError)
                .on("POST", "/mirrors:pause")
                .topic("b"),
        )
        .start()
        .await
        .unwrap();
    let c = client(&e);
    // Two 503s for the list, in the service's error body; a link read (its
    // path ends otherwise) is untouched; then the list answers again.
    for _ in 0..2 {
        let err = c.list_links().cluster_id("dr").send().await.unwrap_err();
        assert_eq!(
            err.status(),
            Some(reqwest::StatusCode::SERVICE_UNAVAILABLE),
            "{err}"
        );
    }
    c.get_link()
        .cluster_id("dr")
        .link_name("l")
        .send()
        .await
        .unwrap();
    assert_eq!(
        c.list_links()
            .cluster_id("dr")
            .send()
            .await
            .unwrap()
            .data
            .len(),
        1
    );
    assert_eq!(e.injected(Fault::Unavailable), 2);

    // A partial failure inside a 200: b is refused with 50003 and left
    // ACTIVE, a is paused.
    let r = c
        .pause_mirror_topics()
        .cluster_id("dr")
        .link_name("l")
        .body(names(&["a", "b"]))
        .send()
        .await
        .unwrap();
    let failed: Vec<_> = r
        .failed()
        .iter()
        .map(|t| (t.mirror_topic_name.as_str(), t.error_code))
        .collect();
    assert_eq!(failed, [("b", Some(50003))]);
    assert_eq!(status(&c, "a").await, S::Paused);
    assert_eq!(status(&c, "b").await, S::Active);
    assert_eq!(e.injected(Fault::TopicError), 1);

    // Random faults can be switched on while it runs.
    e.set_faults(Faults {
        retriable_error_fraction: 1.0,
        ..Faults::default()
    });
    let err = c.list_links().cluster_id("dr").send().await.unwrap_err();
    assert_eq!(err.error_code(), Some(50003));
    assert_eq!(e.injected(Fault::RetriableError), 1);
    assert_eq!(e.faults().retriable_error_fraction, 1.0);
    e.set_faults(Faults::default());
    c.list_links().cluster_id("dr").send().await.unwrap();
}
