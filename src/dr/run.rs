//! The runbooks, carried out: read, check, classify each topic
//! ([`plan::start`]), the lag gate, the actions with their lost answers
//! resolved by reading back, one poll loop for every wait, and the report
//! made at the end from each topic's [`Phase`].
//!
//! Once an action request has gone out, nothing here returns `Err`: a
//! failed request is a [`RunError`] and a per-topic outcome, a failed read
//! is counted and read again at the next interval, and only the deadline
//! or an interrupt ends a wait.

use std::collections::{BTreeMap, BTreeSet};
use std::future::Future;
use std::time::Duration;

use futures_util::TryStreamExt;
use futures_util::future::{Either, select};
use serde_json::json;
use tokio::time::Instant;

use super::journal::{Journal, round_ms};
use super::plan::{self, Arrival, Failure, Read, Start};
use super::report::{
    Event, Kind, LostAnswer, MirrorAction, PartitionLag, Report, RunError, Stage, Stages,
    TopicOutcome, TopicReport,
};
use super::{EventFn, Interrupt, Runbook, Selection};
use crate::Error;
use crate::confluent::Client;
use crate::confluent::types::{
    AlterMirrorsRequestData, LinkState, LinkTaskState, ListLinksResponseData as LinkData,
    ListMirrorTopicsResponseData as Topic, MirrorTopicStatus,
};

/// The link config that makes consumer offsets follow to the DR cluster.
const OFFSET_SYNC: &str = "consumer.offset.sync.enable";
/// How much longer each wait between polls is than the one before: a
/// complete read costs a request per page of the link, so its polls thin
/// out fast; a waypoint read costs one, so its polls start at half the
/// first interval and thin out slowly, staying close to when the topics
/// are due (ten links polling every half second cost 20 requests a second
/// only while nothing else is left to do; after 20 polls, about 30 s, they
/// are 3 s apart).
const COMPLETE_GROWTH: f64 = 1.5;
const WAYPOINT_GROWTH: f64 = 1.1;

/// Where a topic is while the runbook runs. The report's
/// [`TopicOutcome`] is made from it at the end ([`Run::finish`]).
#[derive(Debug, Clone, PartialEq)]
enum Phase {
    /// To be sent this action, once the runbook gets there.
    Selected(MirrorAction),
    /// Its action request is out, no answer yet.
    Sent(MirrorAction),
    /// Its request got no usable answer: to be read back.
    AnswerLost(MirrorAction),
    /// Its action was accepted (by the answer, a read-back or an earlier
    /// run): on its way to the end state.
    InFlight(MirrorAction),
    /// Dry run: the service would accept its action.
    Planned,
    /// At its end state.
    Done,
    /// Refused, or in a state it does not leave by itself.
    Failed {
        reason: String,
        error_code: Option<i64>,
    },
    /// Decided before anything was sent for it: not to act.
    NotStarted(String),
}

/// One topic: its phase and what the report will say of it.
struct Tracked {
    phase: Phase,
    /// Whether the runbook waited (or would have) for it to arrive.
    awaited: bool,
    report: TopicReport,
}

/// How a poll loop ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Polled {
    Reached,
    Deadline,
    Interrupted,
}

/// What a poll loop waits for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Goal {
    /// The total lag of the topics about to be promoted is at most
    /// `max_lag` (a dry run looks once).
    Lag,
    /// One complete read, to resolve lost answers.
    ReadBack,
    /// Every topic in flight has arrived or is stuck.
    Arrive,
}

/// A runbook under way.
struct Run<'a> {
    client: &'a Client,
    kind: Kind,
    cluster: String,
    link: String,
    max_lag: u64,
    dry_run: bool,
    wait: bool,
    max_resends: u32,
    poll: (Duration, Duration),
    started: Instant,
    deadline: Instant,
    on_event: Option<EventFn<'a>>,
    journal: Journal<'a>,
    interrupt: Option<Interrupt<'a>>,
    /// The actions earlier, unfinished runs had accepted, by topic
    /// ([`super::Runbook::resume_from`]).
    earlier: BTreeMap<String, MirrorAction>,
    interrupted: bool,
    topics: BTreeMap<String, Tracked>,
    warnings: Vec<String>,
    stopped_early: Option<String>,
    errors: Vec<RunError>,
    failed_polls: u32,
    last_poll_error: Option<String>,
    last_poll_failed: bool,
    action_requests: u32,
    stages: Stages,
    gate_started: Instant,
    rng: fastrand::Rng,
}

