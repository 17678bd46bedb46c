//! A disaster-recovery drill, end to end.
//!
//! `cargo run -p kafka-mirror-emulator --example dr_drill [-- --failover] [--oauth]`
//!
//! `--oauth` authenticates to the embedded emulator with OAuth client
//! credentials (its token endpoint issues 300-second tokens, which the
//! client refreshes) instead of an API key.
//!
//! With no endpoint configured it starts an embedded emulator and runs the
//! whole drill: create a cluster link and mirror topics, list them (paging
//! through `metadata.next`), show the lag of every partition, promote them
//! (or fail over), wait until every topic is `STOPPED` with a progress bar,
//! print a per-topic report, and exit non-zero if any topic failed.
//!
//! Against a real Confluent Cloud cluster:
//!
//! ```text
//! KAFKA_MIRROR_URL=https://pkc-xxxxx.region.provider.confluent.cloud \
//! KAFKA_MIRROR_CLUSTER_ID=lkc-dr KAFKA_MIRROR_LINK=primary-to-dr \
//! KAFKA_MIRROR_API_KEY=... KAFKA_MIRROR_API_SECRET=... \
//! cargo run -p kafka-mirror-emulator --example dr_drill
//! ```
//!
//! is read-only (it lists the link's mirror topics and their lag). Add
//! `KAFKA_MIRROR_ALLOW_CHANGES=1` to promote every mirror topic of that link
//! (or those named in `KAFKA_MIRROR_TOPICS=a,b`): they stop mirroring.
//!
//! With OAuth instead of an API key, set `KAFKA_MIRROR_OAUTH_TOKEN_URL`,
//! `KAFKA_MIRROR_OAUTH_CLIENT_ID`, `KAFKA_MIRROR_OAUTH_CLIENT_SECRET`,
//! optionally `KAFKA_MIRROR_OAUTH_SCOPE`, and `KAFKA_MIRROR_IDENTITY_POOL_ID`.

use std::collections::BTreeMap;
use std::process::ExitCode;
use std::time::Duration;

use futures_util::TryStreamExt;
use indicatif::{ProgressBar, ProgressStyle};
use kafka_mirror::confluent::Client;
use kafka_mirror::confluent::types::{
    AlterMirrorsRequestData, ConfigData, CreateLinkRequestData, CreateMirrorTopicRequestData,
    MirrorTopicStatus,
};
use kafka_mirror::wait::Outcome;
use kafka_mirror_emulator::Emulator;

const DRILL_TOPICS: &[&str] = &["orders", "payments", "inventory", "shipments", "invoices"];

struct Target {
    client: Client,
    cluster: String,
    link: String,
    /// Create the link and mirrors (emulator only).
    create: bool,
    /// Promote or fail over.
    change: bool,
    topics: Option<Vec<String>>,
    _emulator: Option<Emulator>,
}

#[tokio::main]
async fn main() -> ExitCode {
    let failover = std::env::args().any(|a| a == "--failover");
    let oauth = std::env::args().any(|a| a == "--oauth");
    match run(failover, oauth).await {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(e) => {
            eprintln!("\ndrill failed: {e}");
            ExitCode::FAILURE
        }
    }
}

