//! Waiting for state changes: the polling core every waiter shares. The
//! waiters themselves live with their vendors:
//! [`crate::confluent::Client::wait_for_mirror_topics`],
//! [`crate::instaclustr::Client::wait_for_mirrors`] and
//! [`crate::instaclustr_v2::Client::wait_for_mirrors`].
//!
//! A waiter is a [`Wait`] builder that runs when awaited. It polls with a
//! growing, jittered interval until every item reaches the target, an item
//! reaches a state it cannot leave on its own, or the timeout passes; it
//! reports progress after each poll and returns one [`Outcome`] per item.
//! A poll that fails for a reason that may pass (no answer, a 5xx, a
//! throttle past the retry policy) is counted and polled again at the next
//! interval: only the timeout ends a wait. Promote is asynchronous
//! (`ACTIVE` -> `PENDING_STOPPED` -> `STOPPED`), which is why a DR runbook
//! waits after it.
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
        /// Whether the last poll failed, so `last` may be out of date
        /// ([`Report::last_poll_error`] says why).
        last_poll_failed: bool,
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
    /// Items waited for (0 until a poll has listed them, when none were
    /// named).
    pub total: usize,
    /// The last state seen of each item.
    pub states: BTreeMap<String, S>,
    /// Polls that failed so far.
    pub failed_polls: u32,
    /// Time since the wait started.
    pub elapsed: Duration,
}

/// One outcome per item, the time spent, and the polls that failed.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Report<S> {
    /// By item name.
    pub outcomes: BTreeMap<String, Outcome<S>>,
    /// Time spent waiting.
    pub elapsed: Duration,
    /// Polls that failed and were polled again.
    pub failed_polls: u32,
    /// The last failed poll's error, on one line.
    pub last_poll_error: Option<String>,
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

/// The state of each item found by one poll (an item left out is missing).
pub(crate) type PollFuture<'a, S> =
    Pin<Box<dyn Future<Output = Result<BTreeMap<String, S>, Error>> + Send + 'a>>;
/// One poll, given the names waited for (`None`: every item it finds).
pub(crate) type PollFn<'a, S> =
    Box<dyn FnMut(Option<Vec<String>>) -> PollFuture<'a, S> + Send + 'a>;
type ProgressFn<'a, S> = Box<dyn FnMut(&Progress<S>) + Send + 'a>;

/// What a state means against the target: reached (`Some(true)`), a
/// state the item does not leave on its own (`Some(false)`), or neither.
pub(crate) type DecideFn<S> = fn(status: &S, target: &S) -> Option<bool>;

/// A waiter: configure it with its setters, then `.await` it. Each
/// vendor's client builds one (see the [module docs](self)).
#[must_use = "a waiter does nothing until awaited"]
pub struct Wait<'a, S> {
    /// `None`: every item found at the first poll.
    names: Option<Vec<String>>,
    target: S,
    timeout: Duration,
    initial_interval: Duration,
    max_interval: Duration,
    progress: Option<ProgressFn<'a, S>>,
    poll: PollFn<'a, S>,
    decide: DecideFn<S>,
}

impl<S: std::fmt::Debug> std::fmt::Debug for Wait<'_, S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Wait")
            .field("names", &self.names)
            .field("target", &self.target)
            .field("timeout", &self.timeout)
            .field("initial_interval", &self.initial_interval)
            .field("max_interval", &self.max_interval)
            .finish_non_exhaustive()
    }
}

impl<'a, S> Wait<'a, S> {
    /// A waiter for `target` that polls with `poll` and judges states with
    /// `decide`; 5 minutes, polls from 1 s to 10 s apart.
    pub(crate) fn new(target: S, poll: PollFn<'a, S>, decide: DecideFn<S>) -> Self {
        Self {
            names: None,
            target,
            timeout: Duration::from_secs(300),
            initial_interval: Duration::from_secs(1),
            max_interval: Duration::from_secs(10),
            progress: None,
            poll,
            decide,
        }
    }

    /// Waits for these items only (default: every one found at the first
    /// poll). The vendors' waiters name this `topics` or `mirrors`.
    pub fn items<I, T>(mut self, names: I) -> Self
    where
        I: IntoIterator<Item = T>,
        T: Into<String>,
    {
        self.names = Some(names.into_iter().map(Into::into).collect());
        self
    }

    /// The status to wait for.
    pub fn until(mut self, status: S) -> Self {
        self.target = status;
        self
    }

    /// Gives up after `timeout` (default 5 minutes); the items not decided
    /// by then are [`Outcome::TimedOut`].
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// The first wait between polls (default 1 s) and the longest (default
    /// 10 s); each wait is 1.5 times the previous one, varied by up to 20%
    /// either way so that many waiters do not poll in step.
    pub fn poll_interval(mut self, initial: Duration, max: Duration) -> Self {
        self.initial_interval = initial;
        self.max_interval = max.max(initial);
        self
    }

