//! Errors of both clients: one [`Error`] type, with the service's answer
//! parsed when there is one.
//!
//! Every operation's `send()` returns progenitor's error type; `?` turns it
//! into [`Error`] (or call `Error::from`). Nothing here panics, whatever the
//! service answered: an HTML page, a truncated JSON body or an empty body all
//! end up in [`ApiError::raw_body`].
//!
//! ```
//! # async fn run(c: kafka_mirror::confluent::Client) -> Result<(), kafka_mirror::Error> {
//! match c.get_kafka_link().cluster_id("lkc-1").link_name("dr").send().await {
//!     Ok(link) => println!("{:?}", link.link_state),
//!     Err(e) => {
//!         let e = kafka_mirror::Error::from(e);
//!         if e.is_not_found() {
//!             println!("no such link");
//!         } else {
//!             return Err(e);
//!         }
//!     }
//! }
//! # Ok(()) }
//! ```

use std::fmt;
use std::time::Duration;

use reqwest::StatusCode;
use reqwest::header::HeaderMap;
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
    /// The service answered with an error status (boxed: it carries the
    /// headers and body).
    #[error(transparent)]
    Api(Box<ApiError>),
    /// No answer: connection refused, timeout, reset, TLS failure.
    #[error("transport error: {0}")]
    Transport(#[source] reqwest::Error),
    /// A success answer whose body does not decode into the documented type.
    #[error("cannot decode the answer: {source}; body: {}", truncate(body))]
    Decode {
        /// The body as received (lossy UTF-8).
        body: String,
        /// What serde said.
        #[source]
        source: serde_json::Error,
    },
    /// An answer with a status the spec does not describe (1xx, 3xx, or a 2xx
    /// where another 2xx with a body is documented).
    #[error("unexpected answer with status {status}")]
    UnexpectedStatus {
        /// The status received.
        status: StatusCode,
    },
    /// A list stopped following `metadata.next` (see [`crate::paginate`]).
    #[error(transparent)]
    Pagination(#[from] crate::paginate::PaginationError),
    /// Any other failure reported by a request hook.
    #[error("{0}")]
    Other(String),
}

impl Error {
    /// The HTTP status of the service's answer, if there was one.
    pub fn status(&self) -> Option<StatusCode> {
        match self {
            Error::Api(e) => Some(e.status()),
            Error::UnexpectedStatus { status } => Some(*status),
            Error::Transport(e) => e.status(),
            _ => None,
        }
    }

    /// The service's own error code (Confluent `error_code`, Instaclustr `code`).
    pub fn error_code(&self) -> Option<i64> {
        self.api().and_then(ApiError::error_code)
    }

    /// How many times the request was sent, when the service answered.
    pub fn attempts(&self) -> Option<u32> {
        self.api().map(ApiError::attempts)
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

    /// `true` for a 429, or Confluent's Kafka throttling code 42901.
    pub fn is_rate_limited(&self) -> bool {
        self.api().is_some_and(ApiError::is_rate_limited)
    }

    /// `true` for a 401, or Confluent's authentication failure code 40101.
    pub fn is_unauthorized(&self) -> bool {
        self.api().is_some_and(ApiError::is_unauthorized)
    }
}

fn truncate(s: &str) -> String {
    const MAX: usize = 512;
    if s.len() <= MAX {
        return s.to_string();
    }
    let mut end = MAX;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}... ({} bytes)", &s[..end], s.len())
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
    attempts: u32,
    elapsed: Option<Duration>,
}

/// The error body of either service, parsed.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum VendorError {
    /// Confluent's `{"error_code", "message"}`.
    Confluent(ConfluentError),
    /// Instaclustr's `{"status", "message", "errorDetails", "code", "link"}`.
    Instaclustr(InstaclustrError),
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

impl From<ConfluentError> for VendorError {
    fn from(e: ConfluentError) -> Self {
        VendorError::Confluent(e)
    }
}

impl From<InstaclustrError> for VendorError {
    fn from(e: InstaclustrError) -> Self {
        VendorError::Instaclustr(e)
    }
}

impl ApiError {
    /// Builds an error from a status and a raw body; the body is parsed as
    /// the vendor's error JSON when it is JSON.
    pub fn new<V>(status: StatusCode, mut headers: HeaderMap, body: ErrorBody<V>) -> Self
    where
        V: Into<VendorError>,
    {
        // The transport reports attempts and time spent in two headers of its
        // own; they are taken back out so `headers()` is the service's.
        let mut take =
            |name: &str| -> Option<u64> { headers.remove(name)?.to_str().ok()?.parse().ok() };
        let attempts = take(crate::transport::ATTEMPTS_HEADER).map_or(1, |n| n as u32);
        let elapsed = take(crate::transport::ELAPSED_HEADER).map(Duration::from_millis);
        Self {
            status,
            headers,
            raw: body.raw,
            vendor: body.parsed.map(Into::into),
            attempts,
            elapsed,
        }
    }

    /// How many times the request was sent before this answer was kept
    /// (1 when it was not retried).
    pub fn attempts(&self) -> u32 {
        self.attempts
    }

    /// Time from the first attempt to this answer, retries and waits included.
    pub fn elapsed(&self) -> Option<Duration> {
        self.elapsed
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
        }
    }

    /// The service's message, if it sent one.
    pub fn message(&self) -> Option<&str> {
        match self.vendor.as_ref()? {
            VendorError::Confluent(e) => e.message.as_deref(),
            VendorError::Instaclustr(e) => e.message.as_deref(),
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
            .field("raw_body", &truncate(&self.raw))
            .field("attempts", &self.attempts)
            .finish_non_exhaustive()
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "the service answered {}", self.status)?;
        if let Some(code) = self.error_code() {
            write!(f, " (error code {code})")?;
        }
        match self.message() {
            Some(m) => write!(f, ": {m}"),
            None if self.raw.trim().is_empty() => f.write_str(" with an empty body"),
            None => write!(f, ": {}", truncate(self.raw.trim())),
        }?;
        if self.attempts > 1 {
            write!(f, " (gave up after {} attempts", self.attempts)?;
            if let Some(e) = self.elapsed {
                write!(f, " in {:.1} s", e.as_secs_f64())?;
            }
            f.write_str(")")?;
        }
        Ok(())
    }
}

