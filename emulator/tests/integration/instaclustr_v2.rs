//! The emulator's Instaclustr v2 mirror routes: the same mirrors as v1,
//! 202/204 answers, `CREATING` then `IN_SYNC`, and v2's error body.

use kafka_mirror_test_support::emulator as support;

use kafka_mirror::instaclustr::types::CreateMirrorRequest;
use kafka_mirror::instaclustr_v2::Uuid;
use kafka_mirror::instaclustr_v2::types::{
    KafkaConnectManagedSourceClusterDetailsV2 as Managed,
    KafkaConnectMirrorSourceClusterDetailsV2 as Source, KafkaConnectMirrorUpdateV2,
    KafkaConnectMirrorV2, MirrorStatus,
};
use kafka_mirror_emulator::Emulator;
use serde_json::{Value, json};
use support::http;

const SOURCE: &str = "ff4fccf3-2ac0-494b-9f40-e95288dd752d";

fn v2_client(e: &Emulator) -> kafka_mirror::instaclustr_v2::Client {
    let (u, s) = e.credentials().unwrap();
    kafka_mirror::instaclustr_v2::Client::builder(e.base_url())
        .basic_auth(u, s)
        .http_client(http())
        .build()
        .unwrap()
}

fn request(cluster: Uuid, regex: &str) -> KafkaConnectMirrorV2 {
    KafkaConnectMirrorV2 {
        kafka_connect_cluster_id: cluster.to_string(),
        max_tasks: 4,
        rename_mirrored_topics: true,
        source_cluster: vec![Source {
            alias: "west".into(),
            managed_cluster: vec![Managed {
                source_kafka_cluster_id: SOURCE.into(),
                use_private_ips: true,
            }],
            external_cluster: Vec::new(),
        }],
        target_latency: 5000,
        topics_regex: regex.into(),
        connector_name: None,
        connectors: Vec::new(),
        id: None,
        mirrored_topics: Vec::new(),
        status: None,
    }
}

#[tokio::test(start_paused = true)]
async fn a_mirror_created_through_v2_is_seen_through_v1_and_goes_in_sync() {
    let e = Emulator::start().await.unwrap();
    let v2 = v2_client(&e);
    let v1 = support::instaclustr_client(&e);
    let cluster = Uuid::new_v4();
    let created = v2
        .create_mirror()
        .body(request(cluster, "west-.*"))
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), 202);
    assert_eq!(created.status, Some(MirrorStatus::Creating));
    assert_eq!(created.max_tasks, 4);
    let id = created.id.unwrap();

    let listed = v2.list_mirrors().cluster_id(cluster).send().await.unwrap();
    assert_eq!(
        listed[0].cluster_id.as_deref(),
        Some(cluster.to_string().as_str())
    );
    assert_eq!(listed[0].mirrors[0].id, Some(id));

    let seen_by_v1 = v1
        .get_mirror()
        .cluster_id(cluster)
        .mirror_id(id.to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(seen_by_v1.topics_regex.as_deref(), Some("west-.*"));
    assert_eq!(seen_by_v1.target_latency, Some(5000));
    assert_eq!(
        seen_by_v1.status.as_ref().map(|s| s.as_str()),
        Some("CREATING")
    );

    let report = v2
        .wait_for_mirror(id)
        .timeout(std::time::Duration::from_secs(600))
        .await
        .unwrap();
    assert!(report.all_reached(), "{report:?}");
    let now = v2.get_mirror().mirror_id(id).send().await.unwrap();
    assert_eq!(now.status, Some(MirrorStatus::InSync));
    assert!(
        now.connectors
            .iter()
            .all(|c| c.status.as_ref().map(|s| s.as_str()) == Some("RUNNING"))
    );
}

#[tokio::test]
async fn a_mirror_created_through_v1_is_seen_through_v2() {
    let e = Emulator::start().await.unwrap();
    let v1 = support::instaclustr_client(&e);
    let cluster = Uuid::new_v4();
    let created = v1
        .create_mirror()
        .cluster_id(cluster)
        .body(CreateMirrorRequest::Instaclustr {
            kafka_source: SOURCE.into(),
            use_private_ips: Some(true),
            use_renaming: Some(true),
            source_alias: Some("west".into()),
            topics_regex: Some("orders.*".into()),
            max_tasks: Some(2),
        })
        .send()
        .await
        .unwrap();
    let id = Uuid::parse_str(&created.mirror_id).unwrap();
    let m = v2_client(&e)
        .get_mirror()
        .mirror_id(id)
        .send()
        .await
        .unwrap();
    assert_eq!(m.kafka_connect_cluster_id, cluster.to_string());
    assert_eq!(m.topics_regex, "orders.*");
    assert!(m.rename_mirrored_topics);
    assert_eq!(m.max_tasks, 2);
    assert_eq!(m.source_cluster[0].alias, "west");
    assert_eq!(
        m.source_cluster[0].managed_cluster[0],
        Managed {
            source_kafka_cluster_id: SOURCE.into(),
            use_private_ips: true
        }
    );
    assert!(m.source_cluster[0].external_cluster.is_empty());
}

