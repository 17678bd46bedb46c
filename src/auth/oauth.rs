//! The OAuth 2.0 client-credentials grant (RFC 6749 section 4.4): how a
//! Confluent client gets bearer tokens from the customer's identity provider
//! (Okta, Entra ID, Keycloak, Auth0...) by itself.

use std::fmt;
use std::sync::Mutex;
use std::time::Duration;

use bytes::Bytes;
use reqwest::header::{ACCEPT, AUTHORIZATION, CONTENT_TYPE, HeaderMap, HeaderValue};
use reqwest::{Method, StatusCode, Url};
use tokio::time::Instant;

use super::token::{AccessToken, TokenProvider};
use super::{Secret, check_not_empty, is_loopback};
use crate::error::one_line;
use crate::error::{AuthError, ConfigError, tally};
use crate::retry::{Attempts, Decision, RetryPolicy, RetryReason, classify_transport, retry_after};

/// How the client proves its identity to the token endpoint (RFC 6749
/// section 2.3.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum ClientAuthentication {
    /// `Authorization: Basic` with the form-encoded client id and secret
    /// (`client_secret_basic`, which every provider must support).
    #[default]
    Basic,
    /// `client_id` and `client_secret` in the form body
    /// (`client_secret_post`), for providers that want them there.
    FormBody,
}

/// Settings of the client-credentials grant: the token URL, the client id and
/// secret, and optionally a scope and an audience. Give them to
/// `confluent::Client::builder(..).oauth_client_credentials(..)`: the client
/// then fetches tokens itself, caches them, refreshes them before they expire
/// and once after a 401, and sends them with `Confluent-Identity-Pool-Id`.
///
/// ```
/// use kafka_mirror::auth::OAuthClientCredentials;
///
/// // Entra ID: a v2.0 token URL and the application's `.default` scope.
/// let creds = OAuthClientCredentials::new(
///     "https://login.microsoftonline.com/<tenant-id>/oauth2/v2.0/token",
///     "<application-id>",
///     std::env::var("CLIENT_SECRET").unwrap_or_default(),
/// )
/// .scope("api://<application-id>/.default");
/// assert!(!format!("{creds:?}").contains("CLIENT_SECRET"));
/// ```
#[derive(Clone)]
#[must_use]
pub struct OAuthClientCredentials {
    token_url: String,
    client_id: String,
    client_secret: Secret,
    scope: Option<String>,
    audience: Option<String>,
    authentication: ClientAuthentication,
    http: Option<reqwest::Client>,
}

impl fmt::Debug for OAuthClientCredentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OAuthClientCredentials")
            .field("token_url", &without_query(&self.token_url))
            .field("client_id", &self.client_id)
            .field("client_secret", &self.client_secret)
            .field("scope", &self.scope)
            .field("audience", &self.audience)
            .field("authentication", &self.authentication)
            .finish_non_exhaustive()
    }
}

impl OAuthClientCredentials {
    /// The identity provider's token URL and the client's id and secret.
    /// Checked by the client builder's `build()`: the URL must be `https`
    /// (or `http` to this machine, or with `danger_allow_insecure_http()`).
    pub fn new(
        token_url: impl Into<String>,
        client_id: impl Into<String>,
        client_secret: impl Into<String>,
    ) -> Self {
        Self {
            token_url: token_url.into(),
            client_id: client_id.into(),
            client_secret: Secret::new(client_secret),
            scope: None,
            audience: None,
            authentication: ClientAuthentication::Basic,
            http: None,
        }
    }

    /// The `scope` parameter: several scopes are separated by spaces (Entra
    /// ID needs one, such as `api://<id>/.default`).
    pub fn scope(mut self, scope: impl Into<String>) -> Self {
        self.scope = Some(scope.into());
        self
    }

    /// The `audience` parameter (Auth0 and some Okta setups ask for it).
    pub fn audience(mut self, audience: impl Into<String>) -> Self {
        self.audience = Some(audience.into());
        self
    }