impl std::error::Error for ApiError {}

/// An error body as the generated code sees it: the raw text and, when the
/// text is the vendor's JSON, its parsed form.
///
/// The request hook hands every error body to the generated code as a JSON
/// string holding the raw text (so an HTML page or an empty body decodes
/// too); a JSON object, as in the specs' examples, decodes as well.
#[derive(Debug, Clone, PartialEq)]
pub struct ErrorBody<V> {
    raw: String,
    parsed: Option<V>,
}

impl<V: serde::de::DeserializeOwned> ErrorBody<V> {
    /// Parses a raw body; `parsed` is set when it is a JSON object of the
    /// vendor's shape.
    pub fn from_raw(raw: impl Into<String>) -> Self {
        let raw = raw.into();
        let parsed = match serde_json::from_str::<serde_json::Value>(&raw) {
            Ok(v @ serde_json::Value::Object(_)) => serde_json::from_value(v).ok(),
            _ => None,
        };
        Self { raw, parsed }
    }
}

impl<V> ErrorBody<V> {
    /// The body exactly as received.
    pub fn raw(&self) -> &str {
        &self.raw
    }

    /// The parsed vendor error, if the body was one.
    pub fn parsed(&self) -> Option<&V> {
        self.parsed.as_ref()
    }
}

impl<'de, V: serde::de::DeserializeOwned> Deserialize<'de> for ErrorBody<V> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        match serde_json::Value::deserialize(d)? {
            serde_json::Value::String(raw) => Ok(Self::from_raw(raw)),
            other => Ok(Self::from_raw(other.to_string())),
        }
    }
}

impl<V> Serialize for ErrorBody<V> {
    /// The raw body as JSON when it is JSON, else as a JSON string.
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match serde_json::from_str::<serde_json::Value>(&self.raw) {
            Ok(v) => v.serialize(s),
            Err(_) => s.serialize_str(&self.raw),
        }
    }
}

impl<V: schemars::JsonSchema> schemars::JsonSchema for ErrorBody<V> {
    fn schema_name() -> String {
        V::schema_name()
    }

    fn json_schema(g: &mut schemars::r#gen::SchemaGenerator) -> schemars::schema::Schema {
        V::json_schema(g)
    }
}

impl From<ApiError> for Error {
    fn from(e: ApiError) -> Self {
        Error::Api(Box::new(e))
    }
}

impl<V: Into<VendorError>> From<progenitor_client::Error<ErrorBody<V>>> for Error {
    fn from(e: progenitor_client::Error<ErrorBody<V>>) -> Self {
        use progenitor_client::Error as P;
        match e {
            P::InvalidRequest(m) => Error::InvalidArgument(m),
            P::CommunicationError(e) | P::InvalidUpgrade(e) | P::ResponseBodyError(e) => {
                Error::Transport(e)
            }
            P::ErrorResponse(rv) => {
                let (status, headers) = (rv.status(), rv.headers().clone());
                Error::Api(Box::new(ApiError::new(status, headers, rv.into_inner())))
            }
            P::InvalidResponsePayload(bytes, source) => Error::Decode {
                body: String::from_utf8_lossy(&bytes).into_owned(),
                source,
            },
            P::UnexpectedResponse(r) => Error::UnexpectedStatus { status: r.status() },
            P::Custom(m) => Error::Other(m),
        }
    }
}
