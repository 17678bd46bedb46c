//! Health of a DR setup before the incident: whether a failover of the
//! cluster's links would work right now, and what stands in its way.
//!
//! [`Client::health_check`] reads each link (its state, error and tasks),
//! the consumer offset sync setting, and every mirror topic with its lag,
//! then judges what it read ([`judge`], a pure function): a link not
//! `ACTIVE` or with an error, a task `IN_ERROR`, a mirror `FAILED`,
//! `LINK_FAILED` or `SOURCE_UNAVAILABLE` or with a topic error, lag over
//! the thresholds, offset sync switched off. Each [`Finding`] says what
//! is wrong and what to do. [`prometheus::render`] writes the same report
//! in the Prometheus text format.
//!
//! ```no_run
//! use kafka_mirror::dr::fleet::Links;
//! use kafka_mirror::health::Verdict;
//! # async fn run(c: kafka_mirror::confluent::Client) -> Result<(), kafka_mirror::Error> {
//! let report = c
//!     .health_check("lkc-dr", Links::All)
//!     .max_lag(10_000)
//!     .await?;
//! for (link, f) in report.findings() {
//!     eprintln!("{link}: {} ({})", f.message, f.advice);
//! }
//! assert_eq!(report.verdict(), Verdict::Healthy);
//! # Ok(()) }
//! ```

use std::collections::BTreeMap;
use std::future::{Future, IntoFuture};
use std::pin::Pin;
use std::time::{Duration, SystemTime};

use futures_util::StreamExt;
use serde::Serialize;

use crate::Error;
use crate::confluent::Client;
use crate::confluent::types::{
    LinkError, LinkState, LinkTaskState, MirrorTopicError, MirrorTopicStatus,
};
use crate::dr::fleet::Links;

mod judge;
pub mod prometheus;
mod read;

pub use judge::judge;

/// The config that turns consumer offset sync on.
pub const OFFSET_SYNC_CONFIG: &str = "consumer.offset.sync.enable";

/// Links read at once unless [`HealthCheck::concurrency`] says otherwise.
pub const DEFAULT_CONCURRENCY: usize = 8;

/// Mirror topics of one link whose state transition errors are read (one
/// request each), at most: the sick ones first.
pub const TRANSITION_ERROR_READS: usize = 10;

/// A count of messages as findings print it, grouped by thousands
/// (`1,234,567`), for a reader in the middle of an incident.
///
/// ```
/// assert_eq!(kafka_mirror::health::thousands(479_896), "479,896");
/// assert_eq!(kafka_mirror::health::thousands(999), "999");
/// ```
pub fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// Lag limits; a limit left unset is not judged.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Thresholds {
    /// A mirror topic's total lag (messages, all partitions) above this is
    /// a problem.
    pub max_lag: Option<u64>,
    /// One partition's lag above this is a problem.
    pub max_partition_lag: Option<u64>,
}

/// How bad a [`Finding`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// A failover would not work as planned, or data is not protected.
    Problem,
    /// Worth fixing; a failover would still work.
    Warning,
    /// Something could not be read, so it was not checked.
    Unchecked,
}

/// What a [`Finding`] is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Check {
    /// The cluster has cluster links at all.
    HasLinks,
    /// The link does not exist on the cluster.
    LinkExists,
    /// The link's state (`ACTIVE` is healthy).
    LinkState,
    /// The link's `link_error`.
    LinkError,
    /// A link task's state (`IN_ERROR` is a problem).
    Task,
    /// The link has mirror topics.
    HasMirrors,
    /// A mirror topic's status.
    MirrorStatus,
    /// A mirror topic's `mirror_topic_error`.
    MirrorError,
    /// A mirror topic's state transition errors.
    TransitionErrors,
    /// A mirror topic's total lag against [`Thresholds::max_lag`].
    TopicLag,
    /// A partition's lag against [`Thresholds::max_partition_lag`].
    PartitionLag,
    /// Consumer offset sync ([`OFFSET_SYNC_CONFIG`]).
    OffsetSync,
    /// A read the check needed failed.
    Read,
}

/// One thing found wrong, with what to do about it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct Finding {
    /// How bad it is.
    pub severity: Severity,
    /// What was checked.
    pub check: Check,
    /// The mirror topic it is about, if one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub topic: Option<String>,
    /// The task it is about, if one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub task: Option<String>,
    /// What is wrong, on one line.
    pub message: String,
    /// What to do, on one line.
    pub advice: String,
}

/// The check's overall answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// Nothing found.
    Healthy,
    /// Only warnings.
    Warnings,
    /// Some part could not be read, and nothing read was a problem.
    Unknown,
    /// At least one problem.
    Unhealthy,
}

