//! Each of the 5 Instaclustr operations: method, path, JSON body and auth
//! header as sent, and a realistic answer decoded.

use kafka_mirror_test_support as support;

use httpmock::MockServer;
use kafka_mirror::instaclustr::types::{
    CreateMirrorRequest, MirrorStatus, UpdateTargetLatencyRequest,
};
use serde_json::json;
use support::*;

const BASE: &str = "/provisioning/v1/0c7067d6-c70a-11ea-87d0-0242ac130003/kafka-connect/mirrors";

#[tokio::test]
async fn list_mirrors() {
    let server = MockServer::start_async().await;
    let m = server
        .mock_async(|when, then| {
            when.method("GET").path(BASE).header("authorization", BASIC).header("accept", "application/json");
            then.status(200).json_body(json!({"mirrors": [
                {"id": "ff4fccf3-2ac0-494b-9f40-e95288dd752d", "connectorName": "source.target.stFR45Jhdg5r", "topicsRegex": ".*"}
            ]}));
        })
        .await;
    let r = instaclustr(&server)
        .list_mirrors()
        .cluster_id(cluster_uuid())
        .send()
        .await
        .unwrap();
    m.assert_async().await;
    assert_eq!(
        r.mirrors[0].connector_name.as_deref(),
        Some("source.target.stFR45Jhdg5r")
    );
    assert_eq!(r.mirrors[0].topics_regex.as_deref(), Some(".*"));
}

#[tokio::test]
async fn create_mirror_from_an_instaclustr_cluster() {
    let server = MockServer::start_async().await;
    let m = server
        .mock_async(|when, then| {
            when.method("POST")
                .path(BASE)
                .header("authorization", BASIC)
                .json_body(json!({
                    "sourceType": "instaclustr",
                    "kafkaSource": "ff4fccf3-2ac0-494b-9f40-e95288dd752d",
                    "usePrivateIps": false,
                    "useRenaming": true,
                    "sourceAlias": "production-west",
                    "topicsRegex": "west-.*",
                    "maxTasks": 3
                }));
            then.status(200).json_body(json!({"mirrorId": "9a1b"}));
        })
        .await;
    let body = CreateMirrorRequest::Instaclustr {
        kafka_source: "ff4fccf3-2ac0-494b-9f40-e95288dd752d".into(),
        use_private_ips: Some(false),
        use_renaming: Some(true),
        source_alias: Some("production-west".into()),
        topics_regex: Some("west-.*".into()),
        max_tasks: Some(3),
    };
    let r = instaclustr(&server)
        .create_mirror()
        .cluster_id(cluster_uuid())
        .body(body)
        .send()
        .await
        .unwrap();
    m.assert_async().await;
    assert_eq!(r.mirror_id, "9a1b");
}

#[tokio::test]
async fn create_mirror_from_a_custom_source() {
    let server = MockServer::start_async().await;
    let m = server
        .mock_async(|when, then| {
            when.method("POST")
                .path(BASE)
                .header("authorization", BASIC)
                .json_body(json!({
                    "sourceType": "custom",
                    "sourceConnectionProperties": "bootstrap.servers=10.0.0.1:9092",
                    "topicsRegex": ".*"
                }));
            then.status(200).json_body(json!({"mirrorId": "c1"}));
        })
        .await;
    let body = CreateMirrorRequest::Custom {
        source_connection_properties: "bootstrap.servers=10.0.0.1:9092".into(),
        topics_regex: Some(".*".into()),
        max_tasks: None,
        source_alias: None,
        use_renaming: None,
    };
    let r = instaclustr(&server)
        .create_mirror()
        .cluster_id(cluster_uuid())
        .body(body)
        .send()
        .await
        .unwrap();
    m.assert_async().await;
    assert_eq!(r.mirror_id, "c1");
}

#[tokio::test]
async fn get_mirror() {
    let server = MockServer::start_async().await;
    let m = server
        .mock_async(|when, then| {
            when.method("GET").path(format!("{BASE}/9a1b")).header("authorization", BASIC);
            then.status(200).json_body(json!({
                "id": "9a1b", "status": "IN_SYNC", "connectorName": "source.target.stFR45Jhdg5r",
                "targetLatency": 30000, "topicsRegex": ".*", "mirrorStatus": "RUNNING", "checkpointStatus": "RUNNING",
                "topicStatuses": [{"name": "orders", "averageLatency": 153, "averageRate": 1.5}]
            }));
        })
        .await;
    let r = instaclustr(&server)
        .get_mirror()
        .cluster_id(cluster_uuid())
        .mirror_id("9a1b")
        .send()
        .await
        .unwrap();
    m.assert_async().await;
    assert_eq!(r.status, Some(MirrorStatus::InSync));
    assert_eq!(r.target_latency, Some(30000));
    assert_eq!(r.topic_statuses[0].average_latency, Some(153));
    assert_eq!(r.topic_statuses[0].average_rate, Some(1.5));
}

#[tokio::test]
async fn delete_mirror() {
    let server = MockServer::start_async().await;
    let m = server
        .mock_async(|when, then| {
            when.method("DELETE")
                .path(format!("{BASE}/9a1b"))
                .header("authorization", BASIC);
            then.status(204);
        })
        .await;
    let r = instaclustr(&server)
        .delete_mirror()
        .cluster_id(cluster_uuid())
        .mirror_id("9a1b")
        .send()
        .await
        .unwrap();
    m.assert_async().await;
    assert_eq!(r.status(), 204);
}

#[tokio::test]
async fn update_mirror_target_latency() {
    let server = MockServer::start_async().await;
    let m = server
        .mock_async(|when, then| {
            when.method("PUT")
                .path(format!("{BASE}/9a1b/targetLatency"))
                .header("authorization", BASIC)
                .json_body(json!({"newTargetLatency": 5000}));
            then.status(204);
        })
        .await;
    instaclustr(&server)
        .update_mirror_target_latency()
        .cluster_id(cluster_uuid())
        .mirror_id("9a1b")
        .body(UpdateTargetLatencyRequest {
            new_target_latency: 5000,
        })
        .send()
        .await
        .unwrap();
    m.assert_async().await;
}

#[tokio::test]
async fn a_target_latency_below_1000_is_refused_before_sending() {
    let server = MockServer::start_async().await;
    let any = catch_all(&server).await;
    let err = instaclustr(&server)
        .update_mirror_target_latency()
        .cluster_id(cluster_uuid())
        .mirror_id("9a1b")
        .body(UpdateTargetLatencyRequest {
            new_target_latency: 999,
        })
        .send()
        .await
        .unwrap_err();
    let err = err;
    assert!(
        matches!(err, kafka_mirror::Error::InvalidArgument(ref m) if m.contains("newTargetLatency") && m.contains("at least 1000")),
        "{err}"
    );
    assert_eq!(any.calls_async().await, 0);
}
