//! What every request of both clients goes through: the hooks progenitor
//! calls around each generated operation (`HooksMode::Expected` makes the
//! build fail if they are missing).
//!
//! - before sending: refuse path parameters that would change the path and
//!   body values outside the spec's bounds, then add the credentials (only
//!   for the configured origin);
//! - sending: wait for the client's rate-limit permit, then retry what was
//!   provably not applied (see [`crate::retry`]) within the retry policy and
//!   the client-wide retry budget, inside one tracing span per operation;
//! - after receiving: turn an error answer (an HTML 429 page, a proxy's 502
//!   page, an empty 401, the vendor's JSON) or a transport failure into the
//!   one [`crate::Error`], with the attempts and time spent, and leave it in
//!   the call's record (see [`crate::call`]) for `send()` to return.

use std::fmt;
use std::sync::{Arc, Mutex};
use std::time::SystemTime;

use bytes::Bytes;
use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use reqwest::{Method, Request, Response, StatusCode, Url};
use tokio::time::Instant;
use tracing::Instrument;

use crate::auth::{self, Auth, Bearer, TokenCache};
use crate::error::{ApiError, ConfigError, Error, RequestInfo, VendorError};
use crate::rate_limit::{RateLimit, RateLimiter};
use crate::retry::{
    Attempts, Decision, RetryBudget, RetryPolicy, RetryReason, Stop, classify_status,
    classify_transport, retry_after,
};
use crate::runtime::{BodyLimit, Operation};

/// Everything a client's transport is configured with. `pub` only so the
/// sealed `Service` trait may name it; this module is private.
#[derive(Debug, Clone)]
pub struct TransportConfig {
    pub(crate) base: Url,
    pub(crate) auth: Option<Auth>,
    /// Refreshable bearer tokens, instead of `auth`.
    pub(crate) tokens: Option<Arc<TokenCache>>,
    /// Sent with the refreshable tokens.
    pub(crate) identity_pool_id: Option<String>,
    pub(crate) retry: RetryPolicy,
    pub(crate) rate_limit: RateLimit,
}

/// What the transport needs to know about one API: its spec tables and how
/// to read its error bodies.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ApiTables {
    pub operations: &'static [Operation],
    pub limits: &'static [BodyLimit],
    pub vendor_error: fn(&[u8]) -> Option<VendorError>,
    /// Rules on request bodies the bounds cannot express, by operation
    /// (the method name) and the body parsed; an error is the message.
    pub check_body: Option<BodyRules>,
}

/// See [`ApiTables::check_body`].
pub(crate) type BodyRules = fn(&str, &serde_json::Value) -> Result<(), String>;

/// State shared by all clones of a client. Not constructible outside this
/// crate: use the clients' `builder()`.
#[derive(Clone)]
pub struct Inner(Arc<Shared>);

/// What a request to the configured origin carries.
enum Credentials {
    /// Headers fixed at build time (Basic, a fixed bearer token), or none.
    Fixed(Vec<(HeaderName, HeaderValue)>),
    /// A bearer token from the cache, and the identity pool header.
    Tokens {
        cache: Arc<TokenCache>,
        pool: Option<(HeaderName, HeaderValue)>,
    },
}

struct Shared {
    base: Url,
    credentials: Credentials,
    api: ApiTables,
    /// The operations sorted by method name (looked up for every request,
    /// by binary search), each with its path template's shape.
    operations: Vec<(&'static Operation, Shape)>,
    retry: RetryPolicy,
    budget: RetryBudget,
    limiter: Option<RateLimiter>,
    rng: Mutex<fastrand::Rng>,
}

impl fmt::Debug for Inner {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Inner")
            .field("base", &self.0.base.as_str())
            .field(
                "authenticated",
                &!matches!(&self.0.credentials, Credentials::Fixed(h) if h.is_empty()),
            )
            .field(
                "refreshed_tokens",
                &matches!(self.0.credentials, Credentials::Tokens { .. }),
            )
            .field("retry", &self.0.retry)
            .field(
                "rate_limit",
                &self.0.limiter.as_ref().map(RateLimiter::limit),
            )
            .finish_non_exhaustive()
    }
}