/// A task's error.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ErrorEntry {
    /// The service's error code.
    pub code: String,
    /// Its message.
    pub message: String,
}

/// A link task as read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TaskHealth {
    /// `AclSync`, `ConsumerOffsetSync`...
    pub name: String,
    /// Its state.
    pub state: LinkTaskState,
    /// Its errors.
    pub errors: Vec<ErrorEntry>,
}

/// One partition's lag.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct PartitionLag {
    /// The partition.
    pub partition: i64,
    /// Messages behind the source.
    pub lag: u64,
    /// The last source offset fetched.
    pub last_source_fetch_offset: i64,
}

/// A mirror topic as read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TopicHealth {
    /// Its status.
    pub status: MirrorTopicStatus,
    /// Its `mirror_topic_error`, when it is one (not `NO_ERROR`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<MirrorTopicError>,
    /// Its state transition errors, when they were read.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub transition_errors: Vec<ErrorEntry>,
    /// Total lag over its partitions.
    pub lag: u64,
    /// Each partition's lag.
    pub partitions: Vec<PartitionLag>,
    /// When it entered its status (milliseconds since the Unix epoch).
    pub state_time_ms: i64,
}

/// What was read of one link.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct LinkObservation {
    /// Whether the link exists (`false` after a 404).
    pub exists: bool,
    /// Its state, when read.
    pub state: Option<LinkState>,
    /// Its `link_error`, when read.
    pub error: Option<LinkError>,
    /// Its `link_error_message`, when not empty.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error_message: Option<String>,
    /// Its tasks (`include_tasks`).
    pub tasks: Vec<TaskHealth>,
    /// Its mirror topics by state category, where the service gives them.
    pub category_counts: BTreeMap<String, i64>,
    /// Whether consumer offset sync is on, when read.
    pub offset_sync: Option<bool>,
    /// Its mirror topics, when read.
    pub topics: BTreeMap<String, TopicHealth>,
    /// Reads that failed: what, and why.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub failed_reads: Vec<FailedRead>,
}

/// What a health check reads of a link.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Read {
    /// The link, with its tasks.
    Link,
    /// The consumer offset sync config ([`OFFSET_SYNC_CONFIG`]).
    OffsetSyncConfig,
    /// The link's mirror topics.
    MirrorTopics,
    /// One mirror topic's state transition errors.
    TransitionErrors,
}

/// A read of a health check that failed after the client's retries.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FailedRead {
    /// What was read.
    pub read: Read,
    /// The mirror topic, for [`Read::TransitionErrors`].
    #[serde(skip_serializing_if = "Option::is_none")]
    pub topic: Option<String>,
    /// Why it failed, on one line.
    pub error: String,
}

impl std::fmt::Display for FailedRead {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let what = match (self.read, &self.topic) {
            (Read::Link, _) => "the link".to_string(),
            (Read::OffsetSyncConfig, _) => OFFSET_SYNC_CONFIG.to_string(),
            (Read::MirrorTopics, _) => "the mirror topics".to_string(),
            (Read::TransitionErrors, Some(t)) => format!("{t}'s state transition errors"),
            (Read::TransitionErrors, None) => "state transition errors".to_string(),
        };
        write!(f, "cannot read {what}: {}", self.error)
    }
}

/// One link's health: what was read, and what was found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct LinkHealth {
    /// What was read.
    #[serde(flatten)]
    pub observed: LinkObservation,
    /// What was found wrong, worst first.
    pub findings: Vec<Finding>,
}

impl LinkHealth {
    /// The link's own verdict.
    pub fn verdict(&self) -> Verdict {
        verdict(self.findings.iter())
    }
}

/// The result of [`Client::health_check`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct HealthReport {
    /// The cluster checked.
    pub cluster: String,
    /// The thresholds judged against.
    pub thresholds: Thresholds,
    /// When the check started, in milliseconds since the Unix epoch.
    pub checked_at_ms: u64,
    /// The overall answer.
    pub verdict: Verdict,
    /// What concerns the cluster, not one link (no links at all).
    pub findings: Vec<Finding>,
    /// By link name.
    pub links: BTreeMap<String, LinkHealth>,
    /// Time the check took.
    #[serde(serialize_with = "crate::dr::report_seconds")]
    pub elapsed: Duration,
}

impl HealthReport {
    /// The overall answer: the worst of every link's.
    pub fn verdict(&self) -> Verdict {
        self.verdict
    }

