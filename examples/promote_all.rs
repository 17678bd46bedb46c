//! A user's function — "promote every mirror topic of a link and report the
//! ones that failed" — and its test, written with the `mock` feature's
//! typed mocks (no account needed).
//!
//! Run its test: `cargo test --example promote_all --features mock`.
//! Run it: `KAFKA_MIRROR_URL=... KAFKA_MIRROR_CLUSTER_ID=... KAFKA_MIRROR_LINK=...
//! KAFKA_MIRROR_API_KEY=... KAFKA_MIRROR_API_SECRET=... cargo run --example promote_all`
//! (it promotes for real: the mirror topics stop mirroring).

use futures_util::TryStreamExt;
use kafka_mirror::confluent::Client;
use kafka_mirror::confluent::types::AlterMirrorsRequestData;

/// What `promote_all` did.
#[derive(Debug, Default, PartialEq)]
pub struct PromoteReport {
    /// Topics the service promoted.
    pub promoted: Vec<String>,
    /// Topics it did not, with its reason.
    pub failed: Vec<(String, String)>,
}

/// Promotes every mirror topic of `link` on `cluster`. The service answers
/// 200 even when some topics failed, so the report lists them.
pub async fn promote_all(
    c: &Client,
    cluster: &str,
    link: &str,
) -> Result<PromoteReport, kafka_mirror::Error> {
    let topics: Vec<String> = c
        .list_mirror_topics()
        .cluster_id(cluster)
        .link_name(link)
        .stream()
        .map_ok(|t| t.mirror_topic_name)
        .try_collect()
        .await?;
    if topics.is_empty() {
        return Ok(PromoteReport::default());
    }
    let answer = c
        .promote_mirror_topics()
        .cluster_id(cluster)
        .link_name(link)
        .body(AlterMirrorsRequestData {
            mirror_topic_names: topics,
            ..Default::default()
        })
        .send()
        .await?;
    Ok(PromoteReport {
        promoted: answer
            .succeeded()
            .iter()
            .map(|t| t.mirror_topic_name.clone())
            .collect(),
        failed: answer
            .failed()
            .iter()
            .map(|t| {
                (
                    t.mirror_topic_name.clone(),
                    t.error_message
                        .clone()
                        .unwrap_or_else(|| format!("error {:?}", t.error_code)),
                )
            })
            .collect(),
    })
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let var = |k: &str| {
        std::env::var(k).map_err(|_| format!("set {k} (see the top of examples/promote_all.rs)"))
    };
    let c = Client::builder(var("KAFKA_MIRROR_URL")?)
        .basic_auth(
            var("KAFKA_MIRROR_API_KEY")?,
            var("KAFKA_MIRROR_API_SECRET")?,
        )
        .build()?;
    let report = promote_all(
        &c,
        &var("KAFKA_MIRROR_CLUSTER_ID")?,
        &var("KAFKA_MIRROR_LINK")?,
    )
    .await?;
    println!("promoted: {:?}", report.promoted);
    for (topic, why) in &report.failed {
        println!("FAILED {topic}: {why}");
    }
    if report.failed.is_empty() {
        Ok(())
    } else {
        Err(format!("{} topic(s) not promoted", report.failed.len()).into())
    }
}

#[cfg(all(test, feature = "mock"))]
mod tests {
    use super::*;
    use httpmock::MockServer;
    use kafka_mirror::confluent::types::MirrorTopicStatus;
    use kafka_mirror::mock::{self, ConfluentMockExt};

    #[tokio::test]
    async fn reports_the_topic_the_service_did_not_promote() {
        let server = MockServer::start_async().await;
        // Two pages of mirror topics, linked through metadata.next.
        let pages = mock::paged_list(
            &server,
            "/kafka/v3/clusters/lkc-dr/links/dr/mirrors",
            "KafkaMirrorDataList",
            vec![
                vec![mock::mirror_topic(
                    "dr",
                    "orders",
                    MirrorTopicStatus::Active,
                    &[0, 3],
                )],
                vec![mock::mirror_topic(
                    "dr",
                    "payments",
                    MirrorTopicStatus::Active,
                    &[0],
                )],
            ],
        );
        let promote = server.promote_mirror_topics(|when, then| {
            when.cluster_id("lkc-dr")
                .link_name("dr")
                .body(&AlterMirrorsRequestData {
                    mirror_topic_names: vec!["orders".into(), "payments".into()],
                    ..Default::default()
                });
            then.ok(&mock::alter_result(
                &["orders"],
                &[(
                    "payments",
                    400,
                    "Topic 'payments' has already stopped its mirror",
                )],
            ));
        });

        let report = promote_all(&mock::confluent_client(&server), "lkc-dr", "dr")
            .await
            .unwrap();

        assert_eq!(report.promoted, ["orders"]);
        assert_eq!(
            report.failed,
            [(
                "payments".to_string(),
                "Topic 'payments' has already stopped its mirror".to_string()
            )]
        );
        promote.assert();
        pages.iter().for_each(|p| p.assert());
    }

    #[tokio::test]
    async fn a_rate_limited_listing_is_an_error_not_an_empty_report() {
        let server = MockServer::start_async().await;
        mock::rate_limited(
            &server,
            httpmock::Method::GET,
            "/kafka/v3/clusters/lkc-dr/links/dr/mirrors",
        );
        let err = promote_all(&mock::confluent_client(&server), "lkc-dr", "dr")
            .await
            .unwrap_err();
        assert!(err.is_rate_limited());
        assert_eq!(err.api().unwrap().raw_body(), mock::CONFLUENT_429_HTML);
    }

    #[tokio::test]
    async fn a_retriable_error_is_retried_by_a_client_that_retries() {
        let server = MockServer::start_async().await;
        let failing = mock::retriable_kafka_error(
            &server,
            httpmock::Method::GET,
            "/kafka/v3/clusters/lkc-dr/links/dr/mirrors",
        );
        let err = promote_all(&mock::confluent_client(&server), "lkc-dr", "dr")
            .await
            .unwrap_err();
        assert_eq!(err.error_code(), Some(50003));
        assert_eq!(failing.calls(), 1, "the mock client does not retry");
    }
}
