//! Waiting for state changes: mirror topics reaching a status (Confluent)
//! and mirrors reaching a status (Instaclustr, v1 and v2).
//!
//! A waiter is a builder that runs when awaited. It polls with a growing
//! interval until every item reaches the target, an item reaches a state it
//! cannot leave on its own, or the timeout passes; it reports progress
//! after each poll and returns one [`Outcome`] per item. Promote is
//! asynchronous (`ACTIVE` -> `PENDING_STOPPED` -> `STOPPED`), which is why a
//! DR runbook waits after it.
//!
//! ```no_run
//! use std::time::Duration;
//! use kafka_mirror::confluent::types::MirrorTopicStatus;
//!
//! # async fn run(c: kafka_mirror::confluent::Client) -> Result<(), kafka_mirror::Error> {
//! let report = c
//!     .wait_for_mirror_topics("lkc-dr", "primary-to-dr")
//!     .topics(["orders", "payments"])
//!     .until(MirrorTopicStatus::Stopped)
//!     .timeout(Duration::from_secs(600))
//!     .on_progress(|p| println!("{}/{} stopped", p.done, p.total))
//!     .await?;
//! for (topic, outcome) in &report.outcomes {
//!     println!("{topic}: {outcome:?}");
//! }
//! # Ok(()) }
//! ```

use std::collections::BTreeMap;
use std::future::{Future, IntoFuture};
use std::pin::Pin;
use std::time::Duration;

use tokio::time::Instant;

use crate::Error;
use crate::confluent::types::MirrorTopicStatus;
use crate::instaclustr::types::MirrorStatus;
use crate::instaclustr_v2::types::MirrorStatus as MirrorStatusV2;

/// How one item ended.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Outcome<S> {
    /// It reached the target.
    Reached,
    /// It reached a state it does not leave on its own.
    Failed {
        /// The state it is in.
        status: S,
    },
    /// The timeout passed first.
    TimedOut {
        /// The last state seen, if any.
        last: Option<S>,
    },
    /// It does not exist.
    Missing,
}

/// Progress, after each poll.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Progress<S> {
    /// Items decided (reached, failed or missing).
    pub done: usize,
    /// Items waited for.
    pub total: usize,
    /// The last state seen of each item.
    pub states: BTreeMap<String, S>,
    /// Time since the wait started.
    pub elapsed: Duration,
}

/// One outcome per item, and the time spent.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Report<S> {
    /// By item name.
    pub outcomes: BTreeMap<String, Outcome<S>>,
    /// Time spent waiting.
    pub elapsed: Duration,
}

impl<S> Report<S> {
    /// `true` when every item reached the target.
    pub fn all_reached(&self) -> bool {
        self.outcomes
            .values()
            .all(|o| matches!(o, Outcome::Reached))
    }

    /// The items that did not reach the target, with how they ended.
    pub fn not_reached(&self) -> Vec<(&str, &Outcome<S>)> {
        self.outcomes
            .iter()
            .filter(|(_, o)| !matches!(o, Outcome::Reached))
            .map(|(n, o)| (n.as_str(), o))
            .collect()
    }
}

type ProgressFn<'a, S> = Box<dyn FnMut(&Progress<S>) + Send + 'a>;
type WaitFuture<'a, S> = Pin<Box<dyn Future<Output = Result<Report<S>, Error>> + Send + 'a>>;

/// What both waiters are configured with.
struct Polling<'a, S> {
    /// `None`: every item found at the first poll.
    names: Option<Vec<String>>,
    target: S,
    timeout: Duration,
    initial_interval: Duration,
    max_interval: Duration,
    progress: Option<ProgressFn<'a, S>>,
}

impl<S> Polling<'_, S> {
    fn new(target: S) -> Self {
        Self {
            names: None,
            target,
            timeout: Duration::from_secs(300),
            initial_interval: Duration::from_secs(1),
            max_interval: Duration::from_secs(10),
            progress: None,
        }
    }
}

impl<S> std::fmt::Debug for Polling<'_, S>
where
    S: std::fmt::Debug,
{
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Polling")
            .field("names", &self.names)
            .field("target", &self.target)
            .field("timeout", &self.timeout)
            .field("initial_interval", &self.initial_interval)
            .field("max_interval", &self.max_interval)
            .finish_non_exhaustive()
    }
}

