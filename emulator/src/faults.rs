//! The fault injector: random faults drawn from one seeded source
//! ([`Faults`]), faults scripted for chosen requests ([`Script`]), and a
//! count of every fault injected ([`Fault`]). One lock holds it all, so a
//! draw, a script's countdown and its count change together.

use std::collections::VecDeque;
use std::sync::Mutex;
use std::time::Duration;

use axum::http::{Method, StatusCode};
use axum::response::{IntoResponse, Response};
use tokio::time::Instant;

use crate::error::{Api, ApiError};

/// Random faults, drawn per request from the emulator's seeded source.
#[derive(Debug, Clone, Default)]
pub struct Faults {
    /// Requests allowed in any sliding second; above it, 429.
    pub rate_limit_per_second: Option<usize>,
    /// Fraction (0.0 to 1.0) of requests answered 500 with `error_code` 50003.
    pub retriable_error_fraction: f64,
    /// Added to every answer.
    pub latency: Duration,
    /// Fraction (0.0 to 1.0) of requests whose connection is closed after
    /// the request was read, with no answer and **before** it is applied
    /// (a reset mid-call).
    pub connection_reset_fraction: f64,
    /// Fraction (0.0 to 1.0) of requests that are applied, and whose answer
    /// is then lost: the connection is closed instead of answering.
    pub lost_answer_fraction: f64,
}

/// One kind of injected fault, as [`Emulator::injected`](crate::Emulator::injected)
/// counts them and a [`Script`] injects them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Fault {
    /// The connection is closed after the request was read, with no
    /// answer, and the request is **not** applied.
    ResetBeforeApplying,
    /// The request **is** applied, then the connection is closed instead
    /// of answering. A client cannot tell this from
    /// [`Fault::ResetBeforeApplying`]; only reading the state back can.
    LoseAnswer,
    /// 500 with `error_code` 50003 ("not the leader"), not applied.
    RetriableError,
    /// 429, not applied: Confluent's HTML page, or the Instaclustr API's
    /// JSON error.
    RateLimited,
    /// 503 in the service's error body, not applied.
    Unavailable,
    /// In a `mirrors:*` action's 200 answer, a topic is refused with
    /// `error_code` 50003 and left as it was, while the others are acted on:
    /// a partial failure inside a success.
    TopicError,
}

impl Fault {
    /// Every fault.
    pub const ALL: [Fault; 6] = [
        Fault::ResetBeforeApplying,
        Fault::LoseAnswer,
        Fault::RetriableError,
        Fault::RateLimited,
        Fault::Unavailable,
        Fault::TopicError,
    ];

    fn index(self) -> usize {
        self as usize
    }
}

impl std::fmt::Display for Fault {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Fault::ResetBeforeApplying => "reset before applying",
            Fault::LoseAnswer => "answer lost after applying",
            Fault::RetriableError => "500 with error code 50003",
            Fault::RateLimited => "429 too many requests",
            Fault::Unavailable => "503 service unavailable",
            Fault::TopicError => "topic refused with 50003 inside a 200",
        })
    }
}

/// A fault for the next requests that match, whatever the random draw
/// says: for tests that need one failure at one moment (the promote's
/// answer lost, ten reads in a row failing, a storm of 429s).
///
/// ```
/// use kafka_mirror_emulator::{Fault, Script};
/// // The first promote is applied and its answer lost.
/// let lose = Script::new(Fault::LoseAnswer).on("POST", "/mirrors:promote");
/// // The next 10 reads of the mirror topics answer 503.
/// let burst = Script::new(Fault::Unavailable).on("GET", "/mirrors").times(10);
/// # let _ = (lose, burst);
/// ```
#[derive(Debug, Clone)]
#[must_use]
pub struct Script {
    fault: Fault,
    method: Option<Method>,
    path_suffix: Option<String>,
    topic: Option<String>,
    times: usize,
}

impl Script {
    /// `fault` for the next request of any kind, once.
    pub fn new(fault: Fault) -> Self {
        Script {
            fault,
            method: None,
            path_suffix: None,
            topic: None,
            times: 1,
        }
    }

