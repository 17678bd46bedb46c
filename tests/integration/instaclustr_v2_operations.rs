//! Each of the 5 operations of Instaclustr's Cluster Management API v2
//! mirrors: method, path, JSON body and auth header as sent, a realistic
//! answer decoded; the v2 error body; tolerance of unknown fields and
//! statuses, empty 401s and bodiless 503/504s; the bounds refused before
//! anything is sent.

use kafka_mirror_test_support as support;

use httpmock::MockServer;
use kafka_mirror::instaclustr_v2::Uuid;
use kafka_mirror::instaclustr_v2::types::{
    ConnectorStatus, KafkaConnectExternalSourceClusterDetailsV2 as External,
    KafkaConnectManagedSourceClusterDetailsV2 as Managed,
    KafkaConnectMirrorSourceClusterDetailsV2 as Source, KafkaConnectMirrorUpdateV2,
    KafkaConnectMirrorV2, MirrorStatus,
};
use kafka_mirror::{Error, VendorError};
use serde_json::{Value, json};
use support::*;

const LIST: &str = "/cluster-management/v2/data-sources/kafka_connect_cluster/0c7067d6-c70a-11ea-87d0-0242ac130003/mirrors/v2/";
const MIRRORS: &str = "/cluster-management/v2/resources/applications/kafka_connect/mirrors/v2";
const MIRROR_ID: &str = "9a1b5c3e-0f6e-4f4e-9d3c-2b9a7c1e5d40";

fn mirror_id() -> Uuid {
    Uuid::parse_str(MIRROR_ID).unwrap()
}

/// A mirror as Instaclustr answers it.
fn answer(status: &str) -> Value {
    json!({
        "id": MIRROR_ID,
        "kafkaConnectClusterId": CLUSTER_UUID,
        "connectorName": "source.target.stFR45Jhdg5r",
        "targetLatency": 5000,
        "maxTasks": 3,
        "renameMirroredTopics": true,
        "topicsRegex": "west-.*",
        "status": status,
        "sourceCluster": [{"alias": "source-cluster", "managedCluster": [
            {"sourceKafkaClusterId": "ff4fccf3-2ac0-494b-9f40-e95288dd752d", "usePrivateIps": true}
        ]}],
        "connectors": [
            {"name": "Mirror Connector", "config": "{...}", "status": "RUNNING"},
            {"name": "Checkpoint Connector", "config": "{...}", "status": "RUNNING"}
        ],
        "mirroredTopics": [{"name": "west-orders", "averageLatency": 140.5, "averageRate": 12.25}]
    })
}

fn managed_request() -> KafkaConnectMirrorV2 {
    KafkaConnectMirrorV2 {
        kafka_connect_cluster_id: CLUSTER_UUID.into(),
        max_tasks: 3,
        rename_mirrored_topics: true,
        source_cluster: vec![Source {
            alias: "source-cluster".into(),
            managed_cluster: vec![Managed {
                source_kafka_cluster_id: "ff4fccf3-2ac0-494b-9f40-e95288dd752d".into(),
                use_private_ips: true,
            }],
            external_cluster: Vec::new(),
        }],
        target_latency: 5000,
        topics_regex: "west-.*".into(),
        connector_name: None,
        connectors: Vec::new(),
        id: None,
        mirrored_topics: Vec::new(),
        status: None,
    }
}

