//! Who may call the emulator: Basic credentials, and (Confluent only)
//! bearer tokens, given at start or issued by its OAuth token endpoint.

use axum::extract::Request;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use base64::Engine;
use tokio::time::Instant;

use crate::Shared;
use crate::error::{Api, ApiError};

/// A bearer token the emulator accepts (Confluent's `external-access-token`).
#[derive(Debug, Clone)]
pub(crate) struct Token {
    pub(crate) token: String,
    pub(crate) identity_pool_id: Option<String>,
    pub(crate) expires: Instant,
}

/// Basic credentials, or (Confluent only) a bearer token that has not
/// expired, with its identity pool when it has one. Nothing is required
/// when neither is configured.
pub(crate) fn authenticate(s: &Shared, request: &Request, confluent: bool) -> Result<(), Response> {
    if s.credentials.is_none() && s.tokens.is_empty() && s.oauth_clients.is_empty() {
        return Ok(());
    }
    let refuse = |message: &str| {
        let unauthorized = StatusCode::UNAUTHORIZED;
        Err(match Api::of(request.uri().path()) {
            _ if confluent => ApiError::confluent(unauthorized, 40101, message),
            Api::InstaclustrV2 => {
                ApiError::instaclustr_v2(unauthorized, "authorization", "Not Authorized")
            }
            // Paths outside the three APIs (`confluent` is false for them)
            // get v1's shape, as before.
            Api::Instaclustr | Api::Confluent => {
                ApiError::instaclustr(unauthorized, "Not Authorized")
            }
        }
        .into_response())
    };
    let header = |name: &str| request.headers().get(name).and_then(|v| v.to_str().ok());
    let given = header("authorization").unwrap_or("");
    if let Some((user, secret)) = &s.credentials {
        let expected = format!(
            "Basic {}",
            base64::engine::general_purpose::STANDARD.encode(format!("{user}:{secret}"))
        );
        if given == expected {
            return Ok(());
        }
    }
    let bearer = given.strip_prefix("Bearer ").filter(|_| confluent);
    let issued = s.issued.lock().unwrap_or_else(|p| p.into_inner());
    let known = |b: &str| {
        s.tokens
            .iter()
            .chain(issued.tokens.iter())
            .find(|t| t.token == b)
    };
    if let Some(token) = bearer.and_then(known) {
        if Instant::now() >= token.expires {
            return refuse("The access token has expired");
        }
        let pool = header("confluent-identity-pool-id");
        if token
            .identity_pool_id
            .as_deref()
            .is_some_and(|p| pool != Some(p))
        {
            return refuse("The identity pool of the access token is missing or wrong");
        }
        return Ok(());
    }
    refuse("Authentication failed")
}
