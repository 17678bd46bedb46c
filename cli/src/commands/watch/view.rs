//! What `kmirror mirror watch` shows, as pure functions of the samples it
//! has taken: rows worst first, each topic's lag trend, what changed since
//! the last refresh. The terminal loop only draws it.

use std::collections::{BTreeMap, VecDeque};

use kafka_mirror::confluent::types::MirrorTopicStatus as S;
use kafka_mirror::health::{HealthReport, LinkObservation};
use serde::Serialize;

/// One link above the table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LinkRow {
    pub link: String,
    pub state: String,
    /// `AclSync IN_ERROR: CODE: message`, one per task in error.
    pub task_errors: Vec<String>,
}

/// One mirror topic of the table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TopicRow {
    pub link: String,
    pub topic: String,
    pub status: String,
    pub lag: u64,
    /// Its status or lag changed since the previous refresh.
    pub changed: bool,
    /// Its last lag samples, oldest first.
    pub trend: Vec<u64>,
}

/// A whole screen's content (`-o json` when not on a terminal).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Snapshot {
    pub cluster: String,
    pub checked_at_ms: u64,
    pub links: Vec<LinkRow>,
    /// Worst first: failing statuses, then paused, pending, stopped,
    /// mirroring; then by lag, largest first.
    pub topics: Vec<TopicRow>,
    /// Reads that failed in this refresh.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub failed_reads: Vec<String>,
}

/// What the watch remembers between refreshes: each topic's last lag
/// samples and status.
#[derive(Debug, Default)]
pub struct History {
    samples: usize,
    topics: BTreeMap<(String, String), (VecDeque<u64>, String)>,
}

impl History {
    pub fn new(samples: usize) -> Self {
        Self {
            samples: samples.max(1),
            topics: BTreeMap::new(),
        }
    }

    /// Takes a refresh's report in, and gives the screen it makes.
    pub fn update(&mut self, r: &HealthReport) -> Snapshot {
        self.take(
            &r.cluster,
            r.checked_at_ms,
            r.links.iter().map(|(l, h)| (l, &h.observed)),
        )
    }

    /// [`Self::update`] from what was read of each link.
    fn take<'a>(
        &mut self,
        cluster: &str,
        checked_at_ms: u64,
        read: impl Iterator<Item = (&'a String, &'a LinkObservation)>,
    ) -> Snapshot {
        let mut links = Vec::new();
        let mut topics = Vec::new();
        let mut failed_reads = Vec::new();
        let mut seen = Vec::new();
        for (link, o) in read {
            links.push(LinkRow {
                link: link.clone(),
                state: match (&o.state, o.exists) {
                    (_, false) => "MISSING".into(),
                    (Some(s), _) => s.to_string(),
                    (None, _) => "-".into(),
                },
                task_errors: o
                    .tasks
                    .iter()
                    .filter(|t| !t.errors.is_empty() || t.state.as_str() == "IN_ERROR")
                    .map(|t| {
                        let errors: Vec<String> = t
                            .errors
                            .iter()
                            .map(|e| format!("{}: {}", e.code, e.message))
                            .collect();
                        format!("{} {}: {}", t.name, t.state, errors.join("; "))
                    })
                    .collect(),
            });
            failed_reads.extend(o.failed_reads.iter().map(|f| format!("{link}: {f}")));
            for (topic, t) in &o.topics {
                let key = (link.clone(), topic.clone());
                let status = t.status.to_string();
                let (samples, last) = self
                    .topics
                    .entry(key.clone())
                    .or_insert_with(|| (VecDeque::new(), status.clone()));
                let changed = *last != status || samples.back().is_some_and(|l| *l != t.lag);
                samples.push_back(t.lag);
                while samples.len() > self.samples {
                    samples.pop_front();
                }
                *last = status.clone();
                seen.push(key);
                topics.push((
                    rank(&t.status),
                    TopicRow {
                        link: link.clone(),
                        topic: topic.clone(),
                        status,
                        lag: t.lag,
                        changed,
                        trend: samples.iter().copied().collect(),
                    },
                ));
            }
        }
        // A topic gone from the link is forgotten.
        self.topics.retain(|k, _| seen.contains(k));
        topics.sort_by(|(ra, a), (rb, b)| {
            ra.cmp(rb)
                .then(b.lag.cmp(&a.lag))
                .then_with(|| (&a.link, &a.topic).cmp(&(&b.link, &b.topic)))
        });
        Snapshot {
            cluster: cluster.to_string(),
            checked_at_ms,
            links,
            topics: topics.into_iter().map(|(_, t)| t).collect(),
            failed_reads,
        }
    }
}

/// How bad a status is for the order of rows: 0 is the worst.
fn rank(s: &S) -> u8 {
    match s {
        S::Failed | S::LinkFailed | S::SourceUnavailable | S::Unrecognized(_) => 0,
        S::Paused | S::LinkPaused => 1,
        S::PendingStopped
        | S::PendingMirror
        | S::PendingSynchronize
        | S::PendingSetupForRestore
        | S::PendingRestore => 2,
        S::Stopped => 3,
        S::Active => 4,
    }
}

