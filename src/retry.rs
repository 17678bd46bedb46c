//! Retrying what was provably not applied, politely.
//!
//! Every request of both clients goes through one loop (the `exec` hook of
//! the generated clients, see `transport.rs`), which retries:
//!
//! | answer or failure | GET, PUT, DELETE | POST | budget tokens per retry |
//! | --- | --- | --- | --- |
//! | HTTP 429, any body (Confluent's is an HTML page) | retried, up to [`RetryPolicy::max_throttled_retries`] times on top of `max_attempts` | retried, the same | 1: the service is alive and paced us |
//! | 5xx whose JSON body has `error_code` 50003 (retriable Kafka error) | retried | retried | 5 |
//! | 502, 503, 504 with an empty or non-JSON body (a gateway answered, not the API) | retried | retried | 5 |
//! | any other 5xx (500 with 50002, ...) or 4xx | not retried | not retried | - |
//! | connection refused / DNS / TLS failure: nothing was sent | retried | retried | 5 |
//! | reset after the request was sent | retried | **not retried**: a create or a promote may already have happened | 5 |
//! | timeout after the request was sent | retried | **not retried** | 10 |
//!
//! Waits honour `Retry-After` (delta-seconds or HTTP-date), capped by
//! [`RetryPolicy::max_retry_after`]; otherwise exponential backoff with full
//! jitter: a random wait between zero and `min(max_delay, base_delay * 2^n)`.
//! With the adaptive rate limit (the Confluent client's default), a call's
//! first 429 without `Retry-After` waits only for the limiter's next permit:
//! the limiter has just lowered its limit for that 429.
//! A retry budget shared by the whole client (a token bucket after
//! aws-sdk-rust's standard mode, sized by [`RetryPolicy::budget`]) pays for retries; a call
//! that succeeds gives back all its retries took (one token when it took
//! none). A throttled or flaky service, whose calls end up succeeding, keeps
//! the budget full; a service that is down drains it within about 100
//! retries, after which failures are returned at once, so a thousand tasks
//! do not multiply the load on it.
//!
//! ```
//! use std::time::Duration;
//! use kafka_mirror::retry::RetryPolicy;
//!
//! let c = kafka_mirror::confluent::Client::builder("https://pkc-1.confluent.cloud")
//!     .basic_auth("key", "secret")
//!     .retry(RetryPolicy::default().max_attempts(8).deadline(Duration::from_secs(60)))
//!     .build()?;
//! let no_retries = kafka_mirror::confluent::Client::builder("https://pkc-1.confluent.cloud")
//!     .retry(RetryPolicy::none())
//!     .build()?;
//! # Ok::<(), kafka_mirror::ConfigError>(())
//! ```

use std::fmt;
use std::sync::Mutex;
use std::time::{Duration, SystemTime};

use reqwest::header::{HeaderMap, RETRY_AFTER};
use reqwest::{Method, StatusCode};

/// How a client retries. The defaults are those of Confluent's own CLI
/// (5 attempts, waits from 1 s up to 30 s), which are long enough to ride
/// out a leader election and short enough that a failing DR step is
/// reported within about a minute; throttling (429) gets up to 10 retries
/// of its own on top, so a busy but healthy service is waited for longer
/// (a few minutes at most) than a failing one.
#[derive(Debug, Clone, PartialEq)]
pub struct RetryPolicy {
    pub(crate) max_attempts: u32,
    pub(crate) max_throttled_retries: u32,
    pub(crate) base_delay: Duration,
    pub(crate) max_delay: Duration,
    pub(crate) max_retry_after: Duration,
    pub(crate) deadline: Option<Duration>,
    pub(crate) budget: u32,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_attempts: 5,
            max_throttled_retries: 10,
            base_delay: Duration::from_secs(1),
            max_delay: Duration::from_secs(30),
            max_retry_after: Duration::from_secs(60),
            deadline: None,
            budget: RetryBudget::STANDARD_CAPACITY,
        }
    }
}

impl RetryPolicy {
    /// One attempt, never a retry.
    pub fn none() -> Self {
        Self {
            max_attempts: 1,
            max_throttled_retries: 0,
            ..Self::default()
        }
    }