    /// Called after each poll, failed or not, with the progress so far.
    pub fn on_progress(mut self, f: impl FnMut(&Progress<S>) + Send + 'a) -> Self {
        self.progress = Some(Box::new(f));
        self
    }
}

impl<'a, S> IntoFuture for Wait<'a, S>
where
    S: Clone + Send + 'a,
{
    type Output = Result<Report<S>, Error>;
    type IntoFuture = Pin<Box<dyn Future<Output = Self::Output> + Send + 'a>>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(wait(self))
    }
}

/// What the loop has learned so far.
struct Seen<S> {
    outcomes: BTreeMap<String, Outcome<S>>,
    last: BTreeMap<String, S>,
    failed_polls: u32,
    last_poll_error: Option<String>,
    last_poll_failed: bool,
}

impl<S: Clone> Seen<S> {
    /// Records one successful poll of `names`.
    fn observe(
        &mut self,
        names: &[String],
        states: &BTreeMap<String, S>,
        target: &S,
        decide: DecideFn<S>,
    ) {
        self.last_poll_failed = false;
        for name in names {
            if self.outcomes.contains_key(name) {
                continue;
            }
            let outcome = match states.get(name) {
                None => Some(Outcome::Missing),
                Some(s) => {
                    self.last.insert(name.clone(), s.clone());
                    match decide(s, target) {
                        Some(true) => Some(Outcome::Reached),
                        Some(false) => Some(Outcome::Failed { status: s.clone() }),
                        None => None,
                    }
                }
            };
            if let Some(outcome) = outcome {
                self.outcomes.insert(name.clone(), outcome);
            }
        }
    }

    fn report(self, elapsed: Duration) -> Report<S> {
        Report {
            outcomes: self.outcomes,
            elapsed,
            failed_polls: self.failed_polls,
            last_poll_error: self.last_poll_error,
        }
    }
}

/// The polling loop every waiter shares.
async fn wait<S: Clone>(mut w: Wait<'_, S>) -> Result<Report<S>, Error> {
    let start = Instant::now();
    let mut rng = fastrand::Rng::new();
    let mut seen = Seen {
        outcomes: BTreeMap::new(),
        last: BTreeMap::new(),
        failed_polls: 0,
        last_poll_error: None,
        last_poll_failed: false,
    };
    let mut interval = w.initial_interval;
    let mut names = w.names.take();
    loop {
        // The wait after this poll, varied so that waiters do not poll in
        // step.
        let pause = interval.mul_f64(0.8 + 0.4 * rng.f64());
        match (w.poll)(names.clone()).await {
            Ok(states) => {
                let names = names.get_or_insert_with(|| states.keys().cloned().collect());
                seen.observe(names, &states, &w.target, w.decide);
            }
            // It would fail the same way at every poll.
            Err(e) if e.is_permanent() => return Err(e),
            Err(e) => {
                seen.failed_polls += 1;
                seen.last_poll_failed = true;
                seen.last_poll_error = Some(crate::error::one_line(&e.to_string(), usize::MAX));
                let out_of_time = start.elapsed() + pause > w.timeout;
                // Nothing is known of what to wait for: an empty report
                // would read as "all reached".
                if names.is_none() && out_of_time {
                    return Err(e);
                }
            }
        }
        let elapsed = start.elapsed();
        let total = names.as_ref().map_or(0, Vec::len);
        if let Some(progress) = w.progress.as_mut() {
            progress(&Progress {
                done: seen.outcomes.len(),
                total,
                states: seen.last.clone(),
                failed_polls: seen.failed_polls,
                elapsed,
            });
        }
        if let Some(names) = &names {
            if seen.outcomes.len() == names.len() {
                return Ok(seen.report(elapsed));
            }
            if elapsed + pause > w.timeout {
                for name in names {
                    let timed_out = Outcome::TimedOut {
                        last: seen.last.get(name).cloned(),
                        last_poll_failed: seen.last_poll_failed,
                    };
                    seen.outcomes.entry(name.clone()).or_insert(timed_out);
                }
                return Ok(seen.report(elapsed));
            }
        }
        tokio::time::sleep(pause).await;
        interval = interval.mul_f64(1.5).min(w.max_interval);
    }
}

/// A [`DecideFn`]'s answer: `target` reached, one of `finals` (a state
/// the item does not leave on its own, unless it is the target), or
/// neither.
pub(crate) fn reached_or_final<S: PartialEq>(status: &S, target: &S, finals: &[S]) -> Option<bool> {
    if status == target {
        Some(true)
    } else if finals.contains(status) {
        Some(false)
    } else {
        None
    }
}

/// Records one item's state read by a poll that gets items one by one: an
/// item that answers 404 is left out (missing), one without a status has
/// an empty, unrecognized one.
///
/// # Errors
///
/// Any other error of the read, for the loop to judge.
pub(crate) fn record<S: From<&'static str>>(
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
