//! Runbooks over several links of one cluster: a DR plan covers a cluster,
//! one link per source cluster. Each link gets the single-link runbook,
//! with every guarantee it has (its own pre-flight checks, lost answers
//! read back, re-runs that resume); a bounded number of links run at once,
//! on one client and so one rate limiter, and a link that fails its checks
//! does not stop the others. The result is one [`FleetReport`]: per link,
//! per topic, and the totals.
//!
//! ```no_run
//! use kafka_mirror::dr::Kind;
//! use kafka_mirror::dr::fleet::Links;
//! # async fn run(c: kafka_mirror::confluent::Client) -> Result<(), kafka_mirror::Error> {
//! let report = c
//!     .fleet(Kind::Switchover, "lkc-dr", Links::All)
//!     .concurrency(8)
//!     .on_event(|link, e| eprintln!("{link}: {e}"))
//!     .await?;
//! let t = report.totals();
//! eprintln!("{} of {} topics done on {} links", t.done, t.topics, t.links);
//! for (link, topic, why) in report.failed() {
//!     eprintln!("{link}/{topic}: {why}");
//! }
//! # Ok(()) }
//! ```

use std::collections::{BTreeMap, BTreeSet};
use std::future::{Future, IntoFuture};
use std::io::Write;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures_util::{FutureExt, StreamExt};
use serde::Serialize;
use tokio::time::Instant;

use super::{Interrupt, Kind, Report, Runbook, Selection, Settings, TopicOutcome};
use crate::Error;
use crate::confluent::Client;

/// Which links of the cluster a fleet run acts on.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Links {
    /// Every cluster link of the cluster, listed when the run starts.
    All,
    /// These links (a name given twice counts once).
    Names(Vec<String>),
}

impl Links {
    /// The links' names, sorted, each once: those given, or every link of
    /// `cluster` as listed now. What a fleet run and a health check take.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidArgument`] for an empty list of names, before any
    /// request; the listing's error for [`Links::All`].
    pub(crate) async fn names(&self, client: &Client, cluster: &str) -> Result<Vec<String>, Error> {
        match self {
            Links::Names(names) if names.is_empty() => Err(Error::InvalidArgument(
                "no link given: name at least one link, or choose every link of the cluster".into(),
            )),
            Links::Names(names) => Ok(names
                .iter()
                .cloned()
                .collect::<BTreeSet<_>>()
                .into_iter()
                .collect()),
            Links::All => Ok(client
                .list_links()
                .cluster_id(cluster)
                .collect_up_to(usize::MAX)
                .await?
                .into_iter()
                .map(|l| l.link_name)
                .collect()),
        }
    }
}

type FleetEventFn<'a> = Box<dyn FnMut(&str, &super::Event) + Send + 'a>;

/// Links at once unless [`Fleet::concurrency`] says otherwise.
pub const DEFAULT_CONCURRENCY: usize = 16;

/// A runbook over several links, configured with its setters and run by
/// `.await`. Built by [`Client::fleet`].
#[must_use = "a fleet run does nothing until awaited"]
pub struct Fleet<'a> {
    client: &'a Client,
    kind: Kind,
    cluster: String,
    links: Links,
    concurrency: usize,
    settings: Settings,
    on_event: Option<FleetEventFn<'a>>,
    journal: Option<Box<dyn Write + Send + 'a>>,
    earlier: Option<String>,
    interrupt: Option<Interrupt<'a>>,
}

impl std::fmt::Debug for Fleet<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Fleet")
            .field("kind", &self.kind)
            .field("cluster", &self.cluster)
            .field("links", &self.links)
            .field("concurrency", &self.concurrency)
            .field("settings", &self.settings)
            .field("journal", &self.journal.is_some())
            .field("resumes_from_journal", &self.earlier.is_some())
            .finish_non_exhaustive()
    }
}

impl<'a> Fleet<'a> {
    settings_setters!();

    /// How many links run at once (default [`DEFAULT_CONCURRENCY`], at
    /// least 1). They share the client's rate limit whatever the number.
    pub fn concurrency(mut self, links: usize) -> Self {
        self.concurrency = links.max(1);
        self
    }

    /// Appends every link's journal lines to `out` (see
    /// [`Runbook::journal`]); each line names its link, and is written
    /// whole.
    pub fn journal(mut self, out: impl Write + Send + 'a) -> Self {
        self.journal = Some(Box::new(out));
        self
    }

    /// Resumes each link from the journal of earlier runs (see
    /// [`Runbook::resume_from`]): a fleet run's journal, or single-link
    /// runs' journals joined.
    pub fn resume_from(mut self, journal: impl Into<String>) -> Self {
        self.earlier = Some(journal.into());
        self
    }