    /// Attempts, the first included (at least 1), not counting those
    /// answered 429 (see [`Self::max_throttled_retries`]). Default 5.
    pub fn max_attempts(mut self, n: u32) -> Self {
        self.max_attempts = n.max(1);
        self
    }

    /// Retries after a 429, on top of [`Self::max_attempts`]: a service that
    /// throttles is alive and asks to be called later, which backoff and
    /// `Retry-After` do, so a call is not given up for that as early as for
    /// a failure. Default 10; 0 gives 429s no retry of their own.
    pub fn max_throttled_retries(mut self, n: u32) -> Self {
        self.max_throttled_retries = n;
        self
    }

    /// The first backoff's upper bound. Default 1 s.
    pub fn base_delay(mut self, d: Duration) -> Self {
        self.base_delay = d;
        self
    }

    /// The largest backoff. Default 30 s.
    pub fn max_delay(mut self, d: Duration) -> Self {
        self.max_delay = d;
        self
    }

    /// The longest `Retry-After` honoured; a longer one is cut to this.
    /// Default 60 s.
    pub fn max_retry_after(mut self, d: Duration) -> Self {
        self.max_retry_after = d;
        self
    }

    /// Bounds the whole call, from its start: no retry whose wait would end
    /// past it, no wait for a rate-limit permit past it (nothing is sent,
    /// [`crate::Error::Deadline`]), and a request still in flight when it
    /// passes is abandoned (`Error::Deadline` with `in_flight`: the service
    /// may have applied it). Default: none (attempts alone bound the call).
    pub fn deadline(mut self, d: Duration) -> Self {
        self.deadline = Some(d);
        self
    }

    /// Capacity of the client-wide retry budget, in tokens (a retry after a
    /// 429 costs 1, after a failure 5, after a timeout 10; a success gives
    /// back what its retries took, or 1). Default 500, as aws-sdk-rust's
    /// standard mode; 0 means no retry is ever affordable.
    pub fn budget(mut self, tokens: u32) -> Self {
        self.budget = tokens;
        self
    }

    /// The wait before retry number `retry` (1 for the first retry): full
    /// jitter over `min(max_delay, base_delay * 2^(retry-1))`, with
    /// `jitter` in `[0, 1)` the random draw.
    pub(crate) fn backoff(&self, retry: u32, jitter: f64) -> Duration {
        let exp = self
            .base_delay
            .saturating_mul(1u32 << retry.saturating_sub(1).min(20));
        let cap = exp.min(self.max_delay);
        cap.mul_f64(jitter.clamp(0.0, 1.0))
    }
}

/// Why a request is retried.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum RetryReason {
    /// HTTP 429.
    RateLimited,
    /// A 5xx with Confluent's `error_code` 50003: the request was not applied.
    RetriableKafkaError,
    /// 502, 503 or 504 without a JSON body: a gateway answered, not the API.
    Gateway(u16),
    /// The connection could not be made; nothing was sent.
    ConnectFailed,
    /// A timeout after the request was sent (idempotent methods only).
    TimedOut,
    /// The connection broke after the request was sent (idempotent methods only).
    ConnectionLost,
}

/// What a call's loop has sent so far: what the retry decision counts.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Attempts {
    /// Requests sent, the last one included.
    pub(crate) sent: u32,
    /// Of those, retries after a 429, which `max_attempts` does not count.
    pub(crate) throttled: u32,
    /// Of those, the send again after a token refresh, which counts
    /// against neither limit.
    pub(crate) refreshed: u32,
}

impl Attempts {
    /// The sends that count against `max_attempts`.
    pub(crate) fn counted(self) -> u32 {
        self.sent - self.throttled - self.refreshed
    }

    /// After a retry for `reason` is decided.
    pub(crate) fn retrying(self, reason: RetryReason) -> Self {
        Self {
            throttled: self.throttled + u32::from(reason == RetryReason::RateLimited),
            ..self
        }
    }
}

/// The retry decision: send again after a wait, or stop and why.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Decision {
    /// Send again after `wait` (then take `reason.cost()` tokens from the
    /// client's budget, if it has them).
    Retry {
        /// The wait before sending again.
        wait: Duration,
        /// Why.
        reason: RetryReason,
    },
    /// Return the failure as it is.
    Stop(Stop),
}

