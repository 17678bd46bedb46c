//! How a generated operation's `send()` returns [`crate::Error`].
//!
//! progenitor's own `send` (renamed `send_raw` at build time, private) can
//! only report a `reqwest` failure or the body it decoded. The transport
//! knows more: how many attempts were made, for how long, and the error
//! answer as received (an HTML 429 page, an empty 401). It leaves that in a
//! per-call [`Record`], which each `send()` keeps and lends to `send_raw`
//! (build time rewrites progenitor's call of its `exec` hook into
//! `crate::transport::exec`, which fills it); `send()` then returns the
//! recorded error, or turns progenitor's into one with the record's
//! request details.

use std::borrow::Cow;
use std::cell::RefCell;
use std::future::Future;

use progenitor_client::ResponseValue;
use reqwest::StatusCode;
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::error::{Error, RequestInfo};

tokio::task_local! {
    static OBSERVED: RefCell<Observed>;
    static DEADLINE: tokio::time::Instant;
}

/// Runs `f` with every call in it ending by `deadline` at the latest, even
/// when the client's retry policy would give it longer (a runbook's
/// timeout bounds its action requests).
pub(crate) async fn by<F: Future>(deadline: tokio::time::Instant, f: F) -> F::Output {
    DEADLINE.scope(deadline, f).await
}

/// The earlier of `own` (the retry policy's) and the deadline of an
/// enclosing [`by`], if any.
pub(crate) fn deadline(own: Option<tokio::time::Instant>) -> Option<tokio::time::Instant> {
    match (own, DEADLINE.try_with(|d| *d).ok()) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

/// What the calls made inside [`observed`] sent, all together.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Observed {
    /// Calls (`send()`s) that went to the network.
    pub(crate) calls: u32,
    /// Requests sent, retries included.
    pub(crate) attempts: u32,
    /// The status of the last answer.
    pub(crate) status: Option<u16>,
}

/// Runs `f` and counts what its calls sent (the DR journal's `attempts`).
pub(crate) async fn observed<F: Future>(f: F) -> (F::Output, Observed) {
    OBSERVED
        .scope(RefCell::new(Observed::default()), async move {
            let out = f.await;
            (out, OBSERVED.with(|o| *o.borrow()))
        })
        .await
}

/// Adds one call's request to the enclosing [`observed`], if any.
pub(crate) fn observe(request: Option<&RequestInfo>, status: Option<StatusCode>) {
    if let Some(r) = request {
        let _ = OBSERVED.try_with(|o| {
            let mut o = o.borrow_mut();
            o.calls += 1;
            o.attempts += r.attempts();
            o.status = status.map(|s| s.as_u16());
        });
    }
}

/// What the transport learned during one call. Each generated `send()`
/// keeps one and lends it to its `send_raw` (progenitor's code), whose call
/// to [`exec`] fills it.
#[derive(Default)]
pub(crate) enum Record {
    /// Nothing was sent.
    #[default]
    Empty,
    /// What was sent and the status of the success answer.
    Answered(RequestInfo, StatusCode),
    /// The error `send()` returns.
    Failed(Error),
}

/// The characters progenitor's `encode_path` encodes in a path segment
/// (<https://url.spec.whatwg.org/#url-path-segment-string>, plus `/` and
/// `%`), so that a parameter can never change the path.
const PATH_SEGMENT: &percent_encoding::AsciiSet = &percent_encoding::CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'#')
    .add(b'<')
    .add(b'>')
    .add(b'?')
    .add(b'`')
    .add(b'{')
    .add(b'}')
    .add(b'/')
    .add(b'%');

/// A path parameter percent-encoded as progenitor's `encode_path` does it,
/// without a copy when no character needs encoding (IDs and names rarely
/// do). Generated code calls it instead of progenitor's.
pub(crate) fn encode_path(segment: &str) -> Cow<'_, str> {
    percent_encoding::utf8_percent_encode(segment, PATH_SEGMENT).into()
}

