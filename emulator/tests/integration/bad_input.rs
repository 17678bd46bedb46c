//! Bad input gets the answer the services give: the status they use, in
//! their JSON error body, and no state change.

use kafka_mirror_emulator::Emulator;
use serde_json::{Value, json};

const INSTACLUSTR_CLUSTER: &str = "0c7067d6-c70a-11ea-87d0-0242ac130003";

async fn emulator() -> Emulator {
    Emulator::builder()
        .link("lkc-dr", "dr", "lkc-primary")
        .mirror("lkc-dr", "dr", "orders", &[0])
        .start()
        .await
        .unwrap()
}

/// A raw request, as any client could send it.
struct Raw<'a> {
    e: &'a Emulator,
}

struct Answer {
    status: u16,
    content_type: String,
    allow: Option<String>,
    json: Value,
}

impl Raw<'_> {
    async fn send(
        &self,
        method: &str,
        path: &str,
        content_type: Option<&str>,
        body: &str,
    ) -> Answer {
        let (u, s) = self.e.credentials().unwrap();
        let http = kafka_mirror::client::http_client_builder()
            .unwrap()
            .build()
            .unwrap();
        let mut request = http
            .request(
                method.parse().unwrap(),
                format!("{}{path}", self.e.base_url()),
            )
            .basic_auth(u, Some(s))
            .body(body.to_string());
        if let Some(ct) = content_type {
            request = request.header("content-type", ct);
        }
        let response = request.send().await.unwrap();
        let header = |name: &str| {
            response
                .headers()
                .get(name)
                .map(|v| v.to_str().unwrap().to_string())
        };
        let (content_type, allow) = (header("content-type").unwrap_or_default(), header("allow"));
        let status = response.status().as_u16();
        let text = response.text().await.unwrap();
        let json = if text.is_empty() {
            Value::Null
        } else {
            serde_json::from_str(&text).unwrap_or_else(|e| panic!("not JSON ({e}): {text}"))
        };
        Answer {
            status,
            content_type,
            allow,
            json,
        }
    }

    async fn json(&self, method: &str, path: &str, body: Value) -> Answer {
        self.send(method, path, Some("application/json"), &body.to_string())
            .await
    }
}

/// Confluent's error body with this status.
fn confluent_error(a: &Answer, status: u16) {
    assert_eq!(a.status, status, "{:?}", a.json);
    assert_eq!(a.content_type, "application/json");
    assert_eq!(a.json["error_code"], status, "{:?}", a.json);
    assert!(a.json["message"].is_string(), "{:?}", a.json);
}

/// Instaclustr's error body with this status.
fn instaclustr_error(a: &Answer, status: u16) {
    assert_eq!(a.status, status, "{:?}", a.json);
    assert_eq!(a.content_type, "application/json");
    assert_eq!(a.json["status"], status, "{:?}", a.json);
    assert!(a.json["message"].is_string(), "{:?}", a.json);
}

#[tokio::test]
async fn malformed_mistyped_and_unlabelled_bodies_get_the_vendor_error() {
    let e = emulator().await;
    let raw = Raw { e: &e };
    let create = "/kafka/v3/clusters/lkc-dr/links/dr/mirrors";
    let a = raw
        .send(
            "POST",
            create,
            Some("application/json"),
            "{\"source_topic_name\": ",
        )
        .await;
    confluent_error(&a, 400);
    assert!(
        a.json["message"]
            .as_str()
            .unwrap()
            .contains("Malformed JSON")
    );
    let a = raw
        .json("POST", create, json!({"source_topic_name": 42}))
        .await;
    confluent_error(&a, 400);
    let a = raw
        .send("POST", create, None, "{\"source_topic_name\": \"x\"}")
        .await;
    confluent_error(&a, 415);
    let a = raw
        .send(
            "POST",
            create,
            Some("text/plain"),
            "{\"source_topic_name\": \"x\"}",
        )
        .await;
    confluent_error(&a, 415);

    let ic = format!("/provisioning/v1/{INSTACLUSTR_CLUSTER}/kafka-connect/mirrors");
    instaclustr_error(
        &raw.send("POST", &ic, Some("application/json"), "{").await,
        400,
    );
    instaclustr_error(&raw.send("POST", &ic, None, "").await, 415);
    instaclustr_error(
        &raw.json("POST", &ic, json!({"sourceType": "nope"})).await,
        400,
    );
}

