//! The emulator's state: clusters, links with their configs, mirror topics
//! with partitions and lag, Instaclustr mirrors; and the transitions.

use std::collections::BTreeMap;
use std::time::Duration;

use tokio::time::Instant;

use kafka_mirror::confluent::types::MirrorTopicStatus;

/// Timings and sizes of the emulated services.
#[derive(Debug, Clone)]
pub struct Behaviour {
    /// How long a promoted mirror stays `PENDING_STOPPED` before `STOPPED`.
    pub promote_delay: Duration,
    /// How long a truncated mirror stays `PENDING_RESTORE` before `ACTIVE`.
    pub restore_delay: Duration,
    /// How long an Instaclustr mirror stays `CREATING` before `IN_SYNC`.
    pub instaclustr_sync_delay: Duration,
    /// Messages of lag each partition catches up per second.
    pub lag_drain_per_second: u64,
    /// Items per page of every list.
    pub page_size: usize,
    /// Partitions of a mirror topic created through the API, and their lag
    /// at creation (the source topic has messages not yet mirrored).
    pub created_mirror_lags: Vec<u64>,
}

impl Default for Behaviour {
    fn default() -> Self {
        Self {
            promote_delay: Duration::from_secs(2),
            restore_delay: Duration::from_secs(2),
            instaclustr_sync_delay: Duration::from_secs(3),
            lag_drain_per_second: 100,
            page_size: 50,
            created_mirror_lags: vec![0, 0, 0],
        }
    }
}

/// One partition: lag at `since`, draining over time.
#[derive(Debug, Clone)]
pub struct Partition {
    pub lag: u64,
    pub offset: u64,
    pub since: Instant,
}

impl Partition {
    /// Lag and last fetched source offset now.
    pub fn at(&self, now: Instant, drain: u64, moving: bool) -> (u64, u64) {
        if !moving {
            return (self.lag, self.offset);
        }
        let caught =
            (now.saturating_duration_since(self.since).as_secs_f64() * drain as f64) as u64;
        let caught = caught.min(self.lag);
        (self.lag - caught, self.offset + caught)
    }
}

/// A mirror topic on the destination cluster of a link.
#[derive(Debug, Clone)]
pub struct Mirror {
    pub source_topic: String,
    pub status: MirrorTopicStatus,
    pub partitions: Vec<Partition>,
    pub state_time: Instant,
    /// A pending status and when it settles.
    pub settles: Option<(Instant, MirrorTopicStatus)>,
    pub messages_truncated: Option<u64>,
}

impl Mirror {
    pub fn new(source_topic: &str, lags: &[u64], now: Instant) -> Self {
        Self {
            source_topic: source_topic.into(),
            status: MirrorTopicStatus::Active,
            partitions: lags
                .iter()
                .map(|lag| Partition {
                    lag: *lag,
                    offset: 1_000,
                    since: now,
                })
                .collect(),
            state_time: now,
            settles: None,
            messages_truncated: None,
        }
    }

    /// Applies a pending transition whose time has come.
    pub fn settle(&mut self, now: Instant) {
        if let Some((at, status)) = self.settles.clone()
            && now >= at
        {
            if status == MirrorTopicStatus::Active {
                // Fetching starts again from the lag frozen until now.
                self.partitions.iter_mut().for_each(|p| p.since = at);
            }
            self.set(status, at);
            self.settles = None;
        }
    }

    fn set(&mut self, status: MirrorTopicStatus, now: Instant) {
        self.status = status;
        self.state_time = now;
    }

    /// Whether lag drains (the mirror is fetching).
    pub fn moving(&self) -> bool {
        self.status == MirrorTopicStatus::Active
    }
}

/// A link config value.
#[derive(Debug, Clone)]
pub struct Config {
    pub value: String,
    pub is_default: bool,
}

/// A cluster link on a destination cluster.
#[derive(Debug, Clone)]
pub struct Link {
    pub source_cluster_id: String,
    pub cluster_link_id: String,
    pub configs: BTreeMap<String, Config>,
    pub mirrors: BTreeMap<String, Mirror>,
}

/// The configs every link has, with their defaults.
pub const DEFAULT_LINK_CONFIGS: &[(&str, &str)] = &[
    ("acl.sync.enable", "false"),
    ("consumer.offset.sync.enable", "false"),
    ("consumer.offset.sync.ms", "30000"),
    ("link.mode", "DESTINATION"),
    ("topic.config.sync.ms", "5000"),
];

