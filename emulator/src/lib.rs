//! A local, stateful emulator of both services, for
//! running the DR drill with no account and testing automation end to end.
//!
//! ```no_run
//! # async fn run() -> std::io::Result<()> {
//! use kafka_mirror_emulator::Emulator;
//!
//! let emulator = Emulator::builder()
//!     .link("lkc-dr", "primary-to-dr", "lkc-primary")
//!     .mirror("lkc-dr", "primary-to-dr", "orders", &[0, 120, 40])
//!     .start()
//!     .await?;
//! let c = emulator.confluent_client();
//! let topics = c.list_all_mirror_topics().cluster_id("lkc-dr").collect_up_to(100).await.expect("listed");
//! # Ok(()) }
//! ```
//!
//! ## What it emulates
//!
//! Every operation of `openapi/` (Confluent's 20, Instaclustr v1's 5 and
//! v2's 5, both Instaclustr APIs on the same mirrors), on one loopback
//! port, with state isolated per emulator:
//!
//! - clusters, links with configs (defaults with `is_default` and source
//!   `DEFAULT_CONFIG`, set ones with `DYNAMIC_CLUSTER_LINK_CONFIG`; deleting
//!   a config restores its default), mirror topics with partitions whose lag
//!   drains while the mirror is `ACTIVE`;
//! - destination-initiated links (`source_cluster_id`), source-initiated
//!   ones (`link.mode` `SOURCE`, `destination_cluster_id`) and bidirectional
//!   ones (`BIDIRECTIONAL`, `remote_cluster_id`);
//! - `include_tasks` (AclSync, AutoCreateMirror, ConsumerOffsetSync,
//!   TopicConfigsSync: `ACTIVE` when their config turns them on,
//!   `NOT_CONFIGURED` otherwise, `IN_ERROR` through
//!   [`EmulatorBuilder::task_error`], `LINK_UNAVAILABLE` in an outage),
//!   `include_state_transition_errors` (every refused action is kept),
//!   `include_partition_level_truncation_data`;
//! - lists paginated by [`Behaviour::page_size`] with absolute
//!   `metadata.next` links;
//! - `validate_only`, in the query or (for `configs:alter`) in the body,
//!   changes nothing.
//!
//! ## Bad input, as the services answer it
//!
//! Every error is JSON in the service's error body (Confluent
//! `{"error_code", "message"}`, Instaclustr `{"status", "message",
//! "errorDetails", "code"}`), Confluent's HTML 429 page aside:
//!
//! | input | answer |
//! | --- | --- |
//! | unknown route | 404 |
//! | known route, other method | 405, with `Allow` |
//! | body not `application/json` | 415 (no body at all is `{}`: Confluent's bodies are optional) |
//! | malformed JSON, a value of the wrong type, `null` for a non-nullable field | 400 |
//! | a flag (`validate_only`, `force`, `include_*`) that is not `true`/`false`, an unknown `mirror_status` | 400 |
//! | a topic name not 1 to 249 of `[a-zA-Z0-9._-]`, or `.`/`..`; `replication_factor` below 1 | 400 |
//! | a duplicate link (40002) or mirror topic; an unknown link, topic or config | 400; 404 |
//! | Instaclustr: `kafkaSource` not a UUID, `maxTasks` below 1, an invalid `topicsRegex`, `newTargetLatency` not an int32 >= 1000, the same source and regex twice | 400 |
//! | wrong or missing credentials, an expired bearer token, a wrong identity pool | 401 with `error_code` 40101 (Instaclustr: its body) |
//!
//! `.ci/conformance.sh` runs schemathesis with every check against both
//! specs; the refusals the schemas cannot express are listed, with their
//! reasons, in `emulator/conformance/baseline-*.json`.
//!
//! ## The mirror state machine
//!
//! | action | from | to |
//! | --- | --- | --- |
//! | pause | `ACTIVE` | `PAUSED` |
//! | resume | `PAUSED` | `ACTIVE` |
//! | promote | `ACTIVE`, `PAUSED` | `PENDING_STOPPED`, then `STOPPED` after [`Behaviour::promote_delay`] |
//! | failover | `ACTIVE`, `PAUSED`, `PENDING_STOPPED`, `FAILED`, `SOURCE_UNAVAILABLE`, `LINK_FAILED` | `STOPPED` at once |
//! | reverse-and-start / reverse-and-pause | `ACTIVE`, `PAUSED` | `STOPPED` here; the source cluster gets a mirror of it, `ACTIVE` / `PAUSED` (roles swapped) |
//! | truncate-and-restore | `STOPPED` | `PENDING_RESTORE`, then `ACTIVE` after [`Behaviour::restore_delay`], catching up from there |
//!
//! Any other pair is refused for that topic only: its item in the 200 answer
//! carries `error_code` 400 and a message ("Topic 'x' has already stopped its
//! mirror from 'link'"), as Confluent does; a topic that is not a mirror of
//! the link gets 404 in its item. Instaclustr mirrors are `CREATING` for
//! [`Behaviour::instaclustr_sync_delay`], then `IN_SYNC`; v2 answers
//! create and update with 202 and the whole mirror, delete with 204, and
//! refuses bad input with `{"errors": [{"name", "message"}]}` naming the
//! field (the bounds its document states in prose included).
//!
//! Sources: Confluent's "Manage Mirror Topics" (promote and failover turn a
//! mirror into a regular topic; "to restore mirroring after a failover or a
//! promote, you can run truncate-and-restore"; reverse-and-start and
//! reverse-and-pause swap source and mirror), "Disaster Recovery and
//! Failover" (failover when the primary is down, promote when both sides
//! are healthy), and the Terraform provider's issue #780 (failover must be
//! possible from `FAILED`, the state a mirror is in when its source is gone).
//!
//! ## Outages
//!
//! `POST /emulator/v1/clusters/{cluster_id}/outage` (or
//! [`Emulator::outage`]) makes a cluster unreachable; `DELETE` on the same
//! path (or [`Emulator::recover`]) brings it back. While it is down:
//!
//! - its own REST endpoint answers 503;
//! - every link whose other end it is reports `link_state` `UNAVAILABLE`
//!   and `link_error` `BOOTSTRAP_TCP_CONNECTION_FAILED_ERROR` (Confluent's
//!   "Monitor Metrics for Cluster Linking": a link becomes unavailable when
//!   the destination cannot reach the source), its tasks `LINK_UNAVAILABLE`;
//! - their mirrors are `SOURCE_UNAVAILABLE` with their lag frozen; a
//!   promotion under way waits;
//! - promote, pause, resume, reverse and truncate-and-restore are refused
//!   per topic (they need the source), failover is accepted;
//! - creating a mirror topic, or a link that is validated, is refused.
//!
//! After recovery, mirrors go back to what they were doing (a promotion
//! under way resumes), and failback works: reverse-and-start or
//! reverse-and-pause for healthy mirrors, truncate-and-restore for stopped
//! ones.
//!
//! ## Authentication
//!
//! HTTP Basic ([`EmulatorBuilder::credentials`], default `emulator-key` /
//! `emulator-secret`) on both APIs, and OAuth bearer tokens on Confluent's:
//! fixed ones ([`EmulatorBuilder::bearer_token`]: with an identity pool sent
//! as `Confluent-Identity-Pool-Id`, and an expiry), and tokens issued by the
//! emulator's own token endpoint, `POST /emulator/v1/oauth2/token`
//! ([`Emulator::token_url`]), to the OAuth clients it knows
//! ([`EmulatorBuilder::oauth_client`]; by default [`DEFAULT_OAUTH_CLIENT`],
//! whose tokens last 300 s and need the pool [`DEFAULT_IDENTITY_POOL`]).
//! The token endpoint takes the client-credentials grant as RFC 6749 says:
//! a form body, the client id and secret in `Authorization: Basic` or in the
//! form (not both), answers `{"access_token", "token_type": "Bearer",
//! "expires_in"}`, or `{"error", "error_description"}` with 400
//! (`invalid_request`, `unsupported_grant_type`) or 401 (`invalid_client`).
//! `/emulator/` routes take no credentials.
//!
//! ## Faults
//!
//! [`EmulatorBuilder::rate_limit`] answers 429 (Confluent's HTML page) above
//! N requests in any sliding second; [`EmulatorBuilder::retriable_errors`]
//! answers a fraction of requests with 500 + `error_code` 50003;
//! [`EmulatorBuilder::connection_resets`] closes the connection of a
//! fraction of requests after reading them and **before applying them**,
//! unanswered; [`EmulatorBuilder::lost_answers`] **applies** a fraction of
//! requests and then closes the connection instead of answering. A client
//! sees the two the same way (a reset with no answer) and cannot know
//! which happened: only reading the state back tells. All three are drawn
//! from one random source seeded by [`EmulatorBuilder::seed`], so a run
//! repeats; [`EmulatorBuilder::latency`] delays every answer. The
//! standalone binary takes the same as flags.
//!
//! A [`Script`] ([`EmulatorBuilder::script`], [`Emulator::script`]) injects
//! one [`Fault`] into the next requests that match a method and path, for a
//! test that needs a failure at a chosen moment; it also has a fault no
//! random draw makes, [`Fault::TopicError`] (one topic refused inside an
//! action's 200 answer). [`Emulator::set_faults`] changes the random faults
//! while the emulator runs, and [`Emulator::injected`] counts each fault
//! injected, scripted or drawn.
//!
//! Time is tokio's clock, so tests on a paused clock move transitions and
//! lag forward with `tokio::time::advance`.