pub(super) async fn run(rb: Runbook<'_>) -> Result<Report, Error> {
    let started = Instant::now();
    let pattern = match &rb.settings.selection {
        Selection::Pattern(p) => Some(regex::Regex::new(p).map_err(|e| {
            Error::InvalidArgument(format!(
                "the topic pattern `{p}` is not a regular expression: {e}"
            ))
        })?),
        _ => None,
    };
    // Read before the fields move into the run.
    let earlier = rb
        .earlier
        .as_deref()
        .map(|text| {
            super::journal::accepted_earlier(text, &rb.kind.to_string(), &rb.cluster, &rb.link)
        })
        .unwrap_or_default();
    let link = rb.link;
    let mut run = Run {
        client: rb.client,
        kind: rb.kind,
        cluster: rb.cluster,
        journal: Journal::new(rb.journal, started, &link),
        link,
        max_lag: rb.settings.max_lag,
        dry_run: rb.settings.dry_run,
        wait: rb.settings.wait,
        max_resends: rb.settings.max_resends,
        poll: rb.settings.poll,
        started,
        deadline: started + rb.settings.timeout,
        on_event: rb.on_event,
        interrupt: rb.interrupt,
        earlier,
        interrupted: false,
        topics: BTreeMap::new(),
        warnings: Vec::new(),
        stopped_early: None,
        errors: Vec::new(),
        failed_polls: 0,
        last_poll_error: None,
        last_poll_failed: false,
        action_requests: 0,
        stages: Stages::default(),
        gate_started: started,
        rng: fastrand::Rng::new(),
    };
    run.journal.write(
        "start",
        json!({"kind": run.kind, "cluster": run.cluster, "link": run.link, "dry_run": run.dry_run}),
    );
    run.emit(Event::Step(format!(
        "{}{} on link {} of cluster {}: reading its mirror topics",
        run.kind,
        if run.dry_run { " (dry run)" } else { "" },
        run.link,
        run.cluster
    )));
    let (c, cluster, link) = (run.client, run.cluster.clone(), run.link.clone());
    let read = run
        .read_before_acting(
            "mirrors",
            move || list(c, cluster.clone(), link.clone()),
            |topics| Some(topics.len()),
        )
        .await;
    let Some(topics) = read? else {
        run.stopped_early = Some("interrupted before anything was sent".into());
        return Ok(run.finish());
    };
    run.select(&topics, &rb.settings.selection, pattern.as_ref());
    if run.topics.is_empty() {
        run.stop_early("no mirror topic of the link is selected".into());
    } else if run.preflight().await? {
        run.classify();
    }
    run.stages.preflight = started.elapsed();
    // With nothing to promote, the gate passes at once without a read.
    if run.kind == Kind::Switchover && !run.lag_gate().await {
        return Ok(run.finish());
    }
    run.act().await;
    if !run.dry_run && run.wait {
        let t = Instant::now();
        run.wait_for_arrivals().await;
        run.stages.wait = t.elapsed();
    }
    Ok(run.finish())
}

/// The link's mirror topics by name. (A free function: the runbook's
/// future must be `Send`, and `Run` holds a callback that is not `Sync`.)
fn list(
    client: &Client,
    cluster: String,
    link: String,
) -> impl Future<Output = Result<BTreeMap<String, Topic>, Error>> + Send + '_ {
    let request = client
        .list_mirror_topics()
        .cluster_id(cluster)
        .link_name(link);
    async move {
        let all = request.collect_up_to(usize::MAX).await?;
        Ok(all
            .into_iter()
            .map(|t| (t.mirror_topic_name.clone(), t))
            .collect())
    }
}

/// The link's mirror topics in `status`, page by page until a page shows
/// one of `awaited` (or the list ends): enough to know that one is still
/// on its way, at the cost of one request while any is.
fn list_in(
    client: &Client,
    cluster: String,
    link: String,
    status: MirrorTopicStatus,
    awaited: BTreeSet<String>,
) -> impl Future<Output = Result<BTreeMap<String, Topic>, Error>> + Send + '_ {
    let mut pages = client
        .list_mirror_topics()
        .cluster_id(cluster)
        .link_name(link)
        .mirror_status(status)
        .pages();
    async move {
        let mut seen = BTreeMap::new();
        while let Some(page) = pages.try_next().await? {
            let found = page
                .data
                .iter()
                .any(|t| awaited.contains(&t.mirror_topic_name));
            seen.extend(
                page.data
                    .into_iter()
                    .map(|t| (t.mirror_topic_name.clone(), t)),
            );
            if found {
                break;
            }
        }
        Ok(seen)
    }
}

fn lag_of(t: &Topic) -> i64 {
    t.mirror_lags.iter().map(|l| l.lag.max(0)).sum()
}

fn lags_of(t: &Topic) -> Vec<PartitionLag> {
    t.mirror_lags
        .iter()
        .map(|l| PartitionLag {
            partition: l.partition,
            lag: l.lag,
        })
        .collect()
}

/// An error on one line, for the report and the journal.
fn line(e: &Error) -> String {
    crate::error::one_line(&e.to_string(), usize::MAX)
}

impl<'a> Run<'a> {
    fn emit(&mut self, event: Event) {
        if let Some(f) = self.on_event.as_mut() {
            f(&event);
        }
    }

    fn warn(&mut self, warning: String) {
        self.emit(Event::Warning(warning.clone()));
        self.warnings.push(warning);
    }

    /// No action will be sent: every topic still to be sent one is not
    /// started, for `reason`. Topics already in flight are still waited for.
    fn stop_early(&mut self, reason: String) {
        for t in self.topics.values_mut() {
            if matches!(t.phase, Phase::Selected(_)) {
                t.phase = Phase::NotStarted(reason.clone());
            }
        }
        self.emit(Event::Warning(format!("stopped before acting: {reason}")));
        self.journal
            .write("stopped_before_acting", json!({"reason": reason}));
        self.stopped_early = Some(reason);
    }