    /// Every finding, with its link (the cluster's own with an empty
    /// link name), problems first.
    pub fn findings(&self) -> Vec<(&str, &Finding)> {
        let mut all: Vec<(&str, &Finding)> = self
            .findings
            .iter()
            .map(|f| ("", f))
            .chain(
                self.links
                    .iter()
                    .flat_map(|(l, h)| h.findings.iter().map(move |f| (l.as_str(), f))),
            )
            .collect();
        all.sort_by_key(|(l, f)| (f.severity, *l));
        all
    }

    /// How many findings of a severity.
    pub fn count(&self, severity: Severity) -> usize {
        self.findings()
            .iter()
            .filter(|(_, f)| f.severity == severity)
            .count()
    }
}

/// The verdict of a set of findings.
fn verdict<'a>(findings: impl Iterator<Item = &'a Finding>) -> Verdict {
    let mut v = Verdict::Healthy;
    for f in findings {
        let this = match f.severity {
            Severity::Problem => Verdict::Unhealthy,
            Severity::Unchecked => Verdict::Unknown,
            Severity::Warning => Verdict::Warnings,
        };
        v = v.max(this);
    }
    v
}

/// A health check of links of a cluster, configured with its setters and
/// run by `.await`. Built by [`Client::health_check`].
#[must_use = "a health check does nothing until awaited"]
#[derive(Debug)]
pub struct HealthCheck<'a> {
    client: &'a Client,
    cluster: String,
    links: Links,
    thresholds: Thresholds,
    concurrency: usize,
    details: bool,
}

impl HealthCheck<'_> {
    /// A mirror topic whose total lag is above `messages` is a problem.
    pub fn max_lag(mut self, messages: u64) -> Self {
        self.thresholds.max_lag = Some(messages);
        self
    }

    /// A partition whose lag is above `messages` is a problem.
    pub fn max_partition_lag(mut self, messages: u64) -> Self {
        self.thresholds.max_partition_lag = Some(messages);
        self
    }

    /// Both thresholds at once.
    pub fn thresholds(mut self, t: Thresholds) -> Self {
        self.thresholds = t;
        self
    }

    /// How many links are read at once (default [`DEFAULT_CONCURRENCY`],
    /// at least 1).
    pub fn concurrency(mut self, links: usize) -> Self {
        self.concurrency = links.max(1);
        self
    }

    /// Whether to read what only a full check needs (default `true`): the
    /// offset sync config and the sick topics' state transition errors.
    /// Without them a check costs one request per link plus its mirror
    /// pages, which suits a view refreshed every few seconds.
    pub fn details(mut self, read: bool) -> Self {
        self.details = read;
        self
    }
}

impl<'a> IntoFuture for HealthCheck<'a> {
    type Output = Result<HealthReport, Error>;
    type IntoFuture = Pin<Box<dyn Future<Output = Result<HealthReport, Error>> + Send + 'a>>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(run(self))
    }
}

impl Client {
    /// Checks links of `cluster` (see [`crate::health`]).
    ///
    /// # Errors
    ///
    /// Only when nothing could be checked: an empty list of links, or the
    /// cluster's links cannot be listed for [`Links::All`]. A read that
    /// fails for one link is a [`Severity::Unchecked`] finding of that
    /// link, and the others are checked.
    pub fn health_check(&self, cluster: impl Into<String>, links: Links) -> HealthCheck<'_> {
        HealthCheck {
            client: self,
            cluster: cluster.into(),
            links,
            thresholds: Thresholds::default(),
            concurrency: DEFAULT_CONCURRENCY,
            details: true,
        }
    }
}

async fn run(check: HealthCheck<'_>) -> Result<HealthReport, Error> {
    let started = tokio::time::Instant::now();
    let checked_at_ms = SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .map(|d| d.as_millis() as u64)
        .unwrap_or(0);
    let names = check.links.names(check.client, &check.cluster).await?;
    let (client, cluster, details, thresholds) = (
        check.client,
        check.cluster.as_str(),
        check.details,
        check.thresholds,
    );
    let links: BTreeMap<String, LinkHealth> = futures_util::stream::iter(names)
        .map(|link| async move {
            let observed = read::observe(client, cluster, &link, details).await;
            let findings = judge(&link, &observed, &thresholds);
            (link, LinkHealth { observed, findings })
        })
        .buffer_unordered(check.concurrency)
        .collect()
        .await;
    let findings = judge::cluster(&check.cluster, links.len());
    Ok(HealthReport {
        cluster: check.cluster.clone(),
        thresholds,
        checked_at_ms,
        verdict: verdict(
            findings
                .iter()
                .chain(links.values().flat_map(|h| &h.findings)),
        ),
        findings,
        links,
        elapsed: started.elapsed(),
    })
}
