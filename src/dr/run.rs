//! The three runbooks, step by step.

use std::collections::{BTreeMap, BTreeSet};
use std::future::Future;
use std::time::Duration;

use tokio::time::Instant;

use super::report::{Action, Event, Kind, PartitionLag, Report, TopicOutcome, TopicReport};
use super::{EventFn, Runbook, Selection};
use crate::Error;
use crate::confluent::Client;
use crate::confluent::types::{
    AlterMirrorsRequestData, LinkState, LinkTaskState, ListMirrorTopicsResponseData as Topic,
    MirrorTopicStatus as S,
};

/// The link config that makes consumer offsets follow to the DR cluster.
const OFFSET_SYNC: &str = "consumer.offset.sync.enable";

/// A runbook under way.
struct Run<'a> {
    client: &'a Client,
    cluster: String,
    link: String,
    max_lag: u64,
    dry_run: bool,
    poll: (Duration, Duration),
    deadline: Instant,
    on_event: Option<EventFn<'a>>,
    report: Report,
}

pub(super) async fn run(rb: Runbook<'_>) -> Result<Report, Error> {
    let started = Instant::now();
    let pattern = match &rb.selection {
        Selection::Pattern(p) => Some(regex::Regex::new(p).map_err(|e| {
            Error::InvalidArgument(format!("--pattern `{p}` is not a regular expression: {e}"))
        })?),
        _ => None,
    };
    let mut run = Run {
        client: rb.client,
        cluster: rb.cluster.clone(),
        link: rb.link.clone(),
        max_lag: rb.max_lag,
        dry_run: rb.dry_run,
        poll: rb.poll,
        deadline: started + rb.timeout,
        on_event: rb.on_event,
        report: Report {
            kind: rb.kind,
            cluster: rb.cluster,
            link: rb.link,
            dry_run: rb.dry_run,
            topics: BTreeMap::new(),
            warnings: Vec::new(),
            stopped_early: None,
            elapsed: Duration::ZERO,
        },
    };
    run.emit(Event::Step(format!(
        "{}{} on link {} of cluster {}: reading its mirror topics",
        rb.kind,
        if rb.dry_run { " (dry run)" } else { "" },
        run.link,
        run.cluster
    )));
    let topics = run.list().await?;
    run.select(&topics, &rb.selection, pattern.as_ref());
    if run.report.topics.is_empty() {
        run.stop_early("no mirror topic of the link is selected".into());
    } else {
        match rb.kind {
            Kind::Switchover => run.switchover().await?,
            Kind::Failover => run.failover().await?,
            Kind::Failback => run.failback().await?,
        }
    }
    run.report.elapsed = started.elapsed();
    Ok(run.report)
}