impl Link {
    pub fn new(source_cluster_id: &str, id: String) -> Self {
        let configs = DEFAULT_LINK_CONFIGS
            .iter()
            .map(|(k, v)| {
                (
                    k.to_string(),
                    Config {
                        value: v.to_string(),
                        is_default: true,
                    },
                )
            })
            .collect();
        Self {
            source_cluster_id: source_cluster_id.into(),
            cluster_link_id: id,
            configs,
            mirrors: BTreeMap::new(),
        }
    }
}

/// An Instaclustr mirror (a MirrorMaker 2 connector pair).
#[derive(Debug, Clone)]
pub struct IcMirror {
    pub connector_name: String,
    pub topics_regex: String,
    pub target_latency: i32,
    pub created: Instant,
    pub topics: Vec<String>,
}

/// Everything the emulator knows.
#[derive(Debug, Default)]
pub struct State {
    /// Links by destination cluster id, then by link name.
    pub clusters: BTreeMap<String, BTreeMap<String, Link>>,
    /// Instaclustr mirrors by Kafka Connect cluster id, then by mirror id.
    pub instaclustr: BTreeMap<String, BTreeMap<String, IcMirror>>,
    pub next_id: u64,
}

impl State {
    pub fn id(&mut self, prefix: &str) -> String {
        self.next_id += 1;
        format!("{prefix}{:06}", self.next_id)
    }

    /// Settles every pending transition.
    pub fn settle(&mut self, now: Instant) {
        for links in self.clusters.values_mut() {
            for link in links.values_mut() {
                for m in link.mirrors.values_mut() {
                    m.settle(now);
                }
            }
        }
    }
}

/// An action of the `mirrors:*` family.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Promote,
    Failover,
    Pause,
    Resume,
    ReverseAndStart,
    ReverseAndPause,
    TruncateAndRestore,
}

/// What one action does to one mirror: the new state, or the per-topic
/// error the service reports inside its 200 answer.
pub fn transition(
    action: Action,
    m: &Mirror,
    topic: &str,
    link: &str,
    b: &Behaviour,
    now: Instant,
) -> Result<Next, String> {
    use MirrorTopicStatus as S;
    let stopped = || format!("Topic '{topic}' has already stopped its mirror from '{link}'");
    match (action, &m.status) {
        (Action::Pause, S::Active) => Ok(Next::now(S::Paused)),
        (Action::Pause, S::Paused) => Err(format!("Topic '{topic}' is already paused")),
        (Action::Resume, S::Paused) => Ok(Next::now(S::Active)),
        (Action::Resume, S::Active) => Err(format!("Topic '{topic}' is not paused")),
        (Action::Promote, S::Active | S::Paused) => Ok(Next {
            status: S::PendingStopped,
            then: Some((now + b.promote_delay, S::Stopped)),
            reverse: None,
        }),
        (Action::Failover, S::Active | S::Paused | S::PendingStopped) => Ok(Next::now(S::Stopped)),
        (Action::ReverseAndStart, S::Active | S::Paused) => Ok(Next {
            status: S::Stopped,
            then: None,
            reverse: Some(S::Active),
        }),
        (Action::ReverseAndPause, S::Active | S::Paused) => Ok(Next {
            status: S::Stopped,
            then: None,
            reverse: Some(S::Paused),
        }),
        (Action::TruncateAndRestore, S::Stopped) => Ok(Next {
            status: S::PendingRestore,
            then: Some((now + b.restore_delay, S::Active)),
            reverse: None,
        }),
        (Action::TruncateAndRestore, _) => Err(format!(
            "Topic '{topic}' must be stopped before it can be truncated and restored"
        )),
        (_, S::Stopped | S::PendingStopped) => Err(stopped()),
        (_, other) => Err(format!(
            "Topic '{topic}' cannot take this action in state {other}"
        )),
    }
}

/// The outcome of an action on one mirror.
#[derive(Debug, Clone, PartialEq)]
pub struct Next {
    pub status: MirrorTopicStatus,
    /// A later status and when.
    pub then: Option<(Instant, MirrorTopicStatus)>,
    /// For the reverse actions: the status of the new mirror on the other side.
    pub reverse: Option<MirrorTopicStatus>,
}

impl Next {
    fn now(status: MirrorTopicStatus) -> Self {
        Self {
            status,
            then: None,
            reverse: None,
        }
    }
}

impl Mirror {
    /// Applies an accepted transition.
    pub fn apply(&mut self, next: &Next, now: Instant, drain: u64) {
        // Freeze the lag as it is now, so it stays put while not mirroring.
        for p in &mut self.partitions {
            let (lag, offset) = p.at(now, drain, self.status == MirrorTopicStatus::Active);
            *p = Partition {
                lag,
                offset,
                since: now,
            };
        }
        self.set(next.status.clone(), now);
        self.settles = next.then.clone();
    }
}
