//! Errors of both clients: one [`Error`] type returned by every operation's
//! `send()`, by pagination and by the waiters.
//!
//! An error that went to the network says what was sent, how many times and
//! for how long ([`Error::attempts`], [`Error::elapsed`], [`Error::request`]),
//! and its message fits on one line:
//!
//! ```text
//! connection refused: GET https://pkc-1.confluent.cloud/kafka/v3/clusters/lkc-1/links (5 attempts in 14.2 s)
//! GET https://pkc-1.confluent.cloud/kafka/v3/clusters/lkc-1/links/dr answered 404 Not Found (error code 40403): Link not found (1 attempt in 0.2 s)
//! ```
//!
//! Nothing here panics, whatever the service answered: an HTML page, a
//! truncated JSON body or an empty body all end up in [`ApiError::raw_body`].
//!
//! ```
//! # async fn run(c: kafka_mirror::confluent::Client) -> Result<(), kafka_mirror::Error> {
//! match c.get_link().cluster_id("lkc-1").link_name("dr").send().await {
//!     Ok(link) => println!("{:?}", link.link_state),
//!     Err(e) if e.is_not_found() => println!("no such link"),
//!     Err(e) => return Err(e),
//! }
//! # Ok(()) }
//! ```

use std::fmt;
use std::time::Duration;

use reqwest::header::HeaderMap;
use reqwest::{Method, StatusCode};
use serde::{Deserialize, Serialize};

/// Everything that can go wrong calling either service.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The client was configured wrongly (see [`ConfigError`]).
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// An argument was refused before anything was sent: a missing or empty
    /// path parameter, a value out of the spec's bounds.
    #[error("invalid argument: {0}")]
    InvalidArgument(String),
    /// The service answered with an error status.
    #[error(transparent)]
    Api(Box<ApiError>),
    /// No complete answer: connection refused, timeout, reset, TLS failure.
    /// The message names the root cause and the request; `source()` gives
    /// reqwest's error with the details.
    #[error("{cause}: {request}")]
    #[non_exhaustive]
    Transport {
        /// The root cause in a few words: `connection refused`, `timed out`...
        cause: String,
        /// What was sent.
        request: Box<RequestInfo>,
        /// reqwest's error.
        source: reqwest::Error,
    },
    /// A success answer whose body does not decode into the documented type.
    #[error(
        "cannot decode the {status} answer to {request}: {source}; body: {}",
        one_line(body, 200)
    )]
    #[non_exhaustive]
    Decode {
        /// The status received.
        status: StatusCode,
        /// The body as received (lossy UTF-8).
        body: String,
        /// What was sent.
        request: Box<RequestInfo>,
        /// What serde said.
        source: serde_json::Error,
    },
    /// An answer with a status the spec does not describe (1xx, 3xx, or a
    /// 2xx where another 2xx with a body is documented).
    #[error("{request} answered {status}, which the spec does not describe")]
    #[non_exhaustive]
    UnexpectedStatus {
        /// The status received.
        status: StatusCode,
        /// What was sent.
        request: Box<RequestInfo>,
    },
    /// No access token could be had for the request (see [`crate::auth`]):
    /// the token endpoint refused the client credentials, answered something
    /// that is not a token, or could not be reached; or a
    /// [`crate::auth::TokenProvider`] failed. Nothing was sent to the API.
    #[error("cannot get an access token: {0}")]
    Auth(Box<AuthError>),
    /// A list stopped following `metadata.next` (see [`crate::paginate`]).
    #[error(transparent)]
    Pagination(#[from] PaginationError),
    /// The call's deadline ([`crate::retry::RetryPolicy::deadline`])
    /// passed: waiting for a rate-limit permit or an access token (nothing
    /// more was sent), or with a request in flight (which the service may
    /// have applied).
    #[error("the deadline passed {}: {request}", if *.in_flight { "with a request in flight" } else { "before it was sent (waiting for a rate-limit permit or an access token)" })]
    #[non_exhaustive]
    Deadline {
        /// What was sent before the deadline.
        request: Box<RequestInfo>,
        /// Whether a request was in flight when it passed.
        in_flight: bool,
    },
}

impl Error {
    /// A transport failure, named by its root cause.
    pub(crate) fn transport(source: reqwest::Error, request: RequestInfo) -> Self {
        Error::Transport {
            cause: root_cause(&source),
            request: Box::new(request),
            source,
        }
    }

