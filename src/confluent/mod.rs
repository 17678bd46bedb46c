//! Confluent Cloud Cluster Linking (Kafka REST v3): links, link configs,
//! mirror topics and the `mirrors:*` actions (promote, failover, pause,
//! resume, reverse, truncate-and-restore).
//!
//! The [`Client`] and every type in [`types`] are generated at build time
//! from `openapi/confluent/`. Each operation is a method returning a request
//! builder whose `send()` returns [`crate::Error`] on failure. Methods have
//! Rust names (`promote_mirror_topics`, not `update_kafka_mirror_topics_promote`)
//! and keep the spec's operationId as a doc alias; the README lists them.
//!
//! ```no_run
//! # async fn run() -> Result<(), kafka_mirror::Error> {
//! let c = kafka_mirror::confluent::Client::builder("https://pkc-xxxxx.region.provider.confluent.cloud")
//!     .basic_auth("API_KEY", "API_SECRET")
//!     .build()?;
//! let links = c.list_links().cluster_id("lkc-1").send().await?;
//! for link in &links.data {
//!     println!("{} {:?}", link.link_name, link.link_state);
//! }
//! # Ok(()) }
//! ```
//!
//! Against Confluent Platform (Confluent Server serves the same paths), use
//! its URL, for example `http://localhost:8090`, often with no credentials.

crate::runtime::generated_module!(pub(crate) mod generated = "confluent.rs");

pub use action::{MirrorAction, UnknownMirrorAction};
pub use generated::{Client, builder, types};
pub use wait::WaitForMirrorTopics;

mod action;
mod wait;

use crate::client::{ClientBuilder, Service, sealed::Sealed};
use crate::transport::{ApiTables, Inner, TransportConfig};

/// Marker for the Confluent service.
#[derive(Debug, Clone, Copy)]
pub struct Confluent;

impl Service for Confluent {
    type Client = Client;

    /// Confluent publishes no number and says its limits "may change
    /// (possibly dynamically)": the limit is learned from its 429s.
    const DEFAULT_RATE_LIMIT: crate::rate_limit::RateLimit =
        crate::rate_limit::RateLimit::Adaptive(crate::rate_limit::AdaptiveRate::new());
}

impl Sealed for Confluent {
    fn make(http: reqwest::Client, config: TransportConfig) -> Result<Client, crate::ConfigError> {
        let api = ApiTables {
            operations: generated::spec::OPERATIONS,
            limits: generated::spec::BODY_LIMITS,
            vendor_error: crate::error::VendorError::confluent,
            check_body: None,
        };
        Ok(Inner::new(config, api)?.into_client(http, Client::new_with_client))
    }
}

impl Client {
    /// Starts configuring a client for the cluster's REST endpoint, for
    /// example `https://pkc-xxxxx.region.provider.confluent.cloud`.
    pub fn builder(base_url: impl Into<String>) -> ClientBuilder<Confluent> {
        ClientBuilder::new(base_url)
    }
}

impl ClientBuilder<Confluent> {
    /// A fixed OAuth bearer token (`external-access-token`) instead of an
    /// API key. It is never refreshed: for runs that may outlive it, use
    /// [`Self::oauth_client_credentials`] or [`Self::token_provider`].
    pub fn bearer_token(mut self, token: impl Into<String>) -> Self {
        self.auth = Some(crate::auth::Auth::Bearer {
            token: crate::auth::Secret::new(token),
            identity_pool_id: None,
        });
        self.tokens = None;
        self
    }

    /// Bearer tokens from your identity provider through the OAuth 2.0
    /// client-credentials grant, fetched, cached and refreshed by the client
    /// (see [`crate::auth`]). Confluent Cloud also needs
    /// [`Self::identity_pool_id`].
    ///
    /// ```
    /// use kafka_mirror::auth::OAuthClientCredentials;
    ///
    /// let c = kafka_mirror::confluent::Client::builder("https://pkc-1.us-east-1.aws.confluent.cloud")
    ///     .oauth_client_credentials(
    ///         OAuthClientCredentials::new(
    ///             "https://dev-123456.okta.com/oauth2/default/v1/token",
    ///             "0oa1b2c3d4",
    ///             "client-secret",
    ///         )
    ///         .scope("kafka"),
    ///     )
    ///     .identity_pool_id("pool-W1xY")
    ///     .build()?;
    /// # Ok::<(), kafka_mirror::ConfigError>(())
    /// ```
    pub fn oauth_client_credentials(
        mut self,
        credentials: crate::auth::OAuthClientCredentials,
    ) -> Self {
        self.tokens = Some(crate::auth::TokenSource::ClientCredentials(credentials));
        self.auth = None;
        self
    }

    /// Bearer tokens from a [`crate::auth::TokenProvider`] of yours, cached
    /// and refreshed by the client as [`Self::oauth_client_credentials`]'
    /// are.
    pub fn token_provider(mut self, provider: impl crate::auth::TokenProvider) -> Self {
        self.tokens = Some(crate::auth::TokenSource::Provider(std::sync::Arc::new(
            provider,
        )));
        self.auth = None;
        self
    }

    /// How long before a token's expiry it is refreshed, at most (default
    /// [`crate::auth::DEFAULT_REFRESH_MARGIN`], 3 minutes); a token that
    /// lives less than twice the margin is refreshed at half its lifetime.
    pub fn token_refresh_margin(mut self, margin: std::time::Duration) -> Self {
        self.token_refresh_margin = margin;
        self
    }

    /// Identity pool sent as `Confluent-Identity-Pool-Id` with every bearer
    /// request (Confluent Cloud requires it; Confluent Platform does not).
    pub fn identity_pool_id(mut self, pool: impl Into<String>) -> Self {
        self.identity_pool_id = Some(pool.into());
        self
    }
}

crate::transport::impl_hooks!(Client);