impl Inner {
    pub(crate) fn new(config: TransportConfig, api: ApiTables) -> Result<Self, ConfigError> {
        let credentials = match (&config.tokens, &config.auth) {
            (Some(cache), _) => Credentials::Tokens {
                cache: cache.clone(),
                pool: config
                    .identity_pool_id
                    .as_deref()
                    .map(auth::identity_pool_header)
                    .transpose()?,
            },
            (None, Some(a)) => Credentials::Fixed(auth::headers(a)?),
            (None, None) => Credentials::Fixed(Vec::new()),
        };
        Ok(Self(Arc::new(Shared {
            base: config.base,
            credentials,
            operations: {
                let mut ops: Vec<_> = api
                    .operations
                    .iter()
                    .map(|o| (o, Shape::of(o.path)))
                    .collect();
                ops.sort_unstable_by_key(|(o, _)| o.name);
                ops
            },
            api,
            budget: RetryBudget::new(config.retry.budget),
            retry: config.retry,
            limiter: RateLimiter::new(config.rate_limit),
            rng: Mutex::new(fastrand::Rng::new()),
        })))
    }

    /// The generated client on this transport, given its constructor (the
    /// base URL without a trailing slash, as progenitor's paths start with one).
    pub(crate) fn into_client<C>(
        self,
        http: reqwest::Client,
        new_with_client: fn(&str, reqwest::Client, Inner) -> C,
    ) -> C {
        let base = self.0.base.as_str().trim_end_matches('/').to_owned();
        new_with_client(&base, http, self)
    }

    /// Checks a built request. Errors are messages for
    /// `Error::InvalidArgument`; nothing has been sent. Credentials are
    /// added for each attempt, when it is sent.
    pub(crate) fn prepare(&self, request: &mut Request, operation_id: &str) -> Result<(), String> {
        let ops = &self.0.operations;
        if let Ok(i) = ops.binary_search_by(|(o, _)| o.name.cmp(operation_id)) {
            let (op, shape) = ops[i];
            let path = path_after_base(&self.0.base, request.url());
            if !keeps_shape(path, shape) {
                check_path(&self.0.base, request.url(), op)?;
            }
        }
        if let Some(body) = request.body().and_then(|b| b.as_bytes()) {
            // Parsed at most once, and only when a check needs it.
            let mut json = LazyJson::new(body);
            check_limits(&mut json, operation_id, self.0.api.limits)?;
            if let Some(rules) = self.0.api.check_body {
                rules(operation_id, json.get())?;
            }
        }
        Ok(())
    }

    /// Sends a request: rate limit, retries, tracing (see module docs).
    /// Returns a success answer (any status below 400) with what was sent,
    /// or the error the caller gets.
    pub(crate) async fn execute(
        &self,
        client: &reqwest::Client,
        request: Request,
        operation: &str,
    ) -> Result<(Response, RequestInfo), Error> {
        let span = tracing::info_span!(
            "kafka_mirror.request",
            operation,
            method = %request.method(),
            attempts = tracing::field::Empty,
        );
        // The span is recorded on directly: `Span::current()` would look
        // it up in the dispatcher's thread-local state on every record.
        if span.is_disabled() {
            // No subscriber wants it: entering and leaving it on every poll
            // would cost each call for nothing.
            return self.send_with_retries(client, request, span).await;
        }
        self.send_with_retries(client, request, span.clone())
            .instrument(span)
            .await
    }

