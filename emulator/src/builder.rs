//! [`EmulatorBuilder`]: what the emulator holds when it starts (its
//! fixtures), how it behaves, which faults it injects, and who may call it.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::time::Instant;

use crate::auth::Token;
use crate::server::{router, serve};
use crate::state::{IcMirror, Link, Mirror, State};
use crate::{Behaviour, Emulator, Faults, Script, Shared, faults, instaclustr, oauth, state};

/// What the emulator holds when it starts (links, mirrors, Instaclustr
/// mirrors, task errors, outages): its fixtures, applied in order.
#[derive(Debug, Clone)]
pub(crate) enum Fixture {
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
    FailedMirror {
        cluster: String,
        link: String,
        topic: String,
        error: String,
        message: String,
    },
    LinkConfig {
        cluster: String,
        link: String,
        name: String,
        value: String,
    },
}

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
    fixtures: Vec<Fixture>,
    port: u16,
    /// The fault injector's random seed.
    fault_seed: u64,
}

impl EmulatorBuilder {
    /// The defaults of [`Emulator::builder`]: no fixtures, default
    /// behaviour, Basic credentials and the default OAuth client.
    pub(crate) fn new() -> Self {
        Self {
            behaviour: Behaviour::default(),
            faults: Faults::default(),
            scripts: Vec::new(),
            credentials: Some(("emulator-key".into(), "emulator-secret".into())),
            tokens: Vec::new(),
            oauth_clients: vec![oauth::OAuthClient {
                id: crate::DEFAULT_OAUTH_CLIENT.0.into(),
                secret: crate::DEFAULT_OAUTH_CLIENT.1.into(),
                identity_pool_id: Some(crate::DEFAULT_IDENTITY_POOL.into()),
                token_lifetime: Duration::from_secs(300),
            }],
            fixtures: Vec::new(),
            port: 0,
            fault_seed: 1,
        }
    }

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
    /// [`crate::DEFAULT_OAUTH_CLIENT`], pool [`crate::DEFAULT_IDENTITY_POOL`], tokens of
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
    /// `include_tasks=true` shows it: on the link if it is seeded before,
    /// else on the link of that name once it is created through the API
    /// (a link created "successfully" with a task in error).
    pub fn task_error(
        mut self,
        cluster: &str,
        link: &str,
        task: &str,
        code: &str,
        message: &str,
    ) -> Self {
        self.fixtures.push(Fixture::TaskError {
            cluster: cluster.into(),
            link: link.into(),
            task: task.into(),
            code: code.into(),
            message: message.into(),
        });
        self
    }

    /// Puts a seeded mirror topic in `FAILED`: its lag frozen, its
    /// `mirror_topic_error` `error` (`SOURCE_TOPIC_ID_CHANGED`...), and a
    /// state transition error with that code and `message`.
    pub fn failed_mirror(
        mut self,
        cluster: &str,
        link: &str,
        topic: &str,
        error: &str,
        message: &str,
    ) -> Self {
        self.fixtures.push(Fixture::FailedMirror {
            cluster: cluster.into(),
            link: link.into(),
            topic: topic.into(),
            error: error.into(),
            message: message.into(),
        });
        self
    }

    /// Sets a config of a seeded link (`consumer.offset.sync.enable`...).
    pub fn link_config(mut self, cluster: &str, link: &str, name: &str, value: &str) -> Self {
        self.fixtures.push(Fixture::LinkConfig {
            cluster: cluster.into(),
            link: link.into(),
            name: name.into(),
            value: value.into(),
        });
        self
    }