#[tokio::test]
async fn list_mirrors_gets_the_path_with_its_trailing_slash() {
    let server = MockServer::start_async().await;
    let m = server
        .mock_async(|when, then| {
            when.method("GET")
                .path(LIST)
                .header("authorization", BASIC)
                .header("accept", "application/json");
            then.status(200).json_body(json!([{
                "clusterId": CLUSTER_UUID,
                "mirrors": [{
                    "id": MIRROR_ID, "kafkaConnectClusterId": CLUSTER_UUID,
                    "connectorName": "source.target.stFR45Jhdg5r", "targetLatency": 5000,
                    "maxTasks": 3, "renameMirroredTopics": false, "topicsRegex": ".*",
                    "sourceCluster": [{"alias": "a", "externalCluster": [{"sourceConnectionProperties": "bootstrap.servers=k:9092"}]}]
                }]
            }]));
        })
        .await;
    let lists = instaclustr_v2(&server)
        .list_mirrors()
        .cluster_id(cluster_uuid())
        .send()
        .await
        .unwrap();
    m.assert_async().await;
    assert_eq!(lists.len(), 1);
    let mirror = &lists[0].mirrors[0];
    assert_eq!(mirror.id, Some(mirror_id()));
    assert_eq!(
        mirror.source_cluster[0].external_cluster[0].source_connection_properties,
        "bootstrap.servers=k:9092"
    );
    assert!(mirror.source_cluster[0].managed_cluster.is_empty());
}

#[tokio::test]
async fn create_mirror_posts_the_mirror_and_decodes_the_202() {
    let server = MockServer::start_async().await;
    let m = server
        .mock_async(|when, then| {
            when.method("POST")
                .path(MIRRORS)
                .header("authorization", BASIC)
                .header("content-type", "application/json")
                .json_body(json!({
                    "kafkaConnectClusterId": CLUSTER_UUID,
                    "maxTasks": 3,
                    "renameMirroredTopics": true,
                    "sourceCluster": [{"alias": "source-cluster", "managedCluster": [
                        {"sourceKafkaClusterId": "ff4fccf3-2ac0-494b-9f40-e95288dd752d", "usePrivateIps": true}
                    ]}],
                    "targetLatency": 5000,
                    "topicsRegex": "west-.*"
                }));
            then.status(202).json_body(answer("CREATING"));
        })
        .await;
    let created = instaclustr_v2(&server)
        .create_mirror()
        .body(managed_request())
        .send()
        .await
        .unwrap();
    m.assert_async().await;
    assert_eq!(created.status(), 202);
    assert_eq!(created.status, Some(MirrorStatus::Creating));
    assert_eq!(created.id, Some(mirror_id()));
}

#[tokio::test]
async fn get_mirror_decodes_connectors_and_mirrored_topics() {
    let server = MockServer::start_async().await;
    let m = server
        .mock_async(|when, then| {
            when.method("GET")
                .path(format!("{MIRRORS}/{MIRROR_ID}"))
                .header("authorization", BASIC);
            then.status(200).json_body(answer("IN_SYNC"));
        })
        .await;
    let mirror = instaclustr_v2(&server)
        .get_mirror()
        .mirror_id(mirror_id())
        .send()
        .await
        .unwrap();
    m.assert_async().await;
    assert_eq!(mirror.status, Some(MirrorStatus::InSync));
    assert_eq!(mirror.connectors.len(), 2);
    assert_eq!(mirror.connectors[0].status, Some(ConnectorStatus::Running));
    assert_eq!(mirror.mirrored_topics[0].average_latency, Some(140.5));
    assert_eq!(mirror.mirrored_topics[0].average_rate, Some(12.25));
    assert_eq!(mirror.target_latency, 5000);
}

#[tokio::test]
async fn update_mirror_puts_the_target_latency_only() {
    let server = MockServer::start_async().await;
    let m = server
        .mock_async(|when, then| {
            when.method("PUT")
                .path(format!("{MIRRORS}/{MIRROR_ID}"))
                .header("authorization", BASIC)
                .json_body(json!({"targetLatency": 30000}));
            then.status(202).json_body(answer("IN_SYNC"));
        })
        .await;
    let updated = instaclustr_v2(&server)
        .update_mirror()
        .mirror_id(mirror_id())
        .body(KafkaConnectMirrorUpdateV2 {
            target_latency: 30000,
        })
        .send()
        .await
        .unwrap();
    m.assert_async().await;
    assert_eq!(updated.status(), 202);
}