    /// How the client id and secret are sent; default
    /// [`ClientAuthentication::Basic`].
    pub fn client_authentication(mut self, how: ClientAuthentication) -> Self {
        self.authentication = how;
        self
    }

    /// Sends token requests with this client (a proxy, extra roots). The
    /// default is the crate's default client (see
    /// [`crate::client::http_client_builder`]), which follows no redirect:
    /// the secret must not follow one to another host.
    pub fn http_client(mut self, client: reqwest::Client) -> Self {
        self.http = Some(client);
        self
    }

    /// Checks the settings and makes the provider a client uses.
    pub(crate) fn into_provider(
        self,
        allow_insecure_http: bool,
        retry: RetryPolicy,
        default_http: impl FnOnce() -> Result<reqwest::Client, ConfigError>,
    ) -> Result<ClientCredentialsProvider, ConfigError> {
        let url = parse_token_url(&self.token_url)?;
        if url.scheme() == "http" && !is_loopback(&url) && !allow_insecure_http {
            return Err(ConfigError::InsecureHttp {
                host: url.host_str().unwrap_or_default().to_string(),
            });
        }
        check_not_empty("OAuth client id", &self.client_id)?;
        check_not_empty("OAuth client secret", self.client_secret.expose())?;
        let form = self.form();
        let http = match self.http {
            Some(h) => h,
            None => default_http()?,
        };
        Ok(ClientCredentialsProvider {
            endpoint: without_query(url.as_str()),
            url,
            form,
            basic: (self.authentication == ClientAuthentication::Basic)
                .then(|| basic_header(&self.client_id, &self.client_secret)),
            secret: self.client_secret,
            http,
            retry,
            rng: Mutex::new(fastrand::Rng::new()),
        })
    }

    /// The form body, built once (it holds the secret with `FormBody`).
    fn form(&self) -> Secret {
        let mut form = url::form_urlencoded::Serializer::new(String::new());
        form.append_pair("grant_type", "client_credentials");
        if let Some(s) = &self.scope {
            form.append_pair("scope", s);
        }
        if let Some(a) = &self.audience {
            form.append_pair("audience", a);
        }
        if self.authentication == ClientAuthentication::FormBody {
            form.append_pair("client_id", &self.client_id);
            form.append_pair("client_secret", self.client_secret.expose());
        }
        Secret::new(form.finish())
    }
}

/// RFC 6749 section 2.3.1: id and secret are form-encoded, then joined by
/// `:` and Base64-encoded. Unreserved characters stay as they are (as Go's
/// `oauth2` package does), so the usual ids and secrets are sent unchanged.
fn basic_header(id: &str, secret: &Secret) -> HeaderValue {
    use base64::Engine;
    let pair = format!("{}:{}", form_escape(id), form_escape(secret.expose()));
    let encoded = base64::engine::general_purpose::STANDARD.encode(pair);
    let mut v =
        HeaderValue::from_str(&format!("Basic {encoded}")).expect("Base64 is a valid header value");
    v.set_sensitive(true);
    v
}

fn form_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                out.push(b as char)
            }
            b' ' => out.push('+'),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

fn parse_token_url(raw: &str) -> Result<Url, ConfigError> {
    let invalid = |reason: &str| ConfigError::InvalidTokenUrl {
        url: without_query(raw),
        reason: reason.to_string(),
    };
    let url = Url::parse(raw.trim()).map_err(|e| invalid(&e.to_string()))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(invalid(
            "the scheme must be https (or http to this machine)",
        ));
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err(invalid("it has no host"));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(invalid(
            "the client id and secret go in OAuthClientCredentials::new, not in the URL",
        ));
    }
    if url.fragment().is_some() {
        return Err(invalid("it must not have a fragment"));
    }
    Ok(url)
}