    /// A success answer whose body does not decode.
    pub(crate) fn decode(
        status: StatusCode,
        body: &[u8],
        request: RequestInfo,
        source: serde_json::Error,
    ) -> Self {
        Error::Decode {
            status,
            body: String::from_utf8_lossy(body).into_owned(),
            request: Box::new(request),
            source,
        }
    }

    /// The HTTP status of the service's answer, if there was one.
    pub fn status(&self) -> Option<StatusCode> {
        match self {
            Error::Api(e) => Some(e.status()),
            Error::Decode { status, .. } | Error::UnexpectedStatus { status, .. } => Some(*status),
            _ => None,
        }
    }

    /// The service's own error code (Confluent `error_code`, Instaclustr `code`).
    pub fn error_code(&self) -> Option<i64> {
        self.api().and_then(ApiError::error_code)
    }

    /// What was sent, how many times and for how long, for every error that
    /// went to the network.
    pub fn request(&self) -> Option<&RequestInfo> {
        match self {
            Error::Api(e) => Some(&e.request),
            Error::Transport { request, .. }
            | Error::Decode { request, .. }
            | Error::UnexpectedStatus { request, .. }
            | Error::Deadline { request, .. } => Some(request),
            _ => None,
        }
    }

    /// How many times the request was sent (retries included), for every
    /// error that went to the network.
    pub fn attempts(&self) -> Option<u32> {
        self.request().map(RequestInfo::attempts)
    }

    /// Time from the first attempt to the failure, waits included, for every
    /// error that went to the network.
    pub fn elapsed(&self) -> Option<Duration> {
        self.request().map(RequestInfo::elapsed)
    }

    /// The service's answer, when it answered with an error status.
    pub fn api(&self) -> Option<&ApiError> {
        match self {
            Error::Api(e) => Some(e),
            _ => None,
        }
    }

    /// `true` for a 404.
    pub fn is_not_found(&self) -> bool {
        self.status() == Some(StatusCode::NOT_FOUND)
    }

    /// `true` when no answer arrived in time, or the call's deadline passed.
    pub fn is_timeout(&self) -> bool {
        matches!(self, Error::Transport { source, .. } if source.is_timeout())
            || matches!(self, Error::Deadline { .. })
    }

    /// `true` for a 429, or Confluent's Kafka throttling code 42901.
    pub fn is_rate_limited(&self) -> bool {
        self.api().is_some_and(ApiError::is_rate_limited)
    }

    /// `true` for a 401, or Confluent's authentication failure code 40101.
    pub fn is_unauthorized(&self) -> bool {
        self.api().is_some_and(ApiError::is_unauthorized)
    }

    /// `true` when the same request would fail the same way: the service
    /// refused it as sent (a 4xx other than 408 and 429: no such link, no
    /// permission, a bad body), an argument or the configuration was
    /// refused before sending, or a list's pages do not chain. Other
    /// errors (no answer, a 5xx, a throttle, an answer that does not
    /// decode) may pass, so a waiter reads again after them.
    pub fn is_permanent(&self) -> bool {
        match self {
            Error::Api(a) => {
                a.status().is_client_error() && !matches!(a.status().as_u16(), 408 | 429)
            }
            Error::InvalidArgument(_) | Error::Config(_) | Error::Pagination(_) => true,
            _ => false,
        }
    }
}

impl From<AuthError> for Error {
    fn from(e: AuthError) -> Self {
        Error::Auth(Box::new(e))
    }
}

/// Why no access token could be had: what the token endpoint answered (its
/// OAuth `error` code and description, or the start of a body that is not a
/// token), or why it could not be reached, or what a
/// [`crate::auth::TokenProvider`] returned. Its message names the endpoint
/// (without query) and never contains the client secret.
#[derive(Debug, thiserror::Error)]
#[error("{message}")]
pub struct AuthError {
    message: String,
    endpoint: Option<String>,
    status: Option<StatusCode>,
    oauth_error: Option<String>,
    #[source]
    source: Option<Box<dyn std::error::Error + Send + Sync>>,
}

impl AuthError {
    /// An error of a [`crate::auth::TokenProvider`] of yours, with its cause.
    /// Its message becomes `the token provider failed: <source>`; make sure
    /// `source` does not print a secret.
    pub fn provider(source: impl Into<Box<dyn std::error::Error + Send + Sync>>) -> Self {
        let source = source.into();
        Self {
            message: format!("the token provider failed: {source}"),
            endpoint: None,
            status: None,
            oauth_error: None,
            source: Some(source),
        }
    }

