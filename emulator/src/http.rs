//! Requests and answers as the services shape them: every error is JSON in
//! the vendor's error body, whatever went wrong (malformed JSON, a value of
//! the wrong type, a missing or wrong Content-Type, an unknown route, a known
//! route with the wrong method, a flag that is not a boolean).

use axum::extract::{FromRequest, FromRequestParts, Query, Request};
use axum::http::StatusCode;
use axum::http::header::{ALLOW, CONTENT_TYPE};
use axum::http::request::Parts;
use axum::middleware::Next;
use axum::response::Response;
use bytes::Bytes;
use serde::de::DeserializeOwned;
use serde_json::Value;

pub(crate) use crate::error::Api;

/// A JSON request body, decoded into `T`, with the JSON it came from (for
/// checks serde cannot make, such as an explicit `null`). Refuses, in the
/// service's error shape, a body that is not `application/json` (415), not
/// JSON, or not of `T`'s shape (400). Confluent's specs make every request
/// body optional: no body at all is read as `{}`.
pub(crate) struct Body<T> {
    pub value: T,
    pub json: Value,
}

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for Body<T> {
    type Rejection = Response;

    async fn from_request(request: Request, state: &S) -> Result<Self, Response> {
        let api = Api::of(request.uri().path());
        let json = read_json(request, state).await?;
        Body::decode(api, json)
    }
}

/// The JSON of a request body (see [`Body`]).
pub(crate) async fn read_json<S: Send + Sync>(
    request: Request,
    state: &S,
) -> Result<Value, Response> {
    let api = Api::of(request.uri().path());
    let content_type = request
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let bytes = Bytes::from_request(request, state)
        .await
        .map_err(|e| api.error(e.status(), e.body_text()))?;
    match content_type {
        None if bytes.is_empty() && api == Api::Confluent => Ok(Value::Object(Default::default())),
        Some(ct) if is_json(&ct) => serde_json::from_slice(&bytes)
            .map_err(|e| api.error(StatusCode::BAD_REQUEST, format!("Malformed JSON: {e}"))),
        _ => Err(api.error(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "HTTP 415 Unsupported Media Type: the body must be application/json",
        )),
    }
}

impl<T: DeserializeOwned> Body<T> {
    /// Decodes JSON already read (a route that checks something first).
    pub(crate) fn decode(api: Api, json: Value) -> Result<Self, Response> {
        let value = T::deserialize(&json).map_err(|e| {
            api.error(
                StatusCode::BAD_REQUEST,
                format!("Invalid request body: {e}"),
            )
        })?;
        Ok(Self { value, json })
    }
}

fn is_json(content_type: &str) -> bool {
    let essence = content_type.split(';').next().unwrap_or("").trim();
    essence.eq_ignore_ascii_case("application/json")
        || essence.to_ascii_lowercase().ends_with("+json")
}

/// Query parameters decoded into `T`; a value of the wrong type (a flag
/// that is not `true` or `false`) is a 400 in the service's error shape.
pub(crate) struct Params<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequestParts<S> for Params<T> {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Response> {
        Query::<T>::try_from_uri(&parts.uri)
            .map(|Query(q)| Params(q))
            .map_err(|e| {
                Api::of(parts.uri.path()).error(
                    StatusCode::BAD_REQUEST,
                    format!("Invalid query parameter: {}", e.body_text()),
                )
            })
    }
}

/// Refuses an explicit `null` for the fields the spec declares and does not
/// make nullable: `fields` lists them, top-level (`name`) or in the objects
/// of an array field (`configs.items.name`). Fields the spec does not
/// declare are not looked at: the schemas allow any other property.
pub(crate) fn no_nulls(api: Api, json: &Value, fields: &[&str]) -> Result<(), Response> {
    for field in fields {
        let parts: Vec<&str> = field.split('.').collect();
        let is_null = match parts.as_slice() {
            [name] => json.get(*name).is_some_and(Value::is_null),
            [array, "items", name] => {
                json.get(*array)
                    .and_then(Value::as_array)
                    .is_some_and(|items| {
                        items
                            .iter()
                            .any(|i| i.get(*name).is_some_and(Value::is_null))
                    })
            }
            _ => false,
        };
        if is_null {
            return Err(api.error(
                StatusCode::BAD_REQUEST,
                format!("Invalid request body: `{field}` may not be null"),
            ));
        }
    }
    Ok(())
}

/// Unknown routes: 404 in the service's shape.
pub(crate) async fn not_found(request: Request) -> Response {
    Api::of(request.uri().path()).error(StatusCode::NOT_FOUND, "HTTP 404 Not Found")
}

/// Rewrites what the router answers by itself (405 for a known route with
/// another method, with its `Allow` header, and any other bodiless or
/// plain-text error) into the service's JSON error body. Confluent's HTML
/// 429 page is left as it is: that is what the service sends.
pub(crate) async fn vendor_errors(request: Request, next: Next) -> Response {
    let api = Api::of(request.uri().path());
    let response = next.run(request).await;
    let status = response.status();
    if !(status.is_client_error() || status.is_server_error()) {
        return response;
    }
    let content_type = response
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if is_json(content_type) || content_type.starts_with("text/html") {
        return response;
    }
    let allow = response.headers().get(ALLOW).cloned();
    let message = match status {
        StatusCode::METHOD_NOT_ALLOWED => "HTTP 405 Method Not Allowed".to_string(),
        other => format!(
            "HTTP {} {}",
            other.as_u16(),
            other.canonical_reason().unwrap_or("")
        ),
    };
    let mut rebuilt = api.error(status, message);
    if let Some(allow) = allow {
        rebuilt.headers_mut().insert(ALLOW, allow);
    }
    rebuilt
}

/// Kafka topic names: 1 to 249 characters of `[a-zA-Z0-9._-]`, not `.` or `..`.
pub(crate) fn check_topic_name(api: Api, what: &str, name: &str) -> Result<(), Response> {
    let valid = !name.is_empty()
        && name.len() <= 249
        && name != "."
        && name != ".."
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'));
    if valid {
        Ok(())
    } else {
        Err(api.error(
            StatusCode::BAD_REQUEST,
            format!(
                "Invalid {what} '{name}': topic names are 1 to 249 characters of \
                 [a-zA-Z0-9._-], and not '.' or '..'"
            ),
        ))
    }
}