    /// Interrupted during the pre-flight checks: nothing is sent, and
    /// topics in flight are classified so the report shows them.
    fn interrupted_before_acting(&mut self) {
        self.classify();
        self.stop_early("interrupted before anything was sent".into());
    }

    fn path(&self, tail: &str) -> String {
        let path = format!("/kafka/v3/clusters/{}/links/{}", self.cluster, self.link);
        if tail.is_empty() {
            path
        } else {
            format!("{path}/{tail}")
        }
    }

    fn record_error(&mut self, stage: Stage, e: &Error) {
        self.errors.push(RunError {
            stage,
            message: line(e),
            status: e.status().map(|s| s.as_u16()),
            attempts: e.attempts(),
            at: self.started.elapsed(),
        });
    }

    /// `fut`, unless the interrupt comes first (`None`; also at once when
    /// it came earlier).
    async fn interruptible<T>(&mut self, fut: impl Future<Output = T>) -> Option<T> {
        if self.interrupted {
            return None;
        }
        let Some(interrupt) = self.interrupt.as_mut() else {
            return Some(fut.await);
        };
        let fut = std::pin::pin!(fut);
        match select(fut, interrupt.as_mut()).await {
            Either::Left((out, _)) => Some(out),
            Either::Right(((), _)) => {
                self.interrupted = true;
                self.interrupt = None;
                self.emit(Event::Warning(
                    "interrupted: no further action is sent".into(),
                ));
                self.journal.write("interrupted", json!({}));
                None
            }
        }
    }

    /// Sleeps `d` with ±20% jitter (so many runbooks do not poll in step),
    /// never past the deadline. `false`: interrupted.
    async fn pause(&mut self, d: Duration) -> bool {
        let jittered = d.mul_f64(0.8 + 0.4 * self.rng.f64());
        let wake = (Instant::now() + jittered).min(self.deadline);
        self.interruptible(tokio::time::sleep_until(wake))
            .await
            .is_some()
    }

    /// One read of the link's mirror topics, journaled.
    async fn read(&mut self) -> Option<Result<BTreeMap<String, Topic>, Error>> {
        let fut = list(self.client, self.cluster.clone(), self.link.clone());
        self.read_once("mirrors", fut, |topics| Some(topics.len()))
            .await
    }

    /// One waypoint read ([`plan::Read::Waypoint`]), journaled.
    async fn read_waypoint(
        &mut self,
        status: MirrorTopicStatus,
    ) -> Option<Result<BTreeMap<String, Topic>, Error>> {
        let awaited = self
            .topics
            .iter()
            .filter(|(_, t)| matches!(t.phase, Phase::InFlight(_)))
            .map(|(n, _)| n.clone())
            .collect();
        let what = format!("mirrors?mirror_status={status}");
        let fut = list_in(
            self.client,
            self.cluster.clone(),
            self.link.clone(),
            status,
            awaited,
        );
        self.read_once(&what, fut, |topics| Some(topics.len()))
            .await
    }

    /// One GET of the link's `what` (a path tail: `""` for the link
    /// itself), journaled with what it sent and, where `count` gives one,
    /// how many topics it read. `None`: interrupted.
    async fn read_once<T>(
        &mut self,
        what: &str,
        fut: impl Future<Output = Result<T, Error>>,
        count: fn(&T) -> Option<usize>,
    ) -> Option<Result<T, Error>> {
        let t = Instant::now();
        // Boxed: the list's future is large, and unboxed it would sit in
        // every future that awaits a read, up to the runbook's own.
        let fut = Box::pin(crate::call::observed(fut));
        let (result, seen) = self.interruptible(fut).await?;
        let mut fields = json!({
            "method": "GET", "path": self.path(what), "pages": seen.calls,
            "attempts": seen.attempts, "status": seen.status,
            "elapsed": round_ms(t.elapsed()),
        });
        match &result {
            Ok(v) => {
                if let Some(n) = count(v) {
                    fields["topics"] = json!(n);
                }
            }
            Err(e) => fields["error"] = json!(line(e)),
        }
        self.journal.write("request", fields);
        Some(result)
    }

    /// A pre-flight read (the topics, the link, its configs): a failure
    /// that will not pass by itself (no such link, no permission) is
    /// returned; others are read again until the deadline. `Ok(None)`:
    /// interrupted, nothing sent.
    async fn read_before_acting<T, F, Fut>(
        &mut self,
        what: &str,
        make: F,
        count: fn(&T) -> Option<usize>,
    ) -> Result<Option<T>, Error>
    where
        F: Fn() -> Fut,
        Fut: Future<Output = Result<T, Error>>,
    {
        let mut interval = self.poll.0;
        loop {
            let Some(result) = self.read_once(what, make(), count).await else {
                return Ok(None);
            };
            match result {
                Ok(v) => return Ok(Some(v)),
                Err(e) if e.is_permanent() || Instant::now() >= self.deadline => {
                    return Err(e);
                }
                Err(e) => self.poll_failed(&e),
            }
            if !self.pause(interval).await {
                return Ok(None);
            }
            interval = interval.mul_f64(1.5).min(self.poll.1);
        }
    }