/// progenitor's `ResponseValue::from_response` without its copy of the
/// answer's headers: they are taken from the answer, which is dropped
/// here anyway. Generated code calls it instead.
pub(crate) async fn from_response<T: DeserializeOwned, E>(
    mut response: reqwest::Response,
) -> Result<ResponseValue<T>, progenitor_client::Error<E>> {
    let status = response.status();
    let headers = std::mem::take(response.headers_mut());
    let full = response
        .bytes()
        .await
        .map_err(progenitor_client::Error::ResponseBodyError)?;
    let inner = serde_json::from_slice(&full)
        .map_err(|e| progenitor_client::Error::InvalidResponsePayload(full, e))?;
    Ok(ResponseValue::new(inner, status, headers))
}

/// `builder.query(..)` of an optional query parameter, only when it is
/// set. reqwest's `query()` rewrites the URL's query even for an unset
/// value and then removes it again; generated code calls this instead.
#[inline]
pub(crate) fn query_if_set<T: Serialize>(
    builder: reqwest::RequestBuilder,
    name: &str,
    value: &Option<T>,
) -> reqwest::RequestBuilder {
    match value {
        Some(_) => builder.query(&progenitor_client::QueryParam::new(name, value)),
        None => builder,
    }
}

/// What `send()` returns once progenitor's `send_raw` is done: the error
/// the transport recorded first, then progenitor's answer, or its error
/// converted.
pub(crate) fn finish<T, E>(
    result: Result<ResponseValue<T>, progenitor_client::Error<E>>,
    record: Record,
) -> Result<ResponseValue<T>, Error> {
    // Not one match on `(result, record)`: the tuple would be one more
    // copy of the decoded value on every call.
    let answered = match record {
        Record::Failed(e) => {
            observe(e.request(), e.status());
            return Err(e);
        }
        Record::Answered(r, status) => {
            observe(Some(&r), Some(status));
            Some((r, status))
        }
        Record::Empty => None,
    };
    result.map_err(|e| convert(e, answered))
}

/// Records the transport's outcome in `record` and gives progenitor's
/// code the response to read: the answer itself after a success (its
/// request is kept in case the body does not decode), a placeholder after
/// an error. The placeholder never reaches a caller: `send()` returns the
/// recorded error instead.
pub(crate) fn hand_over(
    outcome: Result<(reqwest::Response, RequestInfo), Error>,
    record: &mut Record,
) -> reqwest::Response {
    match outcome {
        Ok((response, sent)) => {
            *record = Record::Answered(sent, response.status());
            response
        }
        Err(e) => {
            *record = Record::Failed(e);
            recorded_error_response()
        }
    }
}

/// What progenitor's code reads after an error was recorded.
fn recorded_error_response() -> reqwest::Response {
    let mut answer = http::Response::new(Vec::<u8>::new());
    *answer.status_mut() = StatusCode::INTERNAL_SERVER_ERROR;
    reqwest::Response::from(answer)
}

/// progenitor's error, for what the transport did not record: an argument
/// the builder refused, a body that does not decode, an unexpected status.
fn convert<E>(
    e: progenitor_client::Error<E>,
    answered: Option<(RequestInfo, StatusCode)>,
) -> Error {
    use progenitor_client::Error as P;
    let (request, status) = answered.unzip();
    match (e, request) {
        (P::InvalidRequest(m) | P::Custom(m), _) => Error::InvalidArgument(m),
        (P::CommunicationError(e) | P::InvalidUpgrade(e) | P::ResponseBodyError(e), Some(r)) => {
            Error::transport(e, r)
        }
        // Nothing was sent: reqwest could not build the request from the
        // arguments (a header value with a newline, for example).
        (P::CommunicationError(e) | P::InvalidUpgrade(e) | P::ResponseBodyError(e), None) => {
            Error::InvalidArgument(format!(
                "cannot build the request: {}",
                crate::error::root_cause(&e)
            ))
        }
        (P::InvalidResponsePayload(body, source), Some(r)) => {
            let status = status.unwrap_or(StatusCode::OK);
            Error::decode(status, &body, r, source)
        }
        (P::UnexpectedResponse(response), Some(r)) => Error::UnexpectedStatus {
            status: response.status(),
            request: Box::new(r),
        },
        // The transport records every error status, so progenitor sees none.
        (P::ErrorResponse(response), Some(r)) => Error::UnexpectedStatus {
            status: response.status(),
            request: Box::new(r),
        },
        (P::InvalidResponsePayload(..) | P::UnexpectedResponse(_) | P::ErrorResponse(_), None) => {
            Error::InvalidArgument("the request was not sent through the client's transport".into())
        }
    }
}
