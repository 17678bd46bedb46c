//! Instaclustr Kafka Connect mirrors (MirrorMaker 2) through the Cluster
//! Management API v2, which supersedes the provisioning API v1
//! ([`crate::instaclustr`]): list, create, describe, update (target latency)
//! and delete mirrors.
//!
//! The [`Client`] and every type in [`types`] are generated at build time
//! from `openapi/instaclustr-v2/`. Authentication is HTTP Basic with the
//! Instaclustr user name and provisioning API key, as for v1; the client
//! sends at most 35 requests per second, Instaclustr's documented limit.
//!
//! ```no_run
//! # async fn run() -> Result<(), kafka_mirror::Error> {
//! use kafka_mirror::instaclustr_v2::{Client, Uuid};
//! use kafka_mirror::instaclustr_v2::types::MirrorStatus;
//!
//! let i = Client::builder("https://api.instaclustr.com")
//!     .basic_auth("user", "provisioning-api-key")
//!     .build()?;
//! let connect_cluster = Uuid::parse_str("0c7067d6-c70a-11ea-87d0-0242ac130003").expect("a UUID");
//! for listing in i.list_mirrors().cluster_id(connect_cluster).send().await?.iter() {
//!     for m in &listing.mirrors {
//!         let detail = i.get_mirror().mirror_id(m.id.expect("listed mirrors have ids")).send().await?;
//!         if detail.status != Some(MirrorStatus::InSync) {
//!             println!("{:?} is {:?}", detail.connector_name, detail.status);
//!         }
//!     }
//! }
//! # Ok(()) }
//! ```
//!
//! ## Checked before sending
//!
//! From the spec's bounds (some stated in its prose): `targetLatency` at
//! least 1000 (create and update), `maxTasks` above 0, exactly one
//! `sourceCluster`, and in it exactly one of `managedCluster` (an
//! Instaclustr cluster) and `externalCluster` (connection properties). A
//! request that breaks one is refused with [`crate::Error::InvalidArgument`]
//! and nothing is sent.
//!
//! ## Waiting
//!
//! A new mirror is `CREATING` until its connectors run;
//! [`Client::wait_for_mirror`] (one mirror) and [`Client::wait_for_mirrors`]
//! (a cluster's) poll until `IN_SYNC`, `FAILED` or a timeout (see
//! [`crate::wait`]).
//!
//! ## Errors
//!
//! v2 answers errors as `{"errors": [{"name", "message"}]}`
//! ([`crate::InstaclustrV2Error`], in [`crate::ApiError::vendor`]); a 401
//! may come with an empty body and a 503 or 504 with none, as for v1.

crate::runtime::generated_module!(pub(crate) mod generated = "instaclustr_v2.rs");

pub use generated::{Client, builder, types};
pub use wait::WaitForMirrorsV2;

mod wait;
/// Cluster and mirror ids are UUIDs.
pub use uuid::Uuid;

use crate::client::{ClientBuilder, Service, sealed::Sealed};
use crate::transport::{ApiTables, Inner, TransportConfig};

/// Marker for Instaclustr's Cluster Management API v2.
#[derive(Debug, Clone, Copy)]
pub struct InstaclustrV2;

impl Service for InstaclustrV2 {
    type Client = Client;

    /// Instaclustr allows 35 requests per second per user.
    const DEFAULT_RATE_LIMIT: crate::rate_limit::RateLimit =
        crate::rate_limit::RateLimit::Fixed { per_second: 35 };
}

impl Sealed for InstaclustrV2 {
    fn make(http: reqwest::Client, config: TransportConfig) -> Result<Client, crate::ConfigError> {
        let api = ApiTables {
            operations: generated::spec::OPERATIONS,
            limits: generated::spec::BODY_LIMITS,
            vendor_error: crate::error::VendorError::instaclustr_v2,
            check_body: Some(check_body),
        };
        Ok(Inner::new(config, api)?.into_client(http, Client::new_with_client))
    }
}

impl Client {
    /// Starts configuring a client for Instaclustr's API, normally
    /// `https://api.instaclustr.com`.
    pub fn builder(base_url: impl Into<String>) -> ClientBuilder<InstaclustrV2> {
        ClientBuilder::new(base_url)
    }
}