    /// A pre-flight read of the link or its configs, which says nothing of
    /// topics.
    async fn read_link_info<T, F, Fut>(&mut self, what: &str, make: F) -> Result<Option<T>, Error>
    where
        F: Fn() -> Fut,
        Fut: Future<Output = Result<T, Error>>,
    {
        self.read_before_acting(what, make, |_| None).await
    }

    fn poll_failed(&mut self, e: &Error) {
        self.failed_polls += 1;
        self.last_poll_failed = true;
        let error = line(e);
        self.last_poll_error = Some(error.clone());
        self.emit(Event::PollFailed {
            error,
            failed: self.failed_polls,
        });
    }

    fn select(
        &mut self,
        topics: &BTreeMap<String, Topic>,
        selection: &Selection,
        pattern: Option<&regex::Regex>,
    ) {
        let names: Vec<String> = match selection {
            Selection::Names(names) => names.clone(),
            Selection::Pattern(_) => topics
                .keys()
                .filter(|n| pattern.is_some_and(|p| p.is_match(n)))
                .cloned()
                .collect(),
            Selection::All => topics.keys().cloned().collect(),
        };
        for name in names {
            let found = topics.get(&name);
            let phase = match found {
                // Classified once the pre-flight checks have passed.
                Some(_) => Phase::NotStarted("not reached".into()),
                None => Phase::Failed {
                    reason: format!("not a mirror topic of link {}", self.link),
                    error_code: None,
                },
            };
            let report = TopicReport {
                status_before: found.map(|t| t.mirror_status.clone()),
                lags: found.map(lags_of).unwrap_or_default(),
                action: None,
                requests: 0,
                resumed: false,
                lost_answers: Vec::new(),
                statuses: found
                    .map(|t| vec![t.mirror_status.clone()])
                    .unwrap_or_default(),
                messages_truncated: None,
                reached_after: None,
                outcome: TopicOutcome::Done,
            };
            let tracked = Tracked {
                phase,
                awaited: false,
                report,
            };
            self.topics.insert(name, tracked);
        }
    }

    /// Each found topic's start ([`plan::start`]).
    fn classify(&mut self) {
        let kind = self.kind;
        for (name, t) in self.topics.iter_mut() {
            if t.phase != Phase::NotStarted("not reached".into()) {
                continue;
            }
            let Some(status) = t.report.status_before.clone() else {
                continue;
            };
            let earlier = self.earlier.get(name).copied();
            t.phase = match plan::resume(kind, &status, earlier) {
                Start::Done if earlier.is_some_and(|a| plan::on_path(a, &status)) => {
                    t.report.action = earlier;
                    t.report.resumed = true;
                    Phase::Done
                }
                Start::Done => Phase::Done,
                Start::Await(a) => {
                    t.report.action = Some(a);
                    t.report.resumed = true;
                    t.awaited = true;
                    Phase::InFlight(a)
                }
                Start::Send(a) => Phase::Selected(a),
                Start::Refuse(why) => Phase::Failed {
                    reason: format!("it is {status}; {why}"),
                    error_code: None,
                },
            };
        }
        let resumed: Vec<String> = self
            .topics
            .iter()
            .filter(|(_, t)| t.report.resumed)
            .map(|(n, _)| n.clone())
            .collect();
        if !resumed.is_empty() {
            self.emit(Event::Step(format!(
                "{} topic(s) already on their way from an earlier run, waited for and not sent again: {}",
                resumed.len(),
                resumed.join(", ")
            )));
        }
    }

    /// The topics to be sent an action, by name.
    fn to_send(&self) -> Vec<String> {
        self.topics
            .iter()
            .filter(|(_, t)| matches!(t.phase, Phase::Selected(_)))
            .map(|(n, _)| n.clone())
            .collect()
    }

    /// The checks of each runbook before it acts. `Ok(false)`: the topics
    /// are not to be classified (nothing will be sent or awaited).
    async fn preflight(&mut self) -> Result<bool, Error> {
        match self.kind {
            Kind::Switchover => self.switchover_checks().await,
            Kind::Failover => self.failover_checks().await,
            Kind::Failback | Kind::Action(_) => Ok(true),
        }
    }

    async fn get_link(&mut self, tasks: bool) -> Result<Option<LinkData>, Error> {
        let (c, cluster, link) = (self.client, self.cluster.clone(), self.link.clone());
        self.read_link_info("", move || {
            let request = c
                .get_link()
                .cluster_id(cluster.clone())
                .link_name(link.clone())
                .include_tasks(tasks);
            async move { request.send().await.map(|r| r.into_inner()) }
        })
        .await
    }

