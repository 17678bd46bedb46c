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

mod journal;
mod plan;
mod report;
pub(crate) use report::seconds as report_seconds;
mod run;

use std::future::{Future, IntoFuture};
use std::pin::Pin;
use std::time::Duration;

pub use report::{
    Event, Kind, LostAnswer, MirrorAction, PartitionLag, Report, RunError, Stage, Stages,
    TopicOutcome, TopicReport,
};

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

/// What a runbook is set to, beside its link: the same for each link of a
/// fleet run ([`fleet::Fleet`]).
#[derive(Debug, Clone)]
struct Settings {
    selection: Selection,
    max_lag: u64,
    timeout: Duration,
    dry_run: bool,
    poll: (Duration, Duration),
    wait: bool,
    max_resends: u32,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            selection: Selection::All,
            max_lag: 0,
            timeout: Duration::from_secs(600),
            dry_run: false,
            poll: (Duration::from_secs(1), Duration::from_secs(10)),
            wait: true,
            max_resends: 3,
        }
    }
}

/// The setters of [`Settings`], declared once for [`Runbook`] and
/// [`fleet::Fleet`].
macro_rules! settings_setters {
    () => {
        /// Acts on these topics only.
        pub fn topics<I, T>(mut self, names: I) -> Self
        where
            I: IntoIterator<Item = T>,
            T: Into<String>,
        {
            self.settings.selection = Selection::Names(names.into_iter().map(Into::into).collect());
            self
        }

        /// Acts on the mirror topics whose name matches `regex` (checked when
        /// the runbook runs, before any request).
        pub fn pattern(mut self, regex: impl Into<String>) -> Self {
            self.settings.selection = Selection::Pattern(regex.into());
            self
        }

        /// Acts on every mirror topic of the link (the default).
        pub fn all(mut self) -> Self {
            self.settings.selection = Selection::All;
            self
        }

        /// Sets the selection.
        pub fn selection(mut self, selection: Selection) -> Self {
            self.settings.selection = selection;
            self
        }

        /// Switchover: the total lag of the selected topics at or below which
        /// they are promoted. Failback: the lag at or below which a restored
        /// topic has caught up. Default 0.
        pub fn max_lag(mut self, messages: u64) -> Self {
            self.settings.max_lag = messages;
            self
        }

        /// The whole runbook's time: lag gate and waits (default 10 minutes).
        /// What is not done by then is [`TopicOutcome::TimedOut`] or
        /// [`TopicOutcome::NotStarted`].
        pub fn timeout(mut self, timeout: Duration) -> Self {
            self.settings.timeout = timeout;
            self
        }

        /// Only `validate_only` calls, no wait: the report is the plan, with
        /// [`TopicOutcome::Planned`] for what the service would accept.
        pub fn dry_run(mut self, dry_run: bool) -> Self {
            self.settings.dry_run = dry_run;
            self
        }

        /// The first wait between polls (default 1 s) and the longest (default
        /// 10 s); each wait is 1.5 times the previous one, and each is varied
        /// by up to 20% either way so that many runbooks do not poll in step.
        pub fn poll_interval(mut self, initial: Duration, max: Duration) -> Self {
            self.settings.poll = (initial, max.max(initial));
            self
        }

        /// Whether to wait for the topics to reach their end state after the
        /// action (default `true`). Without, an accepted topic is
        /// [`TopicOutcome::Accepted`].
        pub fn wait(mut self, wait: bool) -> Self {
            self.settings.wait = wait;
            self
        }

        /// How many times a topic's action is sent again after a lost answer
        /// whose read-back showed the topic had not moved (default 3). A topic
        /// that moved is never sent its action again.
        pub fn max_resends(mut self, n: u32) -> Self {
            self.settings.max_resends = n;
            self
        }
    };
}

// After the macro, which it uses.
pub mod fleet;

type EventFn<'a> = Box<dyn FnMut(&Event) + Send + 'a>;
type Interrupt<'a> = Pin<Box<dyn Future<Output = ()> + Send + 'a>>;

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
    settings: Settings,
    on_event: Option<EventFn<'a>>,
    journal: Option<Box<dyn std::io::Write + Send + 'a>>,
    earlier: Option<String>,
    interrupt: Option<Interrupt<'a>>,
}

