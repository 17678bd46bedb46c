//! `kmirror mirror ...`: mirror topics and their seven actions.

use kafka_mirror::confluent::types::{
    AlterMirrorStatusResponseDataList, AlterMirrorsRequestData, CreateMirrorTopicRequestData,
    ListMirrorTopicsResponseData, MirrorTopicStatus as S,
};
use kafka_mirror::wait::Outcome;
use serde::Serialize;

use crate::args::{MirrorAction, MirrorCommand};
use crate::clients;
use crate::config::Settings;
use crate::exit::CliError;
use crate::output::{Out, table};

/// A mirror topic as kmirror prints it (`-o json`).
#[derive(Serialize)]
struct Topic {
    mirror_topic_name: String,
    link_name: String,
    source_topic_name: String,
    status: String,
    partitions: i64,
    /// Messages on the source not yet here, all partitions.
    lag: i64,
    lags: Vec<PartitionLag>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    state_transition_errors: Vec<String>,
}

#[derive(Serialize)]
struct PartitionLag {
    partition: i64,
    lag: i64,
}

impl From<ListMirrorTopicsResponseData> for Topic {
    fn from(t: ListMirrorTopicsResponseData) -> Self {
        Topic {
            lag: t.mirror_lags.iter().map(|l| l.lag.max(0)).sum(),
            lags: t
                .mirror_lags
                .iter()
                .map(|l| PartitionLag {
                    partition: l.partition,
                    lag: l.lag,
                })
                .collect(),
            mirror_topic_name: t.mirror_topic_name,
            link_name: t.link_name,
            source_topic_name: t.source_topic_name,
            status: t.mirror_status.to_string(),
            partitions: t.num_partitions,
            state_transition_errors: t
                .mirror_state_transition_errors
                .into_iter()
                .map(|e| format!("{}: {}", e.error_code, e.error_message))
                .collect(),
        }
    }
}

/// One topic's result of an action (`-o json`).
#[derive(Serialize)]
struct ActionResult {
    mirror_topic_name: String,
    /// The service accepted the action for it.
    accepted: bool,
    error_code: Option<i64>,
    error_message: Option<String>,
    /// With --wait: its status at the end.
    #[serde(skip_serializing_if = "Option::is_none")]
    status: Option<String>,
    /// With --wait: whether it reached the action's end state.
    #[serde(skip_serializing_if = "Option::is_none")]
    reached: Option<bool>,
}

#[derive(Serialize)]
struct ActionReport {
    link_name: String,
    action: &'static str,
    dry_run: bool,
    /// With --wait: the status waited for.
    #[serde(skip_serializing_if = "Option::is_none")]
    waited_for: Option<String>,
    topics: Vec<ActionResult>,
}