    async fn switchover_checks(&mut self) -> Result<bool, Error> {
        self.emit(Event::Step(
            "pre-flight checks: link state and tasks, consumer offset sync, topic states".into(),
        ));
        let Some(link) = self.get_link(true).await? else {
            self.interrupted_before_acting();
            return Ok(false);
        };
        // Topics already promoted are waited for whatever the link's state:
        // the checks only stop what has not been sent.
        let stop = if let Some(state) = link
            .link_state
            .as_ref()
            .filter(|s| **s != LinkState::Active)
        {
            let why = link
                .link_error_message
                .clone()
                .or_else(|| link.link_error.as_ref().map(|e| e.to_string()))
                .map(|m| format!(" ({m})"))
                .unwrap_or_default();
            Some(format!(
                "the link is {state}{why}; a switchover needs both clusters reachable (with the source down, run a failover)"
            ))
        } else {
            let broken: Vec<String> = link
                .tasks
                .iter()
                .flatten()
                .filter(|t| t.state == LinkTaskState::InError)
                .map(|t| {
                    let errors: Vec<String> = t
                        .errors
                        .iter()
                        .map(|e| format!("{}: {}", e.error_code, e.error_message))
                        .collect();
                    format!("{} ({})", t.task_name, errors.join("; "))
                })
                .collect();
            (!broken.is_empty()).then(|| {
                format!(
                    "link task(s) in error: {}; fix them before switching over",
                    broken.join(", ")
                )
            })
        };
        if let Some(reason) = stop {
            self.classify();
            self.stop_early(reason);
            return Ok(false);
        }
        if !self.check_offset_sync().await? {
            self.interrupted_before_acting();
            return Ok(false);
        }
        Ok(true)
    }

    /// `Ok(false)`: interrupted.
    async fn check_offset_sync(&mut self) -> Result<bool, Error> {
        let (c, cluster, link) = (self.client, self.cluster.clone(), self.link.clone());
        // Every page: the list is paged like any other.
        let Some(configs) = self
            .read_link_info("configs", move || {
                c.list_link_configs()
                    .cluster_id(cluster.clone())
                    .link_name(link.clone())
                    .collect_up_to(usize::MAX)
            })
            .await?
        else {
            return Ok(false);
        };
        let synced = configs
            .iter()
            .any(|c| c.name == OFFSET_SYNC && c.value.eq_ignore_ascii_case("true"));
        if !synced {
            self.warn(format!(
                "{OFFSET_SYNC} is not true on this link: consumer groups' offsets are not mirrored, so consumers moved to this cluster start from their own committed offsets (or their reset policy)"
            ));
        }
        Ok(true)
    }

    async fn failover_checks(&mut self) -> Result<bool, Error> {
        self.emit(Event::Step("pre-flight: link state".into()));
        let Some(link) = self.get_link(false).await? else {
            self.interrupted_before_acting();
            return Ok(false);
        };
        if link.link_state == Some(LinkState::Active) {
            self.warn("the link is ACTIVE, so the source looks reachable: a switchover would wait for the lag and lose nothing".into());
        }
        Ok(true)
    }

    /// Waits until the total lag of the topics to promote is at most
    /// `max_lag`. `false`: the runbook stopped (timeout or interrupt); the
    /// report is all that is left to make.
    async fn lag_gate(&mut self) -> bool {
        let candidates = self.to_send();
        if candidates.is_empty() {
            return true;
        }
        let t = Instant::now();
        self.gate_started = t;
        // The pre-flight read is a moment old: when its lags already pass
        // the gate, the gate costs no read.
        let total = self.total_lag_to_send();
        if total <= self.max_lag {
            self.emit(Event::Lag {
                total,
                max: self.max_lag,
                waited: Duration::ZERO,
            });
            return true;
        }
        self.emit(Event::Step(format!(
            "lag gate: waiting until the total lag of {} topic(s) is at most {}",
            candidates.len(),
            self.max_lag
        )));
        let polled = self.poll(Goal::Lag).await;
        self.stages.lag_gate = t.elapsed();
        match polled {
            Polled::Reached => true,
            Polled::Interrupted => {
                self.stop_early("interrupted during the lag gate; nothing was promoted".into());
                false
            }
            Polled::Deadline => {
                let total = self.total_lag_to_send();
                self.stop_early(format!(
                    "the total lag was still {total} (gate: {}) when the timeout came, after {:.0} s; nothing was promoted",
                    self.max_lag,
                    t.elapsed().as_secs_f64()
                ));
                false
            }
        }
    }

    fn total_lag_to_send(&self) -> u64 {
        self.topics
            .values()
            .filter(|t| matches!(t.phase, Phase::Selected(_)))
            .map(|t| t.report.total_lag() as u64)
            .sum()
    }

