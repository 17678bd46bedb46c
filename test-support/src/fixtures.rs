//! Documented JSON answers and the credentials the tests use.

use httpmock::MockServer;
use serde_json::{Value, json};

/// The credentials of the SDK's mock clients ([`confluent`] and the others).
pub use kafka_mirror::mock::{API_KEY as KEY, API_SECRET as SECRET};
/// `Basic base64("mock-key:mock-secret")`: what the mock clients send.
pub const BASIC: &str = "Basic bW9jay1rZXk6bW9jay1zZWNyZXQ=";
pub const CLUSTER_UUID: &str = "0c7067d6-c70a-11ea-87d0-0242ac130003";

/// Clients for a mock server, without retries (these tests look at one
/// answer each; `tests/integration/retry.rs` covers retries): the SDK's own test kit.
pub use kafka_mirror::mock::{
    confluent_client as confluent, instaclustr_client as instaclustr,
    instaclustr_v2_client as instaclustr_v2,
};

pub fn cluster_uuid() -> kafka_mirror::instaclustr::Uuid {
    kafka_mirror::instaclustr::Uuid::parse_str(CLUSTER_UUID).unwrap()
}

/// A server that counts every request, whatever it is.
pub async fn catch_all(server: &MockServer) -> httpmock::Mock<'_> {
    server
        .mock_async(|_, then| {
            then.status(599);
        })
        .await
}

pub fn link(name: &str) -> Value {
    json!({
        "kind": "KafkaLinkData",
        "metadata": {"self": format!("https://pkc/kafka/v3/clusters/lkc-1/links/{name}"), "resource_name": null},
        "source_cluster_id": "lkc-src",
        "link_name": name,
        "link_id": "7840644d-f7d8-4844-a577-a10ef3df31df",
        "cluster_link_id": "eEBkTffYSESld6EO898x3w",
        "topic_names": ["orders", "payments"],
        "link_state": "ACTIVE"
    })
}

pub fn link_config(name: &str, value: &str) -> Value {
    json!({
        "kind": "KafkaLinkConfigData",
        "metadata": {"self": format!("https://pkc/kafka/v3/clusters/lkc-1/links/dr/configs/{name}")},
        "cluster_id": "lkc-1",
        "name": name,
        "value": value,
        "is_default": false,
        "is_read_only": false,
        "is_sensitive": false,
        "source": "DYNAMIC_CLUSTER_LINK_CONFIG",
        "synonyms": [],
        "link_name": "dr"
    })
}

pub fn mirror(topic: &str, status: &str) -> Value {
    json!({
        "kind": "KafkaMirrorData",
        "metadata": {"self": format!("https://pkc/kafka/v3/clusters/lkc-1/links/dr/mirrors/{topic}")},
        "link_name": "dr",
        "mirror_topic_name": topic,
        "source_topic_name": topic,
        "num_partitions": 2,
        "mirror_lags": [
            {"partition": 0, "lag": 0, "last_source_fetch_offset": 100},
            {"partition": 1, "lag": 42, "last_source_fetch_offset": 250}
        ],
        "mirror_status": status,
        "state_time_ms": 1612550939300_i64
    })
}

pub fn list(kind: &str, data: Vec<Value>) -> Value {
    json!({"kind": kind, "metadata": {"self": "https://pkc/x", "next": null}, "data": data})
}

/// An alter-mirrors answer as the service documents it: `ok` topics
/// succeeded, `failed` topics carry a 400. Raw JSON, unlike
/// `kafka_mirror::mock::alter_result`: decoding tests decode what the service
/// sends, not the SDK's own serialization of its types.
pub fn alter_result(ok: &[&str], failed: &[&str]) -> Value {
    let item = |t: &str, code: Value, msg: Value| {
        json!({
            "kind": "AlterMirrorsData",
            "metadata": {"self": format!("https://pkc/kafka/v3/clusters/lkc-1/links/dr/mirrors/{t}")},
            "mirror_topic_name": t,
            "error_code": code,
            "error_message": msg,
            "mirror_lags": [{"partition": 0, "lag": 0, "last_source_fetch_offset": 10}],
            "messages_truncated": null,
            "partition_level_truncation_data": null
        })
    };
    let mut data: Vec<Value> = ok
        .iter()
        .map(|t| item(t, Value::Null, Value::Null))
        .collect();
    data.extend(failed.iter().map(|t| {
        item(
            t,
            json!(400),
            json!(format!("Topic '{t}' has already stopped its mirror")),
        )
    }));
    list("KafkaPromoteMirror", data)
}

/// The topic names of an alter-mirrors request body.
pub fn names(topics: &[&str]) -> kafka_mirror::confluent::types::AlterMirrorsRequestData {
    kafka_mirror::confluent::types::AlterMirrorsRequestData {
        mirror_topic_names: topics.iter().map(|t| t.to_string()).collect(),
        mirror_topic_name_pattern: None,
    }
}

pub const HTML_429: &str = "<html> <head> <meta http-equiv=\"Content-Type\" content=\"text/html;charset=utf-8\"/> \
<title>Error 429 Too Many Requests</title> </head> <body> <h2>HTTP ERROR 429 Too Many Requests</h2> </body> </html>";
