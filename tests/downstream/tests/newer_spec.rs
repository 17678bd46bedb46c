//! kafka-mirror, built from this crate's own edited specs, has the field
//! and the operation only they declare; the new operation pages, retries
//! and fails with typed errors like the shipped ones, with no code change.

use std::time::Duration;

use futures_util::TryStreamExt;
use kafka_mirror::confluent::Client;
use kafka_mirror::retry::RetryPolicy;
use kafka_mirror_test_support::scripted::{Reply, Scripted};
use serde_json::json;

const HTML_429: &str =
    "<html><head><title>Error 429 Too Many Requests</title></head><body></body></html>";

fn client(url: &str) -> Client {
    Client::builder(url)
        .basic_auth("key", "secret")
        .retry(
            RetryPolicy::default()
                .base_delay(Duration::from_millis(1))
                .max_delay(Duration::from_millis(5)),
        )
        .build()
        .unwrap()
}

fn tasks_page(url: &str, tasks: &[&str], next: Option<String>) -> serde_json::Value {
    json!({
        "kind": "KafkaLinkTaskDataList",
        "metadata": {"self": format!("{url}/self"), "next": next},
        "data": tasks.iter().map(|t| json!({"task_name": t, "state": "ACTIVE", "errors": []})).collect::<Vec<_>>(),
    })
}

#[tokio::test]
async fn a_field_only_this_copy_declares_is_decoded() {
    let server = Scripted::start(vec![], Reply::status(500)).await;
    server.push([Reply::json(
        200,
        json!({
            "kind": "KafkaLinkConfigDataList",
            "metadata": {"self": "x", "next": null},
            "data": [{
                "kind": "KafkaLinkConfigData", "metadata": {"self": "y"},
                "cluster_id": "lkc-1", "name": "consumer.offset.sync.enable", "value": "true",
                "is_default": false, "is_read_only": false, "is_sensitive": false,
                "source": "DYNAMIC_CLUSTER_LINK_CONFIG", "synonyms": [], "link_name": "dr",
                "documentation": "Whether consumer offsets are mirrored."
            }]
        }),
    )]);
    let configs = client(server.url())
        .list_link_configs()
        .cluster_id("lkc-1")
        .link_name("dr")
        .send()
        .await
        .unwrap();
    assert_eq!(
        configs.data[0].documentation.as_deref(),
        Some("Whether consumer offsets are mirrored.")
    );
}

#[tokio::test]
async fn an_operation_only_this_copy_declares_pages_and_retries() {
    let server = Scripted::start(vec![], Reply::status(500)).await;
    let url = server.url().to_string();
    let second = format!("{url}/kafka/v3/clusters/lkc-1/links/dr/tasks?page_token=2");
    server.push([
        Reply::text(429, "text/html", HTML_429),
        Reply::json(
            200,
            tasks_page(&url, &["AclSync", "AutoCreateMirror"], Some(second)),
        ),
        Reply::json(200, tasks_page(&url, &["ConsumerOffsetSync"], None)),
    ]);
    // Named after its operationId, in snake case: no code names it.
    let tasks: Vec<_> = client(&url)
        .list_kafka_link_tasks()
        .cluster_id("lkc-1")
        .link_name("dr")
        .stream()
        .try_collect()
        .await
        .unwrap();
    let names: Vec<_> = tasks.iter().map(|t| t.task_name.as_str()).collect();
    assert_eq!(names, ["AclSync", "AutoCreateMirror", "ConsumerOffsetSync"]);
    assert_eq!(
        server.requests(),
        [
            "GET /kafka/v3/clusters/lkc-1/links/dr/tasks",
            "GET /kafka/v3/clusters/lkc-1/links/dr/tasks",
            "GET /kafka/v3/clusters/lkc-1/links/dr/tasks?page_token=2",
        ],
        "the 429 was retried, then the next page followed"
    );
}

#[tokio::test]
async fn an_operation_only_this_copy_declares_fails_with_typed_errors() {
    let server = Scripted::start(vec![], Reply::status(500)).await;
    server.push([Reply::json(
        404,
        json!({"error_code": 40403, "message": "Link 'dr' not found"}),
    )]);
    let e = client(server.url())
        .list_kafka_link_tasks()
        .cluster_id("lkc-1")
        .link_name("dr")
        .send()
        .await
        .unwrap_err();
    assert!(e.is_not_found(), "{e}");
    assert_eq!(e.error_code(), Some(40403));
    assert_eq!(e.attempts(), Some(1));
    assert!(e.to_string().contains("Link 'dr' not found"), "{e}");

    // An argument that would change the path is refused before sending.
    let e = client(server.url())
        .list_kafka_link_tasks()
        .cluster_id("lkc-1")
        .link_name("")
        .send()
        .await
        .unwrap_err();
    assert!(matches!(e, kafka_mirror::Error::InvalidArgument(_)), "{e}");
    assert_eq!(server.hits(), 1);
}
