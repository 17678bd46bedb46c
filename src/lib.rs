//! # kafka-mirror
//!
//! A typed Rust SDK for the control planes of Kafka mirroring services:
//!
//! - [`confluent`]: Confluent Cloud **Cluster Linking** (Kafka REST v3):
//!   links, link configs, mirror topics, promote / failover / pause / resume /
//!   reverse / truncate-and-restore;
//! - [`instaclustr_v2`]: Instaclustr **Kafka Connect mirrors** (MirrorMaker 2)
//!   through the Cluster Management API v2;
//! - [`instaclustr`]: the same through the provisioning API v1, which
//!   Instaclustr lists as deprecated.
//!
//! Both clients are generated at build time with progenitor from the
//! OpenAPI YAML under `openapi/`, normalized for the services' quirks. A thin
//! hand-written layer adds authentication, argument checks before sending,
//! error bodies that never fail to decode, and typed [`Error`]s.
//!
//! ```no_run
//! # async fn run() -> Result<(), kafka_mirror::Error> {
//! use kafka_mirror::confluent::{Client, types::AlterMirrorsRequestData};
//!
//! let c = Client::builder("https://pkc-xxxxx.region.provider.confluent.cloud")
//!     .basic_auth("API_KEY", "API_SECRET")
//!     .build()?;
//! let promoted = c
//!     .promote_mirror_topics()
//!     .cluster_id("lkc-dr")
//!     .link_name("primary-to-dr")
//!     .body(AlterMirrorsRequestData { mirror_topic_names: vec!["orders".into()], mirror_topic_name_pattern: None })
//!     .send()
//!     .await?;
//! // The service answers 200 even when some topics failed:
//! for t in promoted.failed() {
//!     eprintln!("{} not promoted: {:?}", t.mirror_topic_name, t.error_message);
//! }
//! # Ok(()) }
//! ```
#![warn(missing_docs)]

// No two modules import each other, directly or not: `.ci/module-cycles.py`
// checks it. `error` is a leaf; the generated code in `confluent` and
// `instaclustr` uses `call`, `runtime`, `transport` and `paginate`.
pub mod auth;
pub(crate) mod call;
pub mod client;
pub mod confluent;
pub mod dr;
pub mod error;
pub mod health;
pub mod instaclustr;
pub mod instaclustr_v2;
#[cfg(feature = "mock")]
pub mod mock;
pub mod paginate;
pub mod rate_limit;
pub mod retry;
pub(crate) mod runtime;
pub mod tls;
pub(crate) mod transport;
pub mod wait;

#[cfg(test)]
mod examples_test;
#[cfg(test)]
mod generated_test;

pub use client::ClientBuilder;
pub use error::{
    ApiError, AuthError, ConfigError, ConfluentError, Error, InstaclustrError, InstaclustrV2Error,
    PaginationError, RequestInfo, VendorError,
};
#[doc(no_inline)]
pub use progenitor_client::ResponseValue;

/// The README's examples, compiled as doctests so they cannot rot.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;
