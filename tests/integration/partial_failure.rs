//! A partial failure inside a 200 reply is never mistaken for success.

use kafka_mirror_test_support as support;

use httpmock::MockServer;
use kafka_mirror::confluent::types::{AlterMirrorStatusResponseDataList, AlterMirrorsRequestData};
use serde_json::json;
use support::*;

fn decode(v: serde_json::Value) -> AlterMirrorStatusResponseDataList {
    serde_json::from_value(v).unwrap()
}

#[test]
fn failed_succeeded_and_all_succeeded() {
    let r = decode(alter_result(&["a", "b"], &["c"]));
    let names = |v: Vec<&kafka_mirror::confluent::types::AlterMirrorStatusResponseData>| {
        v.iter()
            .map(|t| t.mirror_topic_name.clone())
            .collect::<Vec<_>>()
    };
    assert_eq!(names(r.failed()), ["c"]);
    assert_eq!(names(r.succeeded()), ["a", "b"]);
    assert!(!r.all_succeeded());
    assert!(decode(alter_result(&["a"], &[])).all_succeeded());
}

#[test]
fn a_code_of_zero_is_success_and_a_message_alone_is_failure() {
    let mut v = alter_result(&["zero", "msg"], &[]);
    v["data"][0]["error_code"] = json!(0);
    v["data"][1]["error_message"] = json!("Topic 'msg' is not a mirror topic");
    let r = decode(v);
    let failed: Vec<_> = r
        .failed()
        .iter()
        .map(|t| t.mirror_topic_name.as_str())
        .collect();
    assert_eq!(failed, ["msg"]);
}

#[tokio::test]
async fn the_seed_example_of_reverse_and_pause_reports_topic_2() {
    // Seed 001's example: topic-2 "has already stopped its mirror".
    let server = MockServer::start_async().await;
    server
        .mock_async(|_, then| {
            then.status(200).json_body(json!({
                "kind": "KafkaPromoteMirror",
                "metadata": {"self": "https://pkc-00000/kafka/v3/clusters/cluster-1/links/link-1/mirrors", "resource_name": "crn:///kafka=cluster-1"},
                "data": [
                    {"kind": "AlterMirrorsData", "metadata": {"self": "x", "resource": "crn"}, "mirror_topic_name": "topic-sb",
                     "error_code": null, "error_message": null, "mirror_lags": [], "messages_truncated": null,
                     "partition_level_truncation_data": [{"partition_id": 0, "offset_truncated_to": 10000, "messages_truncated": 10000}]},
                    {"kind": "AlterMirrorsData", "metadata": {"self": "y", "resource": "crn"}, "mirror_topic_name": "topic-2",
                     "error_code": 400, "error_message": "Topic 'topic-2' has already stopped its mirror from 'my-new-link-1'",
                     "mirror_lags": [], "messages_truncated": null, "partition_level_truncation_data": []}
                ]
            }));
        })
        .await;
    let r = confluent(&server)
        .reverse_and_pause_mirror_topics()
        .cluster_id("cluster-1")
        .link_name("link-1")
        .body(AlterMirrorsRequestData {
            mirror_topic_name_pattern: Some(".*".into()),
            ..Default::default()
        })
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let failed = r.failed();
    assert_eq!(failed.len(), 1);
    assert_eq!(failed[0].mirror_topic_name, "topic-2");
    assert_eq!(failed[0].error_code, Some(400));
}