pub async fn run(command: MirrorCommand, s: &Settings, out: Out) -> Result<(), CliError> {
    let (c, cluster) = clients::confluent(s)?;
    match command {
        MirrorCommand::List { link, status } => {
            let status = status.map(|s| parse_status(&s)).transpose()?;
            let topics: Vec<Topic> = match &link {
                Some(link) => {
                    let mut b = c.list_mirror_topics().cluster_id(&cluster).link_name(link);
                    if let Some(s) = &status {
                        b = b.mirror_status(s.clone());
                    }
                    b.collect_up_to(usize::MAX).await?
                }
                None => {
                    let mut b = c.list_all_mirror_topics().cluster_id(&cluster);
                    if let Some(s) = &status {
                        b = b.mirror_status(s.clone());
                    }
                    b.collect_up_to(usize::MAX).await?
                }
            }
            .into_iter()
            .map(Topic::from)
            .collect();
            out.result(&topics, |o| {
                if topics.is_empty() {
                    return "No mirror topics.".into();
                }
                let rows: Vec<Vec<String>> = topics
                    .iter()
                    .map(|t| {
                        vec![
                            t.mirror_topic_name.clone(),
                            t.link_name.clone(),
                            paint(o, &t.status),
                            t.lag.to_string(),
                        ]
                    })
                    .collect();
                table(&["TOPIC", "LINK", "STATUS", "LAG"], &rows)
            })
        }
        MirrorCommand::Describe { topic, link } => {
            let t: Topic = c
                .get_mirror_topic()
                .cluster_id(&cluster)
                .link_name(&link)
                .mirror_topic_name(&topic)
                .include_state_transition_errors(true)
                .send()
                .await?
                .into_inner()
                .into();
            out.result(&t, |o| {
                let mut text = format!(
                    "Mirror topic {} (link {}, source topic {})\n  status: {}\n  lag:    {} message(s)\n",
                    t.mirror_topic_name,
                    t.link_name,
                    t.source_topic_name,
                    paint(o, &t.status),
                    t.lag
                );
                let rows: Vec<Vec<String>> = t
                    .lags
                    .iter()
                    .map(|l| vec![format!("  {}", l.partition), l.lag.to_string()])
                    .collect();
                text.push_str(&table(&["  PARTITION", "LAG"], &rows));
                for e in &t.state_transition_errors {
                    text.push_str(&format!("  refused earlier: {e}\n"));
                }
                text
            })
        }
        MirrorCommand::Create {
            source_topic,
            link,
            mirror_topic,
            replication_factor,
        } => {
            c.create_mirror_topic()
                .cluster_id(&cluster)
                .link_name(&link)
                .body(CreateMirrorTopicRequestData {
                    source_topic_name: source_topic.clone(),
                    mirror_topic_name: mirror_topic.clone(),
                    replication_factor,
                    configs: Vec::new(),
                })
                .send()
                .await?;
            let name = mirror_topic.unwrap_or_else(|| source_topic.clone());
            let done = serde_json::json!({
                "mirror_topic_name": name, "source_topic_name": source_topic,
                "link_name": link, "created": true,
            });
            out.result(&done, |_| {
                format!("Created mirror topic {name} on {cluster}: it follows {source_topic} through link {link}.")
            })
        }
        MirrorCommand::Promote(a) => act("promote", a, &c, &cluster, out).await,
        MirrorCommand::Failover(a) => act("failover", a, &c, &cluster, out).await,
        MirrorCommand::Pause(a) => act("pause", a, &c, &cluster, out).await,
        MirrorCommand::Resume(a) => act("resume", a, &c, &cluster, out).await,
        MirrorCommand::ReverseAndStart(a) => act("reverse-and-start", a, &c, &cluster, out).await,
        MirrorCommand::ReverseAndPause(a) => act("reverse-and-pause", a, &c, &cluster, out).await,
        MirrorCommand::TruncateAndRestore(a) => {
            act("truncate-and-restore", a, &c, &cluster, out).await
        }
    }
}

/// A status name, checked against the documented ones.
fn parse_status(s: &str) -> Result<S, CliError> {
    let upper = s.trim().to_ascii_uppercase();
    match S::from(upper.as_str()) {
        S::Unrecognized(_) => Err(CliError::Usage(format!(
            "--status `{s}` is not a mirror status; one of {}",
            S::KNOWN.join(", ")
        ))),
        known => Ok(known),
    }
}

/// The status an action leads to, which --wait waits for.
fn target(action: &str) -> S {
    match action {
        "pause" => S::Paused,
        "resume" | "truncate-and-restore" => S::Active,
        _ => S::Stopped,
    }
}

async fn act(
    action: &'static str,
    a: MirrorAction,
    c: &kafka_mirror::confluent::Client,
    cluster: &str,
    out: Out,
) -> Result<(), CliError> {
    let names = resolve(&a, c, cluster).await?;
    if names.is_empty() {
        return Err(CliError::Usage(format!(
            "no mirror topic of link {} is selected",
            a.link
        )));
    }
    let answer = send(action, &a, names.clone(), c, cluster).await?;
    let mut results: Vec<ActionResult> = names
        .iter()
        .map(|n| {
            let item = answer.data.iter().find(|i| i.mirror_topic_name == *n);
            let failed = answer.failed().iter().any(|f| f.mirror_topic_name == *n);
            ActionResult {
                mirror_topic_name: n.clone(),
                accepted: item.is_some() && !failed,
                error_code: item.and_then(|i| i.error_code),
                error_message: match item {
                    Some(i) => i.error_message.clone(),
                    None => Some("the answer does not mention it".into()),
                },
                status: None,
                reached: None,
            }
        })
        .collect();
    let target = target(action);
    let waited = a.wait && !a.dry_run;
    if waited {
        let accepted: Vec<String> = results
            .iter()
            .filter(|r| r.accepted)
            .map(|r| r.mirror_topic_name.clone())
            .collect();
        let bar = out.progress(accepted.len() as u64, &target.to_string());
        let report = c
            .wait_for_mirror_topics(cluster, &a.link)
            .topics(accepted)
            .until(target.clone())
            .timeout(a.timeout)
            .on_progress(|p| {
                bar.set_position(p.done as u64);
                bar.set_message(format!("({:.0} s)", p.elapsed.as_secs_f64()));
            })
            .await?;
        bar.finish_and_clear();
        for r in results.iter_mut().filter(|r| r.accepted) {
            let outcome = report.outcomes.get(&r.mirror_topic_name);
            r.reached = Some(matches!(outcome, Some(Outcome::Reached)));
            r.status = match outcome {
                Some(Outcome::Reached) => Some(target.to_string()),
                Some(Outcome::Failed { status }) => Some(status.to_string()),
                Some(Outcome::TimedOut { last }) => {
                    Some(last.as_ref().map_or("unknown".into(), |s| s.to_string()))
                }
                _ => Some("missing".into()),
            };
        }
    }
    let all_ok = results
        .iter()
        .all(|r| r.accepted && r.reached.unwrap_or(true));
    let report = ActionReport {
        link_name: a.link.clone(),
        action,
        dry_run: a.dry_run,
        waited_for: waited.then(|| target.to_string()),
        topics: results,
    };
    out.result(&report, |o| human(o, &report))?;
    if all_ok {
        Ok(())
    } else {
        Err(CliError::Partial)
    }
}