    /// An error with only a message.
    pub(crate) fn message(message: String) -> Self {
        Self {
            message,
            endpoint: None,
            status: None,
            oauth_error: None,
            source: None,
        }
    }

    /// An error of the token endpoint `endpoint` (already without query).
    pub(crate) fn endpoint(endpoint: &str, message: String) -> Self {
        Self {
            message,
            endpoint: Some(endpoint.to_string()),
            status: None,
            oauth_error: None,
            source: None,
        }
    }

    pub(crate) fn with_status(mut self, status: StatusCode, oauth_error: Option<String>) -> Self {
        self.status = Some(status);
        self.oauth_error = oauth_error;
        self
    }

    pub(crate) fn with_source(
        mut self,
        source: impl Into<Box<dyn std::error::Error + Send + Sync>>,
    ) -> Self {
        self.source = Some(source.into());
        self
    }

    /// The token endpoint, without query, when the error came from one.
    pub fn token_endpoint(&self) -> Option<&str> {
        self.endpoint.as_deref()
    }

    /// The token endpoint's HTTP status, when it answered.
    pub fn status(&self) -> Option<StatusCode> {
        self.status
    }

    /// The OAuth `error` code the endpoint answered (RFC 6749 section 5.2),
    /// such as `invalid_client`, `invalid_scope` or `unauthorized_client`.
    pub fn oauth_error(&self) -> Option<&str> {
        self.oauth_error.as_deref()
    }
}

impl From<ApiError> for Error {
    fn from(e: ApiError) -> Self {
        Error::Api(Box::new(e))
    }
}

/// What was sent: method, URL (never with credentials), how many times, and
/// the time from the first attempt to the last answer or failure.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestInfo {
    method: Method,
    url: String,
    attempts: u32,
    elapsed: Duration,
}

impl RequestInfo {
    pub(crate) fn new(
        method: Method,
        url: &reqwest::Url,
        attempts: u32,
        elapsed: Duration,
    ) -> Self {
        Self::owned(method, url.clone(), attempts, elapsed)
    }

    /// As [`Self::new`], keeping `url`'s text without copying it (every
    /// successful call builds one, in case its body does not decode).
    pub(crate) fn owned(
        method: Method,
        mut url: reqwest::Url,
        attempts: u32,
        elapsed: Duration,
    ) -> Self {
        // Base URLs cannot carry user info (the builder refuses it), but a
        // `next` link could; removing it re-serializes the URL, so only then.
        if !url.username().is_empty() || url.password().is_some() {
            let _ = url.set_username("");
            let _ = url.set_password(None);
        }
        Self {
            method,
            url: url.into(),
            attempts,
            elapsed,
        }
    }

    /// The HTTP method.
    pub fn method(&self) -> &Method {
        &self.method
    }

    /// The URL, without user info.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// How many times the request was sent (1 when it was not retried).
    pub fn attempts(&self) -> u32 {
        self.attempts
    }

    /// Time from the first attempt to the last answer or failure.
    pub fn elapsed(&self) -> Duration {
        self.elapsed
    }

    /// ` (3 attempts in 4.1 s)`
    fn tally(&self) -> String {
        tally(self.attempts, self.elapsed)
    }
}

/// `(3 attempts in 4.1 s)`: how many sends a failure took, and how long.
pub(crate) fn tally(attempts: u32, elapsed: Duration) -> String {
    let s = if attempts == 1 { "" } else { "s" };
    format!("({attempts} attempt{s} in {:.1} s)", elapsed.as_secs_f64())
}

impl fmt::Display for RequestInfo {
    /// `GET https://host/path (3 attempts in 4.1 s)`
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {} {}", self.method, self.url, self.tally())
    }
}

