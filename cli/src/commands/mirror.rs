//! `kmirror mirror ...`: mirror topics and their seven actions.

use kafka_mirror::confluent::MirrorAction;
use kafka_mirror::confluent::types::{
    CreateMirrorTopicRequestData, ListMirrorTopicsResponseData, MirrorTopicStatus as S,
};
use kafka_mirror::dr::{Kind, TopicOutcome};
use serde::Serialize;

use super::selection;
use crate::args::{MirrorActionArgs, MirrorCommand, StateTransitionErrorCommand};
use crate::clients;
use crate::config::Settings;
use crate::exit::CliError;
use crate::interrupt::Interrupts;
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
    /// Its `mirror_topic_error`, when it has one.
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    state_transition_errors: Vec<String>,
}

/// A state transition error (`-o json`).
#[derive(Serialize)]
struct TransitionError {
    error_code: String,
    error_message: String,
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
            error: t
                .mirror_topic_error
                .map(|e| e.to_string())
                .filter(|e| !matches!(e.as_str(), "NO_ERROR" | "NOT_SET" | "UNKNOWN")),
            state_transition_errors: t
                .mirror_state_transition_errors
                .into_iter()
                .map(|e| format!("{}: {}", e.error_code, e.error_message))
                .collect(),
        }
    }
}

/// A mirror topic with its state transition errors.
async fn read_with_errors(
    c: &kafka_mirror::confluent::Client,
    cluster: &str,
    link: &str,
    topic: &str,
) -> Result<ListMirrorTopicsResponseData, CliError> {
    Ok(c.get_mirror_topic()
        .cluster_id(cluster)
        .link_name(link)
        .mirror_topic_name(topic)
        .include_state_transition_errors(true)
        .send()
        .await?
        .into_inner())
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
    /// How it ended, in words (`done`, `accepted`, `in flight (PENDING_STOPPED)`...).
    outcome: String,
    /// Requests for it that got no usable answer (each read back).
    lost_answers: usize,
}

