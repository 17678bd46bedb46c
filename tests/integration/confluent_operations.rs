//! Each of the 20 Confluent operations: method, path, query, JSON body and
//! auth header as sent, and a realistic answer decoded.

use kafka_mirror_test_support as support;

use httpmock::MockServer;
use kafka_mirror::confluent::types::{
    AlterConfigBatchRequestData, AlterConfigBatchRequestDataData,
    AlterConfigBatchRequestDataOperation, ConfigData, CreateLinkRequestData,
    CreateMirrorTopicRequestData, LinkState, MirrorTopicStatus, UpdateLinkConfigRequestData,
};
use serde_json::json;
use support::*;

#[tokio::test]
async fn list_links() {
    let server = MockServer::start_async().await;
    let m = server
        .mock_async(|when, then| {
            when.method("GET")
                .path("/kafka/v3/clusters/lkc-1/links")
                .header("authorization", BASIC)
                .header("accept", "application/json")
                // progenitor's `api-version` header is not sent: no spec
                // declares it.
                .header_missing("api-version");
            then.status(200)
                .json_body(list("KafkaLinkDataList", vec![link("dr"), link("dr2")]));
        })
        .await;
    let links = confluent(&server)
        .list_links()
        .cluster_id("lkc-1")
        .send()
        .await
        .unwrap();
    m.assert_async().await;
    assert_eq!(links.data.len(), 2);
    assert_eq!(links.data[0].link_name, "dr");
    assert_eq!(links.data[0].link_state, Some(LinkState::Active));
    assert_eq!(links.data[1].topic_names, ["orders", "payments"]);
    assert_eq!(links.metadata.next, None);
}

#[tokio::test]
async fn create_link() {
    let server = MockServer::start_async().await;
    let m = server
        .mock_async(|when, then| {
            when.method("POST")
                .path("/kafka/v3/clusters/lkc-1/links")
                .query_param("link_name", "dr")
                .query_param("validate_only", "true")
                .query_param("validate_link", "false")
                .header("authorization", BASIC)
                .json_body(json!({
                    "source_cluster_id": "lkc-src",
                    "configs": [{"name": "bootstrap.servers", "value": "pkc-src:9092"}]
                }));
            then.status(204);
        })
        .await;
    let body = CreateLinkRequestData {
        source_cluster_id: Some("lkc-src".into()),
        destination_cluster_id: None,
        remote_cluster_id: None,
        cluster_link_id: None,
        configs: vec![ConfigData {
            name: "bootstrap.servers".into(),
            value: Some("pkc-src:9092".into()),
        }],
    };
    let r = confluent(&server)
        .create_link()
        .cluster_id("lkc-1")
        .link_name("dr")
        .validate_only(true)
        .validate_link(false)
        .body(body)
        .send()
        .await
        .unwrap();
    m.assert_async().await;
    assert_eq!(r.status(), 204);
}

#[tokio::test]
async fn get_link() {
    let server = MockServer::start_async().await;
    let m = server
        .mock_async(|when, then| {
            when.method("GET")
                .path("/kafka/v3/clusters/lkc-1/links/dr")
                .header("authorization", BASIC);
            then.status(200).json_body(link("dr"));
        })
        .await;
    let l = confluent(&server)
        .get_link()
        .cluster_id("lkc-1")
        .link_name("dr")
        .send()
        .await
        .unwrap();
    m.assert_async().await;
    assert_eq!(l.cluster_link_id, "eEBkTffYSESld6EO898x3w");
    assert_eq!(l.source_cluster_id.as_deref(), Some("lkc-src"));
}

#[tokio::test]
async fn delete_link() {
    let server = MockServer::start_async().await;
    let m = server
        .mock_async(|when, then| {
            when.method("DELETE")
                .path("/kafka/v3/clusters/lkc-1/links/dr")
                .query_param("force", "true")
                .query_param("validate_only", "false")
                .header("authorization", BASIC);
            then.status(204);
        })
        .await;
    confluent(&server)
        .delete_link()
        .cluster_id("lkc-1")
        .link_name("dr")
        .force(true)
        .validate_only(false)
        .send()
        .await
        .unwrap();
    m.assert_async().await;
}