/// A status's colour class: bad, so-so or good.
pub fn tone(status: &str) -> Tone {
    match status.parse::<S>() {
        Ok(s) => match rank(&s) {
            0 => Tone::Bad,
            4 => Tone::Good,
            _ => Tone::Fair,
        },
        Err(_) => Tone::Bad,
    }
}

/// See [`tone`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tone {
    Good,
    Fair,
    Bad,
}

/// A small chart of the samples, one block per sample, from the lowest
/// (`▁`) to the highest (`█`); a flat series is flat.
pub fn sparkline(samples: &[u64]) -> String {
    const BLOCKS: [char; 8] = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];
    let (Some(min), Some(max)) = (samples.iter().min(), samples.iter().max()) else {
        return String::new();
    };
    let span = max - min;
    samples
        .iter()
        .map(|v| {
            if span == 0 {
                BLOCKS[0]
            } else {
                let level = ((v - min) as u128 * 7 / span as u128) as usize;
                BLOCKS[level]
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn link(topics: &[(&str, S, u64)]) -> LinkObservation {
        let mut o = LinkObservation::default();
        o.exists = true;
        o.state = Some("ACTIVE".into());
        for (name, status, lag) in topics {
            o.topics.insert(
                name.to_string(),
                kafka_mirror::health::TopicHealth {
                    status: status.clone(),
                    error: None,
                    transition_errors: vec![],
                    lag: *lag,
                    partitions: vec![],
                    state_time_ms: 0,
                },
            );
        }
        o
    }

    fn take(h: &mut History, o: &LinkObservation) -> Snapshot {
        let name = "l".to_string();
        h.take("lkc", 0, std::iter::once((&name, o)))
    }

    #[test]
    fn rows_come_worst_first_with_their_trend_and_changes() {
        let mut h = History::new(3);
        let first = take(
            &mut h,
            &link(&[
                ("a", S::Active, 5),
                ("b", S::Active, 50),
                ("c", S::Failed, 0),
            ]),
        );
        let order: Vec<&str> = first.topics.iter().map(|t| t.topic.as_str()).collect();
        assert_eq!(order, ["c", "b", "a"]);
        assert!(first.topics.iter().all(|t| !t.changed));
        take(
            &mut h,
            &link(&[
                ("a", S::Active, 5),
                ("b", S::Active, 40),
                ("c", S::Failed, 0),
            ]),
        );
        take(
            &mut h,
            &link(&[
                ("a", S::Active, 5),
                ("b", S::Active, 30),
                ("c", S::Failed, 0),
            ]),
        );
        let fourth = take(
            &mut h,
            &link(&[
                ("a", S::Paused, 5),
                ("b", S::Active, 20),
                ("c", S::Failed, 0),
            ]),
        );
        let row = |n: &str| fourth.topics.iter().find(|t| t.topic == n).unwrap().clone();
        assert_eq!(row("b").trend, [40, 30, 20], "the last 3 samples");
        assert!(row("b").changed, "lag moved");
        assert!(row("a").changed, "status moved");
        assert!(!row("c").changed);
        let order: Vec<&str> = fourth.topics.iter().map(|t| t.topic.as_str()).collect();
        assert_eq!(order, ["c", "a", "b"], "paused before mirroring");
        // A topic that went away is forgotten, not kept with old samples.
        let gone = take(&mut h, &link(&[("b", S::Active, 20)]));
        assert_eq!(gone.topics.len(), 1);
        let back = take(&mut h, &link(&[("a", S::Active, 1), ("b", S::Active, 20)]));
        assert_eq!(
            back.topics.iter().find(|t| t.topic == "a").unwrap().trend,
            [1]
        );
    }

    #[test]
    fn a_sparkline_spans_the_lowest_to_the_highest_sample() {
        assert_eq!(sparkline(&[]), "");
        assert_eq!(sparkline(&[5, 5, 5]), "▁▁▁");
        assert_eq!(sparkline(&[0, 7, 14]), "▁▄█");
        assert_eq!(sparkline(&[100, 50, 0]), "█▄▁");
        assert_eq!(sparkline(&[0, u64::MAX]), "▁█");
    }

    #[test]
    fn statuses_order_the_rows_worst_first() {
        let order = [
            S::Failed,
            S::Paused,
            S::PendingStopped,
            S::Stopped,
            S::Active,
        ];
        let ranks: Vec<u8> = order.iter().map(rank).collect();
        let mut sorted = ranks.clone();
        sorted.sort();
        assert_eq!(ranks, sorted);
        assert_eq!(tone("FAILED"), Tone::Bad);
        assert_eq!(tone("ACTIVE"), Tone::Good);
        assert_eq!(tone("PAUSED"), Tone::Fair);
    }
}