/// Why a failure is returned rather than retried.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Stop {
    /// It may have been applied, or it will fail the same way.
    NotRetryable,
    /// The policy's attempts (or throttled retries) are used up.
    NoRetryLeft,
    /// The wait would end past the call's deadline.
    PastDeadline,
}

impl RetryPolicy {
    /// Whether a retry for `reason` is left after `attempts`.
    pub(crate) fn allows(&self, reason: RetryReason, attempts: Attempts) -> bool {
        match reason {
            RetryReason::RateLimited => attempts.throttled < self.max_throttled_retries,
            _ => attempts.counted() < self.max_attempts,
        }
    }

    /// Whether a retry of any kind may follow `attempts` (so the request is
    /// worth copying before it is sent).
    pub(crate) fn any_retry_left(&self, attempts: Attempts) -> bool {
        self.allows(RetryReason::RateLimited, attempts)
            || self.allows(RetryReason::ConnectFailed, attempts)
    }

    /// The retry decision, a pure function of the policy, what was sent,
    /// and the failure: `reason` is its classification (`None`: not
    /// retryable), `retry_after` the wait the answer asked for, `jitter` a
    /// number in `[0, 1)` that draws the backoff, `time_left` the time to
    /// the call's deadline, if it has one, and `paced` whether the client
    /// paces itself by a limit learned from 429s (the adaptive rate limit).
    ///
    /// A paced client's first 429 of a call, with no `Retry-After`, is
    /// retried with no backoff: the limiter has just lowered its limit for
    /// that 429, and waiting for its next permit is the wait the service
    /// asked for. A backoff on top only delays that one call (up to a
    /// second at the default base). Later 429s of the same call back off as
    /// any retry: the learned limit was not enough.
    pub(crate) fn decide(
        &self,
        attempts: Attempts,
        reason: Option<RetryReason>,
        retry_after: Option<Duration>,
        jitter: f64,
        time_left: Option<Duration>,
        paced: bool,
    ) -> Decision {
        let Some(reason) = reason else {
            return Decision::Stop(Stop::NotRetryable);
        };
        if !self.allows(reason, attempts) {
            return Decision::Stop(Stop::NoRetryLeft);
        }
        let wait = match retry_after {
            Some(asked) => asked.min(self.max_retry_after),
            None if paced && reason == RetryReason::RateLimited && attempts.throttled == 0 => {
                Duration::ZERO
            }
            None => self.backoff(attempts.sent, jitter),
        };
        if time_left.is_some_and(|left| wait > left) {
            return Decision::Stop(Stop::PastDeadline);
        }
        Decision::Retry { wait, reason }
    }
}

impl fmt::Display for Stop {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Stop::NotRetryable => "not retryable",
            Stop::NoRetryLeft => "no retry left",
            Stop::PastDeadline => "the next wait would pass the deadline",
        })
    }
}

impl RetryReason {
    /// Tokens this retry takes from the budget: a service that asks us to
    /// slow down (429) is alive, and its retries are paced by backoff and
    /// `Retry-After`, so they cost little; a service that fails costs more,
    /// and a timeout (which held a connection the longest) the most.
    pub(crate) fn cost(self) -> u32 {
        match self {
            RetryReason::RateLimited => RetryBudget::THROTTLE_COST,
            RetryReason::TimedOut => RetryBudget::TIMEOUT_COST,
            _ => RetryBudget::RETRY_COST,
        }
    }
}

impl fmt::Display for RetryReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RetryReason::RateLimited => f.write_str("429 rate limited"),
            RetryReason::RetriableKafkaError => f.write_str("retriable Kafka error 50003"),
            RetryReason::Gateway(s) => write!(f, "gateway error {s}"),
            RetryReason::ConnectFailed => f.write_str("connection failed"),
            RetryReason::TimedOut => f.write_str("timed out"),
            RetryReason::ConnectionLost => f.write_str("connection lost"),
        }
    }
}