#[tokio::test]
async fn list_link_configs() {
    let server = MockServer::start_async().await;
    let m = server
        .mock_async(|when, then| {
            when.method("GET")
                .path("/kafka/v3/clusters/lkc-1/links/dr/configs")
                .header("authorization", BASIC);
            then.status(200).json_body(list(
                "KafkaLinkConfigDataList",
                vec![link_config("consumer.offset.sync.ms", "30000")],
            ));
        })
        .await;
    let c = confluent(&server)
        .list_link_configs()
        .cluster_id("lkc-1")
        .link_name("dr")
        .send()
        .await
        .unwrap();
    m.assert_async().await;
    assert_eq!(c.data[0].name, "consumer.offset.sync.ms");
    assert_eq!(c.data[0].value, "30000");
    assert_eq!(c.data[0].source.as_str(), "DYNAMIC_CLUSTER_LINK_CONFIG");
}

#[tokio::test]
async fn get_link_config() {
    let server = MockServer::start_async().await;
    let m = server
        .mock_async(|when, then| {
            when.method("GET")
                .path("/kafka/v3/clusters/lkc-1/links/dr/configs/acl.sync.enable")
                .header("authorization", BASIC);
            then.status(200)
                .json_body(link_config("acl.sync.enable", "false"));
        })
        .await;
    let c = confluent(&server)
        .get_link_config()
        .cluster_id("lkc-1")
        .link_name("dr")
        .config_name("acl.sync.enable")
        .send()
        .await
        .unwrap();
    m.assert_async().await;
    assert_eq!(c.value, "false");
    assert!(!c.is_default);
}

#[tokio::test]
async fn update_link_config() {
    let server = MockServer::start_async().await;
    let m = server
        .mock_async(|when, then| {
            when.method("PUT")
                .path("/kafka/v3/clusters/lkc-1/links/dr/configs/consumer.offset.sync.ms")
                .header("authorization", BASIC)
                .json_body(json!({"value": "300000"}));
            then.status(204);
        })
        .await;
    confluent(&server)
        .update_link_config()
        .cluster_id("lkc-1")
        .link_name("dr")
        .config_name("consumer.offset.sync.ms")
        .body(UpdateLinkConfigRequestData {
            value: "300000".into(),
        })
        .send()
        .await
        .unwrap();
    m.assert_async().await;
}

#[tokio::test]
async fn delete_link_config() {
    let server = MockServer::start_async().await;
    let m = server
        .mock_async(|when, then| {
            when.method("DELETE")
                .path("/kafka/v3/clusters/lkc-1/links/dr/configs/consumer.offset.sync.ms")
                .header("authorization", BASIC);
            then.status(204);
        })
        .await;
    confluent(&server)
        .delete_link_config()
        .cluster_id("lkc-1")
        .link_name("dr")
        .config_name("consumer.offset.sync.ms")
        .send()
        .await
        .unwrap();
    m.assert_async().await;
}

#[tokio::test]
async fn alter_link_configs() {
    let server = MockServer::start_async().await;
    let m = server
        .mock_async(|when, then| {
            when.method("PUT")
                .path("/kafka/v3/clusters/lkc-1/links/dr/configs:alter")
                .header("authorization", BASIC)
                .json_body(json!({
                    "data": [{"name": "cleanup.policy", "operation": "DELETE"}, {"name": "compression.type", "value": "gzip", "operation": "SET"}],
                    "validate_only": true
                }));
            then.status(204);
        })
        .await;
    let body = AlterConfigBatchRequestData {
        data: vec![
            AlterConfigBatchRequestDataData {
                name: "cleanup.policy".into(),
                value: None,
                operation: Some(AlterConfigBatchRequestDataOperation::Delete),
            },
            AlterConfigBatchRequestDataData {
                name: "compression.type".into(),
                value: Some("gzip".into()),
                operation: Some(AlterConfigBatchRequestDataOperation::Set),
            },
        ],
        validate_only: Some(true),
    };
    confluent(&server)
        .alter_link_configs()
        .cluster_id("lkc-1")
        .link_name("dr")
        .body(body)
        .send()
        .await
        .unwrap();
    m.assert_async().await;
}