impl Run<'_> {
    fn emit(&mut self, event: Event) {
        if let Some(f) = self.on_event.as_mut() {
            f(&event);
        }
    }

    fn warn(&mut self, warning: String) {
        self.emit(Event::Warning(warning.clone()));
        self.report.warnings.push(warning);
    }

    /// Ends the runbook before any action: every topic not yet decided is
    /// not started, for `reason`.
    fn stop_early(&mut self, reason: String) {
        for t in self.report.topics.values_mut() {
            if matches!(t.outcome, TopicOutcome::NotStarted { .. }) {
                t.outcome = TopicOutcome::NotStarted {
                    reason: reason.clone(),
                };
            }
        }
        self.emit(Event::Warning(format!("stopped before acting: {reason}")));
        self.report.stopped_early = Some(reason);
    }

    /// The link's mirror topics by name. (Not a `&self` method: the
    /// runbook's future must be `Send`, and `Run` holds a callback that
    /// is not `Sync`.)
    fn list(
        &self,
    ) -> impl Future<Output = Result<BTreeMap<String, Topic>, Error>> + Send + use<'_> {
        let request = self
            .client
            .list_mirror_topics()
            .cluster_id(self.cluster.clone())
            .link_name(self.link.clone());
        async move {
            let all = request.collect_up_to(usize::MAX).await?;
            Ok(all
                .into_iter()
                .map(|t| (t.mirror_topic_name.clone(), t))
                .collect())
        }
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
            let report = match topics.get(&name) {
                Some(t) => TopicReport {
                    status_before: Some(t.mirror_status.clone()),
                    lags: lags_of(t),
                    action: None,
                    statuses: vec![t.mirror_status.clone()],
                    messages_truncated: None,
                    outcome: TopicOutcome::NotStarted {
                        reason: "not reached".into(),
                    },
                },
                None => TopicReport {
                    status_before: None,
                    lags: Vec::new(),
                    action: None,
                    statuses: Vec::new(),
                    messages_truncated: None,
                    outcome: TopicOutcome::Failed {
                        reason: format!("not a mirror topic of link {}", self.link),
                        error_code: None,
                    },
                },
            };
            self.report.topics.insert(name, report);
        }
    }

    /// Topics still waiting for a decision whose status is one of `statuses`.
    fn pending_in(&self, statuses: &[S]) -> Vec<String> {
        self.report
            .topics
            .iter()
            .filter(|(_, t)| matches!(t.outcome, TopicOutcome::NotStarted { .. }))
            .filter(|(_, t)| {
                t.status_before
                    .as_ref()
                    .is_some_and(|s| statuses.contains(s))
            })
            .map(|(n, _)| n.clone())
            .collect()
    }

    fn decide(&mut self, name: &str, outcome: TopicOutcome) {
        if let Some(t) = self.report.topics.get_mut(name) {
            t.outcome = outcome;
        }
    }

    /// Every topic not yet decided and not in `statuses` fails: `action`
    /// cannot start from where it is.
    fn refuse_others(&mut self, statuses: &[S], action: &str) {
        let names: Vec<(String, String)> = self
            .report
            .topics
            .iter()
            .filter(|(_, t)| matches!(t.outcome, TopicOutcome::NotStarted { .. }))
            .filter_map(|(n, t)| {
                let s = t.status_before.as_ref()?;
                (!statuses.contains(s)).then(|| (n.clone(), s.to_string()))
            })
            .collect();
        for (name, status) in names {
            self.decide(
                &name,
                TopicOutcome::Failed {
                    reason: format!("it is {status}; {action}"),
                    error_code: None,
                },
            );
        }
    }

    async fn switchover(&mut self) -> Result<(), Error> {
        self.emit(Event::Step(
            "pre-flight checks: link state and tasks, consumer offset sync, topic states".into(),
        ));
        let link = self
            .client
            .get_link()
            .cluster_id(&self.cluster)
            .link_name(&self.link)
            .include_tasks(true)
            .send()
            .await?
            .into_inner();
        if let Some(state) = link
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
            self.stop_early(format!(
                "the link is {state}{why}; a switchover needs both clusters reachable (with the source down, run a failover)"
            ));
            return Ok(());
        }
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
        if !broken.is_empty() {
            self.stop_early(format!(
                "link task(s) in error: {}; fix them before switching over",
                broken.join(", ")
            ));
            return Ok(());
        }
        self.check_offset_sync().await?;
        let promotable = [S::Active, S::Paused];
        for name in self.pending_in(&[S::Stopped]) {
            self.decide(&name, TopicOutcome::Done);
        }
        self.refuse_others(&promotable, "promote needs ACTIVE or PAUSED");
        let mut candidates = self.pending_in(&promotable);
        if candidates.is_empty() {
            return Ok(());
        }
        if !self.lag_gate(&candidates).await? {
            return Ok(());
        }
        candidates = self.pending_in(&promotable);
        let accepted = self.act(Action::Promote, &candidates).await?;
        if !self.dry_run {
            self.watch(&accepted, |t| match t.mirror_status {
                S::Stopped => Some(Ok(())),
                S::Failed | S::LinkFailed => Some(Err(t.mirror_status.to_string())),
                _ => None,
            })
            .await?;
        }
        Ok(())
    }

    async fn check_offset_sync(&mut self) -> Result<(), Error> {
        // Every page: the list is paged like any other.
        let configs = self
            .client
            .list_link_configs()
            .cluster_id(&self.cluster)
            .link_name(&self.link)
            .collect_up_to(usize::MAX)
            .await?;
        let synced = configs
            .iter()
            .any(|c| c.name == OFFSET_SYNC && c.value.eq_ignore_ascii_case("true"));
        if !synced {
            self.warn(format!(
                "{OFFSET_SYNC} is not true on this link: consumer groups' offsets are not mirrored, so consumers moved to this cluster start from their own committed offsets (or their reset policy)"
            ));
        }
        Ok(())
    }

    /// Waits until the candidates' total lag is at most `max_lag`. A dry
    /// run looks once. `false`: the runbook stopped (timeout).
    async fn lag_gate(&mut self, candidates: &[String]) -> Result<bool, Error> {
        let started = Instant::now();
        let mut interval = self.poll.0;
        self.emit(Event::Step(format!(
            "lag gate: waiting until the total lag of {} topic(s) is at most {}",
            candidates.len(),
            self.max_lag
        )));
        loop {
            let topics = self.list().await?;
            let mut total: u64 = 0;
            for name in candidates {
                if let (Some(t), Some(r)) = (topics.get(name), self.report.topics.get_mut(name)) {
                    r.lags = lags_of(t);
                    total += r.total_lag() as u64;
                }
            }
            self.emit(Event::Lag {
                total,
                max: self.max_lag,
                waited: started.elapsed(),
            });
            if total <= self.max_lag {
                return Ok(true);
            }
            if self.dry_run {
                self.warn(format!(
                    "the total lag is {total}, above the gate of {}: a real run would wait for it",
                    self.max_lag
                ));
                return Ok(true);
            }
            if Instant::now() + interval > self.deadline {
                self.stop_early(format!(
                    "the total lag was still {total} (gate: {}) when the timeout came, after {:.0} s; nothing was promoted",
                    self.max_lag,
                    started.elapsed().as_secs_f64()
                ));
                return Ok(false);
            }
            tokio::time::sleep(interval).await;
            interval = interval.mul_f64(1.5).min(self.poll.1);
        }
    }

    async fn failover(&mut self) -> Result<(), Error> {
        self.emit(Event::Step("pre-flight: link state".into()));
        let link = self
            .client
            .get_link()
            .cluster_id(&self.cluster)
            .link_name(&self.link)
            .send()
            .await?
            .into_inner();
        if link.link_state == Some(LinkState::Active) {
            self.warn("the link is ACTIVE, so the source looks reachable: a switchover would wait for the lag and lose nothing".into());
        }
        for name in self.pending_in(&[S::Stopped]) {
            self.decide(&name, TopicOutcome::Done);
        }
        let candidates: Vec<String> = self
            .report
            .topics
            .iter()
            .filter(|(_, t)| matches!(t.outcome, TopicOutcome::NotStarted { .. }))
            .map(|(n, _)| n.clone())
            .collect();
        if candidates.is_empty() {
            return Ok(());
        }
        let lost: i64 = candidates
            .iter()
            .filter_map(|n| self.report.topics.get(n))
            .map(TopicReport::total_lag)
            .sum();
        self.emit(Event::Step(format!(
            "failing over {} topic(s); their last known lag, {lost} message(s), may never reach this cluster",
            candidates.len()
        )));
        let accepted = self.act(Action::Failover, &candidates).await?;
        if !self.dry_run {
            self.watch(&accepted, |t| match t.mirror_status {
                S::Stopped => Some(Ok(())),
                _ => None,
            })
            .await?;
        }
        Ok(())
    }

    async fn failback(&mut self) -> Result<(), Error> {
        let reversible = [S::Active, S::Paused];
        let restorable = [S::Stopped];
        // A restore already under way is only waited for.
        let restoring = self.pending_in(&[S::PendingRestore, S::PendingSetupForRestore]);
        self.refuse_others(
            &[S::Active, S::Paused, S::Stopped, S::PendingRestore, S::PendingSetupForRestore],
            "failback starts from ACTIVE or PAUSED (reverse-and-start) or STOPPED (truncate-and-restore)",
        );
        let reverse = self.pending_in(&reversible);
        let restore = self.pending_in(&restorable);
        let mut reversed = Vec::new();
        if !reverse.is_empty() {
            self.emit(Event::Step(format!(
                "reverse-and-start {} topic(s) still mirroring: they stop here and the other cluster mirrors them",
                reverse.len()
            )));
            reversed = self.act(Action::ReverseAndStart, &reverse).await?;
        }
        let mut restored = restoring;
        if !restore.is_empty() {
            self.emit(Event::Step(format!(
                "truncate-and-restore {} stopped topic(s): each is cut back to where it left the source and mirrors it again",
                restore.len()
            )));
            restored.extend(self.act(Action::TruncateAndRestore, &restore).await?);
        }
        if self.dry_run {
            return Ok(());
        }
        let max_lag = self.max_lag as i64;
        let reversed: BTreeSet<String> = reversed.into_iter().collect();
        let all: Vec<String> = reversed.iter().cloned().chain(restored).collect();
        self.watch(&all, move |t| {
            let lag: i64 = t.mirror_lags.iter().map(|l| l.lag.max(0)).sum();
            match (&t.mirror_status, reversed.contains(&t.mirror_topic_name)) {
                (S::Stopped, true) => Some(Ok(())),
                (S::Active, false) if lag <= max_lag => Some(Ok(())),
                (S::Failed | S::LinkFailed, _) => Some(Err(t.mirror_status.to_string())),
                _ => None,
            }
        })
        .await
    }

    /// Sends `action` for `names` (`validate_only` in a dry run) and
    /// records each topic's answer. Returns the names it was accepted for.
    async fn act(&mut self, action: Action, names: &[String]) -> Result<Vec<String>, Error> {
        if names.is_empty() {
            return Ok(Vec::new());
        }
        self.emit(Event::Step(format!(
            "{}{action}: {}",
            if self.dry_run { "validate " } else { "" },
            names.join(", ")
        )));
        let body = AlterMirrorsRequestData {
            mirror_topic_names: names.to_vec(),
            mirror_topic_name_pattern: None,
        };
        let (c, cluster, link, dry) = (self.client, &self.cluster, &self.link, self.dry_run);
        // The four actions' builders differ only in their method.
        macro_rules! alter {
            ($method:ident $(, $extra:ident)?) => {
                c.$method()
                    .cluster_id(cluster)
                    .link_name(link)
                    .validate_only(dry)
                    $(.$extra(true))?
                    .body(body)
                    .send()
                    .await
            };
        }
        let answer = match action {
            Action::Promote => alter!(promote_mirror_topics),
            Action::Failover => alter!(failover_mirror_topics),
            Action::ReverseAndStart => alter!(reverse_and_start_mirror_topics),
            Action::TruncateAndRestore => alter!(
                truncate_and_restore_mirror_topics,
                include_partition_level_truncation_data
            ),
        }?
        .into_inner();
        let mut accepted = Vec::new();
        for name in names {
            let item = answer.data.iter().find(|i| i.mirror_topic_name == *name);
            let Some(t) = self.report.topics.get_mut(name) else {
                continue;
            };
            t.action = Some(action);
            match item {
                Some(i) if crate::runtime::item_failed(&i.error_code, &i.error_message) => {
                    t.outcome = TopicOutcome::Failed {
                        reason: i
                            .error_message
                            .clone()
                            .unwrap_or_else(|| format!("{action} refused")),
                        error_code: i.error_code,
                    };
                }
                Some(i) => {
                    t.messages_truncated = i.messages_truncated;
                    if dry {
                        t.outcome = TopicOutcome::Planned;
                    }
                    accepted.push(name.clone());
                }
                None => {
                    t.outcome = TopicOutcome::Failed {
                        reason: format!("the answer to {action} does not mention it"),
                        error_code: None,
                    };
                }
            }
        }
        Ok(accepted)
    }

    /// Polls the link's mirror topics until each of `names` is decided by
    /// `decide` (`Ok`: done; `Err`: failed in that state), or the deadline.
    async fn watch(
        &mut self,
        names: &[String],
        decide: impl Fn(&Topic) -> Option<Result<(), String>>,
    ) -> Result<(), Error> {
        let mut open: BTreeSet<String> = names.iter().cloned().collect();
        let total = open.len();
        if total == 0 {
            return Ok(());
        }
        self.emit(Event::Step(format!("waiting for {total} topic(s)")));
        let mut interval = self.poll.0;
        loop {
            let topics = self.list().await?;
            for name in open.clone() {
                let Some(t) = topics.get(&name) else {
                    open.remove(&name);
                    self.decide(
                        &name,
                        TopicOutcome::Failed {
                            reason: "it is no longer a mirror topic of the link".into(),
                            error_code: None,
                        },
                    );
                    continue;
                };
                let lag: i64 = t.mirror_lags.iter().map(|l| l.lag.max(0)).sum();
                let changed = self.report.topics.get_mut(&name).is_some_and(|r| {
                    let new = r.statuses.last() != Some(&t.mirror_status);
                    if new {
                        r.statuses.push(t.mirror_status.clone());
                    }
                    new
                });
                if changed {
                    self.emit(Event::Topic {
                        name: name.clone(),
                        status: t.mirror_status.clone(),
                        lag,
                    });
                }
                match decide(t) {
                    Some(Ok(())) => {
                        open.remove(&name);
                        self.decide(&name, TopicOutcome::Done);
                    }
                    Some(Err(state)) => {
                        open.remove(&name);
                        self.decide(
                            &name,
                            TopicOutcome::Failed {
                                reason: format!("it went {state}"),
                                error_code: None,
                            },
                        );
                    }
                    None => {}
                }
            }
            self.emit(Event::Progress {
                done: total - open.len(),
                total,
            });
            if open.is_empty() {
                return Ok(());
            }
            if Instant::now() + interval > self.deadline {
                for name in open {
                    let last = self
                        .report
                        .topics
                        .get(&name)
                        .and_then(|r| r.statuses.last().cloned());
                    self.decide(&name, TopicOutcome::TimedOut { last });
                }
                return Ok(());
            }
            tokio::time::sleep(interval).await;
            interval = interval.mul_f64(1.5).min(self.poll.1);
        }
    }
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