async fn target(oauth: bool) -> Result<Target, Box<dyn std::error::Error>> {
    let Ok(url) = std::env::var("KAFKA_MIRROR_URL") else {
        let emulator = Emulator::builder()
            .page_size(2)
            .created_mirror_lags(&[0, 420, 75])
            .promote_delay(Duration::from_secs(3))
            .start()
            .await?;
        println!(
            "No KAFKA_MIRROR_URL: running against an embedded emulator at {}",
            emulator.base_url()
        );
        let client = match emulator.oauth_client_credentials().filter(|_| oauth) {
            Some((credentials, pool)) => {
                println!(
                    "Authenticating with OAuth client credentials at {}: the client fetches a bearer token and renews it before it expires.",
                    emulator.token_url()
                );
                let mut b =
                    Client::builder(emulator.base_url()).oauth_client_credentials(credentials);
                if let Some(pool) = pool {
                    b = b.identity_pool_id(pool);
                }
                b.build()?
            }
            None => emulator.confluent_client(),
        };
        return Ok(Target {
            client,
            cluster: "lkc-dr".into(),
            link: "primary-to-dr".into(),
            create: true,
            change: true,
            topics: None,
            _emulator: Some(emulator),
        });
    };
    let var = |k: &str| {
        std::env::var(k)
            .map_err(|_| format!("{k} is not set (see the top of examples/dr_drill.rs)"))
    };
    let mut builder = Client::builder(url);
    if let (Ok(k), Ok(s)) = (
        std::env::var("KAFKA_MIRROR_API_KEY"),
        std::env::var("KAFKA_MIRROR_API_SECRET"),
    ) {
        builder = builder.basic_auth(k, s);
    }
    if let Ok(token_url) = std::env::var("KAFKA_MIRROR_OAUTH_TOKEN_URL") {
        let mut credentials = kafka_mirror::auth::OAuthClientCredentials::new(
            token_url,
            var("KAFKA_MIRROR_OAUTH_CLIENT_ID")?,
            var("KAFKA_MIRROR_OAUTH_CLIENT_SECRET")?,
        );
        if let Ok(scope) = std::env::var("KAFKA_MIRROR_OAUTH_SCOPE") {
            credentials = credentials.scope(scope);
        }
        builder = builder.oauth_client_credentials(credentials);
    }
    if let Ok(pool) = std::env::var("KAFKA_MIRROR_IDENTITY_POOL_ID") {
        builder = builder.identity_pool_id(pool);
    }
    Ok(Target {
        client: builder.build()?,
        cluster: var("KAFKA_MIRROR_CLUSTER_ID")?,
        link: var("KAFKA_MIRROR_LINK")?,
        create: false,
        change: std::env::var("KAFKA_MIRROR_ALLOW_CHANGES").is_ok_and(|v| v == "1"),
        topics: std::env::var("KAFKA_MIRROR_TOPICS")
            .ok()
            .map(|t| t.split(',').map(str::trim).map(String::from).collect()),
        _emulator: None,
    })
}

async fn run(failover: bool, oauth: bool) -> Result<bool, Box<dyn std::error::Error>> {
    let t = target(oauth).await?;
    drill(&t, failover).await
}