// Handlers answer errors as axum `Response`s, the framework's convention;
// they are built once per failed request, so their size does not matter.
#![allow(clippy::result_large_err)]

mod confluent;
mod error;
mod faults;
#[cfg(feature = "cli")]
mod flags;
mod http;
mod instaclustr;
mod instaclustr_v2;
mod oauth;
mod seed;
mod state;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::extract::{Request, State as AxState};
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use base64::Engine;
use kafka_mirror::auth::OAuthClientCredentials;
use kafka_mirror::confluent::MirrorAction;
use serde::Serialize;
use tokio::time::Instant;

pub use faults::{Fault, Faults, Script};
#[cfg(feature = "cli")]
pub use flags::EmulatorFlags;
pub use seed::SeedFile;
pub use state::Behaviour;
use state::{IcMirror, Link, Mirror, State};

/// A bearer token the emulator accepts (Confluent's `external-access-token`).
#[derive(Debug, Clone)]
pub(crate) struct Token {
    token: String,
    identity_pool_id: Option<String>,
    expires: Instant,
}

/// State shared by the emulator's handlers.
pub(crate) struct Shared {
    state: Mutex<State>,
    behaviour: Behaviour,
    faults: faults::Injector,
    base: String,
    credentials: Option<(String, String)>,
    tokens: Vec<Token>,
    oauth_clients: Vec<oauth::OAuthClient>,
    issued: Mutex<oauth::Issued>,
    started: Instant,
    epoch_ms: i64,
}

