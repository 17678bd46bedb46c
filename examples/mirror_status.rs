//! Shows every cluster link, its mirror topics, their status and the lag of
//! each partition. Read-only.
//!
//! With no endpoint configured it runs against a local stand-in server
//! seeded with realistic answers, so it works on a fresh machine with no
//! account. To run it against Confluent Cloud:
//!
//! ```text
//! KAFKA_MIRROR_URL=https://pkc-xxxxx.region.provider.confluent.cloud \
//! KAFKA_MIRROR_CLUSTER_ID=lkc-xxxxx \
//! KAFKA_MIRROR_API_KEY=... KAFKA_MIRROR_API_SECRET=... \
//! cargo run --example mirror_status
//! ```

use std::env;
use std::process::ExitCode;

use futures_util::TryStreamExt;
use kafka_mirror::confluent::Client;

#[tokio::main]
async fn main() -> ExitCode {
    match run().await {
        Ok(_) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

async fn run() -> Result<usize, kafka_mirror::Error> {
    let stand_in;
    let (client, cluster) = match env::var("KAFKA_MIRROR_URL") {
        Ok(url) => {
            let cluster = env::var("KAFKA_MIRROR_CLUSTER_ID").unwrap_or_default();
            let mut b = Client::builder(url);
            if let (Ok(k), Ok(s)) = (
                env::var("KAFKA_MIRROR_API_KEY"),
                env::var("KAFKA_MIRROR_API_SECRET"),
            ) {
                b = b.basic_auth(k, s);
            }
            (b.build()?, cluster)
        }
        Err(_) => {
            stand_in = stand_in::start().await;
            println!(
                "No KAFKA_MIRROR_URL set: using a local stand-in at {}\n",
                stand_in.base_url()
            );
            (
                Client::builder(stand_in.base_url())
                    .basic_auth("demo-key", "demo-secret")
                    .build()?,
                "lkc-demo".to_string(),
            )
        }
    };

    // Lists page through `metadata.next`; collect_up_to and stream follow it.
    let links = client
        .list_links()
        .cluster_id(&cluster)
        .collect_up_to(1_000)
        .await?;
    let mut lagging = 0;
    for link in &links {
        let state = link
            .link_state
            .as_ref()
            .map(|s| s.to_string())
            .unwrap_or_else(|| "?".into());
        println!(
            "link {} ({state}), source {}",
            link.link_name,
            link.source_cluster_id.as_deref().unwrap_or("-")
        );
        let mut topics = client
            .list_mirror_topics()
            .cluster_id(&cluster)
            .link_name(&link.link_name)
            .stream();
        while let Some(t) = topics.try_next().await? {
            let total: i64 = t.mirror_lags.iter().map(|l| l.lag).sum();
            if total > 0 {
                lagging += 1;
            }
            println!(
                "  {:<24} {:<16} total lag {total}",
                t.mirror_topic_name,
                t.mirror_status.to_string()
            );
            for l in &t.mirror_lags {
                println!(
                    "    partition {:>3}  lag {:>8}  last source offset {}",
                    l.partition, l.lag, l.last_source_fetch_offset
                );
            }
        }
    }
    println!(
        "\n{} link(s), {lagging} mirror topic(s) with lag",
        links.len()
    );
    Ok(lagging)
}

/// A local server answering like Confluent's REST API, until the emulator
/// (issue 6) replaces it.
mod stand_in {
    use httpmock::MockServer;
    use serde_json::{Value, json};

    fn mirror(topic: &str, status: &str, lags: &[i64]) -> Value {
        let lags: Vec<Value> = lags
            .iter()
            .enumerate()
            .map(|(p, lag)| json!({"partition": p, "lag": lag, "last_source_fetch_offset": 1000 + p as i64 * 10}))
            .collect();
        json!({
            "kind": "KafkaMirrorData", "metadata": {"self": "http://stand-in"},
            "link_name": "primary-to-dr", "mirror_topic_name": topic, "source_topic_name": topic,
            "num_partitions": lags.len(), "mirror_lags": lags, "mirror_status": status, "state_time_ms": 1_700_000_000_000_i64
        })
    }

    pub async fn start() -> MockServer {
        let server = MockServer::start_async().await;
        server
            .mock_async(|when, then| {
                when.method("GET").path("/kafka/v3/clusters/lkc-demo/links");
                then.status(200).json_body(json!({
                    "kind": "KafkaLinkDataList", "metadata": {"self": "http://stand-in", "next": null},
                    "data": [{
                        "kind": "KafkaLinkData", "metadata": {"self": "http://stand-in"},
                        "source_cluster_id": "lkc-primary", "link_name": "primary-to-dr",
                        "cluster_link_id": "eEBkTffYSESld6EO898x3w", "topic_names": ["orders", "payments"], "link_state": "ACTIVE"
                    }]
                }));
            })
            .await;
        server
            .mock_async(|when, then| {
                when.method("GET").path("/kafka/v3/clusters/lkc-demo/links/primary-to-dr/mirrors");
                then.status(200).json_body(json!({
                    "kind": "KafkaMirrorDataList", "metadata": {"self": "http://stand-in", "next": null},
                    "data": [mirror("orders", "ACTIVE", &[0, 12, 3]), mirror("payments", "PAUSED", &[0, 0])]
                }));
            })
            .await;
        server
    }
}