/// Should an answer be retried? Only what was provably not applied.
pub(crate) fn classify_status(status: StatusCode, body: &[u8]) -> Option<RetryReason> {
    if status == StatusCode::TOO_MANY_REQUESTS {
        return Some(RetryReason::RateLimited);
    }
    if !status.is_server_error() {
        return None;
    }
    match serde_json::from_slice::<serde_json::Value>(body) {
        Ok(serde_json::Value::Object(o)) => {
            (o.get("error_code").and_then(serde_json::Value::as_i64) == Some(50003))
                .then_some(RetryReason::RetriableKafkaError)
        }
        // A JSON answer that is not an object is still the API's answer.
        Ok(_) => None,
        Err(_) => {
            matches!(status.as_u16(), 502..=504).then(|| RetryReason::Gateway(status.as_u16()))
        }
    }
}

/// Should a transport failure be retried? A connect failure always (nothing
/// was sent); a failure after sending only for idempotent methods.
pub(crate) fn classify_transport(err: &reqwest::Error, method: &Method) -> Option<RetryReason> {
    if err.is_connect() {
        return Some(RetryReason::ConnectFailed);
    }
    if !is_idempotent(method) {
        return None;
    }
    if err.is_timeout() {
        Some(RetryReason::TimedOut)
    } else if err.is_request() || err.is_body() || err.is_decode() {
        Some(RetryReason::ConnectionLost)
    } else {
        None
    }
}

fn is_idempotent(method: &Method) -> bool {
    matches!(
        *method,
        Method::GET | Method::PUT | Method::DELETE | Method::HEAD | Method::OPTIONS
    )
}

/// The wait a `Retry-After` header asks for: delta-seconds or an HTTP-date
/// (a date in the past means "now").
pub(crate) fn retry_after(headers: &HeaderMap, now: SystemTime) -> Option<Duration> {
    let value = headers.get(RETRY_AFTER)?.to_str().ok()?.trim();
    if let Ok(secs) = value.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let at = httpdate::parse_http_date(value).ok()?;
    Some(at.duration_since(now).unwrap_or(Duration::ZERO))
}

/// The client-wide retry budget: a token bucket after aws-sdk-rust's
/// standard retry mode. Each retry takes tokens (`THROTTLE_COST` after a
/// 429, `RETRY_COST` after a server or connection failure, `TIMEOUT_COST`
/// after a timeout); a call that
/// succeeds gives back everything its retries took, or one token when it
/// needed none. So a throttled or flaky service, whose calls end up
/// succeeding, keeps its budget full, while a service that is down drains
/// it: after `capacity / RETRY_COST` unanswered retries, failures are
/// returned at once instead of retried, until calls succeed again.
#[derive(Debug)]
pub(crate) struct RetryBudget {
    capacity: u32,
    tokens: Mutex<u32>,
}

impl RetryBudget {
    /// aws-sdk-rust's initial retry quota.
    pub(crate) const STANDARD_CAPACITY: u32 = 500;
    /// Tokens taken by a retry after a 429.
    pub(crate) const THROTTLE_COST: u32 = 1;
    /// Tokens taken by a retry after a server or connection failure.
    pub(crate) const RETRY_COST: u32 = 5;
    /// Tokens taken by a retry after a timeout.
    pub(crate) const TIMEOUT_COST: u32 = 10;

    pub(crate) fn new(capacity: u32) -> Self {
        Self {
            capacity,
            tokens: Mutex::new(capacity),
        }
    }

    /// Takes `cost` tokens if there are that many.
    pub(crate) fn try_acquire(&self, cost: u32) -> bool {
        let mut t = self.tokens.lock().unwrap_or_else(|p| p.into_inner());
        if *t >= cost {
            *t -= cost;
            true
        } else {
            false
        }
    }

    /// A call succeeded: give back what its retries took (`spent`), or one
    /// token when it took none.
    pub(crate) fn record_success(&self, spent: u32) {
        let mut t = self.tokens.lock().unwrap_or_else(|p| p.into_inner());
        // Saturating: with a capacity near u32::MAX the sum would overflow.
        *t = t.saturating_add(spent.max(1)).min(self.capacity);
    }