    /// Sends every selected topic its action; reads back after lost
    /// answers and sends again what did not move, until nothing is left to
    /// send, the deadline, or an interrupt.
    async fn act(&mut self) {
        let t = Instant::now();
        loop {
            let mut groups: BTreeMap<MirrorAction, Vec<String>> = BTreeMap::new();
            for (name, tracked) in &self.topics {
                if let Phase::Selected(a) = tracked.phase {
                    groups.entry(a).or_default().push(name.clone());
                }
            }
            if groups.is_empty() || self.interrupted {
                break;
            }
            if Instant::now() >= self.deadline {
                self.stop_early("the timeout came before the action could be sent".into());
                break;
            }
            for (action, names) in groups {
                if self.interrupted {
                    break;
                }
                self.send(action, &names).await;
            }
            if !self
                .topics
                .values()
                .any(|t| matches!(t.phase, Phase::AnswerLost(_)))
            {
                continue;
            }
            if self.poll(Goal::ReadBack).await != Polled::Reached {
                break;
            }
        }
        if self.interrupted {
            for t in self.topics.values_mut() {
                if matches!(t.phase, Phase::Selected(_)) {
                    t.phase = Phase::NotStarted("interrupted before it was sent".into());
                }
            }
        }
        self.stages.action += t.elapsed();
    }

    /// Sends `action` for `names` (`validate_only` in a dry run), once, and
    /// records what the answer says of each.
    async fn send(&mut self, action: MirrorAction, names: &[String]) {
        self.emit(Event::Step(format!(
            "{}{action}: {}",
            if self.dry_run { "validate " } else { "" },
            names.join(", ")
        )));
        for name in names {
            if let Some(t) = self.topics.get_mut(name) {
                t.phase = Phase::Sent(action);
                t.report.action = Some(action);
                t.report.requests += 1;
            }
        }
        self.action_requests += 1;
        let t = Instant::now();
        let body = AlterMirrorsRequestData {
            mirror_topic_names: names.to_vec(),
            mirror_topic_name_pattern: None,
        };
        let request =
            self.client
                .alter_mirrors(&self.cluster, &self.link, action, body, self.dry_run);
        // The runbook's timeout bounds the request, retries included; one
        // cut off is a lost answer, read back like any other.
        let request = crate::call::by(self.deadline, request);
        let (answer, seen) = crate::call::observed(Box::pin(request)).await;
        let mut results = serde_json::Map::new();
        // Topics to read back, by what made their answer unusable.
        let mut lost: BTreeMap<String, Vec<String>> = BTreeMap::new();
        match answer {
            Ok(answer) => {
                for name in names {
                    let item = answer.data.iter().find(|i| i.mirror_topic_name == *name);
                    let Some(t) = self.topics.get_mut(name) else {
                        continue;
                    };
                    let result = match item {
                        Some(i) if crate::runtime::item_failed(&i.error_code, &i.error_message) => {
                            let reason = i
                                .error_message
                                .clone()
                                .unwrap_or_else(|| format!("{action} refused"));
                            match plan::item_failure(i.error_code) {
                                Failure::Refused => {
                                    let r = json!({"refused": reason, "error_code": i.error_code});
                                    t.phase = Phase::Failed {
                                        reason,
                                        error_code: i.error_code,
                                    };
                                    r
                                }
                                Failure::Lost => {
                                    let r = json!({"failed": reason, "error_code": i.error_code});
                                    t.phase = Phase::AnswerLost(action);
                                    let code =
                                        i.error_code.map(|c| format!(" ({c})")).unwrap_or_default();
                                    lost.entry(format!(
                                        "the answer says it failed{code}: {reason}"
                                    ))
                                    .or_default()
                                    .push(name.clone());
                                    r
                                }
                            }
                        }
                        Some(i) => {
                            if i.messages_truncated.is_some() {
                                t.report.messages_truncated = i.messages_truncated;
                            }
                            t.awaited = true;
                            t.phase = if self.dry_run {
                                Phase::Planned
                            } else {
                                Phase::InFlight(action)
                            };
                            json!("accepted")
                        }
                        // An answer that leaves a topic out says nothing
                        // of it: read it back like a lost answer.
                        None => {
                            t.phase = Phase::AnswerLost(action);
                            lost.entry("the answer does not mention it".into())
                                .or_default()
                                .push(name.clone());
                            json!("not in the answer")
                        }
                    };
                    results.insert(name.clone(), result);
                }
                for (why, names) in lost {
                    self.lost(action, &names, why);
                }
            }
            Err(e) => {
                self.record_error(Stage::Action, &e);
                let error = line(&e);
                match plan::failure(&e) {
                    Failure::Refused => {
                        for name in names {
                            if let Some(t) = self.topics.get_mut(name) {
                                t.phase = Phase::Failed {
                                    reason: error.clone(),
                                    error_code: e.error_code(),
                                };
                            }
                        }
                    }
                    Failure::Lost => {
                        for name in names {
                            if let Some(t) = self.topics.get_mut(name) {
                                t.phase = Phase::AnswerLost(action);
                            }
                        }
                        self.lost(action, names, error.clone());
                    }
                }
                results.insert("error".into(), json!(error));
            }
        }
        let path = self.path(action.path_suffix());
        self.journal.write(
            "request",
            json!({
                "method": "POST", "path": path, "topics": names,
                "validate_only": self.dry_run, "status": seen.status,
                "attempts": seen.attempts, "elapsed": round_ms(t.elapsed()),
                "results": results,
            }),
        );
    }

