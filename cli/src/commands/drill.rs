//! `kmirror drill`: a DR drill against an embedded emulator, each step
//! explained for someone new to Cluster Linking.

use std::time::Duration;

use kafka_mirror::confluent::types::{
    ConfigData, CreateLinkRequestData, CreateMirrorTopicRequestData,
};
use kafka_mirror::dr::Report;
use kafka_mirror_emulator::{Emulator, Fault, Faults, Script};

use super::dr::{execute, human};
use crate::args::{DrillArgs, LinkSelection, Runbook, TopicSelection};
use crate::exit::CliError;
use crate::output::{Out, table};

const DR: &str = "lkc-dr";
const PRIMARY: &str = "lkc-primary";
const LINK: &str = "primary-to-dr";
const TOPICS: &[&str] = &["orders", "payments", "inventory", "shipments", "invoices"];

/// Numbered steps, on stdout with human output (they are the drill's output).
struct Steps {
    out: Out,
    n: usize,
}

impl Steps {
    fn next(&mut self, title: &str, why: &str) -> Result<(), CliError> {
        self.n += 1;
        self.out.story(&format!("\n{}. {title}", self.n))?;
        if !why.is_empty() {
            self.out.story(&format!("   {why}"))?;
        }
        Ok(())
    }

    fn say(&self, line: &str) -> Result<(), CliError> {
        self.out.story(line)
    }
}