    /// Starts with `cluster` in an outage (see [`Emulator::outage`]).
    pub fn outage(mut self, cluster: &str) -> Self {
        self.fixtures.push(Fixture::Outage {
            cluster: cluster.into(),
        });
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

    /// Seed of the fault injector's random source (default 1): the same
    /// seed, the same faults.
    pub fn fault_seed(mut self, seed: u64) -> Self {
        self.fault_seed = seed;
        self
    }

    /// The fault injector's seed; renamed [`Self::fault_seed`], as "seed"
    /// also named the fixtures and the seed file.
    #[deprecated(since = "0.1.0", note = "use fault_seed")]
    pub fn seed(self, seed: u64) -> Self {
        self.fault_seed(seed)
    }

    /// Listens on this port (default: any free port).
    pub fn port(mut self, port: u16) -> Self {
        self.port = port;
        self
    }

    /// A link named `link` on destination cluster `cluster`, from `source`.
    pub fn link(mut self, cluster: &str, link: &str, source: &str) -> Self {
        self.fixtures.push(Fixture::Link {
            cluster: cluster.into(),
            link: link.into(),
            source: source.into(),
        });
        self
    }

    /// A mirror topic on `link` (seeded before it) with one partition per
    /// entry of `lags`, `ACTIVE`.
    pub fn mirror(mut self, cluster: &str, link: &str, topic: &str, lags: &[u64]) -> Self {
        self.fixtures.push(Fixture::Mirror {
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
        self.fixtures.push(Fixture::Instaclustr {
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
        self.fixtures.push(Fixture::Instaclustr {
            cluster: cluster.into(),
            id: Some(id.into()),
            regex: topics_regex.into(),
            topics: topics.iter().map(|t| t.to_string()).collect(),
        });
        self
    }

    /// The standalone emulator's fixtures: cluster `lkc-dr` with the link
    /// `primary-to-dr` from `lkc-primary`, mirroring `orders` (partitions
    /// lagging 0, 1,200 and 300 messages), `payments` (50, 0) and
    /// `inventory` (0).
    pub fn standard_fixtures(self) -> Self {
        self.link("lkc-dr", "primary-to-dr", "lkc-primary")
            .mirror("lkc-dr", "primary-to-dr", "orders", &[0, 1_200, 300])
            .mirror("lkc-dr", "primary-to-dr", "payments", &[50, 0])
            .mirror("lkc-dr", "primary-to-dr", "inventory", &[0])
    }

    /// Renamed [`Self::standard_fixtures`].
    #[deprecated(since = "0.1.0", note = "use standard_fixtures")]
    pub fn standard_seed(self) -> Self {
        self.standard_fixtures()
    }

    /// Starts serving on loopback.
    pub async fn start(self) -> std::io::Result<Emulator> {
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", self.port)).await?;
        let base = format!("http://{}", listener.local_addr()?);
        let now = Instant::now();
        let mut state = State::default();
        for fixture in &self.fixtures {
            match fixture {
                Fixture::Link {
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
                Fixture::Mirror {
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
                Fixture::Instaclustr {
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
                Fixture::TaskError {
                    cluster,
                    link,
                    task,
                    code,
                    message,
                } => {
                    let error = (code.clone(), message.clone());
                    match state.link_mut(cluster, link) {
                        Some(l) => {
                            l.task_errors.insert(task.clone(), error);
                        }
                        None => {
                            state
                                .task_errors_on_create
                                .entry((cluster.clone(), link.clone()))
                                .or_default()
                                .insert(task.clone(), error);
                        }
                    }
                }
                Fixture::FailedMirror {
                    cluster,
                    link,
                    topic,
                    error,
                    message,
                } => {
                    if let Some(m) = state
                        .link_mut(cluster, link)
                        .and_then(|l| l.mirrors.get_mut(topic))
                    {
                        m.fail(error, message, now, self.behaviour.lag_drain_per_second);
                    }
                }
                Fixture::LinkConfig {
                    cluster,
                    link,
                    name,
                    value,
                } => {
                    if let Some(l) = state.link_mut(cluster, link) {
                        l.configs.insert(
                            name.clone(),
                            state::Config {
                                value: value.clone(),
                                is_default: false,
                            },
                        );
                    }
                }
                Fixture::Outage { cluster } => {
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
            faults: faults::Injector::new(self.faults, self.fault_seed, self.scripts),
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
            requests: Default::default(),
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
