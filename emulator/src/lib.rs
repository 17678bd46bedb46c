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

mod auth;
mod builder;
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
mod server;
mod state;

use std::sync::{Arc, Mutex};

use kafka_mirror::auth::OAuthClientCredentials;
use tokio::time::Instant;

use auth::Token;
use state::State;

pub use builder::EmulatorBuilder;
pub use faults::{Fault, Faults, Script};
#[cfg(feature = "cli")]
pub use flags::EmulatorFlags;
pub use seed::SeedFile;
pub use state::Behaviour;

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
    /// API requests received (not the control routes), refused ones too.
    requests: std::sync::atomic::AtomicU64,
}

impl Shared {
    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }
}

/// The OAuth client of the default emulator: client id and secret.
pub const DEFAULT_OAUTH_CLIENT: (&str, &str) = ("emulator-client", "emulator-client-secret");
/// The identity pool the default OAuth client's tokens need.
pub const DEFAULT_IDENTITY_POOL: &str = "pool-emulator";

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
        EmulatorBuilder::new()
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

    /// How many API requests the emulator has received, whatever it
    /// answered (429s and injected faults included; its own `/emulator/`
    /// control routes not): what a run cost, in requests.
    pub fn requests(&self) -> u64 {
        self.shared
            .requests
            .load(std::sync::atomic::Ordering::Relaxed)
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