    async fn send_with_retries(
        &self,
        client: &reqwest::Client,
        request: Request,
        span: tracing::Span,
    ) -> Result<(Response, RequestInfo), Error> {
        let shared = &*self.0;
        let policy = &shared.retry;
        let started = Instant::now();
        let (method, url) = (request.method().clone(), request.url().clone());
        let sent =
            |attempts: u32| RequestInfo::new(method.clone(), &url, attempts, started.elapsed());
        let mut next = Some(request);
        let mut attempts = Attempts::default();
        let deadline = crate::call::deadline(policy.deadline.map(|d| started + d));
        let passed = |in_flight: bool, sends: u32| {
            span.record("attempts", sends);
            Error::Deadline {
                request: Box::new(sent(sends)),
                in_flight,
            }
        };
        // Tokens this call's retries took from the budget.
        let mut spent = 0u32;
        // The token fetched after a 401, for the one send again it allows.
        let mut fresh: Option<Bearer> = None;
        let refreshable = matches!(shared.credentials, Credentials::Tokens { .. });
        loop {
            attempts.sent += 1;
            let mut request = next.take().expect("a request is set before every attempt");
            // Fixed credentials need no await (this runs for every call);
            // only a token may have to be fetched.
            let token = match &shared.credentials {
                Credentials::Fixed(headers) => {
                    add_fixed(&shared.base, headers, &mut request);
                    None
                }
                Credentials::Tokens { cache, pool } => {
                    match bearer_for(
                        &shared.base,
                        cache,
                        pool,
                        &mut request,
                        fresh.take(),
                        deadline,
                    )
                    .await
                    {
                        Ok(token) => token,
                        Err(None) => return Err(passed(false, attempts.sent - 1)),
                        Err(Some(e)) => return Err(e),
                    }
                }
            };
            // A body that cannot be cloned (a stream) cannot be sent twice;
            // no copy is made when no retry of any kind is left.
            let mut spare =
                if policy.any_retry_left(attempts) || (refreshable && attempts.refreshed == 0) {
                    Spare::of(&request)
                } else {
                    None
                };
            // Held until the answer, for the limiter's count of requests in
            // flight and to learn from a 429.
            let permit = match &shared.limiter {
                Some(limiter) => match limiter.acquire(deadline).await {
                    Ok(permit) => Some(permit),
                    Err(()) => return Err(passed(false, attempts.sent - 1)),
                },
                None => None,
            };
            let answer = match deadline {
                Some(d) => match tokio::time::timeout_at(d, client.execute(request)).await {
                    Ok(answer) => answer,
                    Err(_) => return Err(passed(true, attempts.sent)),
                },
                None => client.execute(request).await,
            };
            let (reason, wait_asked, failure) = match answer {
                Ok(response) if !is_error(response.status()) => {
                    shared.budget.record_success(spent);
                    // A disabled span still builds the record's value set.
                    if !span.is_disabled() {
                        span.record("attempts", attempts.sent);
                    }
                    let elapsed = started.elapsed();
                    return Ok((
                        response,
                        RequestInfo::owned(method, url, attempts.sent, elapsed),
                    ));
                }
                // Boxed, as the other rare paths: a future held across an
                // await makes every call's future larger, and every call
                // moves it.
                Ok(response) => match Box::pin(ErrorAnswer::read(response)).await {
                    Ok(answer) => (
                        classify_status(answer.status, &answer.body),
                        retry_after(&answer.headers, SystemTime::now()),
                        Failure::Answer(answer),
                    ),
                    Err(e) => (classify_transport(&e, &method), None, Failure::Transport(e)),
                },
                Err(e) => (classify_transport(&e, &method), None, Failure::Transport(e)),
            };
            if let (Some(RetryReason::RateLimited), Some(limiter), Some(permit)) =
                (reason, &shared.limiter, &permit)
            {
                limiter.throttled(permit.sent_at());
            }
            drop(permit);
            // Its own step, before the retry decision: a 401 to a token
            // (expired early, revoked) gets one new token and one more
            // send. A 401 means nothing was applied, so POSTs too.
            if let (Failure::Answer(a), Some(generation)) = (&failure, token)
                && attempts.refreshed == 0
                && token_refused(a)
                && let Some(spare) = spare.take()
            {
                match self.refresh_after_401(generation, deadline).await {
                    Ok(bearer) => fresh = Some(bearer),
                    Err(None) => return Err(passed(false, attempts.sent)),
                    Err(Some(e)) => return Err(e),
                }
                attempts.refreshed += 1;
                next = Some(spare.into_request(&method, &url));
                continue;
            }
            let jitter = shared.rng.lock().unwrap_or_else(|p| p.into_inner()).f64();
            let time_left = deadline.map(|d| d.saturating_duration_since(Instant::now()));
            let paced = shared.limiter.as_ref().is_some_and(RateLimiter::adapts);
            let decision = policy.decide(attempts, reason, wait_asked, jitter, time_left, paced);
            if let (Decision::Retry { wait, reason }, Some(spare)) = (decision, spare) {
                if shared.budget.try_acquire(reason.cost()) {
                    tracing::warn!(%reason, attempt = attempts.sent, wait_ms = wait.as_millis() as u64, "retrying");
                    spent = spent.saturating_add(reason.cost());
                    attempts = attempts.retrying(reason);
                    tokio::time::sleep(wait).await;
                    next = Some(spare.into_request(&method, &url));
                    continue;
                }
                tracing::warn!(%reason, attempt = attempts.sent, "not retrying: the retry budget is spent");
            } else if let (Decision::Stop(Stop::PastDeadline), Some(reason)) = (decision, reason) {
                tracing::warn!(%reason, attempt = attempts.sent, "not retrying: {}", Stop::PastDeadline);
            }
            span.record("attempts", attempts.sent);
            return Err(match failure {
                Failure::Answer(a) => {
                    let vendor = (shared.api.vendor_error)(&a.body);
                    ApiError::new(a.status, a.headers, &a.body, vendor, sent(attempts.sent)).into()
                }
                Failure::Transport(e) => Error::transport(e, sent(attempts.sent)),
            });
        }
    }