/// The setters both waiters share.
macro_rules! polling_setters {
    ($status:ty, $items:ident, $what:literal) => {
        #[doc = concat!("Waits for these ", $what, " only (default: every one found at the first poll).")]
        pub fn $items<I, T>(mut self, names: I) -> Self
        where
            I: IntoIterator<Item = T>,
            T: Into<String>,
        {
            self.polling.names = Some(names.into_iter().map(Into::into).collect());
            self
        }

        /// The status to wait for.
        pub fn until(mut self, status: $status) -> Self {
            self.polling.target = status;
            self
        }

        /// Gives up after `timeout` (default 5 minutes); the items not
        /// decided by then are [`Outcome::TimedOut`].
        pub fn timeout(mut self, timeout: Duration) -> Self {
            self.polling.timeout = timeout;
            self
        }

        /// The first wait between polls (default 1 s) and the longest
        /// (default 10 s); each wait is 1.5 times the previous one.
        pub fn poll_interval(mut self, initial: Duration, max: Duration) -> Self {
            self.polling.initial_interval = initial;
            self.polling.max_interval = max.max(initial);
            self
        }

        /// Called after each poll with the progress so far.
        pub fn on_progress(mut self, f: impl FnMut(&Progress<$status>) + Send + 'a) -> Self {
            self.polling.progress = Some(Box::new(f));
            self
        }
    };
}

/// Waits for mirror topics of a link to reach a status; built by
/// [`crate::confluent::Client::wait_for_mirror_topics`], run by `.await`.
///
/// A topic in `FAILED` or `LINK_FAILED`, or `STOPPED` while the target is
/// another status, has failed (a stopped mirror does not resume by
/// itself); a topic that is not a mirror of the link is
/// [`Outcome::Missing`]. Each poll lists the link's mirror topics once,
/// following pages.
#[must_use = "a waiter does nothing until awaited"]
#[derive(Debug)]
pub struct WaitForMirrorTopics<'a> {
    client: &'a crate::confluent::Client,
    cluster: String,
    link: String,
    polling: Polling<'a, MirrorTopicStatus>,
}

impl<'a> WaitForMirrorTopics<'a> {
    polling_setters!(MirrorTopicStatus, topics, "topics");
}

impl<'a> IntoFuture for WaitForMirrorTopics<'a> {
    type Output = Result<Report<MirrorTopicStatus>, Error>;
    type IntoFuture = WaitFuture<'a, MirrorTopicStatus>;

    fn into_future(self) -> Self::IntoFuture {
        let Self {
            client,
            cluster,
            link,
            polling,
        } = self;
        let target = polling.target.clone();
        let poll = move || {
            let (cluster, link) = (cluster.clone(), link.clone());
            async move {
                let all = client
                    .list_mirror_topics()
                    .cluster_id(cluster)
                    .link_name(link)
                    .collect_up_to(usize::MAX)
                    .await?;
                Ok(all
                    .into_iter()
                    .map(|t| (t.mirror_topic_name, t.mirror_status))
                    .collect())
            }
        };
        let decide = move |s: &MirrorTopicStatus| {
            if *s == target {
                Some(true)
            } else if matches!(
                s,
                MirrorTopicStatus::Failed
                    | MirrorTopicStatus::LinkFailed
                    | MirrorTopicStatus::Stopped
            ) {
                Some(false)
            } else {
                None
            }
        };
        Box::pin(wait(polling, poll, decide))
    }
}

/// Waits for Instaclustr mirrors to reach a status; built by
/// [`crate::instaclustr::Client::wait_for_mirrors`], run by `.await`.
///
/// `FAILED` is a terminal failure (unless it is the target); a mirror that
/// answers 404 is [`Outcome::Missing`]. Each poll gets each mirror once.
#[must_use = "a waiter does nothing until awaited"]
#[derive(Debug)]
pub struct WaitForMirrors<'a> {
    client: &'a crate::instaclustr::Client,
    cluster: uuid::Uuid,
    polling: Polling<'a, MirrorStatus>,
}

impl<'a> WaitForMirrors<'a> {
    polling_setters!(MirrorStatus, mirrors, "mirror ids");
}

impl<'a> IntoFuture for WaitForMirrors<'a> {
    type Output = Result<Report<MirrorStatus>, Error>;
    type IntoFuture = WaitFuture<'a, MirrorStatus>;

    fn into_future(self) -> Self::IntoFuture {
        let Self {
            client,
            cluster,
            polling,
        } = self;
        let target = polling.target.clone();
        let named = polling.names.clone();
        let poll = move || {
            let named = named.clone();
            async move {
                let ids = match named {
                    Some(ids) => ids,
                    None => {
                        let list = client.list_mirrors().cluster_id(cluster).send().await?;
                        list.into_inner()
                            .mirrors
                            .into_iter()
                            .filter_map(|m| m.id)
                            .collect()
                    }
                };
                let mut states = BTreeMap::new();
                for id in ids {
                    let got = client
                        .get_mirror()
                        .cluster_id(cluster)
                        .mirror_id(id.clone())
                        .send()
                        .await
                        .map(|m| m.into_inner().status);
                    record(&mut states, id, got)?;
                }
                Ok(states)
            }
        };
        Box::pin(wait(
            polling,
            poll,
            reached_or_failed(target, MirrorStatus::Failed),
        ))
    }
}