impl Shared {
    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }
}

/// Seed data, applied at start.
#[derive(Debug, Clone)]
enum Seed {
    Link {
        cluster: String,
        link: String,
        source: String,
    },
    Mirror {
        cluster: String,
        link: String,
        topic: String,
        lags: Vec<u64>,
    },
    Instaclustr {
        cluster: String,
        id: Option<String>,
        regex: String,
        topics: Vec<String>,
    },
    TaskError {
        cluster: String,
        link: String,
        task: String,
        code: String,
        message: String,
    },
    Outage {
        cluster: String,
    },
}

/// The OAuth client of the default emulator: client id and secret.
pub const DEFAULT_OAUTH_CLIENT: (&str, &str) = ("emulator-client", "emulator-client-secret");
/// The identity pool the default OAuth client's tokens need.
pub const DEFAULT_IDENTITY_POOL: &str = "pool-emulator";

/// Configures an emulator; see [`Emulator::builder`].
#[derive(Debug, Clone)]
#[must_use]
pub struct EmulatorBuilder {
    behaviour: Behaviour,
    faults: Faults,
    scripts: Vec<Script>,
    credentials: Option<(String, String)>,
    tokens: Vec<(String, Option<String>, Duration)>,
    oauth_clients: Vec<oauth::OAuthClient>,
    seeds: Vec<Seed>,
    port: u16,
    seed: u64,
}

impl EmulatorBuilder {
    /// Timings and page size.
    pub fn behaviour(mut self, b: Behaviour) -> Self {
        self.behaviour = b;
        self
    }

    /// Items per page of every list (default 50).
    pub fn page_size(mut self, n: usize) -> Self {
        self.behaviour.page_size = n.max(1);
        self
    }

    /// Partitions of mirror topics created through the API, and their lag at
    /// creation (default three partitions with no lag).
    pub fn created_mirror_lags(mut self, lags: &[u64]) -> Self {
        self.behaviour.created_mirror_lags = if lags.is_empty() {
            vec![0]
        } else {
            lags.to_vec()
        };
        self
    }

    /// How long `PENDING_STOPPED` lasts after a promote (default 2 s).
    pub fn promote_delay(mut self, d: Duration) -> Self {
        self.behaviour.promote_delay = d;
        self
    }

    /// The credentials requests must carry (HTTP Basic); default
    /// `emulator-key` / `emulator-secret`.
    pub fn credentials(mut self, user: impl Into<String>, secret: impl Into<String>) -> Self {
        self.credentials = Some((user.into(), secret.into()));
        self
    }

    /// Accepts requests without credentials (as Confluent Platform often
    /// does): no Basic credentials, bearer tokens or OAuth clients.
    pub fn no_auth(mut self) -> Self {
        self.credentials = None;
        self.tokens.clear();
        self.oauth_clients.clear();
        self
    }

    /// Lets this OAuth client get bearer tokens for the Confluent API from
    /// the token endpoint ([`Emulator::token_url`], the client-credentials
    /// grant, client authentication by HTTP Basic or in the form body).
    /// Each token is valid for `token_lifetime` (then 401 with `error_code`
    /// 40101); with `identity_pool_id`, requests must carry it in
    /// `Confluent-Identity-Pool-Id`. The default emulator has one client:
    /// [`DEFAULT_OAUTH_CLIENT`], pool [`DEFAULT_IDENTITY_POOL`], tokens of
    /// 300 s; this adds another.
    pub fn oauth_client(
        mut self,
        client_id: impl Into<String>,
        client_secret: impl Into<String>,
        identity_pool_id: Option<&str>,
        token_lifetime: Duration,
    ) -> Self {
        self.oauth_clients.push(oauth::OAuthClient {
            id: client_id.into(),
            secret: client_secret.into(),
            identity_pool_id: identity_pool_id.map(str::to_string),
            token_lifetime: token_lifetime.max(Duration::from_secs(1)),
        });
        self
    }

    /// Removes every OAuth client, the default one included.
    pub fn no_oauth_clients(mut self) -> Self {
        self.oauth_clients.clear();
        self
    }