/// A URL for messages: no user info, query or fragment (where some
/// providers put a policy name, and a careless setup a secret).
fn without_query(raw: &str) -> String {
    match Url::parse(raw.trim()) {
        Ok(mut u) => {
            let _ = u.set_username("");
            let _ = u.set_password(None);
            u.set_query(None);
            u.set_fragment(None);
            u.to_string()
        }
        Err(_) => {
            let no_user = raw.rsplit('@').next().unwrap_or_default();
            no_user
                .split(['?', '#'])
                .next()
                .unwrap_or_default()
                .to_string()
        }
    }
}

/// The client-credentials grant, ready to send: made by a client builder
/// from [`OAuthClientCredentials`].
pub(crate) struct ClientCredentialsProvider {
    url: Url,
    endpoint: String,
    form: Secret,
    basic: Option<HeaderValue>,
    secret: Secret,
    http: reqwest::Client,
    retry: RetryPolicy,
    rng: Mutex<fastrand::Rng>,
}

impl TokenProvider for ClientCredentialsProvider {
    async fn token(&self) -> Result<AccessToken, AuthError> {
        let started = Instant::now();
        let mut attempts = Attempts::default();
        loop {
            attempts.sent += 1;
            let outcome = self.send_once().await;
            let tally = || tally(attempts.sent, started.elapsed());
            let (reason, asked, error) = match outcome {
                Ok(Answer::Token(t)) => return Ok(t),
                Ok(Answer::Refused {
                    status,
                    headers,
                    body,
                }) => {
                    let reason = retryable_status(status);
                    let error = self.refusal(status, &body, &tally());
                    (
                        reason,
                        retry_after(&headers, std::time::SystemTime::now()),
                        error,
                    )
                }
                Ok(Answer::NotAToken(message)) => {
                    return Err(AuthError::endpoint(
                        &self.endpoint,
                        format!("{} {}", self.redact(&message), tally()),
                    ));
                }
                // Asking for a token again changes nothing on the provider:
                // a failure after sending is retried as a GET would be.
                Err(e) => (
                    classify_transport(&e, &Method::GET),
                    None,
                    AuthError::endpoint(
                        &self.endpoint,
                        format!(
                            "cannot reach the token endpoint {}: {} {}",
                            self.endpoint,
                            crate::error::root_cause(&e),
                            tally()
                        ),
                    )
                    .with_source(e),
                ),
            };
            let jitter = self.rng.lock().unwrap_or_else(|p| p.into_inner()).f64();
            // The same decision as the API's calls; a token request has no
            // deadline of its own (the call waiting for it has).
            let Decision::Retry { wait, reason } = self
                .retry
                .decide(attempts, reason, asked, jitter, None, false)
            else {
                return Err(error);
            };
            tracing::warn!(%reason, attempt = attempts.sent, wait_ms = wait.as_millis() as u64, endpoint = %self.endpoint, "retrying the token request");
            attempts = attempts.retrying(reason);
            tokio::time::sleep(wait).await;
        }
    }
}

/// The largest token endpoint answer read.
const MAX_TOKEN_ANSWER: usize = 1024 * 1024;

/// What one token request got back.
enum Answer {
    Token(AccessToken),
    /// An error status, kept for the retry decision and the message.
    Refused {
        status: StatusCode,
        headers: HeaderMap,
        body: Bytes,
    },
    /// A success answer that is not a usable token, or a redirect.
    NotAToken(String),
}