    /// Only requests with this method whose path ends with `path_suffix`
    /// (`"/mirrors:promote"`, `"/mirrors"`). An unknown method matches
    /// nothing.
    pub fn on(mut self, method: &str, path_suffix: &str) -> Self {
        self.method = Some(Method::from_bytes(method.as_bytes()).unwrap_or(Method::CONNECT));
        self.path_suffix = Some(path_suffix.into());
        self
    }

    /// For [`Fault::TopicError`]: the topic refused (default: every topic
    /// the action names). Other faults ignore it.
    pub fn topic(mut self, name: &str) -> Self {
        self.topic = Some(name.into());
        self
    }

    /// For the next `n` matching requests (default 1).
    pub fn times(mut self, n: usize) -> Self {
        self.times = n;
        self
    }

    fn matches(&self, method: &Method, path: &str) -> bool {
        self.method.as_ref().is_none_or(|m| m == method)
            && self.path_suffix.as_ref().is_none_or(|s| path.ends_with(s))
    }
}

/// What the injector decided for a request on arrival.
#[derive(Debug, Default)]
pub(crate) struct Arrival {
    /// A fault that takes the whole request.
    pub fault: Option<Fault>,
    /// Topics a `mirrors:*` action must refuse inside its 200 answer.
    pub refused: Option<RefusedTopics>,
}

/// The fault that took a request on arrival: a request extension, so the
/// guard adds no second fault to it.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Injected;

/// Topics refused with 50003 inside an action's 200 answer: a request
/// extension the action handler reads.
#[derive(Debug, Clone, Default)]
pub(crate) struct RefusedTopics {
    /// Every topic.
    all: bool,
    names: Vec<String>,
}

impl RefusedTopics {
    /// Whether `topic` is refused.
    pub fn covers(&self, topic: &str) -> bool {
        self.all || self.names.iter().any(|n| n == topic)
    }
}

/// The injector's state, under one lock.
struct Inner {
    faults: Faults,
    rng: fastrand::Rng,
    recent: VecDeque<Instant>,
    scripts: Vec<Script>,
    counts: [u64; Fault::ALL.len()],
}

/// The emulator's fault injector.
pub(crate) struct Injector(Mutex<Inner>);

