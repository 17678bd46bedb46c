//! Contract tests against Stoplight Prism, software we did not write.
//!
//! Prism (pinned in `tests/contract/package.json`, installed by
//! `npm ci --prefix tests/contract`) serves each API's spec — the files of
//! `openapi/<api>/` merged as the build merges them, before any
//! normalization — with request validation turned into error answers
//! (`--errors`). The SDK calls each of the 30 operations with valid
//! arguments: Prism must report no violation (no `sl-violations` header, no
//! error status) and every answer must decode. A request built by hand
//! without `source_topic_name` proves the check can fail.

use kafka_mirror_test_support as support;

use support::names;
use support::prism::{check, send_by_hand, start_prism};

use kafka_mirror::confluent::types as ct;
use kafka_mirror::instaclustr::types as it;
use kafka_mirror::retry::RetryPolicy;

#[tokio::test]
async fn confluent_requests_satisfy_the_spec_and_answers_decode() {
    let prism = tokio::task::spawn_blocking(|| start_prism("confluent"))
        .await
        .unwrap();
    let c = kafka_mirror::confluent::Client::builder(&prism.url)
        .basic_auth("key", "secret")
        .retry(RetryPolicy::none())
        .build()
        .unwrap();
    let mut f = Vec::new();
    let config = |name: &str, value: &str| ct::ConfigData {
        name: name.into(),
        value: Some(value.into()),
    };
    check(
        "list_links",
        c.list_links().cluster_id("lkc-1").send().await,
        &mut f,
    );
    check(
        "create_link",
        c.create_link()
            .cluster_id("lkc-1")
            .link_name("dr")
            .validate_only(true)
            .body(ct::CreateLinkRequestData {
                source_cluster_id: Some("lkc-src".into()),
                configs: vec![config("bootstrap.servers", "b:9092")],
                ..Default::default()
            })
            .send()
            .await,
        &mut f,
    );
    check(
        "get_link",
        c.get_link()
            .cluster_id("lkc-1")
            .link_name("dr")
            .send()
            .await,
        &mut f,
    );
    check(
        "delete_link",
        c.delete_link()
            .cluster_id("lkc-1")
            .link_name("dr")
            .force(false)
            .send()
            .await,
        &mut f,
    );
    check(
        "list_link_configs",
        c.list_link_configs()
            .cluster_id("lkc-1")
            .link_name("dr")
            .send()
            .await,
        &mut f,
    );
    check(
        "get_link_config",
        c.get_link_config()
            .cluster_id("lkc-1")
            .link_name("dr")
            .config_name("acl.sync.enable")
            .send()
            .await,
        &mut f,
    );
    check(
        "update_link_config",
        c.update_link_config()
            .cluster_id("lkc-1")
            .link_name("dr")
            .config_name("consumer.offset.sync.ms")
            .body(ct::UpdateLinkConfigRequestData {
                value: "30000".into(),
            })
            .send()
            .await,
        &mut f,
    );
    check(
        "delete_link_config",
        c.delete_link_config()
            .cluster_id("lkc-1")
            .link_name("dr")
            .config_name("consumer.offset.sync.ms")
            .send()
            .await,
        &mut f,
    );
    check(
        "alter_link_configs",
        c.alter_link_configs()
            .cluster_id("lkc-1")
            .link_name("dr")
            .body(ct::AlterConfigBatchRequestData {
                data: vec![ct::AlterConfigBatchRequestDataData {
                    name: "cleanup.policy".into(),
                    value: None,
                    operation: Some(ct::AlterConfigBatchRequestDataOperation::Delete),
                }],
                validate_only: Some(true),
            })
            .send()
            .await,
        &mut f,
    );
    check(
        "list_mirror_topics",
        c.list_mirror_topics()
            .cluster_id("lkc-1")
            .link_name("dr")
            .mirror_status(ct::MirrorTopicStatus::Active)
            .send()
            .await,
        &mut f,
    );
    check(
        "create_mirror_topic",
        c.create_mirror_topic()
            .cluster_id("lkc-1")
            .link_name("dr")
            .body(ct::CreateMirrorTopicRequestData {
                source_topic_name: "orders".into(),
                mirror_topic_name: None,
                replication_factor: None,
                configs: vec![],
            })
            .send()
            .await,
        &mut f,
    );
    check(
        "list_all_mirror_topics",
        c.list_all_mirror_topics()
            .cluster_id("lkc-1")
            .mirror_status(ct::MirrorTopicStatus::Stopped)
            .send()
            .await,
        &mut f,
    );
    check(
        "get_mirror_topic",
        c.get_mirror_topic()
            .cluster_id("lkc-1")
            .link_name("dr")
            .mirror_topic_name("orders")
            .send()
            .await,
        &mut f,
    );
    check(
        "promote",
        c.promote_mirror_topics()
            .cluster_id("lkc-1")
            .link_name("dr")
            .validate_only(true)
            .body(names(&["orders"]))
            .send()
            .await,
        &mut f,
    );
    check(
        "failover",
        c.failover_mirror_topics()
            .cluster_id("lkc-1")
            .link_name("dr")
            .body(names(&["orders"]))
            .send()
            .await,
        &mut f,
    );
    check(
        "pause",
        c.pause_mirror_topics()
            .cluster_id("lkc-1")
            .link_name("dr")
            .body(names(&["orders"]))
            .send()
            .await,
        &mut f,
    );
    check(
        "resume",
        c.resume_mirror_topics()
            .cluster_id("lkc-1")
            .link_name("dr")
            .body(names(&["orders"]))
            .send()
            .await,
        &mut f,
    );
    check(
        "reverse_and_start",
        c.reverse_and_start_mirror_topics()
            .cluster_id("lkc-1")
            .link_name("dr")
            .body(names(&["orders"]))
            .send()
            .await,
        &mut f,
    );
    check(
        "reverse_and_pause",
        c.reverse_and_pause_mirror_topics()
            .cluster_id("lkc-1")
            .link_name("dr")
            .body(ct::AlterMirrorsRequestData {
                mirror_topic_name_pattern: Some(".*".into()),
                ..Default::default()
            })
            .send()
            .await,
        &mut f,
    );
    check(
        "truncate_and_restore",
        c.truncate_and_restore_mirror_topics()
            .cluster_id("lkc-1")
            .link_name("dr")
            .body(names(&["orders"]))
            .send()
            .await,
        &mut f,
    );
    assert!(
        f.is_empty(),
        "{} of 20 operations failed the contract:\n{}",
        f.len(),
        f.join("\n")
    );

    // The check can fail: a create-mirror body without source_topic_name.
    let invalid = send_by_hand(
        reqwest::Method::POST,
        &format!("{}/kafka/v3/clusters/lkc-1/links/dr/mirrors", prism.url),
        serde_json::json!({"mirror_topic_name": "orders"}),
    )
    .await;
    assert!(invalid.status.is_client_error(), "{}", invalid.status);
    assert!(
        invalid.violations.contains("source_topic_name"),
        "{}",
        invalid.violations
    );
}