    /// Also accepts this OAuth bearer token on the Confluent API, for
    /// `valid_for` after the start (then 401 with `error_code` 40101, as an
    /// expired token gets); with `identity_pool_id`, requests must carry
    /// it in `Confluent-Identity-Pool-Id`.
    pub fn bearer_token(
        mut self,
        token: impl Into<String>,
        identity_pool_id: Option<&str>,
        valid_for: Duration,
    ) -> Self {
        self.tokens.push((
            token.into(),
            identity_pool_id.map(str::to_string),
            valid_for,
        ));
        self
    }

    /// Puts a link task (`AclSync`, `AutoCreateMirror`, `ConsumerOffsetSync`,
    /// `TopicConfigsSync`) in `IN_ERROR` with this error, as
    /// `include_tasks=true` shows it.
    pub fn task_error(
        mut self,
        cluster: &str,
        link: &str,
        task: &str,
        code: &str,
        message: &str,
    ) -> Self {
        self.seeds.push(Seed::TaskError {
            cluster: cluster.into(),
            link: link.into(),
            task: task.into(),
            code: code.into(),
            message: message.into(),
        });
        self
    }

    /// Starts with `cluster` in an outage (see [`Emulator::outage`]).
    pub fn outage(mut self, cluster: &str) -> Self {
        self.seeds.push(Seed::Outage {
            cluster: cluster.into(),
        });
        self
    }

    /// Links, mirrors and Instaclustr mirrors from a seed file (see
    /// [`SeedFile`]).
    pub fn seed_file(mut self, file: &SeedFile) -> Self {
        self = file.apply(self);
        self
    }

    /// 429 above `per_second` requests in any sliding second.
    pub fn rate_limit(mut self, per_second: usize) -> Self {
        self.faults.rate_limit_per_second = Some(per_second);
        self
    }

    /// Answers this fraction of requests with 500 + 50003.
    pub fn retriable_errors(mut self, fraction: f64) -> Self {
        self.faults.retriable_error_fraction = fraction.clamp(0.0, 1.0);
        self
    }

    /// Closes the connection of this fraction of requests after reading
    /// them, with no answer: the client cannot tell whether it was applied.
    pub fn connection_resets(mut self, fraction: f64) -> Self {
        self.faults.connection_reset_fraction = fraction.clamp(0.0, 1.0);
        self
    }

    /// Applies this fraction (0 to 1) of requests, then closes their
    /// connection instead of answering: the answer is lost, the change is
    /// made (see the module's Faults section).
    pub fn lost_answers(mut self, fraction: f64) -> Self {
        self.faults.lost_answer_fraction = fraction.clamp(0.0, 1.0);
        self
    }

    /// Injects `script`'s fault into the next requests it matches, before
    /// any random fault; scripts match in the order they were added.
    pub fn script(mut self, script: Script) -> Self {
        self.scripts.push(script);
        self
    }

    /// Adds `latency` to every answer.
    pub fn latency(mut self, latency: Duration) -> Self {
        self.faults.latency = latency;
        self
    }