#[tokio::test]
async fn unknown_routes_are_404_and_wrong_methods_405_with_allow() {
    let e = emulator().await;
    let raw = Raw { e: &e };
    confluent_error(&raw.send("GET", "/kafka/v3/nowhere", None, "").await, 404);
    instaclustr_error(
        &raw.send("GET", "/provisioning/v1/x/nowhere", None, "")
            .await,
        404,
    );

    let a = raw
        .json(
            "PUT",
            "/kafka/v3/clusters/lkc-dr/links/dr/mirrors:promote",
            json!({}),
        )
        .await;
    confluent_error(&a, 405);
    assert_eq!(a.allow.as_deref(), Some("POST"));
    let a = raw
        .json(
            "POST",
            "/kafka/v3/clusters/lkc-dr/links/dr/configs:alter",
            json!({"data": []}),
        )
        .await;
    confluent_error(&a, 405);
    assert_eq!(a.allow.as_deref(), Some("PUT"));
    let a = raw
        .send(
            "POST",
            "/kafka/v3/clusters/lkc-dr/links/-/mirrors",
            None,
            "",
        )
        .await;
    confluent_error(&a, 405);
    assert!(a.allow.as_deref().unwrap().contains("GET"), "{:?}", a.allow);
    let a = raw
        .send(
            "PUT",
            &format!("/provisioning/v1/{INSTACLUSTR_CLUSTER}/kafka-connect/mirrors"),
            None,
            "",
        )
        .await;
    instaclustr_error(&a, 405);
    assert!(a.allow.unwrap().contains("POST"));
}

#[tokio::test]
async fn flags_and_enums_outside_their_values_are_400() {
    let e = emulator().await;
    let raw = Raw { e: &e };
    for path in [
        "/kafka/v3/clusters/lkc-dr/links/dr/mirrors?mirror_status=SLEEPING",
        "/kafka/v3/clusters/lkc-dr/links/dr?include_tasks=yes",
        "/kafka/v3/clusters/lkc-dr/links/dr/mirrors/orders?include_state_transition_errors=1",
    ] {
        confluent_error(&raw.send("GET", path, None, "").await, 400);
    }
    for path in [
        "/kafka/v3/clusters/lkc-dr/links/dr/mirrors:pause?validate_only=maybe",
        "/kafka/v3/clusters/lkc-dr/links/dr/mirrors:truncate-and-restore?include_partition_level_truncation_data=2",
    ] {
        let a = raw
            .json("POST", path, json!({"mirror_topic_names": ["orders"]}))
            .await;
        confluent_error(&a, 400);
    }
    let a = raw
        .send(
            "DELETE",
            "/kafka/v3/clusters/lkc-dr/links/dr?force=sure",
            None,
            "",
        )
        .await;
    confluent_error(&a, 400);
    // Nothing was paused or deleted.
    let c = e.confluent_client();
    let m = c
        .get_mirror_topic()
        .cluster_id("lkc-dr")
        .link_name("dr")
        .mirror_topic_name("orders")
        .send()
        .await
        .unwrap();
    assert_eq!(m.mirror_status.as_str(), "ACTIVE");
}

#[tokio::test]
async fn topic_names_replication_factor_and_nulls_are_checked() {
    let e = emulator().await;
    let raw = Raw { e: &e };
    let create = "/kafka/v3/clusters/lkc-dr/links/dr/mirrors";
    let long = "t".repeat(250);
    for name in ["", ".", "..", "bad/name", "späti", long.as_str()] {
        let a = raw
            .json("POST", create, json!({"source_topic_name": name}))
            .await;
        confluent_error(&a, 400);
    }
    let a = raw
        .json(
            "POST",
            create,
            json!({"source_topic_name": "ok", "mirror_topic_name": "a b"}),
        )
        .await;
    confluent_error(&a, 400);
    for rf in [0, -3] {
        let a = raw
            .json(
                "POST",
                create,
                json!({"source_topic_name": "ok", "replication_factor": rf}),
            )
            .await;
        confluent_error(&a, 400);
    }
    let a = raw
        .json(
            "POST",
            create,
            json!({"source_topic_name": "ok", "mirror_topic_name": null}),
        )
        .await;
    confluent_error(&a, 400);
    assert!(
        a.json["message"]
            .as_str()
            .unwrap()
            .contains("mirror_topic_name")
    );
    // `configs[].value` is nullable in the spec, and a 249-character name is fine.
    let name = "t".repeat(249);
    let a = raw
        .send(
            "POST",
            create,
            Some("application/json"),
            &json!({"source_topic_name": name, "configs": [{"name": "x", "value": null}]})
                .to_string(),
        )
        .await;
    assert_eq!(a.status, 204, "{:?}", a.json);
}