#[tokio::test]
async fn list_mirror_topics() {
    let server = MockServer::start_async().await;
    let m = server
        .mock_async(|when, then| {
            when.method("GET")
                .path("/kafka/v3/clusters/lkc-1/links/dr/mirrors")
                .query_param("mirror_status", "PENDING_STOPPED")
                .header("authorization", BASIC);
            then.status(200).json_body(list(
                "KafkaMirrorDataList",
                vec![mirror("orders", "PENDING_STOPPED")],
            ));
        })
        .await;
    let t = confluent(&server)
        .list_mirror_topics()
        .cluster_id("lkc-1")
        .link_name("dr")
        .mirror_status(MirrorTopicStatus::PendingStopped)
        .send()
        .await
        .unwrap();
    m.assert_async().await;
    assert_eq!(t.data[0].mirror_status, MirrorTopicStatus::PendingStopped);
    assert_eq!(t.data[0].mirror_lags[1].lag, 42);
    assert_eq!(t.data[0].state_time_ms, 1612550939300);
}

#[tokio::test]
async fn create_mirror_topic() {
    let server = MockServer::start_async().await;
    let m = server
        .mock_async(|when, then| {
            when.method("POST")
                .path("/kafka/v3/clusters/lkc-1/links/dr/mirrors")
                .header("authorization", BASIC)
                .json_body(json!({
                    "source_topic_name": "orders",
                    "mirror_topic_name": "dr.orders",
                    "replication_factor": 3,
                    "configs": [{"name": "unclean.leader.election.enable", "value": "true"}]
                }));
            then.status(204);
        })
        .await;
    let body = CreateMirrorTopicRequestData {
        source_topic_name: "orders".into(),
        mirror_topic_name: Some("dr.orders".into()),
        replication_factor: Some(3),
        configs: vec![ConfigData {
            name: "unclean.leader.election.enable".into(),
            value: Some("true".into()),
        }],
    };
    confluent(&server)
        .create_mirror_topic()
        .cluster_id("lkc-1")
        .link_name("dr")
        .body(body)
        .send()
        .await
        .unwrap();
    m.assert_async().await;
}

#[tokio::test]
async fn list_all_mirror_topics() {
    let server = MockServer::start_async().await;
    let m = server
        .mock_async(|when, then| {
            when.method("GET")
                .path("/kafka/v3/clusters/lkc-1/links/-/mirrors")
                .query_param("mirror_status", "ACTIVE")
                .header("authorization", BASIC);
            then.status(200).json_body(list(
                "KafkaMirrorDataList",
                vec![mirror("orders", "ACTIVE"), mirror("payments", "ACTIVE")],
            ));
        })
        .await;
    let t = confluent(&server)
        .list_all_mirror_topics()
        .cluster_id("lkc-1")
        .mirror_status(MirrorTopicStatus::Active)
        .send()
        .await
        .unwrap();
    m.assert_async().await;
    let names: Vec<_> = t
        .data
        .iter()
        .map(|d| d.mirror_topic_name.as_str())
        .collect();
    assert_eq!(names, ["orders", "payments"]);
}