/// The deepest cause of a reqwest error, in a few words.
pub(crate) fn root_cause(e: &reqwest::Error) -> String {
    if e.is_timeout() {
        return "timed out".into();
    }
    let mut deepest: &(dyn std::error::Error + 'static) = e;
    while let Some(next) = deepest.source() {
        deepest = next;
    }
    if let Some(io) = deepest.downcast_ref::<std::io::Error>() {
        use std::io::ErrorKind as K;
        let known = match io.kind() {
            K::ConnectionRefused => Some("connection refused"),
            K::ConnectionReset => Some("connection reset"),
            K::ConnectionAborted => Some("connection aborted"),
            K::TimedOut => Some("timed out"),
            K::UnexpectedEof => Some("connection closed before the answer was complete"),
            _ => None,
        };
        if let Some(known) = known {
            return known.into();
        }
    }
    let text = deepest.to_string();
    if e.is_connect() && !text.to_lowercase().contains("connect") {
        format!("cannot connect: {text}")
    } else {
        text
    }
}

/// Why a stream of pages stopped with an error of its own.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PaginationError {
    /// `next` points to another scheme, host or port; nothing was sent to it.
    #[error("refusing to follow `next` to another origin: {next}")]
    CrossOrigin {
        /// The link as the service sent it.
        next: String,
    },
    /// `next` is a page already fetched.
    #[error("`next` leads back to a page already fetched: {next}")]
    Loop {
        /// The link as the service sent it.
        next: String,
    },
    /// `next` is not a URL.
    #[error("`next` is not a URL ({reason}): {next}")]
    BadLink {
        /// The link as the service sent it.
        next: String,
        /// What the URL parser said.
        reason: String,
    },
}

/// A client configuration that cannot work. Returned by the builders'
/// `build()` before any request is made.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// The base URL does not parse or is not an `http(s)` origin.
    #[error("invalid base URL `{url}`: {reason}")]
    InvalidBaseUrl {
        /// The URL given (user info removed).
        url: String,
        /// Why it is refused.
        reason: String,
    },
    /// The OAuth token URL does not parse or is not an `http(s)` URL.
    #[error("invalid OAuth token URL `{url}`: {reason}")]
    InvalidTokenUrl {
        /// The URL given (user info and query removed).
        url: String,
        /// Why it is refused.
        reason: String,
    },
    /// Credentials would travel unencrypted to a host that is not this machine.
    #[error(
        "refusing to send credentials over plain http to `{host}`; use https, or call \
         `danger_allow_insecure_http()` if this network is trusted"
    )]
    InsecureHttp {
        /// The host of the base URL.
        host: String,
    },
    /// A credential is empty.
    #[error("the {0} is empty")]
    EmptyCredential(&'static str),
    /// A setting that needs another one.
    #[error("{0}")]
    Incomplete(&'static str),
    /// A credential or header value has characters an HTTP header cannot
    /// carry (a line break, a control character); the value is not shown.
    #[error("the {0} contains characters not allowed in an HTTP header")]
    InvalidHeaderValue(&'static str),
    /// reqwest could not build its client (TLS back end, proxy settings).
    #[error("cannot build the HTTP client: {0}")]
    HttpClient(String),
}

/// The service answered with an error status.
#[derive(Clone, PartialEq)]
pub struct ApiError {
    status: StatusCode,
    headers: HeaderMap,
    raw: String,
    vendor: Option<VendorError>,
    request: RequestInfo,
}

/// The error body of either service, parsed.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum VendorError {
    /// Confluent's `{"error_code", "message"}`.
    Confluent(ConfluentError),
    /// Instaclustr's `{"status", "message", "errorDetails", "code", "link"}`.
    Instaclustr(InstaclustrError),
    /// Instaclustr's Cluster Management API v2 `{"errors": [{"name", "message"}]}`.
    InstaclustrV2(InstaclustrV2Error),
}

impl VendorError {
    /// Confluent's error body, when `body` is a JSON object.
    pub(crate) fn confluent(body: &[u8]) -> Option<Self> {
        parse_object(body).map(VendorError::Confluent)
    }

    /// Instaclustr's error body, when `body` is a JSON object.
    pub(crate) fn instaclustr(body: &[u8]) -> Option<Self> {
        parse_object(body).map(VendorError::Instaclustr)
    }

    /// Instaclustr v2's error body, when `body` is a JSON object.
    pub(crate) fn instaclustr_v2(body: &[u8]) -> Option<Self> {
        parse_object(body).map(VendorError::InstaclustrV2)
    }
}

fn parse_object<T: serde::de::DeserializeOwned>(body: &[u8]) -> Option<T> {
    match serde_json::from_slice::<serde_json::Value>(body).ok()? {
        v @ serde_json::Value::Object(_) => serde_json::from_value(v).ok(),
        _ => None,
    }
}

/// Confluent Kafka REST's error body. Every field is optional so that any
/// JSON object decodes.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct ConfluentError {
    /// `error_code`: 40101 authentication, 40035 unsupported API version,
    /// 42901 throttled, 50002 non-retriable Kafka error, 50003 retriable.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_code: Option<i64>,
    /// `message`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
}