    /// A new token after the API refused the one of `generation`.
    /// `Err(None)`: the deadline passed first.
    async fn refresh_after_401(
        &self,
        generation: u64,
        deadline: Option<Instant>,
    ) -> Result<Bearer, Option<Error>> {
        let Credentials::Tokens { cache, .. } = &self.0.credentials else {
            unreachable!("only a token is refreshed");
        };
        tracing::warn!("the API refused the access token; fetching a new one");
        let renewed = Box::pin(cache.bearer_after_refusal(generation));
        let bearer = match deadline {
            Some(d) => tokio::time::timeout_at(d, renewed)
                .await
                .map_err(|_| None)?,
            None => renewed.await,
        };
        bearer.map_err(|e| Some(e.into()))
    }
}

/// Adds fixed credentials (Basic, a fixed bearer token) to one attempt, if
/// it goes to the configured origin.
fn add_fixed(base: &Url, headers: &[(HeaderName, HeaderValue)], request: &mut Request) {
    if same_origin(base, request.url()) {
        for (name, value) in headers {
            request.headers_mut().insert(name.clone(), value.clone());
        }
    }
}

/// [`add_bearer`] within the call's deadline. `Err(None)`: the deadline
/// passed while waiting for a token.
async fn bearer_for(
    base: &Url,
    cache: &TokenCache,
    pool: &Option<(HeaderName, HeaderValue)>,
    request: &mut Request,
    fresh: Option<Bearer>,
    deadline: Option<Instant>,
) -> Result<Option<u64>, Option<Error>> {
    // Boxed: the token fetch is rare, and its future would otherwise sit
    // in every call's.
    let adding = Box::pin(add_bearer(base, cache, pool, request, fresh));
    match deadline {
        Some(d) => match tokio::time::timeout_at(d, adding).await {
            Ok(token) => token.map_err(Some),
            Err(_) => Err(None),
        },
        None => adding.await.map_err(Some),
    }
}

/// Adds a bearer token (and the identity pool) to one attempt, if it goes
/// to the configured origin (a follow-up page's URL comes from the service;
/// the paginator refuses other origins before this, and this refuses them
/// again). Returns the generation of the token sent. `fresh` is a token just
/// fetched after a 401.
async fn add_bearer(
    base: &Url,
    cache: &TokenCache,
    pool: &Option<(HeaderName, HeaderValue)>,
    request: &mut Request,
    fresh: Option<Bearer>,
) -> Result<Option<u64>, Error> {
    if !same_origin(base, request.url()) {
        return Ok(None);
    }
    let bearer = match fresh {
        Some(b) => b,
        None => cache.bearer().await?,
    };
    let headers = request.headers_mut();
    headers.insert(reqwest::header::AUTHORIZATION, bearer.header);
    if let Some((name, value)) = pool {
        headers.insert(name.clone(), value.clone());
    }
    Ok(Some(bearer.generation))
}

/// Why an attempt failed.
enum Failure {
    Answer(ErrorAnswer),
    Transport(reqwest::Error),
}

/// A 401 that a new token may cure: Confluent's 40101, or a 401 without
/// a JSON error code (an empty body, a gateway's page).
fn token_refused(answer: &ErrorAnswer) -> bool {
    answer.status == StatusCode::UNAUTHORIZED
        && serde_json::from_slice::<serde_json::Value>(&answer.body)
            .ok()
            .and_then(|v| v.get("error_code").and_then(serde_json::Value::as_i64))
            .is_none_or(|code| code == 40101)
}

/// What an attempt is sent again from if it fails.
enum Spare {
    /// reqwest's copy of a request with a body or a timeout of its own.
    Whole(Request),
    /// A request with neither (every GET of the SDK): its headers and
    /// version; its method and URL are the call's, kept anyway for its
    /// [`RequestInfo`]. reqwest's `try_clone` would also set a timeout slot
    /// in the copy's extensions (a map and a box, thrown away at once),
    /// and a whole copy would copy the URL again: allocations on every
    /// call for a copy rarely sent.
    Parts(HeaderMap, reqwest::Version),
}

