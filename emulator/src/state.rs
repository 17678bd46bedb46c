//! The emulator's state: clusters, links with their configs, mirror topics
//! with partitions and lag, Instaclustr mirrors; and the transitions.

use std::collections::BTreeMap;
use std::time::Duration;

use tokio::time::Instant;

use kafka_mirror::confluent::MirrorAction;
use kafka_mirror::confluent::types::{MirrorTopicError, MirrorTopicStatus};

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
    /// While the link's source is down: the status to go back to, and how
    /// long a pending transition had left.
    pub before_outage: Option<(MirrorTopicStatus, Option<(Duration, MirrorTopicStatus)>)>,
    /// State transition errors (`include_state_transition_errors`).
    pub transition_errors: Vec<(String, String)>,
    /// Its `mirror_topic_error` (`NO_ERROR` unless it failed).
    pub error: MirrorTopicError,
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
            before_outage: None,
            transition_errors: Vec::new(),
            error: MirrorTopicError::NoError,
        }
    }

    /// The mirror fails: fetching stops, `FAILED` with `error` as its
    /// `mirror_topic_error` and a state transition error saying why.
    pub fn fail(&mut self, error: &str, message: &str, now: Instant, drain: u64) {
        self.freeze(now, drain);
        self.settles = None;
        self.error = MirrorTopicError::from(error);
        self.transition_errors
            .push((error.to_string(), message.to_string()));
        self.set(MirrorTopicStatus::Failed, now);
    }

    /// The source went away: fetching stops (the lag is frozen where it
    /// is) and the mirror is `SOURCE_UNAVAILABLE`. A promotion under way
    /// waits: it needs the source to finish.
    pub fn source_lost(&mut self, now: Instant, drain: u64) {
        use MirrorTopicStatus as S;
        if !matches!(
            self.status,
            S::Active | S::Paused | S::PendingStopped | S::PendingRestore | S::PendingMirror
        ) {
            return;
        }
        let pending = self
            .settles
            .take()
            .map(|(at, status)| (at.saturating_duration_since(now), status));
        self.freeze(now, drain);
        self.before_outage = Some((self.status.clone(), pending));
        self.transition_errors.push((
            "SOURCE_UNAVAILABLE".into(),
            "The source cluster of the link cannot be reached.".into(),
        ));
        self.set(S::SourceUnavailable, now);
    }

    /// The source is back: the mirror goes back to what it was doing.
    pub fn source_back(&mut self, now: Instant) {
        let Some((status, pending)) = self.before_outage.take() else {
            return;
        };
        if self.status != MirrorTopicStatus::SourceUnavailable {
            return;
        }
        for p in &mut self.partitions {
            p.since = now;
        }
        self.set(status, now);
        self.settles = pending.map(|(left, status)| (now + left, status));
    }

    /// Lag and offsets as they are now, kept from here on.
    fn freeze(&mut self, now: Instant, drain: u64) {
        let moving = self.moving();
        for p in &mut self.partitions {
            let (lag, offset) = p.at(now, drain, moving);
            *p = Partition {
                lag,
                offset,
                since: now,
            };
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

/// A cluster link, as the cluster it was created on sees it.
#[derive(Debug, Clone)]
pub struct Link {
    /// For a destination-initiated link (`link.mode` DESTINATION).
    pub source_cluster_id: Option<String>,
    /// For a source-initiated link (`link.mode` SOURCE).
    pub destination_cluster_id: Option<String>,
    /// For a bidirectional link (`link.mode` BIDIRECTIONAL).
    pub remote_cluster_id: Option<String>,
    pub cluster_link_id: String,
    pub configs: BTreeMap<String, Config>,
    pub mirrors: BTreeMap<String, Mirror>,
    /// Link tasks in error: task name -> (error code, message).
    pub task_errors: BTreeMap<String, (String, String)>,
}

/// The configs every link has, with their defaults.
pub const DEFAULT_LINK_CONFIGS: &[(&str, &str)] = &[
    ("acl.sync.enable", "false"),
    ("auto.create.mirror.topics.enable", "false"),
    ("consumer.offset.sync.enable", "false"),
    ("consumer.offset.sync.ms", "30000"),
    ("link.mode", "DESTINATION"),
    ("topic.config.sync.ms", "5000"),
];

/// The tasks a link runs, with the config that turns each on.
pub const LINK_TASKS: &[(&str, Option<&str>)] = &[
    ("AclSync", Some("acl.sync.enable")),
    ("AutoCreateMirror", Some("auto.create.mirror.topics.enable")),
    ("ConsumerOffsetSync", Some("consumer.offset.sync.enable")),
    ("TopicConfigsSync", None),
];

impl Link {
    /// The cluster at the other end of the link.
    pub fn peer(&self) -> Option<&str> {
        self.source_cluster_id
            .as_deref()
            .or(self.remote_cluster_id.as_deref())
            .or(self.destination_cluster_id.as_deref())
    }

    /// A destination-initiated link from `source_cluster_id`.
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
            source_cluster_id: Some(source_cluster_id.into()),
            destination_cluster_id: None,
            remote_cluster_id: None,
            cluster_link_id: id,
            configs,
            mirrors: BTreeMap::new(),
            task_errors: BTreeMap::new(),
        }
    }

    /// A config's value.
    pub fn config(&self, name: &str) -> Option<&str> {
        self.configs.get(name).map(|c| c.value.as_str())
    }
}