    /// Stops every link's runbook when `signal` completes (see
    /// [`Runbook::interrupt_on`]); links not started yet start nothing.
    pub fn interrupt_on(mut self, signal: impl Future<Output = ()> + Send + 'a) -> Self {
        self.interrupt = Some(Box::pin(signal));
        self
    }

    /// Called with every link's [`super::Event`], and the link's name.
    pub fn on_event(mut self, f: impl FnMut(&str, &super::Event) + Send + 'a) -> Self {
        self.on_event = Some(Box::new(f));
        self
    }
}

impl<'a> IntoFuture for Fleet<'a> {
    type Output = Result<FleetReport, Error>;
    type IntoFuture = Pin<Box<dyn Future<Output = Result<FleetReport, Error>> + Send + 'a>>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(run(self))
    }
}

impl Client {
    /// The runbook `kind` over several links of the DR cluster `cluster`
    /// (see [`crate::dr::fleet`]).
    ///
    /// # Errors
    ///
    /// Only when nothing was sent to any link: an empty list of links, or
    /// the cluster's links cannot be listed for [`Links::All`]. A link
    /// whose runbook cannot start is [`LinkResult::NotRun`] in the report,
    /// and the other links go on.
    pub fn fleet(&self, kind: Kind, cluster: impl Into<String>, links: Links) -> Fleet<'_> {
        Fleet {
            client: self,
            kind,
            cluster: cluster.into(),
            links,
            concurrency: DEFAULT_CONCURRENCY,
            settings: Settings::default(),
            on_event: None,
            journal: None,
            earlier: None,
            interrupt: None,
        }
    }
}

/// How the runbook went on one link.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "result", rename_all = "snake_case")]
#[non_exhaustive]
// One per link of a run, kept in a map: boxing the report would save a few
// hundred bytes a link and cost every reader a deref.
#[allow(clippy::large_enum_variant)]
pub enum LinkResult {
    /// The runbook ran: its report.
    Ran(Report),
    /// The runbook could not start on the link (an unknown link, a
    /// permission, reads that failed until the timeout): nothing was sent
    /// to it.
    NotRun {
        /// Why, on one line.
        error: String,
        /// The HTTP status of the failed read, if there was an answer.
        #[serde(skip_serializing_if = "Option::is_none")]
        status: Option<u16>,
    },
}

impl LinkResult {
    /// Whether the link's runbook ran and succeeded ([`Report::succeeded`]).
    pub fn succeeded(&self) -> bool {
        matches!(self, LinkResult::Ran(r) if r.succeeded())
    }
}

/// Counts over every link of a fleet run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[non_exhaustive]
pub struct Totals {
    /// Links in the run.
    pub links: usize,
    /// Links whose runbook succeeded.
    pub links_succeeded: usize,
    /// Links whose runbook could not start.
    pub links_not_run: usize,
    /// Topics selected, all links together.
    pub topics: usize,
    /// Topics at their end state.
    pub done: usize,
    /// Topics validated by a dry run.
    pub planned: usize,
    /// Topics accepted and not waited for.
    pub accepted: usize,
    /// Topics that failed.
    pub failed: usize,
    /// Topics still on their way when the timeout came.
    pub timed_out: usize,
    /// Topics nothing was sent for.
    pub not_started: usize,
    /// Topics on their way when the run stopped watching.
    pub in_flight: usize,
    /// `mirrors:*` requests sent.
    pub action_requests: u32,
}

/// A fleet run's result: one [`LinkResult`] per link, and the totals.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FleetReport {
    /// Which runbook.
    pub kind: Kind,
    /// The DR cluster.
    pub cluster: String,
    /// Whether it was a dry run.
    pub dry_run: bool,
    /// By link name.
    pub links: BTreeMap<String, LinkResult>,
    /// What the run found that concerns no one link.
    pub warnings: Vec<String>,
    /// Whether it was interrupted ([`Fleet::interrupt_on`]).
    pub interrupted: bool,
    /// The counts over every link.
    pub totals: Totals,
    /// Time from start to end.
    #[serde(serialize_with = "super::report::seconds")]
    pub elapsed: Duration,
}

impl FleetReport {
    /// `true` when there was at least one link and every link's runbook
    /// ran and succeeded.
    pub fn succeeded(&self) -> bool {
        !self.links.is_empty() && self.links.values().all(LinkResult::succeeded)
    }

    /// The counts over every link.
    pub fn totals(&self) -> Totals {
        self.totals
    }

    /// The topics that did not succeed: link, topic, how it ended.
    pub fn failed(&self) -> Vec<(&str, &str, &TopicOutcome)> {
        self.links
            .iter()
            .filter_map(|(link, r)| match r {
                LinkResult::Ran(r) => Some((link, r)),
                LinkResult::NotRun { .. } => None,
            })
            .flat_map(|(link, r)| {
                r.failed()
                    .into_iter()
                    .map(move |(topic, why)| (link.as_str(), topic, why))
            })
            .collect()
    }

