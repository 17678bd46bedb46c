//! Credentials, kept out of `Debug`, logs and errors, and only ever sent to
//! the configured origin.
//!
//! Three kinds:
//!
//! - HTTP Basic ([`crate::ClientBuilder::basic_auth`]): Confluent's resource
//!   API key and secret, Instaclustr's user name and provisioning API key;
//! - a fixed bearer token (`confluent::Client::builder(..).bearer_token(..)`),
//!   which is never refreshed: fine for a short script, not for a drill that
//!   outlives the token;
//! - bearer tokens that refresh: from the OAuth client-credentials grant
//!   ([`OAuthClientCredentials`], `.oauth_client_credentials(..)`) or from a
//!   [`TokenProvider`] of your own (`.token_provider(..)`).
//!
//! ## Refreshing tokens
//!
//! The client keeps one token for all its clones and tasks. It asks for a
//! new one [`DEFAULT_REFRESH_MARGIN`] (3 minutes) before the current one
//! expires, or at half its lifetime when it lives less than 6 minutes (a
//! different margin: `.token_refresh_margin(..)`); one request fetches while
//! the others wait for its result (single flight). Should the refresh fail
//! while the current token still works, the current one stays in use and
//! the refresh is tried again a few seconds later. A 401 from the API (with
//! Confluent's `error_code` 40101, or no error body) is answered by one
//! forced refresh and one more send of the request, POSTs included: a 401
//! means the request was not applied.
//!
//! The token request is retried as API calls are (the same
//! [`crate::retry::RetryPolicy`], within the same deadline): after a 429, a
//! 5xx or a connection failure, never after a 4xx such as `invalid_client`,
//! which comes back as [`crate::Error::Auth`] with the endpoint's message.
//!
//! ## Where secrets go
//!
//! The client secret goes only to the token URL, the token and the
//! identity pool only to the API's origin (a `metadata.next` link to another
//! origin is not followed at all). The token URL must be `https`, or `http`
//! to this machine, as the API URL must; `danger_allow_insecure_http()`
//! lifts both rules. Neither is followed through a redirect.
//!
//! ## Confluent Platform
//!
//! Confluent Cloud needs `Confluent-Identity-Pool-Id` with every bearer
//! request (`.identity_pool_id(..)`). A bearer client without one builds,
//! because Confluent Platform's REST proxy takes OAuth tokens without a pool.

mod oauth;
mod token;

pub use oauth::{ClientAuthentication, OAuthClientCredentials};
pub use token::{AccessToken, DEFAULT_REFRESH_MARGIN, TokenProvider};
pub(crate) use token::{Bearer, DynTokenProvider, TokenCache};

use std::fmt;
use std::sync::Arc;

use base64::Engine;
use reqwest::header::{HeaderName, HeaderValue};

use crate::error::ConfigError;

/// A secret string: its `Debug` and `Display` print `***`.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// Wraps a secret.
    pub fn new(s: impl Into<String>) -> Self {
        Self(s.into())
    }

    /// The secret itself; use only to send it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

/// How requests authenticate.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub enum Auth {
    /// HTTP Basic: Confluent's resource API key and secret, or Instaclustr's
    /// user name and provisioning API key.
    Basic {
        /// API key or user name (not secret, but kept out of logs all the same).
        user: Secret,
        /// API secret or provisioning key.
        password: Secret,
    },
    /// OAuth bearer token (Confluent `external-access-token`), optionally with
    /// the `Confluent-Identity-Pool-Id` header.
    Bearer {
        /// The access token.
        token: Secret,
        /// Identity pool, sent as `Confluent-Identity-Pool-Id`.
        identity_pool_id: Option<String>,
    },
}

/// Where a client's refreshable tokens come from, until `build()`.
#[derive(Clone)]
pub(crate) enum TokenSource {
    Provider(Arc<dyn DynTokenProvider>),
    ClientCredentials(OAuthClientCredentials),
}

impl fmt::Debug for TokenSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TokenSource::Provider(_) => f.write_str("TokenProvider"),
            TokenSource::ClientCredentials(c) => c.fmt(f),
        }
    }
}

/// `localhost` or a loopback address: plain `http` cannot be read by
/// anyone else there.
pub(crate) fn is_loopback(url: &reqwest::Url) -> bool {
    match url.host() {
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    }
}

/// The `Confluent-Identity-Pool-Id` header, sensitive like the token.
pub(crate) fn identity_pool_header(pool: &str) -> Result<(HeaderName, HeaderValue), ConfigError> {
    Ok((
        HeaderName::from_static("confluent-identity-pool-id"),
        sensitive("identity pool id", pool)?,
    ))
}

/// The headers an [`Auth`] adds, marked sensitive so that `reqwest` and
/// `http` never print their values.
pub(crate) fn headers(auth: &Auth) -> Result<Vec<(HeaderName, HeaderValue)>, ConfigError> {
    let mut out = Vec::new();
    match auth {
        Auth::Basic { user, password } => {
            let token = base64::engine::general_purpose::STANDARD.encode(format!(
                "{}:{}",
                user.expose(),
                password.expose()
            ));
            out.push((
                reqwest::header::AUTHORIZATION,
                sensitive("basic credentials", &format!("Basic {token}"))?,
            ));
        }
        Auth::Bearer {
            token,
            identity_pool_id,
        } => {
            out.push((
                reqwest::header::AUTHORIZATION,
                sensitive("bearer token", &format!("Bearer {}", token.expose()))?,
            ));
            if let Some(pool) = identity_pool_id {
                out.push(identity_pool_header(pool)?);
            }
        }
    }
    Ok(out)
}

/// `value` as a header value hidden from `Debug`; `what` names it in the
/// error, which never shows the value.
fn sensitive(what: &'static str, value: &str) -> Result<HeaderValue, ConfigError> {
    let mut v = HeaderValue::from_str(value).map_err(|_| ConfigError::InvalidHeaderValue(what))?;
    v.set_sensitive(true);
    Ok(v)
}

pub(crate) fn check_not_empty(what: &'static str, value: &str) -> Result<(), ConfigError> {
    if value.trim().is_empty() {
        Err(ConfigError::EmptyCredential(what))
    } else {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_never_print() {
        let auth = Auth::Basic {
            user: Secret::new("KEY123"),
            password: Secret::new("s3cr3t"),
        };
        let shown = format!("{auth:?}");
        assert!(
            !shown.contains("KEY123") && !shown.contains("s3cr3t"),
            "{shown}"
        );
        let h = headers(&auth).unwrap();
        assert!(h[0].1.is_sensitive());
        assert!(!format!("{:?}", h[0].1).contains("Basic"));
    }

    #[test]
    fn basic_is_user_colon_password_in_base64() {
        let auth = Auth::Basic {
            user: Secret::new("user"),
            password: Secret::new("pass"),
        };
        assert_eq!(
            headers(&auth).unwrap()[0].1.to_str().unwrap(),
            "Basic dXNlcjpwYXNz"
        );
    }
}