/// Instaclustr's `ErrorMessage` body. Every field is optional so that any
/// JSON object decodes.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct InstaclustrError {
    /// `status`, the HTTP status repeated.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<i64>,
    /// `message`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// `errorDetails`, free-form.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_details: Option<serde_json::Value>,
    /// `code`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<i64>,
    /// `link` to documentation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub link: Option<String>,
}

/// Instaclustr's Cluster Management API v2 error body (`ErrorListResponseV2`):
/// a list of errors. Every field is optional so that any JSON object decodes.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct InstaclustrV2Error {
    /// `errors`, each with a `name` (often the field at fault) and a `message`.
    #[serde(default)]
    pub errors: Vec<InstaclustrV2ErrorItem>,
}

/// One error of an [`InstaclustrV2Error`] (`ErrorResponseV2`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct InstaclustrV2ErrorItem {
    /// `name`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// `message`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
}

impl InstaclustrV2Error {
    /// All errors on one line: `name: message; name: message`.
    fn summary(&self) -> Option<String> {
        let parts: Vec<String> = self
            .errors
            .iter()
            .filter_map(|e| match (&e.name, &e.message) {
                (Some(n), Some(m)) => Some(format!("{n}: {m}")),
                (None, Some(m)) => Some(m.clone()),
                (Some(n), None) => Some(n.clone()),
                (None, None) => None,
            })
            .collect();
        (!parts.is_empty()).then(|| parts.join("; "))
    }
}

impl ApiError {
    /// An error answer; `vendor` is its body parsed, when it was the
    /// vendor's JSON.
    pub(crate) fn new(
        status: StatusCode,
        headers: HeaderMap,
        body: &[u8],
        vendor: Option<VendorError>,
        request: RequestInfo,
    ) -> Self {
        Self {
            status,
            headers,
            raw: String::from_utf8_lossy(body).into_owned(),
            vendor,
            request,
        }
    }

    /// What was sent, how many times and for how long.
    pub fn request(&self) -> &RequestInfo {
        &self.request
    }

    /// How many times the request was sent before this answer was kept
    /// (1 when it was not retried).
    pub fn attempts(&self) -> u32 {
        self.request.attempts
    }

    /// Time from the first attempt to this answer, retries and waits included.
    pub fn elapsed(&self) -> Duration {
        self.request.elapsed
    }

    /// The HTTP status.
    pub fn status(&self) -> StatusCode {
        self.status
    }

    /// The answer's headers (`Retry-After`, request ids).
    pub fn headers(&self) -> &HeaderMap {
        &self.headers
    }

    /// The body exactly as received (lossy UTF-8): the HTML of a 429 page, a
    /// proxy's 502 page, or an empty string.
    pub fn raw_body(&self) -> &str {
        &self.raw
    }

    /// The body parsed, when it was a JSON object.
    pub fn vendor(&self) -> Option<&VendorError> {
        self.vendor.as_ref()
    }

    /// Confluent's `error_code`, or Instaclustr's `code`.
    pub fn error_code(&self) -> Option<i64> {
        match self.vendor.as_ref()? {
            VendorError::Confluent(e) => e.error_code,
            VendorError::Instaclustr(e) => e.code,
            VendorError::InstaclustrV2(_) => None,
        }
    }

    /// The service's message, if it sent one (Instaclustr v2: the first
    /// error's; [`Self::vendor`] has them all).
    pub fn message(&self) -> Option<&str> {
        match self.vendor.as_ref()? {
            VendorError::Confluent(e) => e.message.as_deref(),
            VendorError::Instaclustr(e) => e.message.as_deref(),
            VendorError::InstaclustrV2(e) => e
                .errors
                .iter()
                .find_map(|e| e.message.as_deref().or(e.name.as_deref())),
        }
    }

    /// `true` for a 404.
    pub fn is_not_found(&self) -> bool {
        self.status == StatusCode::NOT_FOUND
    }

    /// `true` for a 429, or Confluent's Kafka throttling code 42901.
    pub fn is_rate_limited(&self) -> bool {
        self.status == StatusCode::TOO_MANY_REQUESTS || self.error_code() == Some(42901)
    }

    /// `true` for a 401, or Confluent's authentication failure code 40101.
    pub fn is_unauthorized(&self) -> bool {
        self.status == StatusCode::UNAUTHORIZED || self.error_code() == Some(40101)
    }
}

impl fmt::Debug for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ApiError")
            .field("status", &self.status)
            .field("vendor", &self.vendor)
            .field("raw_body", &one_line(&self.raw, 512))
            .field("request", &self.request)
            .finish_non_exhaustive()
    }
}