impl ClientCredentialsProvider {
    async fn send_once(&self) -> reqwest::Result<Answer> {
        let mut request = self
            .http
            .post(self.url.clone())
            .header(
                CONTENT_TYPE,
                HeaderValue::from_static("application/x-www-form-urlencoded"),
            )
            .header(ACCEPT, HeaderValue::from_static("application/json"))
            .body(self.form.expose().to_string());
        if let Some(b) = &self.basic {
            request = request.header(AUTHORIZATION, b.clone());
        }
        let mut response = request.send().await?;
        let (status, headers) = (response.status(), response.headers().clone());
        // A token answer is a few kilobytes; an endpoint that sends more is
        // cut off rather than filling memory.
        let mut body = Vec::new();
        while let Some(chunk) = response.chunk().await? {
            if body.len() + chunk.len() > MAX_TOKEN_ANSWER {
                return Ok(Answer::NotAToken(format!(
                    "the token endpoint {} answered {status} with more than {} KiB, which is not a token",
                    self.endpoint,
                    MAX_TOKEN_ANSWER / 1024
                )));
            }
            body.extend_from_slice(&chunk);
        }
        let body = Bytes::from(body);
        if status.is_client_error() || status.is_server_error() {
            return Ok(Answer::Refused {
                status,
                headers,
                body,
            });
        }
        if !status.is_success() {
            return Ok(Answer::NotAToken(format!(
                "the token endpoint {} answered {status}; redirects are not followed, so that the client secret cannot leave for another host",
                self.endpoint
            )));
        }
        Ok(match parse_token(&body) {
            Ok(t) => Answer::Token(t),
            Err(why) => Answer::NotAToken(format!(
                "the token endpoint {} answered {status} {why}",
                self.endpoint
            )),
        })
    }

    /// The error for an error status: the OAuth `error` and description
    /// when the body has them, the start of the body otherwise.
    fn refusal(&self, status: StatusCode, body: &[u8], tally: &str) -> AuthError {
        let parsed = serde_json::from_slice::<serde_json::Value>(body).ok();
        let field = |name: &str| {
            parsed
                .as_ref()
                .and_then(|v| v.get(name))
                .and_then(serde_json::Value::as_str)
                .map(|s| self.redact(s))
        };
        let code = field("error");
        let what = match (&code, field("error_description")) {
            (Some(c), Some(d)) => format!(": {c}: {}", one_line(&d, 200)),
            (Some(c), None) => format!(": {c}"),
            (None, _) if body.is_empty() => " with an empty body".to_string(),
            (None, _) => format!(
                " with a body that is not an OAuth error: {}",
                one_line(&self.redact(&String::from_utf8_lossy(body)), 200)
            ),
        };
        AuthError::endpoint(
            &self.endpoint,
            format!(
                "the token endpoint {} answered {status}{what} {tally}",
                self.endpoint
            ),
        )
        .with_status(status, code)
    }

    /// Hides the client secret, should an endpoint echo it back.
    fn redact(&self, text: &str) -> String {
        let secret = self.secret.expose();
        if secret.len() >= 4 {
            text.replace(secret, "***")
        } else {
            text.to_string()
        }
    }
}

/// Whether a token request that got `status` may be sent again: it changes
/// nothing on the provider, so throttling and any server or gateway error.
fn retryable_status(status: StatusCode) -> Option<RetryReason> {
    match status.as_u16() {
        429 => Some(RetryReason::RateLimited),
        500..=599 => Some(RetryReason::Gateway(status.as_u16())),
        _ => None,
    }
}