#[tokio::test]
async fn instaclustr_refuses_what_instaclustr_refuses() {
    let e = emulator().await;
    let raw = Raw { e: &e };
    let path = format!("/provisioning/v1/{INSTACLUSTR_CLUSTER}/kafka-connect/mirrors");
    let mirror = |source: &str| json!({"sourceType": "instaclustr", "kafkaSource": source, "topicsRegex": "orders.*", "maxTasks": 1});
    instaclustr_error(&raw.json("POST", &path, mirror("not-a-uuid")).await, 400);
    let mut zero_tasks = mirror("ff4fccf3-2ac0-494b-9f40-e95288dd752d");
    zero_tasks["maxTasks"] = json!(0);
    instaclustr_error(&raw.json("POST", &path, zero_tasks).await, 400);
    let mut bad_regex = mirror("ff4fccf3-2ac0-494b-9f40-e95288dd752d");
    bad_regex["topicsRegex"] = json!("orders(");
    instaclustr_error(&raw.json("POST", &path, bad_regex).await, 400);

    // Two sources that share a 12-character prefix are two mirrors; the
    // same source and regex again is a duplicate.
    let a = raw
        .json(
            "POST",
            &path,
            mirror("ff4fccf3-2ac0-494b-9f40-e95288dd752d"),
        )
        .await;
    assert_eq!(a.status, 200, "{:?}", a.json);
    let id = a.json["mirrorId"].as_str().unwrap().to_string();
    let a = raw
        .json(
            "POST",
            &path,
            mirror("ff4fccf3-2ac0-494b-9f40-000000000000"),
        )
        .await;
    assert_eq!(a.status, 200, "{:?}", a.json);
    instaclustr_error(
        &raw.json(
            "POST",
            &path,
            mirror("FF4FCCF3-2AC0-494B-9F40-E95288DD752D"),
        )
        .await,
        400,
    );

    let latency = format!("{path}/{id}/targetLatency");
    instaclustr_error(
        &raw.json("PUT", &latency, json!({"newTargetLatency": 999}))
            .await,
        400,
    );
    instaclustr_error(
        &raw.json(
            "PUT",
            &latency,
            json!({"newTargetLatency": 2_147_483_648u64}),
        )
        .await,
        400,
    );
    instaclustr_error(
        &raw.json("PUT", &latency, json!({"newTargetLatency": null}))
            .await,
        400,
    );
    let ok = raw
        .send(
            "PUT",
            &latency,
            Some("application/json"),
            "{\"newTargetLatency\": 2147483647}",
        )
        .await;
    assert_eq!(ok.status, 204);
}

#[tokio::test]
async fn validate_only_changes_nothing_in_the_query_or_the_body() {
    let e = emulator().await;
    let raw = Raw { e: &e };
    let alter = "/kafka/v3/clusters/lkc-dr/links/dr/configs:alter";
    let change = json!({"data": [{"name": "consumer.offset.sync.enable", "value": "true"}]});
    let a = raw
        .send(
            "PUT",
            &format!("{alter}?validate_only=true"),
            Some("application/json"),
            &change.to_string(),
        )
        .await;
    assert_eq!(a.status, 204, "{:?}", a.json);
    let mut in_body = change.clone();
    in_body["validate_only"] = json!(true);
    assert_eq!(raw.json("PUT", alter, in_body).await.status, 204);
    let c = e.confluent_client();
    let value = || async {
        c.get_link_config()
            .cluster_id("lkc-dr")
            .link_name("dr")
            .config_name("consumer.offset.sync.enable")
            .send()
            .await
            .unwrap()
            .into_inner()
            .value
    };
    assert_eq!(value().await, "false", "a dry run changed the config");
    assert_eq!(raw.json("PUT", alter, change).await.status, 204);
    assert_eq!(value().await, "true");

    let a = raw
        .json(
            "POST",
            "/kafka/v3/clusters/lkc-dr/links?link_name=dry&validate_only=true",
            json!({"source_cluster_id": "lkc-primary"}),
        )
        .await;
    assert_eq!(a.status, 204);
    let links = c.list_links().cluster_id("lkc-dr").send().await.unwrap();
    assert_eq!(links.data.len(), 1, "a dry run created a link");
}