#[tokio::test]
async fn instaclustr_requests_satisfy_the_spec_and_answers_decode() {
    let prism = tokio::task::spawn_blocking(|| start_prism("instaclustr"))
        .await
        .unwrap();
    let i = kafka_mirror::instaclustr::Client::builder(&prism.url)
        .basic_auth("user", "key")
        .retry(RetryPolicy::none())
        .build()
        .unwrap();
    let cluster = support::cluster_uuid();
    let mut f = Vec::new();
    check(
        "list_mirrors",
        i.list_mirrors().cluster_id(cluster).send().await,
        &mut f,
    );
    check(
        "create_mirror (instaclustr source)",
        i.create_mirror()
            .cluster_id(cluster)
            .body(it::CreateMirrorRequest::Instaclustr {
                kafka_source: "ff4fccf3-2ac0-494b-9f40-e95288dd752d".into(),
                topics_regex: Some(".*".into()),
                max_tasks: Some(3),
                source_alias: Some("primary".into()),
                use_private_ips: Some(false),
                use_renaming: Some(true),
            })
            .send()
            .await,
        &mut f,
    );
    check(
        "create_mirror (custom source)",
        i.create_mirror()
            .cluster_id(cluster)
            .body(it::CreateMirrorRequest::Custom {
                source_connection_properties: "bootstrap.servers=10.0.0.1:9092".into(),
                topics_regex: None,
                max_tasks: None,
                source_alias: None,
                use_renaming: None,
            })
            .send()
            .await,
        &mut f,
    );
    check(
        "get_mirror",
        i.get_mirror()
            .cluster_id(cluster)
            .mirror_id("m-1")
            .send()
            .await,
        &mut f,
    );
    check(
        "delete_mirror",
        i.delete_mirror()
            .cluster_id(cluster)
            .mirror_id("m-1")
            .send()
            .await,
        &mut f,
    );
    check(
        "update_mirror_target_latency",
        i.update_mirror_target_latency()
            .cluster_id(cluster)
            .mirror_id("m-1")
            .body(it::UpdateTargetLatencyRequest {
                new_target_latency: 1000,
            })
            .send()
            .await,
        &mut f,
    );
    assert!(
        f.is_empty(),
        "{} of 5 operations failed the contract:\n{}",
        f.len(),
        f.join("\n")
    );

    // The check can fail: a target latency below the documented minimum.
    let invalid = send_by_hand(
        reqwest::Method::PUT,
        &format!(
            "{}/provisioning/v1/{cluster}/kafka-connect/mirrors/m-1/targetLatency",
            prism.url
        ),
        serde_json::json!({"newTargetLatency": 10}),
    )
    .await;
    assert!(invalid.status.is_client_error(), "{}", invalid.status);
    assert!(!invalid.violations.is_empty());
}