impl Spare {
    fn of(request: &Request) -> Option<Self> {
        if request.body().is_some() || request.timeout().is_some() {
            return request.try_clone().map(Self::Whole);
        }
        Some(Self::Parts(request.headers().clone(), request.version()))
    }

    /// The request to send again.
    fn into_request(self, method: &Method, url: &Url) -> Request {
        match self {
            Self::Whole(request) => request,
            Self::Parts(headers, version) => {
                let mut request = Request::new(method.clone(), url.clone());
                *request.headers_mut() = headers;
                *request.version_mut() = version;
                request
            }
        }
    }
}

fn is_error(status: StatusCode) -> bool {
    status.is_client_error() || status.is_server_error()
}

/// An error answer, read whole so it can be classified and kept.
struct ErrorAnswer {
    status: StatusCode,
    headers: HeaderMap,
    body: Bytes,
}

impl ErrorAnswer {
    async fn read(response: Response) -> reqwest::Result<Self> {
        let (status, headers) = (response.status(), response.headers().clone());
        let body = response.bytes().await?;
        Ok(Self {
            status,
            headers,
            body,
        })
    }
}

/// The same scheme, host and port.
pub(crate) fn same_origin(a: &Url, b: &Url) -> bool {
    a.scheme() == b.scheme()
        && a.host_str() == b.host_str()
        && a.port_or_known_default() == b.port_or_known_default()
}

/// What a path template says about the shape of its paths: how many `/`,
/// and whether it ends with one (Instaclustr v2's list path does).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Shape {
    slashes: usize,
    trailing_slash: bool,
}

impl Shape {
    fn of(template: &str) -> Self {
        Self {
            slashes: template.bytes().filter(|b| *b == b'/').count(),
            trailing_slash: template.len() > 1 && template.ends_with('/'),
        }
    }
}

/// The request's path after the base URL's path.
fn path_after_base<'u>(base: &Url, url: &'u Url) -> &'u str {
    let prefix = base.path().trim_end_matches('/');
    url.path().strip_prefix(prefix).unwrap_or(url.path())
}

/// The fast check, in one pass over the path: as many segments as the
/// template and none empty. A parameter cannot add a `/` (it is
/// percent-encoded); an empty one leaves `//` or a trailing `/`, and `.` or
/// `..` are removed by URL parsing, taking segments with them. When this
/// fails, [`check_path`] says which parameter is wrong.
fn keeps_shape(path: &str, template: Shape) -> bool {
    let mut count = 0;
    let mut after_slash = false;
    for b in path.bytes() {
        if b == b'/' {
            if after_slash {
                return false;
            }
            count += 1;
            after_slash = true;
        } else {
            after_slash = false;
        }
    }
    count == template.slashes && after_slash == template.trailing_slash
}

/// Refuses a path whose parameters changed its shape: an empty value leaves
/// an empty segment, and `.` or `..` are removed by URL normalization
/// (percent-encoding cannot prevent that), so segments go missing.
fn check_path(base: &Url, url: &Url, op: &Operation) -> Result<(), String> {
    let path = path_after_base(base, url);
    let changed = || {
        format!(
            "a path parameter of {} is `.`, `..` or otherwise changes the path {}; nothing was sent",
            op.name, op.path
        )
    };
    // Segment by segment, without collecting either side: this runs for
    // every request.
    let mut actual = path.trim_start_matches('/').split('/');
    let mut template = op.path.trim_start_matches('/').split('/');
    loop {
        let (t, a) = match (template.next(), actual.next()) {
            (None, None) => return Ok(()),
            (Some(t), Some(a)) => (t, a),
            _ => return Err(changed()),
        };
        match (t.find('{'), t.find('}')) {
            (Some(open), Some(close)) => {
                let (before, after) = (&t[..open], &t[close + 1..]);
                let name = &t[open + 1..close];
                let value = a
                    .strip_prefix(before)
                    .and_then(|v| v.strip_suffix(after))
                    .ok_or_else(changed)?;
                if value.is_empty() {
                    return Err(format!(
                        "path parameter `{name}` of {} is empty (or `.`/`..`, which URLs drop); nothing was sent",
                        op.name
                    ));
                }
            }
            _ if t == a => {}
            _ => return Err(changed()),
        }
    }
}

