//! Decoding that survives a changing service: unknown fields, unknown enum
//! values, nulls, and statuses the services answer but the specs omit.

use kafka_mirror_test_support as support;

use httpmock::MockServer;
use kafka_mirror::confluent::types::{LinkState, MirrorTopicError, MirrorTopicStatus};
use serde_json::json;
use support::*;

#[tokio::test]
async fn unknown_fields_are_ignored() {
    let server = MockServer::start_async().await;
    let mut body = mirror("orders", "ACTIVE");
    body["brand_new_field"] = json!({"nested": [1, 2, 3]});
    body["mirror_lags"][0]["new_lag_field"] = json!("x");
    server
        .mock_async(|_, then| {
            then.status(200).json_body(body);
        })
        .await;
    let t = confluent(&server)
        .get_mirror_topic()
        .cluster_id("c")
        .link_name("l")
        .mirror_topic_name("orders")
        .send()
        .await
        .unwrap();
    assert_eq!(t.mirror_topic_name, "orders");
}

#[tokio::test]
async fn an_unknown_enum_value_decodes_and_keeps_its_text() {
    let server = MockServer::start_async().await;
    let mut body = mirror("orders", "PENDING_SOMETHING_NEW");
    body["mirror_topic_error"] = json!("BRAND_NEW_ERROR");
    server
        .mock_async(|_, then| {
            then.status(200).json_body(body);
        })
        .await;
    let t = confluent(&server)
        .get_mirror_topic()
        .cluster_id("c")
        .link_name("l")
        .mirror_topic_name("orders")
        .send()
        .await
        .unwrap();
    assert_eq!(
        t.mirror_status,
        MirrorTopicStatus::Unrecognized("PENDING_SOMETHING_NEW".into())
    );
    assert!(!t.mirror_status.is_known());
    assert_eq!(t.mirror_status.as_str(), "PENDING_SOMETHING_NEW");
    assert_eq!(
        t.mirror_topic_error,
        Some(MirrorTopicError::Unrecognized("BRAND_NEW_ERROR".into()))
    );
    // And it goes back out as sent.
    assert_eq!(
        serde_json::to_value(&t.mirror_status).unwrap(),
        json!("PENDING_SOMETHING_NEW")
    );
}

#[tokio::test]
async fn unknown_link_states_and_instaclustr_statuses_decode() {
    let server = MockServer::start_async().await;
    let mut l = link("dr");
    l["link_state"] = json!("DEGRADED");
    server
        .mock_async(|when, then| {
            when.path("/kafka/v3/clusters/c/links/dr");
            then.status(200).json_body(l);
        })
        .await;
    server
        .mock_async(|when, then| {
            when.path_includes("/kafka-connect/mirrors/m1");
            then.status(200)
                .json_body(json!({"id": "m1", "status": "RESYNCING", "topicStatuses": []}));
        })
        .await;
    let link = confluent(&server)
        .get_link()
        .cluster_id("c")
        .link_name("dr")
        .send()
        .await
        .unwrap();
    assert_eq!(
        link.link_state,
        Some(LinkState::Unrecognized("DEGRADED".into()))
    );
    let m = instaclustr(&server)
        .get_mirror()
        .cluster_id(cluster_uuid())
        .mirror_id("m1")
        .send()
        .await
        .unwrap();
    assert_eq!(m.status.as_ref().map(|s| s.as_str()), Some("RESYNCING"));
}

#[tokio::test]
async fn declared_nullable_fields_take_null_or_absence() {
    let server = MockServer::start_async().await;
    let mut l = link("dr");
    l["link_state"] = json!(null);
    l["link_error"] = json!(null);
    l["source_cluster_id"] = json!(null);
    l["tasks"] = json!(null);
    let mut result = alter_result(&["orders"], &[]);
    result["data"][0]
        .as_object_mut()
        .unwrap()
        .remove("partition_level_truncation_data");
    result["data"][0]
        .as_object_mut()
        .unwrap()
        .remove("messages_truncated");
    server
        .mock_async(|when, then| {
            when.method("GET");
            then.status(200).json_body(l);
        })
        .await;
    server
        .mock_async(|when, then| {
            when.method("POST");
            then.status(200).json_body(result);
        })
        .await;
    let c = confluent(&server);
    let link = c
        .get_link()
        .cluster_id("c")
        .link_name("dr")
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(
        (link.link_state, link.source_cluster_id, link.tasks),
        (None, None, None)
    );
    let r = c
        .pause_mirror_topics()
        .cluster_id("c")
        .link_name("dr")
        .body(kafka_mirror::confluent::types::AlterMirrorsRequestData::default())
        .send()
        .await
        .unwrap();
    assert_eq!(r.data[0].partition_level_truncation_data, None);
    assert_eq!(r.data[0].error_code, None);
}

#[tokio::test]
async fn create_link_answering_201_is_a_success() {
    let server = MockServer::start_async().await;
    server
        .mock_async(|_, then| {
            then.status(201).json_body(json!({"kind": "KafkaLink"}));
        })
        .await;
    let r = confluent(&server)
        .create_link()
        .cluster_id("c")
        .link_name("dr")
        .body(kafka_mirror::confluent::types::CreateLinkRequestData::default())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
}

#[tokio::test]
async fn undeclared_403_and_404_are_typed_errors() {
    for (status, code) in [(403, 40301), (404, 40403)] {
        let server = MockServer::start_async().await;
        server
            .mock_async(|_, then| {
                then.status(status)
                    .json_body(json!({"error_code": code, "message": "nope"}));
            })
            .await;
        let e = confluent(&server)
            .get_link()
            .cluster_id("c")
            .link_name("dr")
            .send()
            .await
            .unwrap_err();
        assert_eq!(e.status().map(|s| s.as_u16()), Some(status));
        assert_eq!(e.error_code(), Some(code));
        assert_eq!(e.is_not_found(), status == 404);
    }
}

#[tokio::test]
async fn instaclustr_401_with_an_empty_body_is_a_typed_error() {
    let server = MockServer::start_async().await;
    server
        .mock_async(|_, then| {
            then.status(401);
        })
        .await;
    let e = instaclustr(&server)
        .list_mirrors()
        .cluster_id(cluster_uuid())
        .send()
        .await
        .unwrap_err();
    assert!(e.is_unauthorized());
    let api = e.api().unwrap();
    assert_eq!(api.raw_body(), "");
    assert_eq!(api.vendor(), None);
    let line = e.to_string();
    let (message, tally) = line.rsplit_once(" (").unwrap();
    assert_eq!(
        message,
        format!(
            "GET {}/provisioning/v1/{CLUSTER_UUID}/kafka-connect/mirrors answered \
             401 Unauthorized with an empty body",
            server.base_url()
        )
    );
    assert!(
        tally.starts_with("1 attempt in ") && tally.ends_with(" s)"),
        "{line}"
    );
}

#[tokio::test]
async fn instaclustr_503_and_504_without_a_body_are_typed_errors() {
    for status in [503, 504] {
        let server = MockServer::start_async().await;
        server
            .mock_async(|_, then| {
                then.status(status);
            })
            .await;
        let e = instaclustr(&server)
            .get_mirror()
            .cluster_id(cluster_uuid())
            .mirror_id("m")
            .send()
            .await
            .unwrap_err();
        assert_eq!(e.status().map(|s| s.as_u16()), Some(status));
        assert_eq!(e.api().unwrap().raw_body(), "");
    }
}
