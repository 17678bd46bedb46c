//! The emulator's answers match the specs: `prism proxy` (from the contract
//! tests' setup) stands between the SDK and the emulator while the SDK drives
//! a full scenario, and reports any request or response violation.

use kafka_mirror::confluent::types as ct;
use kafka_mirror::instaclustr::types as it;
use kafka_mirror::retry::RetryPolicy;
use kafka_mirror_emulator::Emulator;
use kafka_mirror_test_support::names;
use kafka_mirror_test_support::prism::{check, start_proxy};

#[tokio::test]
async fn a_full_scenario_through_prism_proxy_has_no_violation() {
    let emulator = Emulator::builder()
        .page_size(2)
        .created_mirror_lags(&[5, 0])
        .start()
        .await
        .unwrap();
    let upstream = emulator.base_url().to_string();
    let confluent = tokio::task::spawn_blocking({
        let upstream = upstream.clone();
        move || start_proxy("confluent", &upstream)
    });
    let instaclustr = tokio::task::spawn_blocking({
        let upstream = upstream.clone();
        move || start_proxy("instaclustr", &upstream)
    });
    let instaclustr_v2 =
        tokio::task::spawn_blocking(move || start_proxy("instaclustr-v2", &upstream));
    let (confluent, instaclustr, instaclustr_v2) = (
        confluent.await.unwrap(),
        instaclustr.await.unwrap(),
        instaclustr_v2.await.unwrap(),
    );
    let (user, secret) = emulator.credentials().unwrap();
    let c = kafka_mirror::confluent::Client::builder(&confluent.url)
        .basic_auth(user, secret)
        .retry(RetryPolicy::none())
        .build()
        .unwrap();
    let mut f = Vec::new();

    let link = ct::CreateLinkRequestData {
        source_cluster_id: Some("lkc-primary".into()),
        configs: vec![ct::ConfigData {
            name: "bootstrap.servers".into(),
            value: Some("primary:9092".into()),
        }],
        ..Default::default()
    };
    check(
        "create_link",
        c.create_link()
            .cluster_id("dr")
            .link_name("l")
            .body(link)
            .send()
            .await,
        &mut f,
    );
    for t in ["a", "b", "c"] {
        let body = ct::CreateMirrorTopicRequestData {
            source_topic_name: t.into(),
            mirror_topic_name: None,
            replication_factor: None,
            configs: vec![],
        };
        check(
            "create_mirror_topic",
            c.create_mirror_topic()
                .cluster_id("dr")
                .link_name("l")
                .body(body)
                .send()
                .await,
            &mut f,
        );
    }
    check(
        "list_links",
        c.list_links().cluster_id("dr").send().await,
        &mut f,
    );
    check(
        "get_link",
        c.get_link().cluster_id("dr").link_name("l").send().await,
        &mut f,
    );
    check(
        "list_link_configs",
        c.list_link_configs()
            .cluster_id("dr")
            .link_name("l")
            .send()
            .await,
        &mut f,
    );
    check(
        "get_link_config",
        c.get_link_config()
            .cluster_id("dr")
            .link_name("l")
            .config_name("consumer.offset.sync.ms")
            .send()
            .await,
        &mut f,
    );
    check(
        "update_link_config",
        c.update_link_config()
            .cluster_id("dr")
            .link_name("l")
            .config_name("consumer.offset.sync.ms")
            .body(ct::UpdateLinkConfigRequestData {
                value: "10000".into(),
            })
            .send()
            .await,
        &mut f,
    );
    check(
        "alter_link_configs",
        c.alter_link_configs()
            .cluster_id("dr")
            .link_name("l")
            .body(ct::AlterConfigBatchRequestData {
                data: vec![ct::AlterConfigBatchRequestDataData {
                    name: "acl.sync.enable".into(),
                    value: Some("true".into()),
                    operation: Some(ct::AlterConfigBatchRequestDataOperation::Set),
                }],
                validate_only: None,
            })
            .send()
            .await,
        &mut f,
    );
    check(
        "delete_link_config",
        c.delete_link_config()
            .cluster_id("dr")
            .link_name("l")
            .config_name("acl.sync.enable")
            .send()
            .await,
        &mut f,
    );
    // Two pages: the second request follows the emulator's next link, which
    // points at the emulator itself, so only the first goes through Prism.
    check(
        "list_mirror_topics",
        c.list_mirror_topics()
            .cluster_id("dr")
            .link_name("l")
            .send()
            .await,
        &mut f,
    );
    check(
        "list_all_mirror_topics",
        c.list_all_mirror_topics()
            .cluster_id("dr")
            .mirror_status(ct::MirrorTopicStatus::Active)
            .send()
            .await,
        &mut f,
    );
    check(
        "get_mirror_topic",
        c.get_mirror_topic()
            .cluster_id("dr")
            .link_name("l")
            .mirror_topic_name("a")
            .send()
            .await,
        &mut f,
    );
    check(
        "pause",
        c.pause_mirror_topics()
            .cluster_id("dr")
            .link_name("l")
            .body(names(&["a"]))
            .send()
            .await,
        &mut f,
    );
    check(
        "resume",
        c.resume_mirror_topics()
            .cluster_id("dr")
            .link_name("l")
            .body(names(&["a", "b"]))
            .send()
            .await,
        &mut f,
    );
    check(
        "promote",
        c.promote_mirror_topics()
            .cluster_id("dr")
            .link_name("l")
            .body(names(&["a"]))
            .send()
            .await,
        &mut f,
    );
    check(
        "failover",
        c.failover_mirror_topics()
            .cluster_id("dr")
            .link_name("l")
            .body(names(&["b"]))
            .send()
            .await,
        &mut f,
    );
    check(
        "truncate_and_restore",
        c.truncate_and_restore_mirror_topics()
            .cluster_id("dr")
            .link_name("l")
            .body(names(&["b"]))
            .send()
            .await,
        &mut f,
    );
    check(
        "reverse_and_start",
        c.reverse_and_start_mirror_topics()
            .cluster_id("dr")
            .link_name("l")
            .body(names(&["c"]))
            .send()
            .await,
        &mut f,
    );
    check(
        "reverse_and_pause",
        c.reverse_and_pause_mirror_topics()
            .cluster_id("dr")
            .link_name("l")
            .body(ct::AlterMirrorsRequestData {
                mirror_topic_name_pattern: Some("c".into()),
                ..Default::default()
            })
            .send()
            .await,
        &mut f,
    );
    check(
        "delete_link",
        c.delete_link()
            .cluster_id("dr")
            .link_name("l")
            .force(true)
            .send()
            .await,
        &mut f,
    );

    let i = kafka_mirror::instaclustr::Client::builder(&instaclustr.url)
        .basic_auth(user, secret)
        .retry(RetryPolicy::none())
        .build()
        .unwrap();
    let cluster = kafka_mirror::instaclustr::Uuid::new_v4();
    let created = i
        .create_mirror()
        .cluster_id(cluster)
        .body(it::CreateMirrorRequest::Instaclustr {
            kafka_source: "ff4fccf3-2ac0-494b-9f40-e95288dd752d".into(),
            topics_regex: Some(".*".into()),
            max_tasks: Some(2),
            source_alias: None,
            use_private_ips: None,
            use_renaming: None,
        })
        .send()
        .await;
    let id = created
        .as_ref()
        .map(|r| r.mirror_id.clone())
        .unwrap_or_default();
    check("create_mirror", created, &mut f);
    check(
        "list_mirrors",
        i.list_mirrors().cluster_id(cluster).send().await,
        &mut f,
    );
    check(
        "get_mirror",
        i.get_mirror()
            .cluster_id(cluster)
            .mirror_id(&id)
            .send()
            .await,
        &mut f,
    );
    check(
        "update_mirror_target_latency",
        i.update_mirror_target_latency()
            .cluster_id(cluster)
            .mirror_id(&id)
            .body(it::UpdateTargetLatencyRequest {
                new_target_latency: 5000,
            })
            .send()
            .await,
        &mut f,
    );
    check(
        "delete_mirror",
        i.delete_mirror()
            .cluster_id(cluster)
            .mirror_id(&id)
            .send()
            .await,
        &mut f,
    );

    // Instaclustr v2, on a mirror created through v1 and one through v2.
    use kafka_mirror::instaclustr_v2::types as v2;
    let i2 = kafka_mirror::instaclustr_v2::Client::builder(&instaclustr_v2.url)
        .basic_auth(user, secret)
        .retry(RetryPolicy::none())
        .build()
        .unwrap();
    let created = i2
        .create_mirror()
        .body(v2::KafkaConnectMirrorV2 {
            kafka_connect_cluster_id: cluster.to_string(),
            max_tasks: 2,
            rename_mirrored_topics: true,
            source_cluster: vec![v2::KafkaConnectMirrorSourceClusterDetailsV2 {
                alias: "west".into(),
                managed_cluster: Vec::new(),
                external_cluster: vec![v2::KafkaConnectExternalSourceClusterDetailsV2 {
                    source_connection_properties: "bootstrap.servers=10.0.0.1:9092".into(),
                }],
            }],
            target_latency: 30_000,
            topics_regex: "west-.*".into(),
            connector_name: None,
            connectors: Vec::new(),
            id: None,
            mirrored_topics: Vec::new(),
            status: None,
        })
        .send()
        .await;
    let v2_id = created.as_ref().ok().and_then(|m| m.id).unwrap_or_default();
    check("v2 create_mirror", created, &mut f);
    check(
        "v2 list_mirrors",
        i2.list_mirrors().cluster_id(cluster).send().await,
        &mut f,
    );
    check(
        "v2 get_mirror",
        i2.get_mirror().mirror_id(v2_id).send().await,
        &mut f,
    );
    check(
        "v2 update_mirror",
        i2.update_mirror()
            .mirror_id(v2_id)
            .body(v2::KafkaConnectMirrorUpdateV2 {
                target_latency: 5000,
            })
            .send()
            .await,
        &mut f,
    );
    check(
        "v2 delete_mirror",
        i2.delete_mirror().mirror_id(v2_id).send().await,
        &mut f,
    );

    assert!(
        f.is_empty(),
        "{} calls through prism proxy failed:\n{}",
        f.len(),
        f.join("\n")
    );
}