/// Waits for mirrors of Instaclustr's v2 API to reach a status; built by
/// [`crate::instaclustr_v2::Client::wait_for_mirrors`] or
/// [`crate::instaclustr_v2::Client::wait_for_mirror`], run by `.await`.
///
/// `FAILED` is a terminal failure (unless it is the target); a mirror that
/// answers 404 is [`Outcome::Missing`]; `OUT_OF_SYNC` and `STALE_TOPIC` are
/// waited through, as they can pass. Each poll gets each mirror once.
#[must_use = "a waiter does nothing until awaited"]
#[derive(Debug)]
pub struct WaitForMirrorsV2<'a> {
    client: &'a crate::instaclustr_v2::Client,
    /// Lists the mirrors when none are named.
    cluster: Option<uuid::Uuid>,
    polling: Polling<'a, MirrorStatusV2>,
}

impl<'a> WaitForMirrorsV2<'a> {
    polling_setters!(MirrorStatusV2, mirrors, "mirror ids");
}

impl<'a> IntoFuture for WaitForMirrorsV2<'a> {
    type Output = Result<Report<MirrorStatusV2>, Error>;
    type IntoFuture = WaitFuture<'a, MirrorStatusV2>;

    fn into_future(self) -> Self::IntoFuture {
        let Self {
            client,
            cluster,
            polling,
        } = self;
        let target = polling.target.clone();
        let named = polling.names.clone();
        let poll = move || {
            let named = named.clone();
            async move {
                let ids = match (named, cluster) {
                    (Some(ids), _) => ids,
                    (None, Some(cluster)) => {
                        let lists = client.list_mirrors().cluster_id(cluster).send().await?;
                        lists
                            .into_inner()
                            .into_iter()
                            .flat_map(|l| l.mirrors)
                            .filter_map(|m| m.id.map(|id| id.to_string()))
                            .collect()
                    }
                    (None, None) => Vec::new(),
                };
                let mut states = BTreeMap::new();
                for id in ids {
                    let uuid = uuid::Uuid::parse_str(&id).map_err(|_| {
                        Error::InvalidArgument(format!("mirror id `{id}` is not a UUID"))
                    })?;
                    let got = client
                        .get_mirror()
                        .mirror_id(uuid)
                        .send()
                        .await
                        .map(|m| m.into_inner().status);
                    record(&mut states, id, got)?;
                }
                Ok(states)
            }
        };
        Box::pin(wait(
            polling,
            poll,
            reached_or_failed(target, MirrorStatusV2::Failed),
        ))
    }
}

/// Records a mirror's status: a mirror that answers 404 is left out
/// (missing), one without a status has an empty unrecognized one.
fn record<S: From<&'static str>>(
    states: &mut BTreeMap<String, S>,
    id: String,
    got: Result<Option<S>, Error>,
) -> Result<(), Error> {
    match got {
        Ok(status) => {
            states.insert(id, status.unwrap_or_else(|| S::from("")));
            Ok(())
        }
        Err(e) if e.is_not_found() => Ok(()),
        Err(e) => Err(e),
    }
}

/// `decide` for Instaclustr mirrors: `target` reached, `failed` terminal
/// (unless it is the target), anything else still under way.
fn reached_or_failed<S: PartialEq>(target: S, failed: S) -> impl Fn(&S) -> Option<bool> {
    move |s| {
        if *s == target {
            Some(true)
        } else if *s == failed {
            Some(false)
        } else {
            None
        }
    }
}