    /// Seed of the fault injector's random source (default 1).
    pub fn seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }

    /// Listens on this port (default: any free port).
    pub fn port(mut self, port: u16) -> Self {
        self.port = port;
        self
    }

    /// A link named `link` on destination cluster `cluster`, from `source`.
    pub fn link(mut self, cluster: &str, link: &str, source: &str) -> Self {
        self.seeds.push(Seed::Link {
            cluster: cluster.into(),
            link: link.into(),
            source: source.into(),
        });
        self
    }

    /// A mirror topic on `link` (seeded before it) with one partition per
    /// entry of `lags`, `ACTIVE`.
    pub fn mirror(mut self, cluster: &str, link: &str, topic: &str, lags: &[u64]) -> Self {
        self.seeds.push(Seed::Mirror {
            cluster: cluster.into(),
            link: link.into(),
            topic: topic.into(),
            lags: lags.to_vec(),
        });
        self
    }

    /// An Instaclustr mirror on Kafka Connect cluster `cluster` (a UUID).
    pub fn instaclustr_mirror(
        mut self,
        cluster: &str,
        topics_regex: &str,
        topics: &[&str],
    ) -> Self {
        self.seeds.push(Seed::Instaclustr {
            cluster: cluster.into(),
            id: None,
            regex: topics_regex.into(),
            topics: topics.iter().map(|t| t.to_string()).collect(),
        });
        self
    }

    /// An Instaclustr mirror with a given mirror id (for tools whose
    /// configuration names it).
    pub fn instaclustr_mirror_with_id(
        mut self,
        cluster: &str,
        id: &str,
        topics_regex: &str,
        topics: &[&str],
    ) -> Self {
        self.seeds.push(Seed::Instaclustr {
            cluster: cluster.into(),
            id: Some(id.into()),
            regex: topics_regex.into(),
            topics: topics.iter().map(|t| t.to_string()).collect(),
        });
        self
    }

    /// The standalone emulator's data: cluster `lkc-dr` with the link
    /// `primary-to-dr` from `lkc-primary`, mirroring `orders` (partitions
    /// lagging 0, 1,200 and 300 messages), `payments` (50, 0) and
    /// `inventory` (0).
    pub fn standard_seed(self) -> Self {
        self.link("lkc-dr", "primary-to-dr", "lkc-primary")
            .mirror("lkc-dr", "primary-to-dr", "orders", &[0, 1_200, 300])
            .mirror("lkc-dr", "primary-to-dr", "payments", &[50, 0])
            .mirror("lkc-dr", "primary-to-dr", "inventory", &[0])
    }

    /// Starts serving on loopback.
    pub async fn start(self) -> std::io::Result<Emulator> {
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", self.port)).await?;
        let base = format!("http://{}", listener.local_addr()?);
        let now = Instant::now();
        let mut state = State::default();
        for seed in &self.seeds {
            match seed {
                Seed::Link {
                    cluster,
                    link,
                    source,
                } => {
                    let id = state.id("link-");
                    state
                        .clusters
                        .entry(cluster.clone())
                        .or_default()
                        .insert(link.clone(), Link::new(source, id));
                }
                Seed::Mirror {
                    cluster,
                    link,
                    topic,
                    lags,
                } => {
                    let l = state
                        .clusters
                        .entry(cluster.clone())
                        .or_default()
                        .entry(link.clone())
                        .or_insert_with(|| Link::new("lkc-source", "link-seeded".into()));
                    l.mirrors
                        .insert(topic.clone(), Mirror::new(topic, lags, now));
                }
                Seed::Instaclustr {
                    cluster,
                    id,
                    regex,
                    topics,
                } => {
                    let id = id
                        .clone()
                        .unwrap_or_else(|| uuid::Uuid::new_v4().to_string());
                    // Seeded mirrors come from an Instaclustr-managed
                    // cluster, whose id is made from the mirror's.
                    let source = uuid::Uuid::new_v5(&uuid::Uuid::NAMESPACE_OID, id.as_bytes());
                    let m = IcMirror {
                        connector_name: "source.target.seeded".into(),
                        topics_regex: regex.clone(),
                        source: source.to_string(),
                        source_kind: state::IcSource::Managed {
                            use_private_ips: false,
                        },
                        alias: "source".into(),
                        rename: false,
                        max_tasks: instaclustr::DEFAULT_MAX_TASKS,
                        target_latency: 30_000,
                        created: now,
                        topics: topics.clone(),
                    };
                    state
                        .instaclustr
                        .entry(cluster.to_lowercase())
                        .or_default()
                        .insert(id, m);
                }
                Seed::TaskError {
                    cluster,
                    link,
                    task,
                    code,
                    message,
                } => {
                    if let Some(l) = state
                        .clusters
                        .get_mut(cluster)
                        .and_then(|links| links.get_mut(link))
                    {
                        l.task_errors
                            .insert(task.clone(), (code.clone(), message.clone()));
                    }
                }
                Seed::Outage { cluster } => {
                    state.outage(cluster, now, self.behaviour.lag_drain_per_second)
                }
            }
        }
        let epoch_ms = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_millis() as i64)
            .unwrap_or(0);
        let shared = Arc::new(Shared {
            state: Mutex::new(state),
            behaviour: self.behaviour,
            faults: faults::Injector::new(self.faults, self.seed, self.scripts),
            base: base.clone(),
            credentials: self.credentials.clone(),
            tokens: self
                .tokens
                .iter()
                .map(|(token, pool, valid_for)| Token {
                    token: token.clone(),
                    identity_pool_id: pool.clone(),
                    expires: now + *valid_for,
                })
                .collect(),
            oauth_clients: self.oauth_clients,
            issued: Mutex::new(oauth::Issued::default()),
            started: now,
            epoch_ms,
        });
        let app = router(shared.clone());
        let task = tokio::spawn(serve(listener, app, shared.clone()));
        Ok(Emulator {
            base,
            credentials: self.credentials,
            task,
            shared,
        })
    }
}

/// A running emulator; it stops when dropped.
pub struct Emulator {
    base: String,
    credentials: Option<(String, String)>,
    task: tokio::task::JoinHandle<()>,
    shared: Arc<Shared>,
}

impl std::fmt::Debug for Emulator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Emulator")
            .field("base_url", &self.base)
            .finish_non_exhaustive()
    }
}

impl Drop for Emulator {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl Emulator {
    /// Starts configuring an emulator.
    pub fn builder() -> EmulatorBuilder {
        EmulatorBuilder {
            behaviour: Behaviour::default(),
            faults: Faults::default(),
            scripts: Vec::new(),
            credentials: Some(("emulator-key".into(), "emulator-secret".into())),
            tokens: Vec::new(),
            oauth_clients: vec![oauth::OAuthClient {
                id: DEFAULT_OAUTH_CLIENT.0.into(),
                secret: DEFAULT_OAUTH_CLIENT.1.into(),
                identity_pool_id: Some(DEFAULT_IDENTITY_POOL.into()),
                token_lifetime: Duration::from_secs(300),
            }],
            seeds: Vec::new(),
            port: 0,
            seed: 1,
        }
    }