/// RFC 6749 section 5.1: `access_token`, `token_type` (Bearer) and, needed
/// here to refresh in time, `expires_in` (a number of seconds; some
/// providers send it as a string).
fn parse_token(body: &[u8]) -> Result<AccessToken, String> {
    let not_a_token = || {
        format!(
            "with a body that is not a token response: {}",
            one_line(&String::from_utf8_lossy(body), 200)
        )
    };
    let v: serde_json::Value = serde_json::from_slice(body).map_err(|_| not_a_token())?;
    let obj = v.as_object().ok_or_else(not_a_token)?;
    let token = obj
        .get("access_token")
        .and_then(serde_json::Value::as_str)
        .filter(|t| !t.trim().is_empty())
        .ok_or("without an `access_token`")?;
    if let Some(kind) = obj.get("token_type").and_then(serde_json::Value::as_str)
        && !kind.eq_ignore_ascii_case("bearer")
    {
        return Err(format!(
            "a token of type `{kind}`; only Bearer tokens can be used"
        ));
    }
    let seconds = match obj.get("expires_in") {
        Some(serde_json::Value::Number(n)) => n.as_f64(),
        Some(serde_json::Value::String(s)) => s.trim().parse::<f64>().ok(),
        _ => None,
    }
    .ok_or("without `expires_in`: a token of unknown lifetime cannot be refreshed in time")?;
    if !(seconds.is_finite() && seconds >= 1.0) {
        return Err(format!(
            "a token that expires in {seconds} s, which cannot be used"
        ));
    }
    // A lifetime past a year is capped: the refresh time must stay computable.
    let life = Duration::from_secs_f64(seconds.min(365.0 * 86_400.0));
    Ok(AccessToken::new(token, life))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn basic_credentials_are_form_encoded_first() {
        let h = basic_header("my client", &Secret::new("a+b~c"));
        use base64::Engine;
        let decoded = base64::engine::general_purpose::STANDARD
            .decode(h.to_str().unwrap().strip_prefix("Basic ").unwrap())
            .unwrap();
        assert_eq!(String::from_utf8(decoded).unwrap(), "my+client:a%2Bb~c");
        assert!(h.is_sensitive());
    }

    #[test]
    fn token_responses_are_read_as_rfc_6749_says() {
        let t = parse_token(br#"{"access_token":"x","token_type":"Bearer","expires_in":3599}"#)
            .unwrap();
        assert_eq!(t.expires_in(), Some(Duration::from_secs(3599)));
        let t = parse_token(br#"{"access_token":"x","token_type":"bearer","expires_in":"300"}"#)
            .unwrap();
        assert_eq!(t.expires_in(), Some(Duration::from_secs(300)));
        let e = parse_token(br#"{"access_token":"x","token_type":"Bearer"}"#).unwrap_err();
        assert!(e.contains("without `expires_in`"), "{e}");
        let e = parse_token(br#"{"access_token":"x","token_type":"DPoP","expires_in":60}"#)
            .unwrap_err();
        assert!(e.contains("`DPoP`"), "{e}");
        let e = parse_token(br#"{"token_type":"Bearer","expires_in":60}"#).unwrap_err();
        assert!(e.contains("without an `access_token`"), "{e}");
        let e = parse_token(br#"{"access_token":"x","expires_in":0}"#).unwrap_err();
        assert!(e.contains("expires in 0 s"), "{e}");
        let e = parse_token(b"<html>login</html>").unwrap_err();
        assert!(
            e.contains("not a token response: <html>login</html>"),
            "{e}"
        );
    }

    #[test]
    fn token_urls_are_checked_and_shown_without_query() {
        assert!(parse_token_url("https://idp.example.com/oauth2/token").is_ok());
        let e = parse_token_url("https://id:secret@idp/token").unwrap_err();
        assert!(!e.to_string().contains("secret@"), "{e}");
        // A user name alone is refused too.
        let e = parse_token_url("https://client@idp/token").unwrap_err();
        assert!(e.to_string().contains("not in the URL"), "{e}");
        let e = parse_token_url("ftp://idp/token").unwrap_err();
        assert!(e.to_string().contains("scheme"), "{e}");
        assert_eq!(
            without_query("https://idp/t?p=B2C_1_policy&key=x"),
            "https://idp/t"
        );
    }

    #[test]
    fn only_throttling_and_server_errors_are_retried() {
        assert_eq!(
            retryable_status(StatusCode::TOO_MANY_REQUESTS),
            Some(RetryReason::RateLimited)
        );
        assert!(retryable_status(StatusCode::SERVICE_UNAVAILABLE).is_some());
        assert!(retryable_status(StatusCode::UNAUTHORIZED).is_none());
        assert!(retryable_status(StatusCode::BAD_REQUEST).is_none());
    }
}