pub async fn run(a: DrillArgs, out: Out) -> Result<(), CliError> {
    let e = Emulator::builder()
        .page_size(2)
        .created_mirror_lags(&[0, 420, 75])
        .promote_delay(Duration::from_secs(2))
        .fault_seed(a.fault_seed)
        .start()
        .await
        .map_err(|err| CliError::Config(format!("cannot start the embedded emulator: {err}")))?;
    let mut s = Steps { out, n: 0 };
    s.say(&format!(
        "A disaster-recovery drill against an emulator of Confluent Cloud Cluster Linking on {} (no account needed).",
        e.base_url()
    ))?;
    let c = match e.oauth_client_credentials().filter(|_| a.oauth) {
        Some((credentials, pool)) => {
            s.say(&format!(
                "Authenticating with OAuth client credentials at {}: kmirror fetches a bearer token and renews it before it expires.",
                e.token_url()
            ))?;
            let mut b = kafka_mirror::confluent::Client::builder(e.base_url())
                .oauth_client_credentials(credentials);
            if let Some(pool) = pool {
                b = b.identity_pool_id(pool);
            }
            b.build()?
        }
        None => e.confluent_client(),
    };

    s.next(
        &format!("Create the cluster link {LINK} on {DR}"),
        &format!(
            "A cluster link lets the DR cluster ({DR}) pull topics from the primary ({PRIMARY})."
        ),
    )?;
    c.create_link()
        .cluster_id(DR)
        .link_name(LINK)
        .body(CreateLinkRequestData {
            source_cluster_id: Some(PRIMARY.into()),
            configs: vec![
                ConfigData {
                    name: "bootstrap.servers".into(),
                    value: Some("primary.example:9092".into()),
                },
                ConfigData {
                    name: "consumer.offset.sync.enable".into(),
                    value: Some("true".into()),
                },
            ],
            ..Default::default()
        })
        .send()
        .await?;

    s.next(
        &format!("Create {} mirror topics", TOPICS.len()),
        &format!(
            "A mirror topic is a read-only copy on {DR} that follows its source topic on {PRIMARY}."
        ),
    )?;
    for topic in TOPICS {
        c.create_mirror_topic()
            .cluster_id(DR)
            .link_name(LINK)
            .body(CreateMirrorTopicRequestData {
                source_topic_name: topic.to_string(),
                mirror_topic_name: None,
                replication_factor: None,
                configs: Vec::new(),
            })
            .send()
            .await?;
    }

    s.next(
        "List them",
        "The service answers in pages; kmirror follows each page's metadata.next link.",
    )?;
    let (count, pages) = count_pages(&c).await?;
    s.say(&format!("   {count} mirror topics in {pages} pages"))?;

    s.next(
        "Lag per partition",
        &format!("Lag: messages written on {PRIMARY} that {DR} has not copied yet."),
    )?;
    let topics = c
        .list_mirror_topics()
        .cluster_id(DR)
        .link_name(LINK)
        .collect_up_to(usize::MAX)
        .await?;
    let rows: Vec<Vec<String>> = topics
        .iter()
        .map(|t| {
            let parts: Vec<String> = t
                .mirror_lags
                .iter()
                .map(|l| format!("p{}={}", l.partition, l.lag))
                .collect();
            vec![
                format!("   {}", t.mirror_topic_name),
                t.mirror_status.to_string(),
                parts.join(" "),
            ]
        })
        .collect();
    s.say(table(&["   TOPIC", "STATUS", "LAG"], &rows).trim_end())?;

    let all = || Runbook {
        selection: TopicSelection {
            topics: Vec::new(),
            pattern: None,
            all: true,
        },
        links: LinkSelection {
            links: vec![LINK.into()],
            all_links: false,
        },
        concurrency: 1,
        max_lag: 0,
        timeout: Duration::from_secs(300),
        dry_run: false,
        journal: None,
    };
    if a.faults {
        let first = if a.outage || a.failover {
            kafka_mirror::confluent::MirrorAction::Failover
        } else {
            kafka_mirror::confluent::MirrorAction::Promote
        };
        s.next(
            "The control plane turns rough",
            &format!(
                "From now on the emulator fails requests as a bad day does (fault seed {}): 20% answer 500 with error code 50003, 10% are reset before they are applied, 10% are applied and their answer lost, and above 20 requests a second they answer 429. The first {first}'s answer is lost too, whatever the draw. A reset and a lost answer look the same to kmirror: it never sends an action again blindly, it reads the topics back to learn what happened.",
                a.fault_seed
            ),
        )?;
        e.set_faults(Faults {
            rate_limit_per_second: Some(20),
            retriable_error_fraction: 0.2,
            connection_reset_fraction: 0.1,
            lost_answer_fraction: 0.1,
            ..Faults::default()
        });
        e.script(Script::new(Fault::LoseAnswer).on("POST", &format!("/{}", first.path_suffix())));
    }
    let mut reports: Vec<Report> = Vec::new();
    if a.outage {
        s.next(
            &format!("Outage: {PRIMARY} becomes unreachable"),
            "The link turns UNAVAILABLE and the mirrors SOURCE_UNAVAILABLE: nothing more arrives, so their lag is frozen.",
        )?;
        e.outage(PRIMARY);
        s.next(
            "Failover",
            &format!("Failover stops mirroring now, without waiting for the lag: each topic becomes a normal, writable topic on {DR} (STOPPED)."),
        )?;
        let r = execute(c.failover(DR, LINK), &all(), out).await?;
        s.say(human(&out, &r).trim_end())?;
        s.say("   That lag is what an unplanned failover costs.")?;
        reports.push(r);
        s.next(&format!("{PRIMARY} is back"), "The link is ACTIVE again.")?;
        e.recover(PRIMARY);
        s.next(
            "Failback",
            &format!("Truncate-and-restore cuts each topic on {DR} back to where it left {PRIMARY} (what was written on {DR} since the failover is dropped), then it mirrors {PRIMARY} again until it has caught up: {PRIMARY} is the primary again."),
        )?;
        let r = execute(c.failback(DR, LINK), &all(), out).await?;
        s.say(human(&out, &r).trim_end())?;
        reports.push(r);
    } else if a.failover {
        s.next(
            "Failover",
            &format!("Failover stops mirroring now, without waiting for the lag: each topic becomes a normal, writable topic on {DR} (STOPPED). Use it when {PRIMARY} is down."),
        )?;
        let r = execute(c.failover(DR, LINK), &all(), out).await?;
        s.say(human(&out, &r).trim_end())?;
        s.say(&format!(
            "   With {PRIMARY} really down, that lag would be lost."
        ))?;
        reports.push(r);
    } else {
        s.next(
            "Switchover",
            &format!("A planned switchover waits until the lag is 0, then promotes: each mirror stops following {PRIMARY} and becomes a normal, writable topic on {DR} (STOPPED). Nothing is lost."),
        )?;
        let r = execute(c.switchover(DR, LINK), &all(), out).await?;
        s.say(human(&out, &r).trim_end())?;
        reports.push(r);
    }
    let injected: Vec<(Fault, u64)> = Fault::ALL
        .iter()
        .map(|f| (*f, e.injected(*f)))
        .filter(|(_, n)| *n > 0)
        .collect();
    if a.faults {
        e.set_faults(Faults::default());
        s.next(
            "What the faults did",
            "The emulator's count of what it injected, and what the runbook made of it.",
        )?;
        for (fault, n) in &injected {
            s.say(&format!("   {n:>4} × {fault}"))?;
        }
        let topics = || reports.iter().flat_map(|r| r.topics.values());
        let read_back = topics().filter(|t| !t.lost_answers.is_empty()).count();
        let resent = topics()
            .filter(|t| t.lost_answers.iter().any(|l| !l.applied))
            .count();
        let sent: u32 = reports.iter().map(|r| r.action_requests).sum();
        let failed_polls: u32 = reports.iter().map(|r| r.failed_polls).sum();
        s.say(&format!(
            "   The runbook sent {sent} action request(s). {read_back} topic(s) had an answer lost and were read back: {} had been acted on and were awaited, {resent} had not and were sent again. {failed_polls} read(s) of the topics failed and were read again at the next interval.",
            read_back - resent
        ))?;
    }
    let ok = reports.iter().all(Report::succeeded);
    s.say(&format!(
        "\n{}",
        if ok {
            "Drill passed: every topic ended where the runbook meant it to."
        } else {
            "Drill FAILED: see the topics above."
        }
    ))?;
    if out.format != crate::args::Format::Human {
        let summary = serde_json::json!({
            "emulator": e.base_url(),
            "cluster": DR,
            "link": LINK,
            "mirror_topics": count,
            "pages": pages,
            "reports": reports,
            "faults_injected": injected
                .iter()
                .map(|(f, n)| (f.to_string(), *n))
                .collect::<std::collections::BTreeMap<_, _>>(),
            "passed": ok,
        });
        out.result(&summary, |_| String::new())?;
    }
    if ok { Ok(()) } else { Err(CliError::Partial) }
}

/// The mirror topics and the pages they came in.
async fn count_pages(
    c: &kafka_mirror::confluent::Client,
) -> Result<(usize, usize), kafka_mirror::Error> {
    use futures_util::TryStreamExt;
    let mut pages = c
        .list_mirror_topics()
        .cluster_id(DR)
        .link_name(LINK)
        .pages();
    let (mut items, mut count) = (0, 0);
    while let Some(page) = pages.try_next().await? {
        count += 1;
        items += page.data.len();
    }
    Ok((items, count))
}