/// A request body, parsed as JSON the first time it is asked for (a body
/// that is not JSON reads as `null`).
struct LazyJson<'b> {
    body: &'b [u8],
    value: Option<serde_json::Value>,
}

impl<'b> LazyJson<'b> {
    fn new(body: &'b [u8]) -> Self {
        Self { body, value: None }
    }

    fn get(&mut self) -> &serde_json::Value {
        let body = self.body;
        self.value
            .get_or_insert_with(|| serde_json::from_slice(body).unwrap_or_default())
    }
}

fn check_limits(
    body: &mut LazyJson<'_>,
    operation_id: &str,
    limits: &[BodyLimit],
) -> Result<(), String> {
    for limit in limits.iter().filter(|l| l.operation == operation_id) {
        let json = body.get();
        for (name, field) in values_at(json, limit.pointer) {
            check_limit(limit, operation_id, &name, field)?;
        }
    }
    Ok(())
}

/// The values at `pointer` (a JSON pointer whose `*` segments stand for
/// every element of an array), each with its path in the body without the
/// leading `/` (`sourceCluster/0/managedCluster`).
fn values_at<'v>(
    json: &'v serde_json::Value,
    pointer: &str,
) -> Vec<(String, &'v serde_json::Value)> {
    let mut found = vec![(String::new(), json)];
    for segment in pointer.split('/').skip(1) {
        let mut next = Vec::new();
        for (at, value) in found {
            let join = |key: &str| {
                if at.is_empty() {
                    key.to_string()
                } else {
                    format!("{at}/{key}")
                }
            };
            if segment == "*" {
                for (i, element) in value.as_array().into_iter().flatten().enumerate() {
                    next.push((join(&i.to_string()), element));
                }
            } else {
                let key = segment.replace("~1", "/").replace("~0", "~");
                if let Some(child) = value.get(&key) {
                    next.push((join(&key), child));
                }
            }
        }
        found = next;
    }
    found
}

fn check_limit(
    limit: &BodyLimit,
    operation_id: &str,
    name: &str,
    field: &serde_json::Value,
) -> Result<(), String> {
    if let Some(items) = field.as_array() {
        let n = items.len() as u64;
        let plural = |m: u64| if m == 1 { "item" } else { "items" };
        if let (Some(min), Some(max)) = (limit.min_items, limit.max_items)
            && min == max
            && n != min
        {
            return Err(format!(
                "`{name}` of {operation_id} must have exactly {min} {}, not {n}; nothing was sent",
                plural(min)
            ));
        }
        if let Some(min) = limit.min_items.filter(|m| n < *m) {
            return Err(format!(
                "`{name}` of {operation_id} must have at least {min} {}, not {n}; nothing was sent",
                plural(min)
            ));
        }
        if let Some(max) = limit.max_items.filter(|m| n > *m) {
            return Err(format!(
                "`{name}` of {operation_id} must have at most {max} {}, not {n}; nothing was sent",
                plural(max)
            ));
        }
    }
    if let Some(n) = field.as_f64() {
        if let Some(min) = limit.minimum.filter(|m| n < *m) {
            return Err(format!(
                "`{name}` of {operation_id} must be at least {min}, not {field}; nothing was sent"
            ));
        }
        if let Some(max) = limit.maximum.filter(|m| n > *m) {
            return Err(format!(
                "`{name}` of {operation_id} must be at most {max}, not {field}; nothing was sent"
            ));
        }
    }
    if let Some(s) = field.as_str() {
        let len = s.chars().count() as u64;
        if let Some(min) = limit.min_length.filter(|m| len < *m) {
            return Err(format!(
                "`{name}` of {operation_id} must be at least {min} characters; nothing was sent"
            ));
        }
        if let Some(max) = limit.max_length.filter(|m| len > *m) {
            return Err(format!(
                "`{name}` of {operation_id} must be at most {max} characters; nothing was sent"
            ));
        }
    }
    Ok(())
}

/// progenitor's `exec` hook with the call's record: sends `request`
/// through the client's transport (rate limit, credentials, retries) and
/// gives progenitor's code the response to read, the outcome recorded in
/// `record` for the call's `send()` (see [`crate::call`]). Build time
/// rewrites generated code to call this instead of the hook, which has
/// nowhere to put the transport's error.
pub(crate) async fn exec<C: progenitor_client::ClientInfo<Inner>>(
    client: &C,
    request: Request,
    info: &progenitor_client::OperationInfo,
    record: &mut crate::call::Record,
) -> reqwest::Result<Response> {
    let outcome = client
        .inner()
        .execute(client.client(), request, info.operation_id)
        .await;
    Ok(crate::call::hand_over(outcome, record))
}

