//! Disaster-recovery runbooks for Cluster Linking: a planned
//! **switchover**, an unplanned **failover**, and a **failback** once the
//! source is back. Each runs on the DR cluster's link, checks what it can
//! before changing anything, emits progress events, and returns one typed
//! outcome per topic: a topic that fails does not stop the others.
//!
//! | runbook | when | what it does |
//! | --- | --- | --- |
//! | [`switchover`](crate::confluent::Client::switchover) | both clusters healthy; no data may be lost | pre-flight (link `ACTIVE`, no link task `IN_ERROR`, consumer offset sync configured or a warning, each topic's status), waits until the selected topics' total lag is at most `max_lag` (default 0), promotes them, waits until `STOPPED` |
//! | [`failover`](crate::confluent::Client::failover) | the source is down | fails the topics over whatever their state (`FAILED`, `SOURCE_UNAVAILABLE` and `LINK_FAILED` included), waits until `STOPPED`; each partition's last known lag is reported as the messages that may not have been mirrored |
//! | [`failback`](crate::confluent::Client::failback) | the source is back | a topic still mirroring (`ACTIVE`, `PAUSED`) is reversed with reverse-and-start (the other cluster mirrors this one); a stopped topic (after a failover or promote) is truncated and restored as a mirror of the source, which the runbook waits for to catch up (lag at most `max_lag`) |
//!
//! Every runbook has a dry run ([`Runbook::dry_run`]): it makes only
//! `validate_only` calls, waits for nothing, and returns the plan.
//!
//! ```no_run
//! use std::time::Duration;
//! # async fn run(c: kafka_mirror::confluent::Client) -> Result<(), kafka_mirror::Error> {
//! let report = c
//!     .switchover("lkc-dr", "primary-to-dr")
//!     .pattern("^orders\\.")
//!     .max_lag(0)
//!     .timeout(Duration::from_secs(600))
//!     .on_event(|e| eprintln!("{e}"))
//!     .await?;
//! for (topic, why) in report.failed() {
//!     eprintln!("{topic}: {why}");
//! }
//! # Ok(()) }
//! ```

mod report;
mod run;

use std::future::{Future, IntoFuture};
use std::pin::Pin;
use std::time::Duration;

pub use report::{Action, Event, Kind, PartitionLag, Report, TopicOutcome, TopicReport};

use crate::Error;

/// Which topics of the link a runbook acts on.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum Selection {
    /// Every mirror topic of the link (the default).
    All,
    /// These topics; a name that is not a mirror topic of the link fails on
    /// its own.
    Names(Vec<String>),
    /// The mirror topics whose name matches this regular expression.
    Pattern(String),
}

type EventFn<'a> = Box<dyn FnMut(&Event) + Send + 'a>;

/// A runbook to run on a link, configured with its setters and run by
/// `.await`. Built by [`crate::confluent::Client::switchover`],
/// [`failover`](crate::confluent::Client::failover) or
/// [`failback`](crate::confluent::Client::failback).
#[must_use = "a runbook does nothing until awaited"]
pub struct Runbook<'a> {
    client: &'a crate::confluent::Client,
    kind: Kind,
    cluster: String,
    link: String,
    selection: Selection,
    max_lag: u64,
    timeout: Duration,
    dry_run: bool,
    poll: (Duration, Duration),
    on_event: Option<EventFn<'a>>,
}

impl std::fmt::Debug for Runbook<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Runbook")
            .field("kind", &self.kind)
            .field("cluster", &self.cluster)
            .field("link", &self.link)
            .field("selection", &self.selection)
            .field("max_lag", &self.max_lag)
            .field("timeout", &self.timeout)
            .field("dry_run", &self.dry_run)
            .finish_non_exhaustive()
    }
}

impl<'a> Runbook<'a> {
    fn new(
        client: &'a crate::confluent::Client,
        kind: Kind,
        cluster: String,
        link: String,
    ) -> Self {
        Self {
            client,
            kind,
            cluster,
            link,
            selection: Selection::All,
            max_lag: 0,
            timeout: Duration::from_secs(600),
            dry_run: false,
            poll: (Duration::from_secs(1), Duration::from_secs(10)),
            on_event: None,
        }
    }