    /// An emulator with no seed data, default behaviour and credentials.
    pub async fn start() -> std::io::Result<Emulator> {
        Self::builder().start().await
    }

    /// The base URL of both APIs, for example `http://127.0.0.1:40123`.
    pub fn base_url(&self) -> &str {
        &self.base
    }

    /// The credentials requests must carry, if any.
    pub fn credentials(&self) -> Option<(&str, &str)> {
        self.credentials
            .as_ref()
            .map(|(u, s)| (u.as_str(), s.as_str()))
    }

    /// The OAuth token endpoint, `<base>/emulator/v1/oauth2/token`.
    pub fn token_url(&self) -> String {
        format!("{}{}", self.base, oauth::TOKEN_PATH)
    }

    /// Client-credentials settings for the first OAuth client (see
    /// [`EmulatorBuilder::oauth_client`]) and its identity pool, ready for
    /// `confluent::Client::builder(..).oauth_client_credentials(..)`.
    pub fn oauth_client_credentials(&self) -> Option<(OAuthClientCredentials, Option<String>)> {
        self.shared.oauth_clients.first().map(|c| {
            (
                OAuthClientCredentials::new(self.token_url(), &c.id, &c.secret),
                c.identity_pool_id.clone(),
            )
        })
    }

    /// How many tokens the token endpoint has issued.
    pub fn tokens_issued(&self) -> u64 {
        self.shared
            .issued
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .count
    }

    /// The timings in force.
    pub fn behaviour(&self) -> &Behaviour {
        &self.shared.behaviour
    }

    /// Makes `cluster` unreachable, as `POST /emulator/v1/clusters/{cluster}/outage`
    /// does: its own REST endpoint answers 503, every link whose other end
    /// it is reports `UNAVAILABLE`, and their mirrors `SOURCE_UNAVAILABLE`
    /// with their lag frozen (see the module docs for what each action then
    /// does).
    pub fn outage(&self, cluster: &str) {
        let mut state = self.shared.state.lock().unwrap_or_else(|p| p.into_inner());
        state.outage(
            cluster,
            Instant::now(),
            self.shared.behaviour.lag_drain_per_second,
        );
    }

    /// Ends an outage of `cluster` (as `DELETE .../outage`): links are
    /// `ACTIVE` again and mirrors go back to what they were doing. Returns
    /// whether the cluster was down.
    pub fn recover(&self, cluster: &str) -> bool {
        let mut state = self.shared.state.lock().unwrap_or_else(|p| p.into_inner());
        state.recover(cluster, Instant::now())
    }

    /// Replaces the random faults from now on, for a run that starts calm
    /// and turns rough (the random source goes on from where it was).
    pub fn set_faults(&self, faults: Faults) {
        self.shared.faults.set(faults);
    }

    /// The random faults in force.
    pub fn faults(&self) -> Faults {
        self.shared.faults.faults()
    }

    /// Adds a scripted fault (see [`EmulatorBuilder::script`]).
    pub fn script(&self, script: Script) {
        self.shared.faults.script(script);
    }

    /// How many times `fault` has been injected so far, scripted or drawn.
    pub fn injected(&self, fault: Fault) -> u64 {
        self.shared.faults.injected(fault)
    }

    /// A Confluent client for this emulator, with its credentials.
    pub fn confluent_client(&self) -> kafka_mirror::confluent::Client {
        let mut b = kafka_mirror::confluent::Client::builder(&self.base);
        if let Some((u, s)) = &self.credentials {
            b = b.basic_auth(u, s);
        }
        b.build().expect("the emulator's URL is a valid base URL")
    }

