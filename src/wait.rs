//! Waiting for state changes: mirror topics reaching a status (Confluent)
//! and mirrors reaching `IN_SYNC` (Instaclustr).
//!
//! Both poll with a growing interval until every item reaches the target,
//! an item reaches a state it cannot leave on its own, or the timeout
//! passes; they report progress through a callback and return one outcome
//! per item. Promote is asynchronous (`ACTIVE` -> `PENDING_STOPPED` ->
//! `STOPPED`), which is why a DR runbook waits after it.
//!
//! ```no_run
//! use kafka_mirror::confluent::types::MirrorTopicStatus;
//! use kafka_mirror::wait::WaitOptions;
//!
//! # async fn run(c: kafka_mirror::confluent::Client) -> Result<(), kafka_mirror::Error> {
//! let report = c
//!     .wait_for_mirror_status("lkc-dr", "primary-to-dr", &["orders", "payments"], MirrorTopicStatus::Stopped, WaitOptions::default(), |p| {
//!         println!("{}/{} stopped", p.done, p.total)
//!     })
//!     .await?;
//! for (topic, outcome) in &report.outcomes {
//!     println!("{topic}: {outcome:?}");
//! }
//! # Ok(()) }
//! ```

use std::collections::BTreeMap;
use std::time::Duration;

use tokio::time::Instant;

use crate::Error;
use crate::confluent::types::MirrorTopicStatus;

/// How long and how often to poll.
#[derive(Debug, Clone, PartialEq)]
pub struct WaitOptions {
    /// Give up after this long. Default 5 minutes.
    pub timeout: Duration,
    /// First wait between polls. Default 1 s.
    pub initial_interval: Duration,
    /// Longest wait between polls. Default 10 s.
    pub max_interval: Duration,
}

impl Default for WaitOptions {
    fn default() -> Self {
        Self {
            timeout: Duration::from_secs(300),
            initial_interval: Duration::from_secs(1),
            max_interval: Duration::from_secs(10),
        }
    }
}

impl WaitOptions {
    /// Gives up after `timeout`.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    fn next_interval(&self, current: Duration) -> Duration {
        current.mul_f64(1.5).min(self.max_interval)
    }
}

/// How one item ended.
#[derive(Debug, Clone, PartialEq)]
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

/// The polling loop both waiters share. `poll` returns the current state of
/// each item (absent: missing); `decide` says whether a state is the target
/// (`Some(true)`), a terminal failure (`Some(false)`) or neither.
async fn wait<S, P, F>(
    names: &[&str],
    opts: &WaitOptions,
    mut poll: P,
    decide: impl Fn(&S) -> Option<bool>,
    mut progress: impl FnMut(&Progress<S>),
) -> Result<Report<S>, Error>
where
    S: Clone,
    P: FnMut() -> F,
    F: std::future::Future<Output = Result<BTreeMap<String, S>, Error>>,
{
    let start = Instant::now();
    let mut outcomes: BTreeMap<String, Outcome<S>> = BTreeMap::new();
    let mut last: BTreeMap<String, S> = BTreeMap::new();
    let mut interval = opts.initial_interval;
    loop {
        let states = poll().await?;
        for name in names {
            if outcomes.contains_key(*name) {
                continue;
            }
            match states.get(*name) {
                None => {
                    outcomes.insert(name.to_string(), Outcome::Missing);
                }
                Some(s) => {
                    last.insert(name.to_string(), s.clone());
                    match decide(s) {
                        Some(true) => {
                            outcomes.insert(name.to_string(), Outcome::Reached);
                        }
                        Some(false) => {
                            outcomes
                                .insert(name.to_string(), Outcome::Failed { status: s.clone() });
                        }
                        None => {}
                    }
                }
            }
        }
        let elapsed = start.elapsed();
        progress(&Progress {
            done: outcomes.len(),
            total: names.len(),
            states: last.clone(),
            elapsed,
        });
        if outcomes.len() == names.len() {
            return Ok(Report { outcomes, elapsed });
        }
        if elapsed + interval > opts.timeout {
            for name in names {
                outcomes
                    .entry(name.to_string())
                    .or_insert_with(|| Outcome::TimedOut {
                        last: last.get(*name).cloned(),
                    });
            }
            return Ok(Report { outcomes, elapsed });
        }
        tokio::time::sleep(interval).await;
        interval = opts.next_interval(interval);
    }
}

impl crate::confluent::Client {
    /// Waits until every topic of `topics` on `link` has status `target`.
    ///
    /// A topic in `FAILED` or `LINK_FAILED`, or `STOPPED` while the target is
    /// another status, has failed (a stopped mirror does not resume by
    /// itself); a topic that is not a mirror of the link is `Missing`. Each
    /// poll lists the link's mirror topics once, following pages.
    pub async fn wait_for_mirror_status(
        &self,
        cluster: &str,
        link: &str,
        topics: &[&str],
        target: MirrorTopicStatus,
        opts: WaitOptions,
        progress: impl FnMut(&Progress<MirrorTopicStatus>),
    ) -> Result<Report<MirrorTopicStatus>, Error> {
        let poll = || async {
            let all = self
                .list_kafka_mirror_topics_under_link()
                .cluster_id(cluster)
                .link_name(link)
                .collect_up_to(usize::MAX)
                .await?;
            Ok(all
                .into_iter()
                .map(|t| (t.mirror_topic_name, t.mirror_status))
                .collect())
        };
        let decide = |s: &MirrorTopicStatus| {
            if *s == target {
                Some(true)
            } else if matches!(s, MirrorTopicStatus::Failed | MirrorTopicStatus::LinkFailed)
                || *s == MirrorTopicStatus::Stopped
            {
                Some(false)
            } else {
                None
            }
        };
        wait(topics, &opts, poll, decide, progress).await
    }
}

impl crate::instaclustr::Client {
    /// Waits until every mirror of `mirror_ids` on Kafka Connect cluster
    /// `cluster` is `IN_SYNC`. `FAILED` is a terminal failure; a mirror that
    /// does not exist (404) is `Missing`.
    pub async fn wait_until_in_sync(
        &self,
        cluster: uuid::Uuid,
        mirror_ids: &[&str],
        opts: WaitOptions,
        progress: impl FnMut(&Progress<String>),
    ) -> Result<Report<String>, Error> {
        let poll = || async {
            let mut states = BTreeMap::new();
            for id in mirror_ids {
                match self
                    .get_mirror()
                    .cluster_id(cluster)
                    .mirror_id(*id)
                    .send()
                    .await
                    .map_err(Error::from)
                {
                    Ok(m) => {
                        let status = m.status.as_ref().map(|s| s.to_string()).unwrap_or_default();
                        states.insert(id.to_string(), status);
                    }
                    Err(e) if e.is_not_found() => {}
                    Err(e) => return Err(e),
                }
            }
            Ok(states)
        };
        let decide = |s: &String| match s.as_str() {
            "IN_SYNC" => Some(true),
            "FAILED" => Some(false),
            _ => None,
        };
        wait(mirror_ids, &opts, poll, decide, progress).await
    }
}