    /// Tokens left.
    #[cfg(test)]
    pub(crate) fn available(&self) -> u32 {
        *self.tokens.lock().unwrap_or_else(|p| p.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_reasons_read_as_the_retrying_event_prints_them() {
        let texts: Vec<String> = [
            RetryReason::RateLimited,
            RetryReason::RetriableKafkaError,
            RetryReason::Gateway(502),
            RetryReason::ConnectFailed,
            RetryReason::TimedOut,
            RetryReason::ConnectionLost,
        ]
        .iter()
        .map(ToString::to_string)
        .collect();
        assert_eq!(
            texts,
            [
                "429 rate limited",
                "retriable Kafka error 50003",
                "gateway error 502",
                "connection failed",
                "timed out",
                "connection lost",
            ]
        );
    }

    #[test]
    fn statuses_are_classified_as_the_table_says() {
        let json = |code: i64| {
            serde_json::to_vec(&serde_json::json!({"error_code": code, "message": "m"})).unwrap()
        };
        assert_eq!(
            classify_status(StatusCode::TOO_MANY_REQUESTS, b"<html>"),
            Some(RetryReason::RateLimited)
        );
        assert_eq!(
            classify_status(StatusCode::INTERNAL_SERVER_ERROR, &json(50003)),
            Some(RetryReason::RetriableKafkaError)
        );
        assert_eq!(
            classify_status(StatusCode::SERVICE_UNAVAILABLE, &json(50003)),
            Some(RetryReason::RetriableKafkaError)
        );
        assert_eq!(
            classify_status(StatusCode::INTERNAL_SERVER_ERROR, &json(50002)),
            None
        );
        assert_eq!(
            classify_status(StatusCode::INTERNAL_SERVER_ERROR, b"<html>oops</html>"),
            None
        );
        assert_eq!(
            classify_status(StatusCode::BAD_GATEWAY, b""),
            Some(RetryReason::Gateway(502))
        );
        assert_eq!(
            classify_status(StatusCode::SERVICE_UNAVAILABLE, b"<html>down</html>"),
            Some(RetryReason::Gateway(503))
        );
        assert_eq!(
            classify_status(StatusCode::GATEWAY_TIMEOUT, &json(50002)),
            None,
            "a JSON 504 is the API's own answer"
        );
        assert_eq!(classify_status(StatusCode::BAD_REQUEST, b""), None);
        assert_eq!(
            classify_status(StatusCode::UNAUTHORIZED, &json(40101)),
            None
        );
    }

    #[test]
    fn the_retry_decision_as_a_table() {
        use Decision::{Retry, Stop as No};
        use RetryReason as R;
        let s = Duration::from_secs;
        let ms = Duration::from_millis;
        let p = RetryPolicy::default(); // 5 attempts, 10 throttled, 1 s to 30 s, Retry-After <= 60 s
        let sent = |sent: u32, throttled: u32, refreshed: u32| Attempts {
            sent,
            throttled,
            refreshed,
        };
        type Row = (
            Attempts,
            Option<R>,
            Option<Duration>,
            f64,
            Option<Duration>,
            Decision,
        );
        let table: &[Row] = &[
            // Not retryable: a 400, a reset POST.
            (sent(1, 0, 0), None, None, 0.5, None, No(Stop::NotRetryable)),
            // Full jitter over 1 s, 2 s, 4 s... capped at 30 s.
            (
                sent(1, 0, 0),
                Some(R::RetriableKafkaError),
                None,
                0.5,
                None,
                Retry {
                    wait: ms(500),
                    reason: R::RetriableKafkaError,
                },
            ),
            (
                sent(2, 0, 0),
                Some(R::Gateway(503)),
                None,
                0.5,
                None,
                Retry {
                    wait: s(1),
                    reason: R::Gateway(503),
                },
            ),
            (
                sent(4, 0, 0),
                Some(R::ConnectFailed),
                None,
                0.0,
                None,
                Retry {
                    wait: s(0),
                    reason: R::ConnectFailed,
                },
            ),
            (
                sent(4, 0, 0),
                Some(R::TimedOut),
                None,
                0.75,
                None,
                Retry {
                    wait: s(6),
                    reason: R::TimedOut,
                },
            ),
            // The fifth send was the last one counted.
            (
                sent(5, 0, 0),
                Some(R::RetriableKafkaError),
                None,
                0.5,
                None,
                No(Stop::NoRetryLeft),
            ),
            // 429s do not count against max_attempts, but have their own limit.
            (
                sent(7, 3, 0),
                Some(R::ConnectionLost),
                None,
                0.5,
                None,
                Retry {
                    wait: s(15),
                    reason: R::ConnectionLost,
                },
            ),
            (
                sent(8, 3, 0),
                Some(R::ConnectionLost),
                None,
                0.5,
                None,
                No(Stop::NoRetryLeft),
            ),
            (
                sent(11, 9, 0),
                Some(R::RateLimited),
                None,
                0.5,
                None,
                Retry {
                    wait: s(15),
                    reason: R::RateLimited,
                },
            ),
            (
                sent(12, 10, 0),
                Some(R::RateLimited),
                None,
                0.5,
                None,
                No(Stop::NoRetryLeft),
            ),
            // The send after a token refresh counts against neither.
            (
                sent(6, 0, 1),
                Some(R::RetriableKafkaError),
                None,
                0.5,
                None,
                No(Stop::NoRetryLeft),
            ),
            (
                sent(5, 0, 1),
                Some(R::RetriableKafkaError),
                None,
                0.5,
                None,
                Retry {
                    wait: s(8),
                    reason: R::RetriableKafkaError,
                },
            ),
            // Retry-After wins over backoff, up to max_retry_after.
            (
                sent(1, 0, 0),
                Some(R::RateLimited),
                Some(s(7)),
                0.5,
                None,
                Retry {
                    wait: s(7),
                    reason: R::RateLimited,
                },
            ),
            (
                sent(1, 0, 0),
                Some(R::RateLimited),
                Some(s(600)),
                0.5,
                None,
                Retry {
                    wait: s(60),
                    reason: R::RateLimited,
                },
            ),
            // A wait that would end past the deadline is not begun; one
            // that ends on it is.
            (
                sent(1, 0, 0),
                Some(R::RateLimited),
                Some(s(7)),
                0.5,
                Some(s(6)),
                No(Stop::PastDeadline),
            ),
            (
                sent(1, 0, 0),
                Some(R::RateLimited),
                Some(s(7)),
                0.5,
                Some(s(7)),
                Retry {
                    wait: s(7),
                    reason: R::RateLimited,
                },
            ),
            // No retry left is said before the deadline is looked at.
            (
                sent(5, 0, 0),
                Some(R::Gateway(502)),
                None,
                0.5,
                Some(s(0)),
                No(Stop::NoRetryLeft),
            ),
        ];
        for (i, (attempts, reason, asked, jitter, left, expected)) in table.iter().enumerate() {
            assert_eq!(
                p.decide(*attempts, *reason, *asked, *jitter, *left, false),
                *expected,
                "row {i}: {attempts:?} {reason:?} asked {asked:?} left {left:?}"
            );
        }
        // A client paced by its adaptive limit: (attempts, reason, asked, decision).
        let paced: &[(Attempts, Option<R>, Option<Duration>, Decision)] = &[
            // The first 429 of the call: the limiter's next permit is the wait.
            (
                sent(1, 0, 0),
                Some(R::RateLimited),
                None,
                Retry {
                    wait: Duration::ZERO,
                    reason: R::RateLimited,
                },
            ),
            // The second backs off (jitter 0.5 of the 1 s cap for a 2nd retry).
            (
                sent(2, 1, 0),
                Some(R::RateLimited),
                None,
                Retry {
                    wait: p.backoff(2, 0.5),
                    reason: R::RateLimited,
                },
            ),
            // A Retry-After is always what is waited.
            (
                sent(1, 0, 0),
                Some(R::RateLimited),
                Some(s(3)),
                Retry {
                    wait: s(3),
                    reason: R::RateLimited,
                },
            ),
            // Other failures back off as ever.
            (
                sent(1, 0, 0),
                Some(R::RetriableKafkaError),
                None,
                Retry {
                    wait: p.backoff(1, 0.5),
                    reason: R::RetriableKafkaError,
                },
            ),
        ];
        for (i, (attempts, reason, asked, expected)) in paced.iter().enumerate() {
            assert_eq!(
                p.decide(*attempts, *reason, *asked, 0.5, None, true),
                *expected,
                "paced row {i}"
            );
        }
        let none = RetryPolicy::none();
        assert_eq!(
            none.decide(sent(1, 0, 0), Some(R::RateLimited), None, 0.5, None, true),
            No(Stop::NoRetryLeft)
        );
        assert!(!none.any_retry_left(sent(1, 0, 0)));
        assert!(
            p.any_retry_left(sent(5, 0, 0)),
            "a 429 may still be retried"
        );
        assert!(!p.any_retry_left(sent(15, 10, 0)));
        assert_eq!(sent(3, 1, 0).retrying(R::RateLimited), sent(3, 2, 0));
        assert_eq!(sent(3, 1, 0).retrying(R::TimedOut), sent(3, 1, 0));
    }

    #[test]
    fn backoff_is_full_jitter_under_an_exponential_cap() {
        let p = RetryPolicy::default();
        let mut rng = fastrand::Rng::with_seed(7);
        for retry in 1..=10u32 {
            let cap = Duration::from_secs(1u64 << (retry - 1)).min(Duration::from_secs(30));
            for _ in 0..100 {
                assert!(p.backoff(retry, rng.f64()) <= cap);
            }
        }
        let waits: Vec<_> = (0..100).map(|_| p.backoff(3, rng.f64())).collect();
        assert!(
            waits.iter().any(|w| *w < Duration::from_secs(1))
                && waits.iter().any(|w| *w > Duration::from_secs(3))
        );
    }

    #[test]
    fn retry_after_reads_both_forms() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_000_000);
        let mut h = HeaderMap::new();
        h.insert(RETRY_AFTER, "7".parse().unwrap());
        assert_eq!(retry_after(&h, now), Some(Duration::from_secs(7)));
        h.insert(
            RETRY_AFTER,
            httpdate::fmt_http_date(now + Duration::from_secs(12))
                .parse()
                .unwrap(),
        );
        assert_eq!(retry_after(&h, now), Some(Duration::from_secs(12)));
        h.insert(
            RETRY_AFTER,
            httpdate::fmt_http_date(now - Duration::from_secs(12))
                .parse()
                .unwrap(),
        );
        assert_eq!(retry_after(&h, now), Some(Duration::ZERO));
        h.insert(RETRY_AFTER, "soon".parse().unwrap());
        assert_eq!(retry_after(&h, now), None);
    }

