//! What a runbook reports: per-topic outcomes, progress events.

use std::collections::BTreeMap;
use std::fmt;
use std::time::Duration;

use serde::Serialize;

use crate::confluent::types::MirrorTopicStatus;

/// Which runbook.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Kind {
    /// Planned, no data loss: lag gate, promote.
    Switchover,
    /// Unplanned, the source down: failover.
    Failover,
    /// The source back: reverse-and-start, or truncate-and-restore.
    Failback,
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Kind::Switchover => "switchover",
            Kind::Failover => "failover",
            Kind::Failback => "failback",
        })
    }
}

/// The `mirrors:*` action a runbook sent for a topic.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum Action {
    /// `mirrors:promote`.
    Promote,
    /// `mirrors:failover`.
    Failover,
    /// `mirrors:reverse-and-start-mirror`.
    ReverseAndStart,
    /// `mirrors:truncate-and-restore`.
    TruncateAndRestore,
}

impl fmt::Display for Action {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Action::Promote => "promote",
            Action::Failover => "failover",
            Action::ReverseAndStart => "reverse-and-start",
            Action::TruncateAndRestore => "truncate-and-restore",
        })
    }
}

/// One partition's lag: messages on the source not yet mirrored.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct PartitionLag {
    /// The partition.
    pub partition: i64,
    /// Its lag when last seen.
    pub lag: i64,
}

/// How one topic ended.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
#[non_exhaustive]
pub enum TopicOutcome {
    /// It reached the runbook's end state (or was already there).
    Done,
    /// Dry run: the service accepted the `validate_only` call.
    Planned,
    /// Nothing was sent for it: a pre-flight check or the lag gate stopped
    /// the runbook first.
    NotStarted {
        /// Why.
        reason: String,
    },
    /// The service refused its action, or it reached a state it does not
    /// leave by itself.
    Failed {
        /// The service's message, or the state.
        reason: String,
        /// The service's error code, when it sent one.
        #[serde(skip_serializing_if = "Option::is_none")]
        error_code: Option<i64>,
    },
    /// The timeout passed before it reached the end state.
    TimedOut {
        /// The last status seen.
        last: Option<MirrorTopicStatus>,
    },
}

impl TopicOutcome {
    /// `true` for [`TopicOutcome::Done`] and [`TopicOutcome::Planned`].
    pub fn succeeded(&self) -> bool {
        matches!(self, TopicOutcome::Done | TopicOutcome::Planned)
    }
}

impl fmt::Display for TopicOutcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TopicOutcome::Done => f.write_str("done"),
            TopicOutcome::Planned => f.write_str("planned (validated, nothing changed)"),
            TopicOutcome::NotStarted { reason } => write!(f, "not started: {reason}"),
            TopicOutcome::Failed {
                reason,
                error_code: Some(code),
            } => write!(f, "failed: {reason} (error code {code})"),
            TopicOutcome::Failed { reason, .. } => write!(f, "failed: {reason}"),
            TopicOutcome::TimedOut { last: Some(s) } => write!(f, "timed out in {s}"),
            TopicOutcome::TimedOut { last: None } => f.write_str("timed out"),
        }
    }
}

/// What one topic went through.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TopicReport {
    /// Its status when the runbook started (absent: not a mirror topic of
    /// the link).
    pub status_before: Option<MirrorTopicStatus>,
    /// Each partition's lag when last seen before the action: for a
    /// failover, the messages that may not have been mirrored.
    pub lags: Vec<PartitionLag>,
    /// The action sent for it, if any.
    pub action: Option<Action>,
    /// Its statuses, in order, from the start to the end.
    pub statuses: Vec<MirrorTopicStatus>,
    /// Messages truncate-and-restore removed from it (they were written
    /// here after the failover, and are not on the source).
    pub messages_truncated: Option<i64>,
    /// How it ended.
    #[serde(flatten)]
    pub outcome: TopicOutcome,
}

impl TopicReport {
    /// Its lag when last seen before the action, all partitions together.
    pub fn total_lag(&self) -> i64 {
        self.lags.iter().map(|l| l.lag.max(0)).sum()
    }
}

/// A runbook's result.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Report {
    /// Which runbook.
    pub kind: Kind,
    /// The cluster the link is on.
    pub cluster: String,
    /// The link.
    pub link: String,
    /// Whether it was a dry run.
    pub dry_run: bool,
    /// By topic name.
    pub topics: BTreeMap<String, TopicReport>,
    /// What the pre-flight checks found that does not stop the runbook.
    pub warnings: Vec<String>,
    /// Why the runbook stopped before acting, if it did.
    pub stopped_early: Option<String>,
    /// Time from start to end.
    #[serde(serialize_with = "seconds")]
    pub elapsed: Duration,
}

fn seconds<S: serde::Serializer>(d: &Duration, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_f64((d.as_secs_f64() * 1000.0).round() / 1000.0)
}

impl Report {
    /// `true` when every topic is [`TopicOutcome::Done`] or
    /// [`TopicOutcome::Planned`], and the runbook was not stopped early.
    pub fn succeeded(&self) -> bool {
        self.stopped_early.is_none() && self.topics.values().all(|t| t.outcome.succeeded())
    }

    /// The topics that did not succeed, with how they ended.
    pub fn failed(&self) -> Vec<(&str, &TopicOutcome)> {
        self.topics
            .iter()
            .filter(|(_, t)| !t.outcome.succeeded())
            .map(|(n, t)| (n.as_str(), &t.outcome))
            .collect()
    }

    /// For a failover: the messages that may not have been mirrored (the
    /// last known lag of every partition of the topics failed over).
    pub fn unmirrored_messages(&self) -> i64 {
        self.topics
            .values()
            .filter(|t| t.action.is_some())
            .map(TopicReport::total_lag)
            .sum()
    }
}

/// Something a runbook did or saw, for a progress bar or a log.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Event {
    /// A step begins (`"pre-flight checks"`, `"promote 3 topics"`...).
    Step(String),
    /// Something the operator should know that does not stop the runbook.
    Warning(String),
    /// The lag gate is waiting: the selected topics' total lag.
    Lag {
        /// Total lag now.
        total: u64,
        /// The gate.
        max: u64,
        /// Time waited so far.
        waited: Duration,
    },
    /// A topic's status, after each poll while the runbook waits.
    Topic {
        /// The topic.
        name: String,
        /// Its status.
        status: MirrorTopicStatus,
        /// Its total lag.
        lag: i64,
    },
    /// Topics that reached their end (or failed) so far, of those waited for.
    Progress {
        /// Decided so far.
        done: usize,
        /// Waited for.
        total: usize,
    },
}

impl fmt::Display for Event {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Event::Step(s) => f.write_str(s),
            Event::Warning(w) => write!(f, "warning: {w}"),
            Event::Lag { total, max, waited } => write!(
                f,
                "total lag {total} (gate: {max}) after {:.1} s",
                waited.as_secs_f64()
            ),
            Event::Topic { name, status, lag } => write!(f, "{name}: {status}, lag {lag}"),
            Event::Progress { done, total } => write!(f, "{done}/{total} done"),
        }
    }
}