#[tokio::test]
async fn update_and_delete_through_v2_are_seen_through_v1() {
    let e = Emulator::start().await.unwrap();
    let (v1, v2) = (support::instaclustr_client(&e), v2_client(&e));
    let cluster = Uuid::new_v4();
    let id = v2
        .create_mirror()
        .body(request(cluster, ".*"))
        .send()
        .await
        .unwrap()
        .id
        .unwrap();
    let updated = v2
        .update_mirror()
        .mirror_id(id)
        .body(KafkaConnectMirrorUpdateV2 {
            target_latency: 60_000,
        })
        .send()
        .await
        .unwrap();
    assert_eq!(
        (updated.status().as_u16(), updated.target_latency),
        (202, 60_000)
    );
    let v1_view = v1
        .get_mirror()
        .cluster_id(cluster)
        .mirror_id(id.to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(v1_view.target_latency, Some(60_000));
    let deleted = v2.delete_mirror().mirror_id(id).send().await.unwrap();
    assert_eq!(deleted.status(), 204);
    let gone = v1
        .get_mirror()
        .cluster_id(cluster)
        .mirror_id(id.to_string())
        .send()
        .await
        .unwrap_err();
    assert!(gone.is_not_found(), "{gone}");
}

/// A raw request to the emulator: status and JSON body.
async fn raw(e: &Emulator, method: &str, path: &str, body: Option<Value>) -> (u16, Value) {
    let (u, s) = e.credentials().unwrap();
    let mut r = http()
        .request(method.parse().unwrap(), format!("{}{path}", e.base_url()))
        .basic_auth(u, Some(s));
    if let Some(b) = body {
        r = r.json(&b);
    }
    let answer = r.send().await.unwrap();
    let status = answer.status().as_u16();
    (status, answer.json().await.unwrap_or(Value::Null))
}

const MIRRORS: &str = "/cluster-management/v2/resources/applications/kafka_connect/mirrors/v2";

#[tokio::test]
async fn bad_input_gets_v2_error_bodies() {
    let e = Emulator::start().await.unwrap();
    let cluster = Uuid::new_v4().to_string();
    let good = json!({
        "kafkaConnectClusterId": cluster, "maxTasks": 1, "renameMirroredTopics": false,
        "targetLatency": 1000, "topicsRegex": ".*",
        "sourceCluster": [{"alias": "a", "managedCluster": [{"sourceKafkaClusterId": SOURCE, "usePrivateIps": false}]}]
    });
    let with = |pointer: &str, value: Value| {
        let mut b = good.clone();
        *b.pointer_mut(pointer).unwrap() = value;
        b
    };
    let cases = [
        (with("/targetLatency", json!(999)), "targetLatency"),
        (with("/maxTasks", json!(0)), "maxTasks"),
        (
            with("/kafkaConnectClusterId", json!("not-a-uuid")),
            "kafkaConnectClusterId",
        ),
        (with("/sourceCluster", json!([])), "sourceCluster"),
        (
            {
                let mut both = good.clone();
                both["sourceCluster"][0]["externalCluster"] =
                    json!([{"sourceConnectionProperties": "bootstrap.servers=x:9092"}]);
                both
            },
            "sourceCluster",
        ),
        (with("/topicsRegex", json!("(")), "topicsRegex"),
    ];
    for (body, field) in cases {
        let (status, answer) = raw(&e, "POST", MIRRORS, Some(body.clone())).await;
        assert_eq!(status, 400, "{body}: {answer}");
        assert_eq!(answer["errors"][0]["name"], field, "{answer}");
        assert!(answer["errors"][0]["message"].is_string(), "{answer}");
    }
    let (status, answer) = raw(&e, "POST", MIRRORS, Some(json!({"maxTasks": "three"}))).await;
    assert_eq!(status, 400);
    assert!(
        answer["errors"][0]["message"]
            .as_str()
            .unwrap()
            .starts_with("Invalid request body")
    );
    let unknown = format!("{MIRRORS}/{}", Uuid::new_v4());
    let (status, answer) = raw(&e, "GET", &unknown, None).await;
    assert_eq!(
        (status, &answer["errors"][0]["name"]),
        (404, &json!("mirrorId"))
    );
    let (status, _) = raw(&e, "PUT", &unknown, Some(json!({"targetLatency": 500}))).await;
    assert_eq!(status, 400, "the bound is checked first");
    let (status, answer) = raw(&e, "GET", &format!("{MIRRORS}/nope"), None).await;
    assert_eq!(status, 400, "{answer}");
    // The first good create succeeds; the same source and regex again does not.
    assert_eq!(raw(&e, "POST", MIRRORS, Some(good.clone())).await.0, 202);
    assert_eq!(raw(&e, "POST", MIRRORS, Some(good)).await.0, 400);
}

#[tokio::test]
async fn v2_refuses_wrong_credentials_in_its_error_shape() {
    let e = Emulator::start().await.unwrap();
    let answer = http()
        .get(format!("{}{MIRRORS}/{}", e.base_url(), Uuid::new_v4()))
        .basic_auth("emulator-key", Some("wrong"))
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status().as_u16(), 401);
    let body: Value = answer.json().await.unwrap();
    assert_eq!(body["errors"][0]["message"], "Not Authorized");
}