#[tokio::test]
async fn get_mirror_topic() {
    let server = MockServer::start_async().await;
    let m = server
        .mock_async(|when, then| {
            when.method("GET")
                .path("/kafka/v3/clusters/lkc-1/links/dr/mirrors/orders")
                .header("authorization", BASIC);
            then.status(200).json_body(mirror("orders", "STOPPED"));
        })
        .await;
    let t = confluent(&server)
        .get_mirror_topic()
        .cluster_id("lkc-1")
        .link_name("dr")
        .mirror_topic_name("orders")
        .send()
        .await
        .unwrap();
    m.assert_async().await;
    assert_eq!(t.mirror_status, MirrorTopicStatus::Stopped);
    assert_eq!(t.num_partitions, 2);
}

/// The seven `mirrors:*` actions share a request and an answer shape.
macro_rules! alter_action {
    ($test:ident, $method:ident, $path:literal) => {
        #[tokio::test]
        async fn $test() {
            let server = MockServer::start_async().await;
            let m = server
                .mock_async(|when, then| {
                    when.method("POST")
                        .path(concat!("/kafka/v3/clusters/lkc-1/links/dr/", $path))
                        .query_param("validate_only", "false")
                        .header("authorization", BASIC)
                        .json_body(json!({"mirror_topic_names": ["orders", "payments"]}));
                    then.status(200).json_body(alter_result(&["orders"], &["payments"]));
                })
                .await;
            let r = confluent(&server)
                .$method()
                .cluster_id("lkc-1")
                .link_name("dr")
                .validate_only(false)
                .body(names(&["orders", "payments"]))
                .send()
                .await
                .unwrap();
            m.assert_async().await;
            assert_eq!(r.data.len(), 2);
            assert_eq!(r.data[0].mirror_lags[0].last_source_fetch_offset, 10);
            let failed: Vec<_> = r.failed().iter().map(|t| t.mirror_topic_name.as_str()).collect();
            assert_eq!(failed, ["payments"]);
        }
    };
}

alter_action!(
    promote_mirror_topics,
    promote_mirror_topics,
    "mirrors:promote"
);
alter_action!(
    failover_mirror_topics,
    failover_mirror_topics,
    "mirrors:failover"
);
alter_action!(pause_mirror_topics, pause_mirror_topics, "mirrors:pause");
alter_action!(resume_mirror_topics, resume_mirror_topics, "mirrors:resume");
alter_action!(
    reverse_and_start_mirror_topics,
    reverse_and_start_mirror_topics,
    "mirrors:reverse-and-start-mirror"
);
alter_action!(
    reverse_and_pause_mirror_topics,
    reverse_and_pause_mirror_topics,
    "mirrors:reverse-and-pause-mirror"
);
alter_action!(
    truncate_and_restore_mirror_topics,
    truncate_and_restore_mirror_topics,
    "mirrors:truncate-and-restore"
);

#[tokio::test]
async fn bearer_token_and_identity_pool_are_sent() {
    let server = MockServer::start_async().await;
    let m = server
        .mock_async(|when, then| {
            when.method("GET")
                .path("/kafka/v3/clusters/lkc-1/links")
                .header("authorization", "Bearer tok-123")
                .header("confluent-identity-pool-id", "pool-9");
            then.status(200)
                .json_body(list("KafkaLinkDataList", vec![]));
        })
        .await;
    let c = kafka_mirror::confluent::Client::builder(server.base_url())
        .bearer_token("tok-123")
        .identity_pool_id("pool-9")
        .build()
        .unwrap();
    c.list_links().cluster_id("lkc-1").send().await.unwrap();
    m.assert_async().await;
}

#[tokio::test]
async fn no_auth_sends_no_authorization_header() {
    let server = MockServer::start_async().await;
    let m = server
        .mock_async(|when, then| {
            when.method("GET")
                .path("/kafka/v3/clusters/lkc-1/links")
                .header_missing("authorization");
            then.status(200)
                .json_body(list("KafkaLinkDataList", vec![]));
        })
        .await;
    let c = kafka_mirror::confluent::Client::builder(server.base_url())
        .build()
        .unwrap();
    c.list_links().cluster_id("lkc-1").send().await.unwrap();
    m.assert_async().await;
}