#[tokio::test]
async fn delete_mirror_answers_204() {
    let server = MockServer::start_async().await;
    let m = server
        .mock_async(|when, then| {
            when.method("DELETE")
                .path(format!("{MIRRORS}/{MIRROR_ID}"))
                .header("authorization", BASIC);
            then.status(204);
        })
        .await;
    let r = instaclustr_v2(&server)
        .delete_mirror()
        .mirror_id(mirror_id())
        .send()
        .await
        .unwrap();
    m.assert_async().await;
    assert_eq!(r.status(), 204);
}

#[tokio::test]
async fn v2_error_bodies_are_parsed_and_printed_whole() {
    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.method("POST").path(MIRRORS);
            then.status(400).json_body(json!({"errors": [
                {"name": "topicsRegex", "message": "Invalid regex."},
                {"name": "kafkaConnectClusterId", "message": "Cluster not found."}
            ]}));
        })
        .await;
    let e = instaclustr_v2(&server)
        .create_mirror()
        .body(managed_request())
        .send()
        .await
        .unwrap_err();
    assert_eq!(e.status().map(|s| s.as_u16()), Some(400));
    let api = e.api().unwrap();
    assert_eq!(api.message(), Some("Invalid regex."));
    let Some(VendorError::InstaclustrV2(body)) = api.vendor() else {
        panic!("{e:?}")
    };
    assert_eq!(body.errors.len(), 2);
    assert!(
        e.to_string().contains(
            "answered 400 Bad Request: topicsRegex: Invalid regex.; kafkaConnectClusterId: Cluster not found. (1 attempt"
        ),
        "{e}"
    );
}

#[tokio::test]
async fn unknown_fields_and_statuses_decode() {
    let server = MockServer::start_async().await;
    let mut body = answer("PAUSED_BY_OPERATOR");
    body["somethingNew"] = json!({"x": 1});
    body["connectors"][0]["status"] = json!("DEGRADED");
    body["connectors"][0]["newField"] = json!(true);
    server
        .mock_async(|when, then| {
            when.method("GET");
            then.status(200).json_body(body);
        })
        .await;
    let mirror = instaclustr_v2(&server)
        .get_mirror()
        .mirror_id(mirror_id())
        .send()
        .await
        .unwrap();
    assert_eq!(
        mirror.status.as_ref().map(|s| s.as_str()),
        Some("PAUSED_BY_OPERATOR")
    );
    assert_eq!(
        mirror.connectors[0].status,
        Some(ConnectorStatus::Unrecognized("DEGRADED".into()))
    );
}

#[tokio::test]
async fn an_empty_401_and_bodiless_503_504_are_typed_errors() {
    for status in [401u16, 503, 504] {
        let server = MockServer::start_async().await;
        server
            .mock_async(|when, then| {
                when.method("GET");
                then.status(status);
            })
            .await;
        let e = instaclustr_v2(&server)
            .get_mirror()
            .mirror_id(mirror_id())
            .send()
            .await
            .unwrap_err();
        assert_eq!(e.status().map(|s| s.as_u16()), Some(status), "{e}");
        assert!(e.to_string().contains("with an empty body"), "{e}");
        if status == 401 {
            assert!(e.is_unauthorized());
        }
    }
}

/// Each request is refused before anything is sent, with this message.
async fn refused(body: KafkaConnectMirrorV2, expected: &str) {
    let server = MockServer::start_async().await;
    let any = catch_all(&server).await;
    let e = instaclustr_v2(&server)
        .create_mirror()
        .body(body)
        .send()
        .await
        .unwrap_err();
    assert!(matches!(e, Error::InvalidArgument(_)), "{e:?}");
    assert_eq!(e.to_string(), format!("invalid argument: {expected}"));
    assert_eq!(any.calls_async().await, 0);
}