#[tokio::test]
async fn instaclustr_v2_requests_satisfy_the_spec_and_answers_decode() {
    use kafka_mirror::instaclustr_v2::types as v2;
    let prism = tokio::task::spawn_blocking(|| start_prism("instaclustr-v2"))
        .await
        .unwrap();
    let i = kafka_mirror::instaclustr_v2::Client::builder(&prism.url)
        .basic_auth("user", "key")
        .retry(RetryPolicy::none())
        .build()
        .unwrap();
    let cluster = support::cluster_uuid();
    let mirror = kafka_mirror::instaclustr_v2::Uuid::new_v4();
    let source = |managed: bool| v2::KafkaConnectMirrorSourceClusterDetailsV2 {
        alias: "west".into(),
        managed_cluster: if managed {
            vec![v2::KafkaConnectManagedSourceClusterDetailsV2 {
                source_kafka_cluster_id: "ff4fccf3-2ac0-494b-9f40-e95288dd752d".into(),
                use_private_ips: false,
            }]
        } else {
            Vec::new()
        },
        external_cluster: if managed {
            Vec::new()
        } else {
            vec![v2::KafkaConnectExternalSourceClusterDetailsV2 {
                source_connection_properties: "bootstrap.servers=10.0.0.1:9092".into(),
            }]
        },
    };
    let create = |managed: bool| v2::KafkaConnectMirrorV2 {
        kafka_connect_cluster_id: cluster.to_string(),
        max_tasks: 3,
        rename_mirrored_topics: false,
        source_cluster: vec![source(managed)],
        target_latency: 30_000,
        topics_regex: ".*".into(),
        connector_name: None,
        connectors: Vec::new(),
        id: None,
        mirrored_topics: Vec::new(),
        status: None,
    };
    let mut f = Vec::new();
    check(
        "list_mirrors",
        i.list_mirrors().cluster_id(cluster).send().await,
        &mut f,
    );
    check(
        "create_mirror (managed source)",
        i.create_mirror().body(create(true)).send().await,
        &mut f,
    );
    check(
        "create_mirror (external source)",
        i.create_mirror().body(create(false)).send().await,
        &mut f,
    );
    check(
        "get_mirror",
        i.get_mirror().mirror_id(mirror).send().await,
        &mut f,
    );
    check(
        "update_mirror",
        i.update_mirror()
            .mirror_id(mirror)
            .body(v2::KafkaConnectMirrorUpdateV2 {
                target_latency: 5000,
            })
            .send()
            .await,
        &mut f,
    );
    check(
        "delete_mirror",
        i.delete_mirror().mirror_id(mirror).send().await,
        &mut f,
    );
    assert!(
        f.is_empty(),
        "{} of 5 v2 operations failed the contract:\n{}",
        f.len(),
        f.join("\n")
    );

    // The check can fail: a create body without its required fields. The
    // spec declares no error answer, so Prism explains in a 422 body rather
    // than in `sl-violations`.
    let invalid = send_by_hand(
        reqwest::Method::POST,
        &format!(
            "{}/cluster-management/v2/resources/applications/kafka_connect/mirrors/v2",
            prism.url
        ),
        serde_json::json!({"topicsRegex": ".*"}),
    )
    .await;
    assert_eq!(invalid.status.as_u16(), 422);
    assert!(
        invalid.violations.contains("sourceCluster")
            || invalid
                .body
                .contains("must have required property 'sourceCluster'"),
        "{} {}",
        invalid.violations,
        invalid.body
    );
}