    /// The links whose runbook could not start, and why.
    pub fn not_run(&self) -> Vec<(&str, &str)> {
        self.links
            .iter()
            .filter_map(|(link, r)| match r {
                LinkResult::NotRun { error, .. } => Some((link.as_str(), error.as_str())),
                LinkResult::Ran(_) => None,
            })
            .collect()
    }

    /// The time from the start until the last topic of any link reached
    /// its end state.
    pub fn recovery_time(&self) -> Option<Duration> {
        self.links
            .values()
            .filter_map(|r| match r {
                LinkResult::Ran(r) => r.recovery_time(),
                LinkResult::NotRun { .. } => None,
            })
            .max()
    }
}

fn totals(links: &BTreeMap<String, LinkResult>) -> Totals {
    let mut t = Totals {
        links: links.len(),
        ..Totals::default()
    };
    for r in links.values() {
        let report = match r {
            LinkResult::Ran(report) => report,
            LinkResult::NotRun { .. } => {
                t.links_not_run += 1;
                continue;
            }
        };
        t.links_succeeded += usize::from(report.succeeded());
        t.action_requests += report.action_requests;
        for topic in report.topics.values() {
            t.topics += 1;
            let count = match topic.outcome {
                TopicOutcome::Done => &mut t.done,
                TopicOutcome::Planned => &mut t.planned,
                TopicOutcome::Accepted => &mut t.accepted,
                TopicOutcome::Failed { .. } => &mut t.failed,
                TopicOutcome::TimedOut { .. } => &mut t.timed_out,
                TopicOutcome::NotStarted { .. } => &mut t.not_started,
                TopicOutcome::InFlight { .. } => &mut t.in_flight,
            };
            *count += 1;
        }
    }
    t
}

/// One journal shared by every link's runbook: each line goes in whole.
struct SharedJournal<'a>(Arc<Mutex<Box<dyn Write + Send + 'a>>>);

impl Write for SharedJournal<'_> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let mut out = self.0.lock().unwrap_or_else(|p| p.into_inner());
        out.write_all(buf)?;
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.0.lock().unwrap_or_else(|p| p.into_inner()).flush()
    }
}

async fn run(f: Fleet<'_>) -> Result<FleetReport, Error> {
    let started = Instant::now();
    let deadline = started + f.settings.timeout;
    let (client, kind, cluster) = (f.client, f.kind, f.cluster);
    let mut warnings = Vec::new();
    let names = f.links.names(client, &cluster).await?;
    if names.is_empty() {
        warnings.push(format!("cluster {cluster} has no cluster link"));
    }
    let on_event = f.on_event.map(|cb| Arc::new(Mutex::new(cb)));
    let journal = f.journal.map(|j| Arc::new(Mutex::new(j)));
    let interrupt = f.interrupt.map(FutureExt::shared);
    let (settings, earlier) = (f.settings, f.earlier);
    let results: Vec<(String, Result<Report, Error>)> = futures_util::stream::iter(names)
        .map(|link| {
            let mut rb = Runbook::new(client, kind, cluster.clone(), link.clone());
            rb.settings = settings.clone();
            if let Some(cb) = on_event.clone() {
                let name = link.clone();
                rb = rb.on_event(move |e| (cb.lock().unwrap_or_else(|p| p.into_inner()))(&name, e));
            }
            if let Some(j) = journal.clone() {
                rb = rb.journal(SharedJournal(j));
            }
            if let Some(text) = &earlier {
                rb = rb.resume_from(text.clone());
            }
            if let Some(signal) = interrupt.clone() {
                rb = rb.interrupt_on(signal);
            }
            async move {
                // A link that waited for its turn has what is left of the
                // run's time, not the whole of it.
                rb.settings.timeout = deadline.saturating_duration_since(Instant::now());
                let result = rb.await;
                (link, result)
            }
        })
        .buffer_unordered(f.concurrency)
        .collect()
        .await;
    let links: BTreeMap<String, LinkResult> = results
        .into_iter()
        .map(|(link, result)| {
            let r = match result {
                Ok(report) => LinkResult::Ran(report),
                Err(e) => LinkResult::NotRun {
                    error: crate::error::one_line(&e.to_string(), usize::MAX),
                    status: e.status().map(|s| s.as_u16()),
                },
            };
            (link, r)
        })
        .collect();
    let interrupted = links
        .values()
        .any(|r| matches!(r, LinkResult::Ran(r) if r.interrupted));
    Ok(FleetReport {
        kind,
        dry_run: settings.dry_run,
        cluster,
        totals: totals(&links),
        links,
        warnings,
        interrupted,
        elapsed: started.elapsed(),
    })
}