impl Injector {
    pub fn new(faults: Faults, seed: u64, scripts: Vec<Script>) -> Self {
        Injector(Mutex::new(Inner {
            faults,
            rng: fastrand::Rng::with_seed(seed),
            recent: VecDeque::new(),
            scripts,
            counts: [0; Fault::ALL.len()],
        }))
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.0.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Replaces the random faults (the random source goes on).
    pub fn set(&self, faults: Faults) {
        self.lock().faults = faults;
    }

    /// The random faults in force.
    pub fn faults(&self) -> Faults {
        self.lock().faults.clone()
    }

    /// Adds a script after those already waiting.
    pub fn script(&self, script: Script) {
        self.lock().scripts.push(script);
    }

    /// How many times `fault` was injected.
    pub fn injected(&self, fault: Fault) -> u64 {
        self.lock().counts[fault.index()]
    }

    /// On a request's arrival, before it is routed: the first matching
    /// script that takes the whole request (else the random connection
    /// fault draw), and any topic refusals. The emulator's own control
    /// routes take no faults.
    pub fn on_arrival(&self, method: &Method, path: &str) -> Arrival {
        let mut arrival = Arrival::default();
        if path.starts_with("/emulator/") {
            return arrival;
        }
        let mut inner = self.lock();
        let Inner {
            scripts, counts, ..
        } = &mut *inner;
        for script in scripts.iter_mut() {
            if script.times == 0 || !script.matches(method, path) {
                continue;
            }
            if script.fault == Fault::TopicError {
                let refused = arrival.refused.get_or_insert_with(RefusedTopics::default);
                match &script.topic {
                    Some(t) => refused.names.push(t.clone()),
                    None => refused.all = true,
                }
            } else if arrival.fault.is_none() {
                arrival.fault = Some(script.fault);
            } else {
                continue;
            }
            script.times -= 1;
            counts[script.fault.index()] += 1;
        }
        scripts.retain(|s| s.times > 0);
        if arrival.fault.is_none() {
            arrival.fault = inner.draw_connection_fault();
        }
        arrival
    }

    /// The latency to add to every answer.
    pub fn latency(&self) -> Duration {
        self.lock().faults.latency
    }

    /// Whether this request is over the rate limit (counted when it is).
    pub fn over_rate_limit(&self) -> bool {
        let mut inner = self.lock();
        let Some(limit) = inner.faults.rate_limit_per_second else {
            return false;
        };
        let now = Instant::now();
        while inner
            .recent
            .front()
            .is_some_and(|t| now.saturating_duration_since(*t) >= Duration::from_secs(1))
        {
            inner.recent.pop_front();
        }
        inner.recent.push_back(now);
        let over = inner.recent.len() > limit;
        if over {
            inner.counts[Fault::RateLimited.index()] += 1;
        }
        over
    }

    /// Whether the random draw answers this request 50003 (counted when
    /// it does).
    pub fn retriable_error(&self) -> bool {
        let mut inner = self.lock();
        let fraction = inner.faults.retriable_error_fraction;
        let hit = fraction > 0.0 && inner.rng.f64() < fraction;
        if hit {
            inner.counts[Fault::RetriableError.index()] += 1;
        }
        hit
    }
}

impl Inner {
    /// One draw decides both connection faults, so the two fractions add
    /// up and a seed gives the same run.
    fn draw_connection_fault(&mut self) -> Option<Fault> {
        let (reset, lost) = (
            self.faults.connection_reset_fraction,
            self.faults.lost_answer_fraction,
        );
        if reset + lost <= 0.0 {
            return None;
        }
        let draw = self.rng.f64();
        let fault = if draw < reset {
            Fault::ResetBeforeApplying
        } else if draw < reset + lost {
            Fault::LoseAnswer
        } else {
            return None;
        };
        self.counts[fault.index()] += 1;
        Some(fault)
    }
}

/// The answer a fault gives instead of the handler's, for the faults that
/// answer (`None` for those that close the connection or refuse topics).
pub(crate) fn answer(fault: Fault, path: &str) -> Option<Response> {
    let api = Api::of(path);
    Some(match fault {
        Fault::RetriableError => ApiError::confluent(
            StatusCode::INTERNAL_SERVER_ERROR,
            NOT_LEADER.0,
            NOT_LEADER.1,
        )
        .into_response(),
        Fault::RateLimited if api == Api::Confluent => (
            StatusCode::TOO_MANY_REQUESTS,
            [("content-type", "text/html;charset=utf-8")],
            HTML_429,
        )
            .into_response(),
        Fault::RateLimited => api.error(StatusCode::TOO_MANY_REQUESTS, "Too many requests"),
        Fault::Unavailable => api.error(
            StatusCode::SERVICE_UNAVAILABLE,
            "The service is temporarily unavailable.",
        ),
        Fault::ResetBeforeApplying | Fault::LoseAnswer | Fault::TopicError => return None,
    })
}

/// What a connection-dropping fault returns to hyper in place of an answer.
pub(crate) fn dropped(fault: Fault) -> std::io::Error {
    std::io::Error::new(
        std::io::ErrorKind::ConnectionReset,
        format!("injected fault: {fault}"),
    )
}

/// The code and message of Confluent's "not the leader" error (50003), as
/// an injected 500 and a topic refused inside a 200 both give it.
pub(crate) const NOT_LEADER: (i64, &str) = (
    50003,
    "This server is not the leader for that topic-partition.",
);

/// Confluent's 429 page.
const HTML_429: &str = "<html> <head> <meta http-equiv=\"Content-Type\" content=\"text/html;charset=utf-8\"/> \
<title>Error 429 Too Many Requests</title> </head> <body> <h2>HTTP ERROR 429 Too Many Requests</h2> </body> </html>";
