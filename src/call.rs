//! How a generated operation's `send()` returns [`crate::Error`].
//!
//! progenitor's own `send` (renamed `send_raw` at build time, private) can
//! only report a `reqwest` failure or the body it decoded. The transport
//! knows more: how many attempts were made, for how long, and the error
//! answer as received (an HTML 429 page, an empty 401). It leaves that in a
//! per-call record, a task-local value that lives exactly as long as one
//! `send()`; `send()` then returns the recorded error, or turns progenitor's
//! into one with the record's request details.

use std::cell::RefCell;
use std::future::Future;

use futures_util::FutureExt;

use progenitor_client::ResponseValue;
use reqwest::StatusCode;

use crate::error::{Error, RequestInfo};

tokio::task_local! {
    static CALL: RefCell<Record>;
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

/// What the transport learned during one call.
#[derive(Default)]
struct Record {
    /// What was sent and the status of the success answer.
    answered: Option<(RequestInfo, StatusCode)>,
    error: Option<Error>,
}

/// Runs progenitor's `send_raw` future and returns its answer, or the
/// [`Error`] the transport recorded, or progenitor's error converted.
///
/// A plain function around `map`, not an `async` block: an async block
/// would hold `raw` twice (as captured and as awaited), and `raw` is the
/// largest future of a call, so every `send()` would copy it more.
pub(crate) fn send<T, E>(
    raw: impl Future<Output = Result<ResponseValue<T>, progenitor_client::Error<E>>>,
) -> impl Future<Output = Result<ResponseValue<T>, Error>> {
    // `map`'s closure runs inside the poll that completes `raw`, so inside
    // the scope of this call's record.
    CALL.scope(RefCell::new(Record::default()), raw.map(finish))
}

/// What `send()` returns once `raw` is done: the recorded error first.
fn finish<T, E>(
    result: Result<ResponseValue<T>, progenitor_client::Error<E>>,
) -> Result<ResponseValue<T>, Error> {
    let record = CALL.with(|r| r.take());
    match (&record.error, &record.answered) {
        (Some(e), _) => observe(e.request(), e.status()),
        (None, Some((r, status))) => observe(Some(r), Some(*status)),
        (None, None) => {}
    }
    match (result, record) {
        (_, Record { error: Some(e), .. }) => Err(e),
        (Ok(value), _) => Ok(value),
        (Err(e), Record { answered, .. }) => Err(convert(e, answered)),
    }
}

/// Records the transport's outcome for the current `send()` and gives
/// progenitor's code the response to read: the answer itself after a
/// success, a placeholder after an error. The placeholder never reaches a
/// caller: `send()` returns the recorded error instead.
pub(crate) fn hand_over(
    outcome: Result<(reqwest::Response, RequestInfo), Error>,
) -> reqwest::Response {
    match outcome {
        Ok((response, sent)) => {
            record_answer(sent, response.status());
            response
        }
        Err(e) => {
            record_error(e);
            recorded_error_response()
        }
    }
}

/// Records a success answer for the current `send()`, in case its body
/// does not decode.
fn record_answer(request: RequestInfo, status: StatusCode) {
    let _ = CALL.try_with(|r| r.borrow_mut().answered = Some((request, status)));
}

/// Records the error the current `send()` returns.
fn record_error(error: Error) {
    let _ = CALL.try_with(|r| r.borrow_mut().error = Some(error));
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
