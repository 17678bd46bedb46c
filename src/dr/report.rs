//! What a runbook reports: per-topic outcomes, progress events.

use std::collections::BTreeMap;
use std::fmt;
use std::time::Duration;

use serde::Serialize;

pub use crate::confluent::MirrorAction;
use crate::confluent::types::MirrorTopicStatus;

/// Which runbook.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Kind {
    /// Planned, no data loss: lag gate, promote.
    Switchover,
    /// Unplanned, the source down: failover.
    Failover,
    /// The source back: reverse-and-start, or truncate-and-restore.
    Failback,
    /// One `mirrors:*` action on the selected topics, with the runbooks'
    /// handling of lost answers, failed reads and re-runs (`kmirror mirror
    /// ACTION`); see [`crate::confluent::Client::mirror_action`].
    Action(MirrorAction),
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Kind::Switchover => f.write_str("switchover"),
            Kind::Failover => f.write_str("failover"),
            Kind::Failback => f.write_str("failback"),
            Kind::Action(a) => write!(f, "mirror {a}"),
        }
    }
}

/// As its `Display`: `"switchover"`, `"failover"`, `"failback"`, or
/// `"mirror promote"` and the like.
impl Serialize for Kind {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
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
    /// Nothing was sent for it: a pre-flight check, the lag gate, the
    /// timeout or an interrupt stopped the runbook first.
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
        /// Whether the last poll failed (so `last` may be old).
        last_poll_failed: bool,
    },
    /// The service accepted its action; the runbook was not asked to wait
    /// for it ([`super::Runbook::wait`]).
    Accepted,
    /// Its action was accepted (by this run or an earlier one) and it is
    /// on its way, but the runbook stopped watching: interrupted, or a dry
    /// run (which waits for nothing). Running the runbook again waits for
    /// it without sending anything.
    InFlight {
        /// The last status seen.
        last: Option<MirrorTopicStatus>,
    },
}

impl TopicOutcome {
    /// `true` for [`TopicOutcome::Done`], [`TopicOutcome::Planned`] and
    /// [`TopicOutcome::Accepted`].
    pub fn succeeded(&self) -> bool {
        matches!(
            self,
            TopicOutcome::Done | TopicOutcome::Planned | TopicOutcome::Accepted
        )
    }
}

impl fmt::Display for TopicOutcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TopicOutcome::Done => f.write_str("done"),
            TopicOutcome::Planned => f.write_str("planned (validated, nothing changed)"),
            TopicOutcome::Accepted => f.write_str("accepted"),
            TopicOutcome::NotStarted { reason } => write!(f, "not started: {reason}"),
            TopicOutcome::Failed {
                reason,
                error_code: Some(code),
            } => write!(f, "failed: {reason} (error code {code})"),
            TopicOutcome::Failed { reason, .. } => write!(f, "failed: {reason}"),
            TopicOutcome::TimedOut {
                last,
                last_poll_failed,
            } => {
                f.write_str("timed out")?;
                if let Some(s) = last {
                    write!(f, " in {s}")?;
                }
                if *last_poll_failed {
                    f.write_str(" (the last poll failed)")?;
                }
                Ok(())
            }
            TopicOutcome::InFlight { last: Some(s) } => write!(f, "in flight ({s})"),
            TopicOutcome::InFlight { last: None } => f.write_str("in flight"),
        }
    }
}

/// An action request for a topic that got no usable answer, and what
/// reading the topic back showed.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LostAnswer {
    /// The action.
    pub action: MirrorAction,
    /// What happened to the request (`connection reset: POST ...`).
    pub error: String,
    /// The topic's status read back afterwards (absent: the read-back did
    /// not come before the deadline, or the topic is gone).
    pub read_back: Option<MirrorTopicStatus>,
    /// Whether the read-back shows the action was applied (the topic moved
    /// onto the action's path); if not, it was sent again.
    pub applied: bool,
}

/// What one topic went through.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TopicReport {
    /// Its status when the runbook started (absent: not a mirror topic of
    /// the link).
    pub status_before: Option<MirrorTopicStatus>,
    /// Each partition's lag when last seen before the action: for a
    /// failover, the messages that may not have been mirrored (the RPO).
    pub lags: Vec<PartitionLag>,
    /// The action sent for it (or, on a re-run, awaited), if any.
    pub action: Option<MirrorAction>,
    /// Action requests that named it (more than one after a lost answer
    /// whose read-back showed it had not moved).
    pub requests: u32,
    /// It was found on its way (an earlier run's action): waited for, not
    /// sent again.
    pub resumed: bool,
    /// Action requests for it that got no usable answer, and what reading
    /// it back showed.
    pub lost_answers: Vec<LostAnswer>,
    /// Its statuses, in order, from the start to the end.
    pub statuses: Vec<MirrorTopicStatus>,
    /// Messages truncate-and-restore removed from it (they were written
    /// here after the failover, and are not on the source).
    pub messages_truncated: Option<i64>,
    /// Time from the runbook's start until it was seen at its end state
    /// (its RTO); absent if it was there already or never got there.
    #[serde(serialize_with = "seconds_opt")]
    pub reached_after: Option<Duration>,
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

/// A stage of a runbook.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Stage {
    /// Reading the link and its topics, checking them.
    Preflight,
    /// Waiting for the lag to drain (switchover).
    LagGate,
    /// Sending the actions, and reading back after lost answers.
    Action,
    /// Waiting for the topics to reach their end state.
    Wait,
}

impl fmt::Display for Stage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Stage::Preflight => "pre-flight",
            Stage::LagGate => "lag gate",
            Stage::Action => "action",
            Stage::Wait => "wait",
        })
    }
}