/// The polling loop both waiters share. `poll` returns the current state of
/// each item (absent: missing); `decide` says whether a state is the target
/// (`Some(true)`), a terminal failure (`Some(false)`) or neither.
async fn wait<S, P, F>(
    mut polling: Polling<'_, S>,
    mut poll: P,
    decide: impl Fn(&S) -> Option<bool>,
) -> Result<Report<S>, Error>
where
    S: Clone,
    P: FnMut() -> F,
    F: Future<Output = Result<BTreeMap<String, S>, Error>>,
{
    let start = Instant::now();
    let mut outcomes: BTreeMap<String, Outcome<S>> = BTreeMap::new();
    let mut last: BTreeMap<String, S> = BTreeMap::new();
    let mut interval = polling.initial_interval;
    let mut names = polling.names.take();
    loop {
        let states = poll().await?;
        let names = names.get_or_insert_with(|| states.keys().cloned().collect());
        for name in names.iter() {
            if outcomes.contains_key(name) {
                continue;
            }
            let outcome = match states.get(name) {
                None => Some(Outcome::Missing),
                Some(s) => {
                    last.insert(name.clone(), s.clone());
                    match decide(s) {
                        Some(true) => Some(Outcome::Reached),
                        Some(false) => Some(Outcome::Failed { status: s.clone() }),
                        None => None,
                    }
                }
            };
            if let Some(outcome) = outcome {
                outcomes.insert(name.clone(), outcome);
            }
        }
        let elapsed = start.elapsed();
        if let Some(progress) = polling.progress.as_mut() {
            progress(&Progress {
                done: outcomes.len(),
                total: names.len(),
                states: last.clone(),
                elapsed,
            });
        }
        if outcomes.len() == names.len() {
            return Ok(Report { outcomes, elapsed });
        }
        if elapsed + interval > polling.timeout {
            for name in names.iter() {
                outcomes
                    .entry(name.clone())
                    .or_insert_with(|| Outcome::TimedOut {
                        last: last.get(name).cloned(),
                    });
            }
            return Ok(Report { outcomes, elapsed });
        }
        tokio::time::sleep(interval).await;
        interval = interval.mul_f64(1.5).min(polling.max_interval);
    }
}

impl crate::confluent::Client {
    /// Waits until mirror topics of `link` on `cluster` reach a status
    /// (default `STOPPED`, what promote and failover lead to). Configure
    /// with the setters of [`WaitForMirrorTopics`], then `.await` it.
    ///
    /// # Errors
    ///
    /// The waiter returns the first error of a poll (after the client's
    /// retries); a topic that fails or times out is an [`Outcome`], not an
    /// error.
    pub fn wait_for_mirror_topics(
        &self,
        cluster: impl Into<String>,
        link: impl Into<String>,
    ) -> WaitForMirrorTopics<'_> {
        WaitForMirrorTopics {
            client: self,
            cluster: cluster.into(),
            link: link.into(),
            polling: Polling::new(MirrorTopicStatus::Stopped),
        }
    }
}

impl crate::instaclustr::Client {
    /// Waits until mirrors of the Kafka Connect cluster `cluster` reach a
    /// status (default `IN_SYNC`). Configure with the setters of
    /// [`WaitForMirrors`], then `.await` it.
    ///
    /// # Errors
    ///
    /// The waiter returns the first error of a poll other than a 404 (after
    /// the client's retries); a mirror that fails or times out is an
    /// [`Outcome`], not an error.
    pub fn wait_for_mirrors(&self, cluster: uuid::Uuid) -> WaitForMirrors<'_> {
        WaitForMirrors {
            client: self,
            cluster,
            polling: Polling::new(MirrorStatus::InSync),
        }
    }
}

impl crate::instaclustr_v2::Client {
    /// Waits until mirrors of the Kafka Connect cluster `cluster` reach a
    /// status (default `IN_SYNC`). Configure with the setters of
    /// [`WaitForMirrorsV2`], then `.await` it.
    ///
    /// # Errors
    ///
    /// The waiter returns the first error of a poll other than a 404 (after
    /// the client's retries); a mirror that fails or times out is an
    /// [`Outcome`], not an error.
    pub fn wait_for_mirrors(&self, cluster: uuid::Uuid) -> WaitForMirrorsV2<'_> {
        WaitForMirrorsV2 {
            client: self,
            cluster: Some(cluster),
            polling: Polling::new(MirrorStatusV2::InSync),
        }
    }

    /// Waits until the mirror `mirror_id` is `IN_SYNC` (or another status
    /// given with `.until(..)`), `FAILED`, or the timeout passes.
    ///
    /// ```no_run
    /// # async fn run(i: kafka_mirror::instaclustr_v2::Client, id: uuid::Uuid) -> Result<(), kafka_mirror::Error> {
    /// let report = i.wait_for_mirror(id).timeout(std::time::Duration::from_secs(600)).await?;
    /// assert!(report.all_reached(), "{:?}", report.not_reached());
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    ///
    /// As [`Self::wait_for_mirrors`].
    pub fn wait_for_mirror(&self, mirror_id: uuid::Uuid) -> WaitForMirrorsV2<'_> {
        let mut polling = Polling::new(MirrorStatusV2::InSync);
        polling.names = Some(vec![mirror_id.to_string()]);
        WaitForMirrorsV2 {
            client: self,
            cluster: None,
            polling,
        }
    }
}