impl std::fmt::Debug for Runbook<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Runbook")
            .field("kind", &self.kind)
            .field("cluster", &self.cluster)
            .field("link", &self.link)
            .field("settings", &self.settings)
            .field("journal", &self.journal.is_some())
            .field("resumes_from_journal", &self.earlier.is_some())
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
            settings: Settings::default(),
            on_event: None,
            journal: None,
            earlier: None,
            interrupt: None,
        }
    }

    settings_setters!();

    /// Appends one JSON line to `out` per request sent (time, method, path,
    /// topics, `validate_only`, status, per-topic result, attempts,
    /// elapsed), per status change seen and per lost answer read back,
    /// flushed line by line; no header or credential is ever written. A
    /// journal that cannot be written does not stop the runbook (the
    /// report warns).
    ///
    /// ```no_run
    /// # async fn run(c: kafka_mirror::confluent::Client) -> Result<(), Box<dyn std::error::Error>> {
    /// let journal = std::fs::OpenOptions::new()
    ///     .create(true)
    ///     .append(true)
    ///     .open("switchover.jsonl")?;
    /// let report = c.switchover("lkc-dr", "primary-to-dr").journal(journal).await?;
    /// # Ok(()) }
    /// ```
    pub fn journal(mut self, out: impl std::io::Write + Send + 'a) -> Self {
        self.journal = Some(Box::new(out));
        self
    }

    /// Resumes from the journal of earlier runs of this runbook (the
    /// text [`Runbook::journal`] wrote, for example the same file read
    /// before appending to it): the actions those runs had accepted and did
    /// not see through, since the last run on this link that succeeded,
    /// are awaited or taken as done instead of being decided afresh from
    /// the status alone. It matters for a failback: a topic it reversed is
    /// `STOPPED`, which alone reads as "truncate and restore it", and one
    /// it restored is `ACTIVE`, which alone reads as "reverse it".
    /// Switchover and failover resume from the status alone; the journal
    /// changes nothing for them.
    ///
    /// ```no_run
    /// # async fn run(c: kafka_mirror::confluent::Client) -> Result<(), Box<dyn std::error::Error>> {
    /// let earlier = std::fs::read_to_string("failback.jsonl").unwrap_or_default();
    /// let journal = std::fs::OpenOptions::new().create(true).append(true).open("failback.jsonl")?;
    /// let report = c
    ///     .failback("lkc-dr", "primary-to-dr")
    ///     .resume_from(earlier)
    ///     .journal(journal)
    ///     .await?;
    /// # Ok(()) }
    /// ```
    pub fn resume_from(mut self, journal: impl Into<String>) -> Self {
        self.earlier = Some(journal.into());
        self
    }

    /// Stops the runbook when `signal` completes (a Ctrl-C handler, a
    /// cancellation token): no action is sent after it, a request in
    /// flight is let finish (dropping it would lose its answer), waits
    /// stop, and the report comes back with [`Report::interrupted`] and the
    /// topics still on their way as [`TopicOutcome::InFlight`]. Running the
    /// same runbook again waits for those without sending anything.
    pub fn interrupt_on(mut self, signal: impl Future<Output = ()> + Send + 'a) -> Self {
        self.interrupt = Some(Box::pin(signal));
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
    /// The runbook returns an [`Error`] only before it has sent anything,
    /// so an `Err` means nothing was changed: the pattern is not a valid
    /// regular expression, or the link or its topics cannot be read (a 4xx
    /// such as an unknown link at once; other failures once they last
    /// until the timeout). Once an action is sent, every failure is in the
    /// [`Report`]: per topic, and in [`Report::errors`].
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

    /// The runbook `kind` on `link` of the DR cluster `cluster`: the same
    /// as [`Self::switchover`], [`Self::failover`], [`Self::failback`] or
    /// [`Self::mirror_action`], chosen by a value (a command line's
    /// choice, a plan's step).
    ///
    /// # Errors
    ///
    /// As [`Self::switchover`].
    pub fn runbook(
        &self,
        kind: Kind,
        cluster: impl Into<String>,
        link: impl Into<String>,
    ) -> Runbook<'_> {
        Runbook::new(self, kind, cluster.into(), link.into())
    }

    /// One `mirrors:*` action on mirror topics of `link`, with the
    /// runbooks' machinery: topics already at the action's end state are
    /// done, topics on its way are waited for and not sent again, lost
    /// answers are resolved by reading back, failed polls are polled again,
    /// and the result is a [`Report`]. Waits for the end state unless
    /// [`Runbook::wait`] is `false`.
    ///
    /// ```no_run
    /// use kafka_mirror::confluent::MirrorAction;
    /// # async fn run(c: kafka_mirror::confluent::Client) -> Result<(), kafka_mirror::Error> {
    /// let report = c
    ///     .mirror_action("lkc-dr", "primary-to-dr", MirrorAction::Pause)
    ///     .topics(["orders"])
    ///     .await?;
    /// assert!(report.succeeded());
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    ///
    /// As [`Self::switchover`].
    pub fn mirror_action(
        &self,
        cluster: impl Into<String>,
        link: impl Into<String>,
        action: MirrorAction,
    ) -> Runbook<'_> {
        Runbook::new(self, Kind::Action(action), cluster.into(), link.into())
    }
}