    /// Records a lost answer for `names`.
    fn lost(&mut self, action: MirrorAction, names: &[String], error: String) {
        for name in names {
            if let Some(t) = self.topics.get_mut(name) {
                t.report.lost_answers.push(LostAnswer {
                    action,
                    error: error.clone(),
                    read_back: None,
                    applied: false,
                });
            }
        }
        self.emit(Event::AnswerLost {
            action,
            topics: names.to_vec(),
            error,
        });
    }

    async fn wait_for_arrivals(&mut self) {
        let total = self.topics.values().filter(|t| t.awaited).count();
        if total == 0 {
            return;
        }
        self.emit(Event::Step(format!("waiting for {total} topic(s)")));
        // A topic sent its action a moment ago is on its way, not there: a
        // read now would cost requests and show nothing. Topics resumed from
        // an earlier run may be there already, and are read at once.
        let sent_now = self
            .topics
            .values()
            .any(|t| matches!(t.phase, Phase::InFlight(_)) && t.report.requests > 0);
        if sent_now && !self.pause(self.poll.0).await {
            return;
        }
        self.poll(Goal::Arrive).await;
    }

    /// The one poll loop: reads the topics ([`plan::next_read`]), updates
    /// each ([`Self::observe`]), until `goal`, the deadline or an
    /// interrupt. A read that fails is counted and read again at the next
    /// interval.
    async fn poll(&mut self, goal: Goal) -> Polled {
        // Each kind of read has its own interval (see COMPLETE_GROWTH).
        let mut complete_interval = self.poll.0;
        let mut waypoint_interval = self.poll.0 / 2;
        let mut waypoint_empty = false;
        loop {
            let read = match goal {
                Goal::Arrive => plan::next_read(self.in_flight_actions(), waypoint_empty),
                Goal::Lag | Goal::ReadBack => Read::Complete,
            };
            let interval = match read {
                Read::Complete => {
                    waypoint_empty = false;
                    let Some(result) = self.read().await else {
                        return Polled::Interrupted;
                    };
                    match result {
                        Ok(topics) => {
                            self.last_poll_failed = false;
                            if self.observe(&topics, goal, true) {
                                return Polled::Reached;
                            }
                        }
                        Err(e) => self.poll_failed(&e),
                    }
                    let now = complete_interval;
                    complete_interval = now.mul_f64(COMPLETE_GROWTH).min(self.poll.1);
                    now
                }
                Read::Waypoint(status) => {
                    let Some(result) = self.read_waypoint(status).await else {
                        return Polled::Interrupted;
                    };
                    match result {
                        Ok(topics) => {
                            self.last_poll_failed = false;
                            let awaited_seen = topics.keys().any(|n| {
                                self.topics
                                    .get(n)
                                    .is_some_and(|t| matches!(t.phase, Phase::InFlight(_)))
                            });
                            self.observe(&topics, goal, false);
                            if !awaited_seen {
                                // None is left in the waypoint: read where
                                // they went now, not after a pause.
                                waypoint_empty = true;
                                continue;
                            }
                        }
                        Err(e) => self.poll_failed(&e),
                    }
                    let now = waypoint_interval;
                    waypoint_interval = now.mul_f64(WAYPOINT_GROWTH).min(self.poll.1);
                    now
                }
            };
            if Instant::now() >= self.deadline {
                return Polled::Deadline;
            }
            if !self.pause(interval).await {
                return Polled::Interrupted;
            }
        }
    }

    /// The actions of the topics in flight.
    fn in_flight_actions(&self) -> Vec<MirrorAction> {
        self.topics
            .values()
            .filter_map(|t| match t.phase {
                Phase::InFlight(a) => Some(a),
                _ => None,
            })
            .collect()
    }

