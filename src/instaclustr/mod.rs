//! Instaclustr Kafka Connect mirrors (MirrorMaker 2), provisioning API v1:
//! list, create, describe and delete mirrors, and set their target latency.
//!
//! The [`Client`] and every type in [`types`] are generated at build time
//! from `openapi/instaclustr/`. Instaclustr allows 35 requests per second
//! per user.
//!
//! ```no_run
//! # async fn run() -> Result<(), kafka_mirror::Error> {
//! use kafka_mirror::instaclustr::{Client, Uuid};
//! let i = Client::builder("https://api.instaclustr.com")
//!     .basic_auth("user", "provisioning-api-key")
//!     .build()?;
//! let cluster = Uuid::parse_str("0c7067d6-c70a-11ea-87d0-0242ac130003").expect("a UUID");
//! let mirrors = i.list_mirrors().cluster_id(cluster).send().await?;
//! for m in &mirrors.mirrors {
//!     let detail = i.get_mirror().cluster_id(cluster).mirror_id(m.id.clone().unwrap_or_default()).send().await?;
//!     println!("{:?} {:?}", detail.id, detail.status);
//! }
//! # Ok(()) }
//! ```

crate::runtime::generated_module!(pub(crate) mod generated = "instaclustr.rs");

pub use generated::{Client, builder, types};
pub use wait::WaitForMirrors;

mod wait;
/// Cluster ids are UUIDs.
pub use uuid::Uuid;

use crate::client::{ClientBuilder, Service, sealed::Sealed};
use crate::transport::{ApiTables, Inner, TransportConfig};

/// Marker for the Instaclustr service.
#[derive(Debug, Clone, Copy)]
pub struct Instaclustr;

impl Service for Instaclustr {
    type Client = Client;

    /// Instaclustr allows 35 requests per second per user.
    const DEFAULT_RATE_LIMIT: crate::rate_limit::RateLimit =
        crate::rate_limit::RateLimit::Fixed { per_second: 35 };
}

impl Sealed for Instaclustr {
    fn make(http: reqwest::Client, config: TransportConfig) -> Result<Client, crate::ConfigError> {
        let api = ApiTables {
            operations: generated::spec::OPERATIONS,
            limits: generated::spec::BODY_LIMITS,
            vendor_error: crate::error::VendorError::instaclustr,
            check_body: None,
        };
        Ok(Inner::new(config, api)?.into_client(http, Client::new_with_client))
    }
}

impl Client {
    /// Starts configuring a client for Instaclustr's API, normally
    /// `https://api.instaclustr.com`.
    pub fn builder(base_url: impl Into<String>) -> ClientBuilder<Instaclustr> {
        ClientBuilder::new(base_url)
    }
}

crate::transport::impl_hooks!(Client);