impl fmt::Display for ApiError {
    /// One line: `GET https://host/path answered 429 Too Many Requests: <body> (5 attempts in 31.0 s)`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let r = &self.request;
        write!(f, "{} {} answered {}", r.method, r.url, self.status)?;
        if let Some(code) = self.error_code() {
            write!(f, " (error code {code})")?;
        }
        let all_v2 = match &self.vendor {
            Some(VendorError::InstaclustrV2(e)) => e.summary(),
            _ => None,
        };
        match all_v2.as_deref().or(self.message()) {
            Some(m) => write!(f, ": {}", one_line(m, 300)),
            None if self.raw.trim().is_empty() => f.write_str(" with an empty body"),
            None => match html_title(&self.raw) {
                Some(title) => write!(f, ": HTML page \"{}\"", one_line(title, 200)),
                None => write!(f, ": {}", one_line(&self.raw, 200)),
            },
        }?;
        write!(f, " {}", r.tally())
    }
}

impl std::error::Error for ApiError {}

/// The `<title>` of an HTML page (Confluent's 429, a proxy's 502), which
/// says in a few words what the whole page says.
fn html_title(body: &str) -> Option<&str> {
    let lower = body.to_ascii_lowercase();
    let start = lower.find("<title>")? + "<title>".len();
    let end = start + lower[start..].find("</title>")?;
    body.get(start..end).filter(|t| !t.trim().is_empty())
}

/// `text` on one line (runs of whitespace become one space), at most `max`
/// bytes (cut at a character boundary, with the full length said).
pub(crate) fn one_line(text: &str, max: usize) -> String {
    let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if flat.len() <= max {
        return flat;
    }
    let mut end = max;
    while !flat.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}... ({} bytes)", &flat[..end], text.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(attempts: u32, ms: u64) -> RequestInfo {
        RequestInfo::new(
            Method::GET,
            &"https://key:secret@h/kafka/v3/x".parse().unwrap(),
            attempts,
            Duration::from_millis(ms),
        )
    }

    #[test]
    fn request_info_prints_one_line_without_user_info() {
        assert_eq!(
            request(3, 4_100).to_string(),
            "GET https://h/kafka/v3/x (3 attempts in 4.1 s)"
        );
        assert_eq!(
            request(1, 20).to_string(),
            "GET https://h/kafka/v3/x (1 attempt in 0.0 s)"
        );
    }

    #[test]
    fn an_html_answer_prints_its_title_on_one_line_with_its_tally() {
        let page = b"<html>\n<head><TITLE>Error 429 Too\n Many Requests</TITLE></head><body>...</body></html>";
        let e = ApiError::new(
            StatusCode::TOO_MANY_REQUESTS,
            HeaderMap::new(),
            page,
            None,
            request(5, 31_000),
        );
        assert_eq!(
            e.to_string(),
            "GET https://h/kafka/v3/x answered 429 Too Many Requests: \
             HTML page \"Error 429 Too Many Requests\" (5 attempts in 31.0 s)"
        );
        assert_eq!(e.raw_body().as_bytes(), page);
    }

    #[test]
    fn other_bodies_print_on_one_line() {
        let e = ApiError::new(
            StatusCode::BAD_GATEWAY,
            HeaderMap::new(),
            b"upstream\n  connect error",
            None,
            request(1, 0),
        );
        assert_eq!(
            e.to_string(),
            "GET https://h/kafka/v3/x answered 502 Bad Gateway: upstream connect error (1 attempt in 0.0 s)"
        );
    }

    #[test]
    fn a_vendor_message_is_preferred_to_the_raw_body() {
        let body = br#"{"error_code":40403,"message":"Link not found"}"#;
        let e = ApiError::new(
            StatusCode::NOT_FOUND,
            HeaderMap::new(),
            body,
            VendorError::confluent(body),
            request(1, 200),
        );
        assert_eq!(e.error_code(), Some(40403));
        assert!(
            e.to_string().ends_with(
                "answered 404 Not Found (error code 40403): Link not found (1 attempt in 0.2 s)"
            ),
            "{e}"
        );
        assert_eq!(VendorError::confluent(b"[1]"), None);
        assert_eq!(VendorError::confluent(b"<html>"), None);
    }

    #[test]
    fn long_bodies_are_cut_at_a_character_boundary() {
        let long = "é".repeat(300);
        let cut = one_line(&long, 201);
        assert!(cut.ends_with("... (600 bytes)"), "{cut}");
    }
}