#[tokio::test]
async fn the_bounds_are_refused_before_sending() {
    let mut low_latency = managed_request();
    low_latency.target_latency = 999;
    refused(
        low_latency,
        "`targetLatency` of create_mirror must be at least 1000, not 999; nothing was sent",
    )
    .await;

    let mut no_tasks = managed_request();
    no_tasks.max_tasks = 0;
    refused(
        no_tasks,
        "`maxTasks` of create_mirror must be at least 1, not 0; nothing was sent",
    )
    .await;

    let mut two_sources = managed_request();
    two_sources
        .source_cluster
        .push(two_sources.source_cluster[0].clone());
    refused(
        two_sources,
        "`sourceCluster` of create_mirror must have exactly 1 item, not 2; nothing was sent",
    )
    .await;

    let mut no_source = managed_request();
    no_source.source_cluster.clear();
    refused(
        no_source,
        "`sourceCluster` of create_mirror must have exactly 1 item, not 0; nothing was sent",
    )
    .await;

    let mut both = managed_request();
    both.source_cluster[0].external_cluster = vec![External {
        source_connection_properties: "bootstrap.servers=k:9092".into(),
    }];
    refused(
        both,
        "`sourceCluster/0` of create_mirror needs exactly one of `managedCluster` (an Instaclustr cluster) and `externalCluster` (connection properties); nothing was sent",
    )
    .await;

    let mut neither = managed_request();
    neither.source_cluster[0].managed_cluster.clear();
    refused(
        neither,
        "`sourceCluster/0` of create_mirror needs exactly one of `managedCluster` (an Instaclustr cluster) and `externalCluster` (connection properties); nothing was sent",
    )
    .await;

    let mut two_managed = managed_request();
    let first = two_managed.source_cluster[0].managed_cluster[0].clone();
    two_managed.source_cluster[0].managed_cluster.push(first);
    refused(
        two_managed,
        "`sourceCluster/0/managedCluster` of create_mirror must have at most 1 item, not 2; nothing was sent",
    )
    .await;
}

#[tokio::test]
async fn an_update_below_1000_ms_is_refused_before_sending() {
    let server = MockServer::start_async().await;
    let any = catch_all(&server).await;
    let e = instaclustr_v2(&server)
        .update_mirror()
        .mirror_id(mirror_id())
        .body(KafkaConnectMirrorUpdateV2 {
            target_latency: 500,
        })
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        e.to_string(),
        "invalid argument: `targetLatency` of update_mirror must be at least 1000, not 500; nothing was sent"
    );
    assert_eq!(any.calls_async().await, 0);
}

#[tokio::test]
async fn the_default_rate_limit_is_instaclustrs_35_per_second() {
    let c = kafka_mirror::instaclustr_v2::Client::builder("https://api.instaclustr.com")
        .basic_auth(KEY, SECRET)
        .build()
        .unwrap();
    assert!(format!("{c:?}").contains("rate_limit: Some(35)"), "{c:?}");
}

#[tokio::test]
async fn the_external_cluster_constructor_sends_the_documented_shape() {
    let server = MockServer::start_async().await;
    let m = server
        .mock_async(|when, then| {
            when.method("POST").path(MIRRORS).json_body(json!({
                "kafkaConnectClusterId": CLUSTER_UUID,
                "maxTasks": 3,
                "renameMirroredTopics": false,
                "sourceCluster": [{"alias": "onprem", "externalCluster": [
                    {"sourceConnectionProperties": "bootstrap.servers=k1:9092"}
                ]}],
                "targetLatency": 30000,
                "topicsRegex": ".*"
            }));
            then.status(202).json_body(answer("CREATING"));
        })
        .await;
    let body = KafkaConnectMirrorV2::from_external_cluster(
        cluster_uuid(),
        "bootstrap.servers=k1:9092",
        "onprem",
        ".*",
    );
    instaclustr_v2(&server)
        .create_mirror()
        .body(body)
        .send()
        .await
        .unwrap();
    m.assert_async().await;
}