#[derive(Serialize)]
struct ActionReport {
    link_name: String,
    action: String,
    dry_run: bool,
    /// With --wait: the status waited for.
    #[serde(skip_serializing_if = "Option::is_none")]
    waited_for: Option<String>,
    /// Stopped by Ctrl-C or SIGTERM.
    interrupted: bool,
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
            let t: Topic = read_with_errors(&c, &cluster, &link, &topic).await?.into();
            out.result(&t, |o| {
                let mut text = format!(
                    "Mirror topic {} (link {}, source topic {})\n  status: {}\n  lag:    {} message(s)\n",
                    t.mirror_topic_name,
                    t.link_name,
                    t.source_topic_name,
                    paint(o, &t.status),
                    t.lag
                );
                if let Some(e) = &t.error {
                    text.push_str(&format!("  error:  {}\n", o.red(e)));
                }
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
        MirrorCommand::StateTransitionError(StateTransitionErrorCommand::List { topic, link }) => {
            let t = read_with_errors(&c, &cluster, &link, &topic).await?;
            let errors: Vec<TransitionError> = t
                .mirror_state_transition_errors
                .into_iter()
                .map(|e| TransitionError {
                    error_code: e.error_code,
                    error_message: e.error_message,
                })
                .collect();
            out.result(&errors, |_| {
                if errors.is_empty() {
                    return format!(
                        "Mirror topic {topic} (link {link}) has no state transition errors."
                    );
                }
                let rows: Vec<Vec<String>> = errors
                    .iter()
                    .map(|e| vec![e.error_code.clone(), e.error_message.clone()])
                    .collect();
                table(&["CODE", "MESSAGE"], &rows)
            })
        }
        MirrorCommand::Watch(a) => super::watch::run(a, &c, &cluster, out).await,
        MirrorCommand::Promote(a) => act(MirrorAction::Promote, a, &c, &cluster, out).await,
        MirrorCommand::Failover(a) => act(MirrorAction::Failover, a, &c, &cluster, out).await,
        MirrorCommand::Pause(a) => act(MirrorAction::Pause, a, &c, &cluster, out).await,
        MirrorCommand::Resume(a) => act(MirrorAction::Resume, a, &c, &cluster, out).await,
        MirrorCommand::ReverseAndStart(a) => {
            act(MirrorAction::ReverseAndStart, a, &c, &cluster, out).await
        }
        MirrorCommand::ReverseAndPause(a) => {
            act(MirrorAction::ReverseAndPause, a, &c, &cluster, out).await
        }
        MirrorCommand::TruncateAndRestore(a) => {
            act(MirrorAction::TruncateAndRestore, a, &c, &cluster, out).await
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

/// Runs one action through the SDK's runbook machinery: topics already at
/// the action's end are done, topics on their way are awaited and not sent
/// again, lost answers are read back, and Ctrl-C stops it with a report.
async fn act(
    action: MirrorAction,
    a: MirrorActionArgs,
    c: &kafka_mirror::confluent::Client,
    cluster: &str,
    out: Out,
) -> Result<(), CliError> {
    let interrupts = Interrupts::install()
        .map_err(|e| CliError::Config(format!("cannot listen for Ctrl-C and SIGTERM: {e}")))?;
    let Some(link) = a.links.single() else {
        let fleet = c
            .fleet(Kind::Action(action), cluster, a.links.fleet())
            .concurrency(a.concurrency)
            .wait(a.wait)
            .interrupt_on(interrupts.signal());
        return super::fleet::run(
            fleet,
            &a.selection,
            a.timeout,
            a.dry_run,
            a.journal.as_deref(),
            &interrupts,
            out,
        )
        .await;
    };
    let mut runbook = c
        .mirror_action(cluster, link, action)
        .selection(selection(&a.selection)?)
        .dry_run(a.dry_run)
        .wait(a.wait)
        .timeout(a.timeout)
        .interrupt_on(interrupts.signal());
    if let Some(path) = &a.journal {
        let (earlier, file) = super::dr::open_journal(path)?;
        runbook = runbook.resume_from(earlier).journal(file);
    }
    let bar = out.progress(0, &action.end_state().to_string());
    let report = runbook
        .on_event(|e| super::dr::on_event(&bar, out, e))
        .await
        .map_err(super::dr::nothing_changed)?;
    bar.finish_and_clear();
    if report.topics.is_empty() {
        return Err(CliError::Usage(format!(
            "no mirror topic of link {link} is selected"
        )));
    }
    let waited = a.wait && !a.dry_run;
    let target = action.end_state();
    let results: Vec<ActionResult> = report
        .topics
        .iter()
        .map(|(name, t)| {
            let last = t.statuses.last().map(|s| s.to_string());
            let (accepted, reached, error_code, error_message) = match &t.outcome {
                TopicOutcome::Done => (true, Some(true), None, None),
                TopicOutcome::Accepted | TopicOutcome::Planned => (true, None, None, None),
                TopicOutcome::InFlight { .. } | TopicOutcome::TimedOut { .. } => {
                    (true, Some(false), None, None)
                }
                // Refused topics do not move; a topic that went FAILED
                // after it was accepted has a status after its first.
                TopicOutcome::Failed { reason, error_code } => {
                    let moved = t.statuses.len() > 1;
                    (
                        moved,
                        moved.then_some(false),
                        *error_code,
                        Some(reason.clone()),
                    )
                }
                TopicOutcome::NotStarted { reason } => (false, None, None, Some(reason.clone())),
                _ => (false, None, None, Some(t.outcome.to_string())),
            };
            ActionResult {
                mirror_topic_name: name.clone(),
                accepted,
                error_code,
                error_message,
                status: waited.then(|| last.unwrap_or_else(|| "unknown".into())),
                reached: if waited {
                    reached.or(Some(false))
                } else {
                    None
                },
                outcome: t.outcome.to_string(),
                lost_answers: t.lost_answers.len(),
            }
        })
        .collect();
    let summary = ActionReport {
        link_name: link.to_owned(),
        action: action.to_string(),
        dry_run: a.dry_run,
        waited_for: waited.then(|| target.to_string()),
        interrupted: report.interrupted,
        topics: results,
    };
    out.result(&summary, |o| human(o, &summary))?;
    super::dr::finish(report.succeeded(), &interrupts, out)
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

fn paint(o: &Out, status: &str) -> String {
    match status {
        "ACTIVE" | "STOPPED" => o.green(status),
        "FAILED" | "LINK_FAILED" | "SOURCE_UNAVAILABLE" => o.red(status),
        other => o.yellow(other),
    }
}
