//! Seed data from a file, for the standalone emulator (`--seed FILE`) and
//! for tests that keep their fixtures as data.

use serde::Deserialize;

use crate::EmulatorBuilder;

/// What an emulator starts with, as JSON:
///
/// ```json
/// {
///   "links": [{
///     "cluster": "lkc-dr", "link": "primary-to-dr", "source": "lkc-primary",
///     "configs": {"consumer.offset.sync.enable": "true"},
///     "mirrors": [
///       {"topic": "orders", "lags": [0, 1200, 300]},
///       {"topic": "audit", "failed": {"error": "SOURCE_TOPIC_ID_CHANGED", "message": "..."}}
///     ],
///     "task_errors": [{"task": "AclSync", "code": "AUTHORIZATION_FAILED", "message": "..."}]
///   }],
///   "instaclustr": [{
///     "cluster": "0c7067d6-c70a-11ea-87d0-0242ac130003", "id": "seeded-mirror",
///     "topics_regex": "orders.*", "topics": ["orders"]
///   }],
///   "outages": []
/// }
/// ```
///
/// Every field may be left out.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SeedFile {
    /// Links, with their mirror topics.
    #[serde(default)]
    pub links: Vec<SeedLink>,
    /// Instaclustr mirrors.
    #[serde(default)]
    pub instaclustr: Vec<SeedInstaclustrMirror>,
    /// Clusters that start in an outage.
    #[serde(default)]
    pub outages: Vec<String>,
}

/// A link of a [`SeedFile`].
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SeedLink {
    /// The cluster the link is on (its destination).
    pub cluster: String,
    /// The link's name.
    pub link: String,
    /// The source cluster.
    pub source: String,
    /// Its mirror topics.
    #[serde(default)]
    pub mirrors: Vec<SeedMirror>,
    /// Link tasks in error.
    #[serde(default)]
    pub task_errors: Vec<SeedTaskError>,
    /// Configs set on the link (`{"consumer.offset.sync.enable": "true"}`).
    #[serde(default)]
    pub configs: std::collections::BTreeMap<String, String>,
}

/// A mirror topic of a [`SeedLink`].
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SeedMirror {
    /// The topic's name.
    pub topic: String,
    /// One entry per partition: its lag.
    #[serde(default = "one_partition")]
    pub lags: Vec<u64>,
    /// The mirror has failed (see [`EmulatorBuilder::failed_mirror`]).
    #[serde(default)]
    pub failed: Option<SeedFailure>,
}

/// Why a seeded mirror failed: its `mirror_topic_error` and the state
/// transition error's message.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SeedFailure {
    /// `SOURCE_TOPIC_ID_CHANGED`, `UNEXPECTED_TRUNCATION`...
    pub error: String,
    /// What the state transition error says.
    pub message: String,
}

fn one_partition() -> Vec<u64> {
    vec![0]
}

/// A link task in error, of a [`SeedLink`].
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SeedTaskError {
    /// `AclSync`, `AutoCreateMirror`, `ConsumerOffsetSync` or `TopicConfigsSync`.
    pub task: String,
    /// The error code the task reports.
    pub code: String,
    /// The error message the task reports.
    pub message: String,
}

/// An Instaclustr mirror of a [`SeedFile`].
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SeedInstaclustrMirror {
    /// The Kafka Connect cluster (a UUID).
    pub cluster: String,
    /// The mirror id (default: a new UUID).
    #[serde(default)]
    pub id: Option<String>,
    /// The topics it mirrors.
    pub topics_regex: String,
    /// The topics it reports.
    #[serde(default)]
    pub topics: Vec<String>,
}

impl SeedFile {
    /// Reads a seed file.
    ///
    /// # Errors
    ///
    /// A message naming the file and what is wrong with it.
    pub fn read(path: &std::path::Path) -> Result<Self, String> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("cannot read the seed file {}: {e}", path.display()))?;
        serde_json::from_str(&text)
            .map_err(|e| format!("the seed file {} is not valid: {e}", path.display()))
    }

    pub(crate) fn apply(&self, mut b: EmulatorBuilder) -> EmulatorBuilder {
        for l in &self.links {
            b = b.link(&l.cluster, &l.link, &l.source);
            for (name, value) in &l.configs {
                b = b.link_config(&l.cluster, &l.link, name, value);
            }
            for m in &l.mirrors {
                b = b.mirror(&l.cluster, &l.link, &m.topic, &m.lags);
                if let Some(f) = &m.failed {
                    b = b.failed_mirror(&l.cluster, &l.link, &m.topic, &f.error, &f.message);
                }
            }
            for e in &l.task_errors {
                b = b.task_error(&l.cluster, &l.link, &e.task, &e.code, &e.message);
            }
        }
        for m in &self.instaclustr {
            let topics: Vec<&str> = m.topics.iter().map(String::as_str).collect();
            b = match &m.id {
                Some(id) => b.instaclustr_mirror_with_id(&m.cluster, id, &m.topics_regex, &topics),
                None => b.instaclustr_mirror(&m.cluster, &m.topics_regex, &topics),
            };
        }
        for c in &self.outages {
            b = b.outage(c);
        }
        b
    }
}

impl EmulatorBuilder {
    /// Links, mirrors and Instaclustr mirrors from a seed file (see
    /// [`SeedFile`]).
    pub fn seed_file(mut self, file: &SeedFile) -> Self {
        self = file.apply(self);
        self
    }
}