    /// What a read shows: statuses, lags, arrivals, read-backs. `true`
    /// when `goal` is met, which only a `complete` read (every topic of
    /// the link) can tell: a topic missing from a waypoint read has only
    /// left the waypoint, and one missing from a complete read is no longer
    /// a mirror topic of the link.
    fn observe(&mut self, topics: &BTreeMap<String, Topic>, goal: Goal, complete: bool) -> bool {
        let elapsed = self.started.elapsed();
        let (max_lag, kind, max_resends) = (self.max_lag, self.kind, self.max_resends);
        let mut events = Vec::new();
        let mut journal = Vec::new();
        for (name, t) in self.topics.iter_mut() {
            let Some(seen) = topics.get(name) else {
                if complete && matches!(t.phase, Phase::InFlight(_) | Phase::AnswerLost(_)) {
                    t.phase = Phase::Failed {
                        reason: "it is no longer a mirror topic of the link".into(),
                        error_code: None,
                    };
                }
                continue;
            };
            let status = &seen.mirror_status;
            let lag = lag_of(seen);
            if t.report.statuses.last() != Some(status) {
                t.report.statuses.push(status.clone());
                events.push(Event::Topic {
                    name: name.clone(),
                    status: status.clone(),
                    lag,
                });
                journal.push((
                    "status",
                    json!({"topic": name, "status": status, "lag": lag}),
                ));
            }
            if matches!(t.phase, Phase::Selected(_)) {
                t.report.lags = lags_of(seen);
            }
            if let Phase::AnswerLost(action) = t.phase {
                let applied = plan::on_path(action, status);
                if let Some(last) = t.report.lost_answers.last_mut() {
                    last.read_back = Some(status.clone());
                    last.applied = applied;
                }
                events.push(Event::ReadBack {
                    name: name.clone(),
                    status: status.clone(),
                    applied,
                });
                journal.push((
                    "read_back",
                    json!({"topic": name, "action": action, "status": status, "applied": applied}),
                ));
                t.phase = if applied {
                    t.awaited = true;
                    Phase::InFlight(action)
                } else if t.report.requests <= max_resends {
                    Phase::Selected(action)
                } else {
                    Phase::Failed {
                        reason: format!(
                            "{} {action} request(s) got no usable answer, and the topic has not moved ({status})",
                            t.report.requests
                        ),
                        error_code: None,
                    }
                };
            }
            if let Phase::InFlight(action) = t.phase {
                let limit = matches!(kind, Kind::Failback).then_some(max_lag);
                match plan::arrival(action, status, lag, limit) {
                    Arrival::Arrived => {
                        t.phase = Phase::Done;
                        t.report.reached_after = Some(elapsed);
                    }
                    Arrival::Stuck => {
                        t.phase = Phase::Failed {
                            reason: format!("it went {status}"),
                            error_code: None,
                        };
                    }
                    Arrival::OnTheWay => {}
                }
            }
        }
        for (event, fields) in journal {
            self.journal.write(event, fields);
        }
        for e in events {
            self.emit(e);
        }
        let awaited = self.topics.values().filter(|t| t.awaited).count();
        let open = self
            .topics
            .values()
            .filter(|t| matches!(t.phase, Phase::InFlight(_)))
            .count();
        if awaited > 0 {
            self.emit(Event::Progress {
                done: awaited - open,
                total: awaited,
            });
        }
        if !complete {
            return false;
        }
        match goal {
            Goal::ReadBack => true,
            Goal::Arrive => open == 0,
            Goal::Lag => {
                let total = self.total_lag_to_send();
                self.emit(Event::Lag {
                    total,
                    max: self.max_lag,
                    waited: self.gate_started.elapsed(),
                });
                if total <= self.max_lag {
                    return true;
                }
                if self.dry_run {
                    self.warn(format!(
                        "the total lag is {total}, above the gate of {}: a real run would wait for it",
                        self.max_lag
                    ));
                    return true;
                }
                false
            }
        }
    }

    /// The report, made from each topic's phase.
    fn finish(mut self) -> Report {
        let (interrupted, dry_run, wait) = (self.interrupted, self.dry_run, self.wait);
        let last_poll_failed = self.last_poll_failed;
        let stopped = self.stopped_early.clone();
        let topics: BTreeMap<String, TopicReport> = std::mem::take(&mut self.topics)
            .into_iter()
            .map(|(name, t)| {
                let last = t.report.statuses.last().cloned();
                let outcome = match t.phase {
                    Phase::Done => TopicOutcome::Done,
                    Phase::Planned => TopicOutcome::Planned,
                    Phase::Failed { reason, error_code } => {
                        TopicOutcome::Failed { reason, error_code }
                    }
                    Phase::NotStarted(reason) => TopicOutcome::NotStarted { reason },
                    Phase::Selected(_) => TopicOutcome::NotStarted {
                        reason: stopped.clone().unwrap_or_else(|| "not reached".into()),
                    },
                    Phase::InFlight(_) if interrupted || dry_run => TopicOutcome::InFlight { last },
                    Phase::InFlight(_) if !wait => TopicOutcome::Accepted,
                    Phase::InFlight(_) => TopicOutcome::TimedOut {
                        last,
                        last_poll_failed,
                    },
                    Phase::Sent(a) | Phase::AnswerLost(a) => TopicOutcome::Failed {
                        reason: format!(
                            "its {a} request got no usable answer and it could not be read back {}: whether it was applied is unknown; run the runbook again to find out",
                            if interrupted { "before the interrupt" } else { "before the timeout" }
                        ),
                        error_code: None,
                    },
                };
                (name, TopicReport { outcome, ..t.report })
            })
            .collect();
        let report = Report {
            kind: self.kind,
            cluster: self.cluster,
            link: self.link,
            dry_run,
            topics,
            warnings: self.warnings,
            stopped_early: self.stopped_early,
            interrupted,
            errors: self.errors,
            failed_polls: self.failed_polls,
            last_poll_error: self.last_poll_error,
            action_requests: self.action_requests,
            stages: self.stages,
            elapsed: self.started.elapsed(),
        };
        let mut outcomes = serde_json::Map::new();
        for (name, t) in &report.topics {
            outcomes.insert(name.clone(), json!(t.outcome.to_string()));
        }
        self.journal.write(
            "end",
            json!({
                "succeeded": report.succeeded(), "interrupted": interrupted,
                "action_requests": report.action_requests, "failed_polls": report.failed_polls,
                "elapsed": round_ms(report.elapsed), "outcomes": outcomes,
            }),
        );
        let mut report = report;
        if let Some(e) = self.journal.failed.take() {
            report.warnings.push(format!(
                "the journal could not be written from some point on: {e}"
            ));
        }
        report
    }
}