/// An Instaclustr mirror (a MirrorMaker 2 connector pair).
#[derive(Debug, Clone)]
pub struct IcMirror {
    pub connector_name: String,
    pub topics_regex: String,
    /// The source: a cluster id, or the custom source's connection properties.
    pub source: String,
    /// Which of the two `source` is.
    pub source_kind: IcSource,
    /// v1 `sourceAlias`, v2 `sourceCluster[0].alias`.
    pub alias: String,
    /// v1 `useRenaming`, v2 `renameMirroredTopics`.
    pub rename: bool,
    pub max_tasks: i64,
    pub target_latency: i32,
    pub created: Instant,
    pub topics: Vec<String>,
}

/// The kind of an Instaclustr mirror's source: v1 `sourceType`
/// `instaclustr` / `custom`, v2 `managedCluster` / `externalCluster`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IcSource {
    /// An Instaclustr-managed cluster (`source` is its id).
    Managed { use_private_ips: bool },
    /// Another cluster (`source` is its connection properties).
    External,
}

/// Everything the emulator knows.
#[derive(Debug, Default)]
pub struct State {
    /// Links by the cluster they were created on, then by link name.
    pub clusters: BTreeMap<String, BTreeMap<String, Link>>,
    /// Clusters in an emulated outage.
    pub down: std::collections::BTreeSet<String>,
    /// Instaclustr mirrors by Kafka Connect cluster id, then by mirror id.
    pub instaclustr: BTreeMap<String, BTreeMap<String, IcMirror>>,
    pub next_id: u64,
    /// Task errors a link gets when it is created through the API, by
    /// (cluster, link).
    pub task_errors_on_create: BTreeMap<(String, String), BTreeMap<String, (String, String)>>,
}

impl State {
    /// The link `link` on `cluster`, if there is one.
    pub fn link_mut(&mut self, cluster: &str, link: &str) -> Option<&mut Link> {
        self.clusters
            .get_mut(cluster)
            .and_then(|links| links.get_mut(link))
    }

    pub fn id(&mut self, prefix: &str) -> String {
        self.next_id += 1;
        format!("{prefix}{:06}", self.next_id)
    }

    /// `cluster` becomes unreachable: every link whose other end it is
    /// loses its source.
    pub fn outage(&mut self, cluster: &str, now: Instant, drain: u64) {
        self.settle(now);
        self.down.insert(cluster.to_string());
        for links in self.clusters.values_mut() {
            for link in links.values_mut().filter(|l| l.peer() == Some(cluster)) {
                for m in link.mirrors.values_mut() {
                    m.source_lost(now, drain);
                }
            }
        }
    }