    /// An Instaclustr client for this emulator, with its credentials.
    pub fn instaclustr_client(&self) -> kafka_mirror::instaclustr::Client {
        let mut b = kafka_mirror::instaclustr::Client::builder(&self.base);
        if let Some((u, s)) = &self.credentials {
            b = b.basic_auth(u, s);
        }
        b.build().expect("the emulator's URL is a valid base URL")
    }
}

impl Emulator {
    /// A client of Instaclustr's Cluster Management API v2 for this
    /// emulator, with its credentials.
    pub fn instaclustr_v2_client(&self) -> kafka_mirror::instaclustr_v2::Client {
        let mut b = kafka_mirror::instaclustr_v2::Client::builder(&self.base);
        if let Some((u, s)) = &self.credentials {
            b = b.basic_auth(u, s);
        }
        b.build().expect("the emulator's URL is a valid base URL")
    }
}

fn router(shared: Arc<Shared>) -> Router {
    use confluent as c;
    use instaclustr as i;
    use instaclustr_v2 as v2;
    let mut router = Router::new()
        .route(
            "/kafka/v3/clusters/{cluster}/links",
            get(c::list_links).post(c::create_link),
        )
        .route(
            "/kafka/v3/clusters/{cluster}/links/{link}",
            get(c::get_link).delete(c::delete_link),
        )
        .route(
            "/kafka/v3/clusters/{cluster}/links/{link}/configs",
            get(c::list_configs),
        )
        .route(
            "/kafka/v3/clusters/{cluster}/links/{link}/configs/{name}",
            get(c::get_config)
                .put(c::update_config)
                .delete(c::delete_config),
        )
        .route(
            "/kafka/v3/clusters/{cluster}/links/{link}/mirrors",
            get(c::list_mirrors).post(c::create_mirror),
        )
        .route(
            "/kafka/v3/clusters/{cluster}/links/{link}/mirrors/{topic}",
            get(c::read_mirror),
        )
        .route(
            "/kafka/v3/clusters/{cluster}/links/-/mirrors",
            get(c::list_all_mirrors),
        )
        .route(
            "/kafka/v3/clusters/{cluster}/links/{link}/configs:alter",
            put(c::put_alter_configs),
        )
        .route(
            "/provisioning/v1/{cluster}/kafka-connect/mirrors",
            get(i::list).post(i::create),
        )
        .route(
            "/provisioning/v1/{cluster}/kafka-connect/mirrors/{id}",
            get(i::get).delete(i::delete),
        )
        .route(
            "/provisioning/v1/{cluster}/kafka-connect/mirrors/{id}/targetLatency",
            put(i::target_latency),
        )
        .route(
            "/cluster-management/v2/data-sources/kafka_connect_cluster/{cluster}/mirrors/v2/",
            get(v2::list),
        )
        .route(
            "/cluster-management/v2/resources/applications/kafka_connect/mirrors/v2",
            post(v2::create),
        )
        .route(
            "/cluster-management/v2/resources/applications/kafka_connect/mirrors/v2/{id}",
            get(v2::get).put(v2::update).delete(v2::delete),
        )
        .route(
            "/emulator/v1/clusters/{cluster}/outage",
            post(outage_start).delete(outage_end),
        )
        .route(oauth::TOKEN_PATH, post(oauth::token));
    // One route per `mirrors:*` action, so each takes POST and only POST.
    for action in MirrorAction::ALL {
        let path = format!(
            "/kafka/v3/clusters/{{cluster}}/links/{{link}}/{}",
            action.path_suffix()
        );
        router = router.route(
            &path,
            post(move |s, p, q, r, b| c::mirrors_action(*action, s, p, q, r, b)),
        );
    }
    router
        .fallback(http::not_found)
        .layer(axum::middleware::from_fn_with_state(shared.clone(), guard))
        .layer(axum::middleware::from_fn(http::vendor_errors))
        .with_state(shared)
}

/// Accepts connections and serves each with hyper, closing the connection
/// instead of answering when the connection-reset fault picks a request.
async fn serve(listener: tokio::net::TcpListener, app: Router, shared: Arc<Shared>) {
    use tower::ServiceExt;
    loop {
        let Ok((stream, _)) = listener.accept().await else {
            continue;
        };
        let (app, shared) = (app.clone(), shared.clone());
        tokio::spawn(async move {
            let service = hyper::service::service_fn(
                move |request: hyper::Request<hyper::body::Incoming>| {
                    let arrival = shared
                        .faults
                        .on_arrival(request.method(), request.uri().path());
                    let path = request.uri().path().to_string();
                    let mut request = request.map(axum::body::Body::new);
                    if let Some(refused) = arrival.refused {
                        request.extensions_mut().insert(refused);
                    }
                    if arrival.fault.is_some() {
                        request.extensions_mut().insert(faults::Injected);
                    }
                    let app = app.clone();
                    async move {
                        match arrival.fault {
                            Some(Fault::ResetBeforeApplying) => {
                                return Err(faults::dropped(Fault::ResetBeforeApplying));
                            }
                            Some(f) if f != Fault::LoseAnswer => {
                                if let Some(answer) = faults::answer(f, &path) {
                                    return Ok(answer);
                                }
                            }
                            _ => {}
                        }
                        let response = match app.oneshot(request).await {
                            Ok(response) => response,
                            Err(never) => match never {},
                        };
                        // The handler has run and changed the state; only
                        // the answer goes missing.
                        if arrival.fault == Some(Fault::LoseAnswer) {
                            return Err(faults::dropped(Fault::LoseAnswer));
                        }
                        Ok(response)
                    }
                },
            );
            let _ =
                hyper_util::server::conn::auto::Builder::new(hyper_util::rt::TokioExecutor::new())
                    .serve_connection(hyper_util::rt::TokioIo::new(stream), service)
                    .await;
        });
    }
}

/// `POST /emulator/v1/clusters/{cluster}/outage`: see [`Emulator::outage`].
async fn outage_start(
    AxState(s): AxState<Arc<Shared>>,
    axum::extract::Path(cluster): axum::extract::Path<String>,
) -> Response {
    let mut state = s.state.lock().unwrap_or_else(|p| p.into_inner());
    state.outage(&cluster, Instant::now(), s.behaviour.lag_drain_per_second);
    StatusCode::NO_CONTENT.into_response()
}

/// `DELETE /emulator/v1/clusters/{cluster}/outage`: see [`Emulator::recover`].
async fn outage_end(
    AxState(s): AxState<Arc<Shared>>,
    axum::extract::Path(cluster): axum::extract::Path<String>,
) -> Response {
    let mut state = s.state.lock().unwrap_or_else(|p| p.into_inner());
    if state.recover(&cluster, Instant::now()) {
        StatusCode::NO_CONTENT.into_response()
    } else {
        confluent::error(
            StatusCode::NOT_FOUND,
            404,
            format!("Cluster '{cluster}' is not in an outage."),
        )
    }
}

/// Latency, rate limit, authentication and injected errors, before any handler.
async fn guard(AxState(s): AxState<Arc<Shared>>, request: Request, next: Next) -> Response {
    // The emulator's own control routes take no credentials and no faults.
    if request.uri().path().starts_with("/emulator/") {
        return next.run(request).await;
    }
    let confluent = request.uri().path().starts_with("/kafka/");
    let latency = s.faults.latency();
    if !latency.is_zero() {
        tokio::time::sleep(latency).await;
    }
    // One fault per request: one that took it on arrival (an answer to be
    // lost after applying) is not also refused here.
    let taken = request.extensions().get::<faults::Injected>().is_some();
    if !taken
        && s.faults.over_rate_limit()
        && let Some(answer) = faults::answer(Fault::RateLimited, request.uri().path())
    {
        return answer;
    }
    if let Err(refused) = authenticate(&s, &request, confluent) {
        return refused;
    }
    if !taken
        && s.faults.retriable_error()
        && let Some(answer) = faults::answer(Fault::RetriableError, request.uri().path())
    {
        return answer;
    }
    next.run(request).await
}

/// Basic credentials, or (Confluent only) a bearer token that has not
/// expired, with its identity pool when it has one. Nothing is required
/// when neither is configured.
fn authenticate(s: &Shared, request: &Request, confluent: bool) -> Result<(), Response> {
    if s.credentials.is_none() && s.tokens.is_empty() && s.oauth_clients.is_empty() {
        return Ok(());
    }
    let refuse = |message: &str| {
        let unauthorized = StatusCode::UNAUTHORIZED;
        Err(match error::Api::of(request.uri().path()) {
            _ if confluent => error::ApiError::confluent(unauthorized, 40101, message),
            error::Api::InstaclustrV2 => {
                error::ApiError::instaclustr_v2(unauthorized, "authorization", "Not Authorized")
            }
            // Paths outside the three APIs (`confluent` is false for them)
            // get v1's shape, as before.
            error::Api::Instaclustr | error::Api::Confluent => {
                error::ApiError::instaclustr(unauthorized, "Not Authorized")
            }
        }
        .into_response())
    };
    let header = |name: &str| request.headers().get(name).and_then(|v| v.to_str().ok());
    let given = header("authorization").unwrap_or("");
    if let Some((user, secret)) = &s.credentials {
        let expected = format!(
            "Basic {}",
            base64::engine::general_purpose::STANDARD.encode(format!("{user}:{secret}"))
        );
        if given == expected {
            return Ok(());
        }
    }
    let bearer = given.strip_prefix("Bearer ").filter(|_| confluent);
    let issued = s.issued.lock().unwrap_or_else(|p| p.into_inner());
    let known = |b: &str| {
        s.tokens
            .iter()
            .chain(issued.tokens.iter())
            .find(|t| t.token == b)
    };
    if let Some(token) = bearer.and_then(known) {
        if Instant::now() >= token.expires {
            return refuse("The access token has expired");
        }
        let pool = header("confluent-identity-pool-id");
        if token
            .identity_pool_id
            .as_deref()
            .is_some_and(|p| pool != Some(p))
        {
            return refuse("The identity pool of the access token is missing or wrong");
        }
        return Ok(());
    }
    refuse("Authentication failed")
}

/// One page of a list, with an absolute `next` link when more remain.
fn page<T: Serialize>(
    s: &Shared,
    path: &str,
    kind: &str,
    items: Vec<T>,
    token: Option<usize>,
    extra: &[(&str, String)],
) -> Response {
    let start = token.unwrap_or(0).min(items.len());
    let end = (start + s.behaviour.page_size).min(items.len());
    let query = |offset: Option<usize>| {
        let mut parts: Vec<String> = extra.iter().map(|(k, v)| format!("{k}={v}")).collect();
        if let Some(o) = offset {
            parts.push(format!("page_token={o}"));
        }
        if parts.is_empty() {
            String::new()
        } else {
            format!("?{}", parts.join("&"))
        }
    };
    let next = (end < items.len()).then(|| s.url(&format!("{path}{}", query(Some(end)))));
    let data: Vec<&T> = items[start..end].iter().collect();
    axum::Json(serde_json::json!({
        "kind": kind,
        "metadata": {"self": s.url(&format!("{path}{}", query(token))), "next": next},
        "data": data,
    }))
    .into_response()
}