/// The drill on a target; `Ok(false)` when a topic failed.
async fn drill(t: &Target, failover: bool) -> Result<bool, Box<dyn std::error::Error>> {
    let c = &t.client;
    let (cluster, link) = (t.cluster.as_str(), t.link.as_str());

    if t.create {
        println!(
            "\n1. Create the cluster link {link} on {cluster} and {} mirror topics",
            DRILL_TOPICS.len()
        );
        let body = CreateLinkRequestData {
            source_cluster_id: Some("lkc-primary".into()),
            configs: vec![ConfigData {
                name: "bootstrap.servers".into(),
                value: Some("primary.example:9092".into()),
            }],
            ..Default::default()
        };
        c.create_link()
            .cluster_id(cluster)
            .link_name(link)
            .body(body)
            .send()
            .await?;
        for topic in DRILL_TOPICS {
            let body = CreateMirrorTopicRequestData {
                source_topic_name: topic.to_string(),
                mirror_topic_name: None,
                replication_factor: None,
                configs: vec![],
            };
            c.create_mirror_topic()
                .cluster_id(cluster)
                .link_name(link)
                .body(body)
                .send()
                .await?;
        }
    } else {
        println!("\n1. Use the existing cluster link {link} on {cluster}");
    }

    println!("\n2. List the mirror topics (following metadata.next)");
    let mut pages = c
        .list_mirror_topics()
        .cluster_id(cluster)
        .link_name(link)
        .pages();
    let (mut count, mut topics) = (0, Vec::new());
    while let Some(page) = pages.try_next().await? {
        count += 1;
        topics.extend(page.data);
    }
    println!("   {} mirror topics in {count} page(s)", topics.len());

    println!("\n3. Lag per partition");
    let mut lag_at_start = BTreeMap::new();
    for topic in &topics {
        let total: i64 = topic.mirror_lags.iter().map(|l| l.lag).sum();
        lag_at_start.insert(topic.mirror_topic_name.clone(), total);
        let parts: Vec<String> = topic
            .mirror_lags
            .iter()
            .map(|l| format!("p{}={}", l.partition, l.lag))
            .collect();
        println!(
            "   {:<12} {:<16} {}",
            topic.mirror_topic_name,
            topic.mirror_status.to_string(),
            parts.join(" ")
        );
    }

    let names: Vec<String> = match &t.topics {
        Some(chosen) => chosen.clone(),
        None => topics.iter().map(|t| t.mirror_topic_name.clone()).collect(),
    };
    if !t.change {
        println!(
            "\nRead-only: set KAFKA_MIRROR_ALLOW_CHANGES=1 to {} {} topic(s).",
            if failover { "fail over" } else { "promote" },
            names.len()
        );
        return Ok(true);
    }

    let verb = if failover { "Fail over" } else { "Promote" };
    println!("\n4. {verb} {} mirror topics", names.len());
    let body = AlterMirrorsRequestData {
        mirror_topic_names: names.clone(),
        mirror_topic_name_pattern: None,
    };
    let answer = if failover {
        c.failover_mirror_topics()
            .cluster_id(cluster)
            .link_name(link)
            .body(body)
            .send()
            .await?
    } else {
        c.promote_mirror_topics()
            .cluster_id(cluster)
            .link_name(link)
            .body(body)
            .send()
            .await?
    };
    let refused: BTreeMap<String, String> = answer
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
        .collect();
    for (topic, why) in &refused {
        println!("   refused: {topic}: {why}");
    }

    println!("\n5. Wait until every topic is STOPPED");
    let waiting: Vec<&str> = names
        .iter()
        .map(String::as_str)
        .filter(|n| !refused.contains_key(*n))
        .collect();
    let bar = ProgressBar::new(waiting.len() as u64);
    bar.set_style(
        ProgressStyle::with_template("   [{bar:30}] {pos}/{len} stopped {msg}")
            .expect("a valid template")
            .progress_chars("=> "),
    );
    let report = c
        .wait_for_mirror_topics(cluster, link)
        .topics(waiting.iter().copied())
        .until(MirrorTopicStatus::Stopped)
        .on_progress(|p| {
            bar.set_position(p.done as u64);
            let pending = p
                .states
                .values()
                .filter(|s| **s == MirrorTopicStatus::PendingStopped)
                .count();
            bar.set_message(format!(
                "({pending} pending, {:.1} s)",
                p.elapsed.as_secs_f64()
            ));
        })
        .await?;
    bar.finish();

    println!("\n6. Report");
    let mut ok = true;
    for name in &names {
        let lag = lag_at_start.get(name).copied().unwrap_or_default();
        let outcome = match (refused.get(name), report.outcomes.get(name)) {
            (Some(why), _) => {
                ok = false;
                format!("FAILED: {why}")
            }
            (None, Some(Outcome::Reached)) => "STOPPED".to_string(),
            (None, other) => {
                ok = false;
                format!("FAILED: {other:?}")
            }
        };
        println!("   {name:<12} lag before: {lag:>6}   {outcome}");
    }
    println!(
        "\n{} in {:.1} s: {}",
        if failover { "Failover" } else { "Promotion" },
        report.elapsed.as_secs_f64(),
        if ok {
            "every topic stopped"
        } else {
            "some topics FAILED"
        }
    );
    Ok(ok)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn the_drill_fails_when_a_topic_cannot_be_promoted() {
        let emulator = Emulator::builder()
            .promote_delay(Duration::from_millis(100))
            .link("dr", "l", "primary")
            .mirror("dr", "l", "a", &[0])
            .mirror("dr", "l", "b", &[0])
            .start()
            .await
            .unwrap();
        let client = emulator.confluent_client();
        // `b` is stopped already: the promote refuses it inside its 200 answer.
        let b = AlterMirrorsRequestData {
            mirror_topic_names: vec!["b".into()],
            mirror_topic_name_pattern: None,
        };
        client
            .failover_mirror_topics()
            .cluster_id("dr")
            .link_name("l")
            .body(b)
            .send()
            .await
            .unwrap();
        let target = Target {
            client,
            cluster: "dr".into(),
            link: "l".into(),
            create: false,
            change: true,
            topics: None,
            _emulator: None,
        };
        assert!(
            !drill(&target, false).await.unwrap(),
            "a refused topic fails the drill"
        );
    }

    #[tokio::test]
    async fn the_drill_succeeds_when_every_topic_stops() {
        let emulator = Emulator::builder()
            .promote_delay(Duration::from_millis(100))
            .start()
            .await
            .unwrap();
        let target = Target {
            client: emulator.confluent_client(),
            cluster: "lkc-dr".into(),
            link: "primary-to-dr".into(),
            create: true,
            change: true,
            topics: None,
            _emulator: None,
        };
        assert!(drill(&target, false).await.unwrap());
    }
}