impl types::KafkaConnectMirrorV2 {
    /// A mirror to create on the Kafka Connect cluster `connect_cluster`,
    /// of the topics matching `topics_regex` in the Instaclustr-managed
    /// Kafka cluster `source_cluster` (over its public addresses; set
    /// `use_private_ips` in `source_cluster[0].managed_cluster[0]` to use
    /// private ones). `alias` names the source, and prefixes mirrored
    /// topics if `rename_mirrored_topics` is set. Starts with the spec's
    /// suggested `target_latency` of 30,000 ms and 3 tasks (`max_tasks`);
    /// change the fields before sending.
    ///
    /// ```
    /// use kafka_mirror::instaclustr_v2::{Uuid, types::KafkaConnectMirrorV2};
    /// let mut m = KafkaConnectMirrorV2::from_managed_cluster(Uuid::nil(), Uuid::nil(), "west", "orders.*");
    /// m.max_tasks = 6;
    /// assert_eq!(m.source_cluster[0].managed_cluster.len(), 1);
    /// ```
    pub fn from_managed_cluster(
        connect_cluster: Uuid,
        source_cluster: Uuid,
        alias: impl Into<String>,
        topics_regex: impl Into<String>,
    ) -> Self {
        Self::to_create(
            connect_cluster,
            types::KafkaConnectMirrorSourceClusterDetailsV2 {
                alias: alias.into(),
                managed_cluster: vec![types::KafkaConnectManagedSourceClusterDetailsV2 {
                    source_kafka_cluster_id: source_cluster.to_string(),
                    use_private_ips: false,
                }],
                external_cluster: Vec::new(),
            },
            topics_regex.into(),
        )
    }

    /// A mirror to create as [`Self::from_managed_cluster`] does, of a Kafka
    /// cluster Instaclustr does not manage, reached with these Kafka
    /// client properties (`bootstrap.servers=...`, security settings).
    pub fn from_external_cluster(
        connect_cluster: Uuid,
        connection_properties: impl Into<String>,
        alias: impl Into<String>,
        topics_regex: impl Into<String>,
    ) -> Self {
        Self::to_create(
            connect_cluster,
            types::KafkaConnectMirrorSourceClusterDetailsV2 {
                alias: alias.into(),
                managed_cluster: Vec::new(),
                external_cluster: vec![types::KafkaConnectExternalSourceClusterDetailsV2 {
                    source_connection_properties: connection_properties.into(),
                }],
            },
            topics_regex.into(),
        )
    }

    fn to_create(
        connect_cluster: Uuid,
        source: types::KafkaConnectMirrorSourceClusterDetailsV2,
        topics_regex: String,
    ) -> Self {
        Self {
            kafka_connect_cluster_id: connect_cluster.to_string(),
            source_cluster: vec![source],
            topics_regex,
            target_latency: 30_000,
            max_tasks: 3,
            rename_mirrored_topics: false,
            // Read-only: the service fills them in.
            connector_name: None,
            connectors: Vec::new(),
            id: None,
            mirrored_topics: Vec::new(),
            status: None,
        }
    }
}

/// The rules the spec states in words that its bounds cannot express:
/// exactly one kind of source cluster, and the update's `targetLatency`,
/// which the update schema leaves unbounded but is the same setting the
/// create schema bounds at 1000 ms.
fn check_body(operation: &str, body: &serde_json::Value) -> Result<(), String> {
    use generated::spec::operation::{CREATE_MIRROR, UPDATE_MIRROR};
    match operation {
        CREATE_MIRROR => {
            let clusters = body
                .get("sourceCluster")
                .and_then(serde_json::Value::as_array);
            for (i, c) in clusters.into_iter().flatten().enumerate() {
                let given = |k: &str| {
                    c.get(k)
                        .and_then(serde_json::Value::as_array)
                        .is_some_and(|a| !a.is_empty())
                };
                if given("managedCluster") == given("externalCluster") {
                    return Err(format!(
                        "`sourceCluster/{i}` of create_mirror needs exactly one of `managedCluster` \
                         (an Instaclustr cluster) and `externalCluster` (connection properties); \
                         nothing was sent"
                    ));
                }
            }
            Ok(())
        }
        UPDATE_MIRROR => match body
            .get("targetLatency")
            .and_then(serde_json::Value::as_f64)
        {
            Some(ms) if ms < 1000.0 => Err(format!(
                "`targetLatency` of update_mirror must be at least 1000, not {ms}; nothing was sent"
            )),
            _ => Ok(()),
        },
        _ => Ok(()),
    }
}

crate::transport::impl_hooks!(Client);