/// Time spent in each stage.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize)]
pub struct Stages {
    /// Reading and checking the link and its topics.
    #[serde(serialize_with = "seconds")]
    pub preflight: Duration,
    /// The lag gate.
    #[serde(serialize_with = "seconds")]
    pub lag_gate: Duration,
    /// Sending actions, reading back after lost answers.
    #[serde(serialize_with = "seconds")]
    pub action: Duration,
    /// Waiting for end states.
    #[serde(serialize_with = "seconds")]
    pub wait: Duration,
}

/// A request of the runbook that failed after the service's state may
/// have changed: it did not stop the runbook, which went on as far as it
/// could.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RunError {
    /// Where.
    pub stage: Stage,
    /// The error, on one line.
    pub message: String,
    /// The HTTP status, if there was an answer.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<u16>,
    /// How many times the request was sent.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub attempts: Option<u32>,
    /// Time from the runbook's start.
    #[serde(serialize_with = "seconds")]
    pub at: Duration,
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
    /// Whether it was interrupted ([`super::Runbook::interrupt_on`]):
    /// nothing was sent after that.
    pub interrupted: bool,
    /// Action requests that failed, and reads that failed when the
    /// runbook could not go on without them.
    pub errors: Vec<RunError>,
    /// Reads of the topics while polling that failed; the runbook polled
    /// again at the next interval.
    pub failed_polls: u32,
    /// The last of those failures.
    pub last_poll_error: Option<String>,
    /// Action requests this run sent (`mirrors:*` POSTs; one names
    /// several topics).
    pub action_requests: u32,
    /// Time spent in each stage.
    pub stages: Stages,
    /// Time from start to end.
    #[serde(serialize_with = "seconds")]
    pub elapsed: Duration,
}

pub(crate) fn seconds<S: serde::Serializer>(d: &Duration, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_f64((d.as_secs_f64() * 1000.0).round() / 1000.0)
}

fn seconds_opt<S: serde::Serializer>(d: &Option<Duration>, s: S) -> Result<S::Ok, S::Error> {
    match d {
        Some(d) => seconds(d, s),
        None => s.serialize_none(),
    }
}

impl Report {
    /// `true` when every topic succeeded ([`TopicOutcome::succeeded`]) and
    /// the runbook was neither stopped early nor interrupted.
    /// In a dry run, a topic [`TopicOutcome::InFlight`] (an earlier run's
    /// action under way) is no failure.
    pub fn succeeded(&self) -> bool {
        self.stopped_early.is_none() && !self.interrupted && self.failed().is_empty()
    }

    /// The topics that did not succeed, with how they ended.
    pub fn failed(&self) -> Vec<(&str, &TopicOutcome)> {
        self.topics
            .iter()
            .filter(|(_, t)| {
                !(t.outcome.succeeded()
                    || self.dry_run && matches!(t.outcome, TopicOutcome::InFlight { .. }))
            })
            .map(|(n, t)| (n.as_str(), &t.outcome))
            .collect()
    }

    /// The topics on their way when the runbook stopped watching
    /// ([`TopicOutcome::InFlight`]).
    pub fn in_flight(&self) -> Vec<&str> {
        self.topics
            .iter()
            .filter(|(_, t)| matches!(t.outcome, TopicOutcome::InFlight { .. }))
            .map(|(n, _)| n.as_str())
            .collect()
    }

    /// For a failover: the messages that may not have been mirrored (the
    /// last known lag of every partition of the topics failed over): the
    /// run's RPO, in messages.
    pub fn unmirrored_messages(&self) -> i64 {
        self.topics
            .values()
            .filter(|t| t.action.is_some())
            .map(TopicReport::total_lag)
            .sum()
    }

    /// The time from the start until the last topic reached its end state:
    /// the run's RTO (absent when no topic got there in this run).
    pub fn recovery_time(&self) -> Option<Duration> {
        self.topics.values().filter_map(|t| t.reached_after).max()
    }

    /// Lost answers, all topics together.
    pub fn lost_answers(&self) -> usize {
        self.topics.values().map(|t| t.lost_answers.len()).sum()
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
    /// A read of the topics failed; the runbook reads again at the next
    /// interval, until its deadline.
    PollFailed {
        /// The error, on one line.
        error: String,
        /// Failed polls so far in this run.
        failed: u32,
    },
    /// An action request got no usable answer; the topics are read back to
    /// learn whether it was applied.
    AnswerLost {
        /// The action.
        action: MirrorAction,
        /// The topics it named.
        topics: Vec<String>,
        /// What happened to it.
        error: String,
    },
    /// What reading a topic back after a lost answer showed.
    ReadBack {
        /// The topic.
        name: String,
        /// Its status now.
        status: MirrorTopicStatus,
        /// Whether the action was applied (if not, it is sent again).
        applied: bool,
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
            Event::PollFailed { error, failed } => {
                write!(f, "a poll failed ({failed} so far), polling again: {error}")
            }
            Event::AnswerLost {
                action,
                topics,
                error,
            } => write!(
                f,
                "no usable answer to {action} of {} topic(s) ({error}); reading them back",
                topics.len()
            ),
            Event::ReadBack {
                name,
                status,
                applied: true,
            } => write!(f, "{name}: read back {status}, so the action was applied"),
            Event::ReadBack {
                name,
                status,
                applied: false,
            } => write!(
                f,
                "{name}: read back {status}, so the action was not applied; sending it again"
            ),
            Event::Progress { done, total } => write!(f, "{done}/{total} done"),
        }
    }
}
