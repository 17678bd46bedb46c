//! An OAuth 2.0 token endpoint (`POST /emulator/v1/oauth2/token`) issuing
//! short-lived bearer tokens for the Confluent API through the
//! client-credentials grant, as an identity provider (Okta, Entra ID,
//! Keycloak) does for Confluent Cloud. Answers follow RFC 6749 sections 5.1
//! and 5.2.

use std::sync::Arc;
use std::time::Duration;

use axum::extract::{Request, State as AxState};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use tokio::time::Instant;

use crate::Shared;
use crate::auth::Token;

/// Where the token endpoint is.
pub(crate) const TOKEN_PATH: &str = "/emulator/v1/oauth2/token";

/// A client allowed to ask for tokens, and what its tokens carry.
#[derive(Debug, Clone)]
pub(crate) struct OAuthClient {
    pub id: String,
    pub secret: String,
    pub identity_pool_id: Option<String>,
    pub token_lifetime: Duration,
}

/// The largest form accepted: a token request is a few hundred bytes.
const MAX_FORM: usize = 64 * 1024;

/// `POST /emulator/v1/oauth2/token`.
pub(crate) async fn token(AxState(s): AxState<Arc<Shared>>, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    let form_type = parts
        .headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|v| {
            v.trim()
                .eq_ignore_ascii_case("application/x-www-form-urlencoded")
        });
    if !form_type {
        return error(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "The request must be application/x-www-form-urlencoded.",
        );
    }
    let Ok(bytes) = axum::body::to_bytes(body, MAX_FORM).await else {
        return error(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "The request body is too large.",
        );
    };
    let form: Vec<(String, String)> = form_urlencoded::parse(&bytes).into_owned().collect();
    let field = |name: &str| {
        let mut values = form.iter().filter(|(k, _)| k == name).map(|(_, v)| v);
        match (values.next(), values.next()) {
            (Some(v), None) => Ok(Some(v.as_str())),
            (None, _) => Ok(None),
            (Some(_), Some(_)) => Err(error(
                StatusCode::BAD_REQUEST,
                "invalid_request",
                &format!("The parameter `{name}` is repeated."),
            )),
        }
    };
    let grant = match field("grant_type") {
        Ok(g) => g,
        Err(e) => return e,
    };
    match grant {
        Some("client_credentials") => {}
        Some(_) => {
            return error(
                StatusCode::BAD_REQUEST,
                "unsupported_grant_type",
                "Only the client_credentials grant is supported.",
            );
        }
        None => {
            return error(
                StatusCode::BAD_REQUEST,
                "invalid_request",
                "The parameter `grant_type` is missing.",
            );
        }
    }
    let in_form = match (field("client_id"), field("client_secret")) {
        (Ok(id), Ok(secret)) => id.map(|id| (id.to_string(), secret.unwrap_or("").to_string())),
        (Err(e), _) | (_, Err(e)) => return e,
    };
    let in_header = basic_credentials(&parts.headers);
    let (id, secret) = match (in_header, in_form) {
        (Some(_), Some(_)) => {
            return error(
                StatusCode::BAD_REQUEST,
                "invalid_request",
                "The client authenticated in more than one way.",
            );
        }
        (Some(Some(c)), None) | (None, Some(c)) => c,
        (Some(None), None) | (None, None) => return invalid_client(),
    };
    let Some(client) = s
        .oauth_clients
        .iter()
        .find(|c| c.id == id && c.secret == secret)
    else {
        return invalid_client();
    };
    let now = Instant::now();
    let token = format!("emu-{}", uuid::Uuid::new_v4().simple());
    {
        let mut issued = s.issued.lock().unwrap_or_else(|p| p.into_inner());
        issued.tokens.retain(|t| t.expires > now);
        issued.tokens.push(Token {
            token: token.clone(),
            identity_pool_id: client.identity_pool_id.clone(),
            expires: now + client.token_lifetime,
        });
        issued.count += 1;
    }
    let mut body = serde_json::json!({
        "access_token": token,
        "token_type": "Bearer",
        "expires_in": client.token_lifetime.as_secs(),
    });
    if let Ok(Some(scope)) = field("scope") {
        body["scope"] = scope.into();
    }
    no_store((StatusCode::OK, axum::Json(body)).into_response())
}

/// The client id and secret of an `Authorization: Basic` header:
/// `None` without one, `Some(None)` when it cannot be read. Both are
/// form-encoded first (RFC 6749 section 2.3.1).
fn basic_credentials(headers: &HeaderMap) -> Option<Option<(String, String)>> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let encoded = value.strip_prefix("Basic ")?;
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(encoded.trim())
        .ok()
        .and_then(|b| String::from_utf8(b).ok());
    Some(decoded.and_then(|pair| {
        let (id, secret) = pair.split_once(':')?;
        let unescape = |s: &str| {
            form_urlencoded::parse(format!("x={s}").as_bytes())
                .next()
                .map(|(_, v)| v.into_owned())
        };
        Some((unescape(id)?, unescape(secret)?))
    }))
}

fn invalid_client() -> Response {
    let mut r = error(
        StatusCode::UNAUTHORIZED,
        "invalid_client",
        "Client authentication failed.",
    );
    r.headers_mut().insert(
        header::WWW_AUTHENTICATE,
        HeaderValue::from_static("Basic realm=\"emulator\""),
    );
    r
}

fn error(status: StatusCode, code: &str, description: &str) -> Response {
    no_store(
        (
            status,
            axum::Json(serde_json::json!({"error": code, "error_description": description})),
        )
            .into_response(),
    )
}

/// Token answers must not be cached (RFC 6749 section 5.1).
fn no_store(mut r: Response) -> Response {
    r.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    r.headers_mut()
        .insert(header::PRAGMA, HeaderValue::from_static("no-cache"));
    r
}

/// Tokens issued so far and how many.
#[derive(Default)]
pub(crate) struct Issued {
    pub tokens: Vec<Token>,
    pub count: u64,
}