    /// Acts on these topics only.
    pub fn topics<I, T>(mut self, names: I) -> Self
    where
        I: IntoIterator<Item = T>,
        T: Into<String>,
    {
        self.selection = Selection::Names(names.into_iter().map(Into::into).collect());
        self
    }

    /// Acts on the mirror topics whose name matches `regex` (checked when
    /// the runbook runs, before any request).
    pub fn pattern(mut self, regex: impl Into<String>) -> Self {
        self.selection = Selection::Pattern(regex.into());
        self
    }

    /// Acts on every mirror topic of the link (the default).
    pub fn all(mut self) -> Self {
        self.selection = Selection::All;
        self
    }

    /// Sets the selection.
    pub fn selection(mut self, selection: Selection) -> Self {
        self.selection = selection;
        self
    }

    /// Switchover: the total lag of the selected topics at or below which
    /// they are promoted. Failback: the lag at or below which a restored
    /// topic has caught up. Default 0.
    pub fn max_lag(mut self, messages: u64) -> Self {
        self.max_lag = messages;
        self
    }

    /// The whole runbook's time: lag gate and waits (default 10 minutes).
    /// What is not done by then is [`TopicOutcome::TimedOut`] or
    /// [`TopicOutcome::NotStarted`].
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Only `validate_only` calls, no wait: the report is the plan, with
    /// [`TopicOutcome::Planned`] for what the service would accept.
    pub fn dry_run(mut self, dry_run: bool) -> Self {
        self.dry_run = dry_run;
        self
    }

    /// The first wait between polls (default 1 s) and the longest (default
    /// 10 s); each wait is 1.5 times the previous one.
    pub fn poll_interval(mut self, initial: Duration, max: Duration) -> Self {
        self.poll = (initial, max.max(initial));
        self
    }

    /// Called with every [`Event`]: steps, warnings, the lag while the gate
    /// waits, each topic's status as it changes.
    pub fn on_event(mut self, f: impl FnMut(&Event) + Send + 'a) -> Self {
        self.on_event = Some(Box::new(f));
        self
    }
}

impl<'a> IntoFuture for Runbook<'a> {
    type Output = Result<Report, Error>;
    type IntoFuture = Pin<Box<dyn Future<Output = Result<Report, Error>> + Send + 'a>>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(run::run(self))
    }
}

impl crate::confluent::Client {
    /// A planned switchover of mirror topics of `link` on the DR cluster
    /// `cluster`: pre-flight checks, a lag gate, promote, wait until
    /// `STOPPED` (see [`crate::dr`]).
    ///
    /// # Errors
    ///
    /// The runbook returns an [`Error`] when it cannot work at all: the
    /// link or its topics cannot be read, or the pattern is not a valid
    /// regular expression. A topic that fails is a [`TopicOutcome`].
    pub fn switchover(&self, cluster: impl Into<String>, link: impl Into<String>) -> Runbook<'_> {
        Runbook::new(self, Kind::Switchover, cluster.into(), link.into())
    }

    /// An unplanned failover of mirror topics of `link` on the DR cluster
    /// `cluster`, the source being down (see [`crate::dr`]).
    ///
    /// # Errors
    ///
    /// As [`Self::switchover`].
    pub fn failover(&self, cluster: impl Into<String>, link: impl Into<String>) -> Runbook<'_> {
        Runbook::new(self, Kind::Failover, cluster.into(), link.into())
    }

    /// A failback of mirror topics of `link` on the DR cluster `cluster`,
    /// the source being back: reverse-and-start, or truncate-and-restore
    /// and catch up (see [`crate::dr`]).
    ///
    /// # Errors
    ///
    /// As [`Self::switchover`].
    pub fn failback(&self, cluster: impl Into<String>, link: impl Into<String>) -> Runbook<'_> {
        Runbook::new(self, Kind::Failback, cluster.into(), link.into())
    }
}