fn human(o: &Out, r: &ActionReport) -> String {
    let rows: Vec<Vec<String>> = r
        .topics
        .iter()
        .map(|t| {
            let result = match (t.accepted, t.reached, &t.status) {
                (false, ..) => o.red(&format!(
                    "refused: {}{}",
                    t.error_message.clone().unwrap_or_default(),
                    t.error_code
                        .map(|c| format!(" (error code {c})"))
                        .unwrap_or_default()
                )),
                (true, Some(true), Some(s)) => o.green(s),
                (true, Some(false), Some(s)) => o.red(&format!("did not get there: {s}")),
                (true, ..) if r.dry_run => o.green("valid (nothing changed)"),
                (true, ..) => o.green("accepted"),
            };
            vec![t.mirror_topic_name.clone(), result]
        })
        .collect();
    let ok = r
        .topics
        .iter()
        .filter(|t| t.accepted && t.reached != Some(false))
        .count();
    format!(
        "{}{} on link {}: {ok} of {} topic(s) {}\n{}",
        if r.dry_run { "Dry run of " } else { "" },
        r.action,
        r.link_name,
        r.topics.len(),
        match &r.waited_for {
            Some(s) => format!("reached {s}"),
            None if r.dry_run => "would be accepted".into(),
            None => "accepted".into(),
        },
        table(&["TOPIC", "RESULT"], &rows)
    )
}

/// The topic names of a selection: as given, or the link's mirror topics
/// (all, or those matching the pattern).
async fn resolve(
    a: &MirrorAction,
    c: &kafka_mirror::confluent::Client,
    cluster: &str,
) -> Result<Vec<String>, CliError> {
    if !a.selection.topics.is_empty() {
        return Ok(a.selection.topics.clone());
    }
    let pattern = a
        .selection
        .pattern
        .as_ref()
        .map(|p| {
            regex::Regex::new(p).map_err(|e| {
                CliError::Usage(format!("--pattern `{p}` is not a regular expression: {e}"))
            })
        })
        .transpose()?;
    let all = c
        .list_mirror_topics()
        .cluster_id(cluster)
        .link_name(&a.link)
        .collect_up_to(usize::MAX)
        .await?;
    Ok(all
        .into_iter()
        .map(|t| t.mirror_topic_name)
        .filter(|n| pattern.as_ref().is_none_or(|p| p.is_match(n)))
        .collect())
}

async fn send(
    action: &str,
    a: &MirrorAction,
    names: Vec<String>,
    c: &kafka_mirror::confluent::Client,
    cluster: &str,
) -> Result<AlterMirrorStatusResponseDataList, CliError> {
    let body = AlterMirrorsRequestData {
        mirror_topic_names: names,
        mirror_topic_name_pattern: None,
    };
    let (link, dry) = (a.link.as_str(), a.dry_run);
    macro_rules! send {
        ($method:ident) => {
            c.$method()
                .cluster_id(cluster)
                .link_name(link)
                .validate_only(dry)
                .body(body)
                .send()
                .await?
                .into_inner()
        };
    }
    Ok(match action {
        "promote" => send!(promote_mirror_topics),
        "failover" => send!(failover_mirror_topics),
        "pause" => send!(pause_mirror_topics),
        "resume" => send!(resume_mirror_topics),
        "reverse-and-start" => send!(reverse_and_start_mirror_topics),
        "reverse-and-pause" => send!(reverse_and_pause_mirror_topics),
        _ => send!(truncate_and_restore_mirror_topics),
    })
}

fn paint(o: &Out, status: &str) -> String {
    match status {
        "ACTIVE" | "STOPPED" => o.green(status),
        "FAILED" | "LINK_FAILED" | "SOURCE_UNAVAILABLE" => o.red(status),
        other => o.yellow(other),
    }
}