    #[test]
    fn the_budget_drains_and_refills() {
        let b = RetryBudget::new(12);
        assert!(b.try_acquire(5) && b.try_acquire(5));
        assert!(!b.try_acquire(5));
        b.record_success(5);
        assert_eq!(b.available(), 7);
        b.record_success(0);
        assert_eq!(b.available(), 8);
        for _ in 0..10 {
            b.record_success(0);
        }
        assert_eq!(b.available(), 12, "never above capacity");
    }

    #[test]
    fn retries_cost_by_reason_and_a_success_refunds_them_all() {
        assert_eq!(RetryReason::RateLimited.cost(), RetryBudget::THROTTLE_COST);
        assert_eq!(
            RetryReason::RetriableKafkaError.cost(),
            RetryBudget::RETRY_COST
        );
        assert_eq!(RetryReason::Gateway(503).cost(), RetryBudget::RETRY_COST);
        assert_eq!(RetryReason::ConnectionLost.cost(), RetryBudget::RETRY_COST);
        assert_eq!(RetryReason::TimedOut.cost(), RetryBudget::TIMEOUT_COST);
        const { assert!(RetryBudget::THROTTLE_COST < RetryBudget::RETRY_COST) };
        const { assert!(RetryBudget::RETRY_COST < RetryBudget::TIMEOUT_COST) };
        let b = RetryBudget::new(100);
        // A call that needed a 429 retry, a 50003 retry and a timeout retry.
        let spent = [
            RetryReason::RateLimited,
            RetryReason::RetriableKafkaError,
            RetryReason::TimedOut,
        ]
        .iter()
        .map(|r| {
            assert!(b.try_acquire(r.cost()));
            r.cost()
        })
        .sum();
        assert_eq!(b.available(), 84);
        b.record_success(spent);
        assert_eq!(b.available(), 100, "the success gave back all it took");
    }

    #[test]
    fn a_budget_of_u32_max_never_empties_or_overflows() {
        let b = RetryBudget::new(u32::MAX);
        b.record_success(RetryBudget::TIMEOUT_COST);
        assert_eq!(b.available(), u32::MAX);
        for _ in 0..10_000 {
            assert!(b.try_acquire(RetryBudget::TIMEOUT_COST));
            b.record_success(0);
        }
        assert!(b.available() > u32::MAX - 100_000);
    }
}