/// Implements progenitor's `pre` hook for a generated `Client`: every
/// operation's request goes through [`Inner::prepare`] before [`exec`]
/// sends it. The `exec` hook is left to progenitor: generated code calls
/// [`exec`] instead, and build time fails if any call of the hook is left.
macro_rules! impl_hooks {
    ($client:ty) => {
        impl progenitor_client::ClientHooks<$crate::transport::Inner> for $client {
            async fn pre<E>(
                &self,
                request: &mut reqwest::Request,
                info: &progenitor_client::OperationInfo,
            ) -> Result<(), progenitor_client::Error<E>> {
                use progenitor_client::ClientInfo;
                self.inner()
                    .prepare(request, info.operation_id)
                    .map_err(progenitor_client::Error::InvalidRequest)
            }
        }
    };
}
pub(crate) use impl_hooks;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_spare_request_is_the_request_again() {
        let http = reqwest::Client::new();
        let get = http
            .get("https://pkc-1.example/kafka/v3/clusters/c/links?x=1")
            .header("authorization", "Basic azpz")
            .header("accept", "application/json")
            .version(reqwest::Version::HTTP_11)
            .build()
            .unwrap();
        let copy = Spare::of(&get)
            .unwrap()
            .into_request(get.method(), get.url());
        assert_eq!(copy.method(), get.method());
        assert_eq!(copy.url(), get.url());
        assert_eq!(copy.headers(), get.headers());
        assert_eq!(copy.version(), get.version());
        assert!(copy.body().is_none() && copy.timeout().is_none());

        // A body, or a timeout of its own: reqwest's copy, body included.
        let post = http
            .post("https://pkc-1.example/x")
            .body("{\"a\":1}")
            .timeout(std::time::Duration::from_secs(3))
            .build()
            .unwrap();
        let copy = Spare::of(&post)
            .unwrap()
            .into_request(&Method::GET, get.url());
        assert_eq!((copy.method(), copy.url()), (post.method(), post.url()));
        assert_eq!(
            copy.body().and_then(|b| b.as_bytes()),
            Some(&b"{\"a\":1}"[..])
        );
        assert_eq!(copy.timeout(), Some(&std::time::Duration::from_secs(3)));
    }

    const OP: Operation = Operation {
        name: "get_link",
        path: "/kafka/v3/clusters/{cluster_id}/links/{link_name}",
    };

    fn check(base: &str, url: &str) -> Result<(), String> {
        check_path(&Url::parse(base).unwrap(), &Url::parse(url).unwrap(), &OP)
    }

    #[test]
    fn paths_that_keep_their_shape_pass() {
        assert!(check("https://h", "https://h/kafka/v3/clusters/c1/links/l%2F1").is_ok());
        assert!(
            check(
                "https://h/prefix/",
                "https://h/prefix/kafka/v3/clusters/c1/links/l"
            )
            .is_ok()
        );
    }

    #[test]
    fn the_fast_shape_check_passes_only_what_the_full_check_passes() {
        let base = Url::parse("https://h/prefix/").unwrap();
        let template = Shape::of(OP.path);
        for (path, fine) in [
            ("/prefix/kafka/v3/clusters/c1/links/l", true),
            ("/prefix/kafka/v3/clusters/c%2F1/links/l.x", true),
            ("/prefix/kafka/v3/clusters//links/l", false),
            ("/prefix/kafka/v3/clusters/c1/links/", false),
            ("/prefix/kafka/v3/links/l", false),
            ("/prefix/kafka/v3/clusters/c1/links/l/extra", false),
        ] {
            let url = base.join(path).unwrap();
            let fast = keeps_shape(path_after_base(&base, &url), template);
            assert_eq!(fast, fine, "{path}");
            assert_eq!(check_path(&base, &url, &OP).is_ok(), fine, "{path}");
        }
    }

    #[test]
    fn a_template_with_a_trailing_slash_keeps_it() {
        const LIST: Operation = Operation {
            name: "list_mirrors",
            path: "/cm/v2/cluster/{clusterId}/mirrors/v2/",
        };
        let base = Url::parse("https://h").unwrap();
        let shape = Shape::of(LIST.path);
        for (path, fine) in [
            ("/cm/v2/cluster/c1/mirrors/v2/", true),
            ("/cm/v2/cluster/c1/mirrors/v2", false),
            ("/cm/v2/cluster//mirrors/v2/", false),
        ] {
            let url = base.join(path).unwrap();
            assert_eq!(
                keeps_shape(path_after_base(&base, &url), shape),
                fine,
                "{path}"
            );
            assert_eq!(check_path(&base, &url, &LIST).is_ok(), fine, "{path}");
        }
    }

    #[test]
    fn wildcard_pointers_reach_every_element() {
        let body = serde_json::json!({"s": [{"m": [1, 2]}, {"m": []}, {"x": 1}]});
        let found: Vec<String> = values_at(&body, "/s/*/m")
            .into_iter()
            .map(|(at, _)| at)
            .collect();
        assert_eq!(found, ["s/0/m", "s/1/m"]);
        assert_eq!(values_at(&body, "/s")[0].0, "s");
        assert!(values_at(&body, "/missing/*").is_empty());
    }

    #[test]
    fn empty_and_dot_segments_are_refused() {
        let empty = check("https://h", "https://h/kafka/v3/clusters//links/l").unwrap_err();
        assert!(empty.contains("`cluster_id`"), "{empty}");
        // `..` was already removed by URL parsing: one segment is missing.
        let dots = check(
            "https://h",
            Url::parse("https://h/kafka/v3/clusters/../links/l")
                .unwrap()
                .as_str(),
        )
        .unwrap_err();
        assert!(dots.contains("changes the path"), "{dots}");
        // A fixed segment that differs is another path too.
        let other = check("https://h", "https://h/kafka/v3/clusters/c1/lonks/l").unwrap_err();
        assert!(other.contains("changes the path"), "{other}");
    }

    #[test]
    fn bounds_are_checked() {
        let limits = [BodyLimit {
            operation: "op",
            pointer: "/newTargetLatency",
            minimum: Some(1000.0),
            maximum: None,
            min_length: None,
            max_length: None,
            min_items: None,
            max_items: None,
        }];
        assert!(
            check_limits(
                &mut LazyJson::new(br#"{"newTargetLatency":1000}"#),
                "op",
                &limits
            )
            .is_ok()
        );
        let e = check_limits(
            &mut LazyJson::new(br#"{"newTargetLatency":999}"#),
            "op",
            &limits,
        )
        .unwrap_err();
        assert!(e.contains("at least 1000"), "{e}");
        assert!(
            check_limits(
                &mut LazyJson::new(br#"{"newTargetLatency":1}"#),
                "other",
                &limits
            )
            .is_ok()
        );
    }

    #[test]
    fn upper_bounds_and_lengths_are_checked_at_their_edges() {
        let limits = [
            BodyLimit {
                operation: "op",
                pointer: "/n",
                minimum: None,
                maximum: Some(10.0),
                min_length: None,
                max_length: None,
                min_items: None,
                max_items: None,
            },
            BodyLimit {
                operation: "op",
                pointer: "/s",
                minimum: None,
                maximum: None,
                min_length: Some(2),
                max_length: Some(3),
                min_items: None,
                max_items: None,
            },
        ];
        let check = |body: &str| check_limits(&mut LazyJson::new(body.as_bytes()), "op", &limits);
        assert!(check(r#"{"n":10,"s":"ab"}"#).is_ok());
        assert!(check(r#"{"n":10,"s":"abc"}"#).is_ok());
        let e = check(r#"{"n":11}"#).unwrap_err();
        assert!(e.contains("`n` of op must be at most 10"), "{e}");
        let e = check(r#"{"s":"a"}"#).unwrap_err();
        assert!(e.contains("`s` of op must be at least 2 characters"), "{e}");
        let e = check(r#"{"s":"abcd"}"#).unwrap_err();
        assert!(e.contains("`s` of op must be at most 3 characters"), "{e}");
        // Characters, not bytes.
        assert!(check(r#"{"s":"äöü"}"#).is_ok());
    }

    #[test]
    fn origins_compare_scheme_host_and_port() {
        let a = Url::parse("https://h").unwrap();
        assert!(same_origin(&a, &Url::parse("https://h:443/x").unwrap()));
        assert!(!same_origin(&a, &Url::parse("http://h/x").unwrap()));
        assert!(!same_origin(&a, &Url::parse("https://evil/x").unwrap()));
    }
}