    /// `cluster` is reachable again; returns whether it was down.
    pub fn recover(&mut self, cluster: &str, now: Instant) -> bool {
        if !self.down.remove(cluster) {
            return false;
        }
        for links in self.clusters.values_mut() {
            for link in links.values_mut().filter(|l| l.peer() == Some(cluster)) {
                for m in link.mirrors.values_mut() {
                    m.source_back(now);
                }
            }
        }
        true
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

/// What one action does to one mirror: the new state, or the per-topic
/// error the service reports inside its 200 answer.
pub fn transition(
    action: MirrorAction,
    m: &Mirror,
    topic: &str,
    link: &str,
    b: &Behaviour,
    now: Instant,
) -> Result<Next, String> {
    use MirrorTopicStatus as S;
    let stopped = || format!("Topic '{topic}' has already stopped its mirror from '{link}'");
    let unreachable = |what: &str| {
        format!(
            "Topic '{topic}' cannot be {what} while the source cluster of link '{link}' is \
             unavailable; failover does not need the source"
        )
    };
    match (action, &m.status) {
        // Failing over is what a mirror does when its source is gone.
        (
            MirrorAction::Failover,
            S::Active
            | S::Paused
            | S::PendingStopped
            | S::Failed
            | S::SourceUnavailable
            | S::LinkFailed,
        ) => Ok(Next::now(S::Stopped)),
        // Promotion waits until the mirror has everything the source has.
        (MirrorAction::Promote, S::SourceUnavailable) => Err(unreachable("promoted")),
        (MirrorAction::ReverseAndStart | MirrorAction::ReverseAndPause, S::SourceUnavailable) => {
            Err(unreachable("reversed"))
        }
        (MirrorAction::Pause | MirrorAction::Resume, S::SourceUnavailable) => {
            Err(unreachable("paused or resumed"))
        }
        (MirrorAction::Pause, S::Active) => Ok(Next::now(S::Paused)),
        (MirrorAction::Pause, S::Paused) => Err(format!("Topic '{topic}' is already paused")),
        (MirrorAction::Resume, S::Paused) => Ok(Next::now(S::Active)),
        (MirrorAction::Resume, S::Active) => Err(format!("Topic '{topic}' is not paused")),
        (MirrorAction::Promote, S::Active | S::Paused) => Ok(Next {
            status: S::PendingStopped,
            then: Some((now + b.promote_delay, S::Stopped)),
            reverse: None,
        }),
        (MirrorAction::ReverseAndStart, S::Active | S::Paused) => Ok(Next {
            status: S::Stopped,
            then: None,
            reverse: Some(S::Active),
        }),
        (MirrorAction::ReverseAndPause, S::Active | S::Paused) => Ok(Next {
            status: S::Stopped,
            then: None,
            reverse: Some(S::Paused),
        }),
        (MirrorAction::TruncateAndRestore, S::Stopped) => Ok(Next {
            status: S::PendingRestore,
            then: Some((now + b.restore_delay, S::Active)),
            reverse: None,
        }),
        (MirrorAction::TruncateAndRestore, _) => Err(format!(
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
        self.freeze(now, drain);
        self.set(next.status.clone(), now);
        self.settles = next.then.clone();
        self.before_outage = None;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failover_is_accepted_from_every_state_the_service_allows() {
        use MirrorTopicStatus as S;
        let now = Instant::now();
        let b = Behaviour::default();
        for from in [
            S::Active,
            S::Paused,
            S::PendingStopped,
            S::Failed,
            S::SourceUnavailable,
            S::LinkFailed,
        ] {
            let mut m = Mirror::new("t", &[0], now);
            m.status = from.clone();
            let next = transition(MirrorAction::Failover, &m, "t", "l", &b, now);
            assert_eq!(next.map(|n| n.status), Ok(S::Stopped), "from {from}");
        }
        let mut m = Mirror::new("t", &[0], now);
        m.status = S::Stopped;
        assert!(transition(MirrorAction::Failover, &m, "t", "l", &b, now).is_err());
        m.status = S::SourceUnavailable;
        let refused = transition(MirrorAction::Promote, &m, "t", "l", &b, now).unwrap_err();
        assert!(refused.contains("unavailable"), "{refused}");
    }
}
