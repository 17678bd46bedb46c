//! The builder both clients share: base URL, credentials, HTTP client.

use std::marker::PhantomData;
use std::time::Duration;

use reqwest::Url;

use std::sync::Arc;

use crate::auth::{Auth, Secret, TokenCache, TokenSource, check_not_empty, is_loopback};
use crate::error::ConfigError;
use crate::rate_limit::{AdaptiveRate, RateLimit};
use crate::retry::RetryPolicy;
use crate::transport::TransportConfig;

/// Default total time for one request; a control-plane call that takes
/// longer is better retried than waited for.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);
/// Default time to establish a connection.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// One of the services this crate has a client for; ties a builder to the
/// client it builds. Sealed: implemented by [`crate::confluent::Confluent`],
/// [`crate::instaclustr_v2::InstaclustrV2`] and
/// [`crate::instaclustr::Instaclustr`] only.
pub trait Service: Sized + sealed::Sealed {
    /// The client type built.
    type Client;
    /// How the client paces its requests by default.
    const DEFAULT_RATE_LIMIT: RateLimit;
}

pub(crate) mod sealed {
    use super::{ConfigError, TransportConfig};

    /// Keeps [`super::Service`] to this crate, and builds its client.
    pub trait Sealed {
        /// The generated client on this crate's transport.
        fn make(
            http: reqwest::Client,
            config: TransportConfig,
        ) -> Result<<Self as super::Service>::Client, ConfigError>
        where
            Self: super::Service;
    }
}

/// Builds a client. Obtained from `confluent::Client::builder(url)` or
/// `instaclustr::Client::builder(url)`; `build()` checks the whole
/// configuration before any request can be made.
#[must_use]
pub struct ClientBuilder<S> {
    base_url: String,
    pub(crate) auth: Option<Auth>,
    pub(crate) identity_pool_id: Option<String>,
    pub(crate) tokens: Option<TokenSource>,
    pub(crate) token_refresh_margin: Duration,
    http: Option<reqwest::Client>,
    timeout: Duration,
    connect_timeout: Duration,
    allow_insecure_http: bool,
    retry: RetryPolicy,
    rate_limit: RateLimit,
    service: PhantomData<S>,
}

impl<S> std::fmt::Debug for ClientBuilder<S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClientBuilder")
            .field("base_url", &redact_url(&self.base_url))
            .field("auth", &self.auth)
            .field("tokens", &self.tokens)
            .field("timeout", &self.timeout)
            .field("retry", &self.retry)
            .field("rate_limit", &self.rate_limit)
            .finish_non_exhaustive()
    }
}

impl<S: Service> ClientBuilder<S> {
    pub(crate) fn new(base_url: impl Into<String>) -> Self {
        Self {
            base_url: base_url.into(),
            auth: None,
            identity_pool_id: None,
            tokens: None,
            token_refresh_margin: crate::auth::DEFAULT_REFRESH_MARGIN,
            http: None,
            timeout: DEFAULT_TIMEOUT,
            connect_timeout: DEFAULT_CONNECT_TIMEOUT,
            allow_insecure_http: false,
            retry: RetryPolicy::default(),
            rate_limit: S::DEFAULT_RATE_LIMIT,
            service: PhantomData,
        }
    }

    /// HTTP Basic credentials: Confluent's resource API key and secret, or
    /// Instaclustr's user name and provisioning API key.
    pub fn basic_auth(mut self, user: impl Into<String>, password: impl Into<String>) -> Self {
        self.auth = Some(Auth::Basic {
            user: Secret::new(user),
            password: Secret::new(password),
        });
        self.tokens = None;
        self
    }

    /// Uses this `reqwest::Client` (timeouts, proxies, TLS roots, redirect
    /// policy are then its own; start from [`http_client_builder`]). The
    /// default client uses rustls (aws-lc-rs, the system's roots), the timeouts
    /// [`DEFAULT_TIMEOUT`] and [`DEFAULT_CONNECT_TIMEOUT`], and follows no
    /// redirects, so credentials never leave the configured host.
    pub fn http_client(mut self, client: reqwest::Client) -> Self {
        self.http = Some(client);
        self
    }

    /// Total time allowed for one request (default client only).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Time allowed to connect (default client only).
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// Allows credentials over plain `http://` to a host that is not this
    /// machine. Refused by default: anyone on the path could read them.
    pub fn danger_allow_insecure_http(mut self) -> Self {
        self.allow_insecure_http = true;
        self
    }

    /// How requests are retried (see [`crate::retry`]). Default:
    /// [`RetryPolicy::default()`]; [`RetryPolicy::none()`] turns retries off.
    pub fn retry(mut self, policy: RetryPolicy) -> Self {
        self.retry = policy;
        self
    }

    /// At most `per_second` requests start in any sliding second, across all
    /// clones of the client and all tasks; requests wait for a permit, in
    /// arrival order. The Instaclustr client's default: its documented 35.
    pub fn rate_limit(mut self, per_second: u32) -> Self {
        self.rate_limit = RateLimit::Fixed {
            per_second: per_second.max(1),
        };
        self
    }

    /// A rate limit learned from the service's 429s, shared like a fixed
    /// one (see [`crate::rate_limit`]). The Confluent client's default, with
    /// [`AdaptiveRate::new()`]: Confluent publishes no limit and says its
    /// limits may change dynamically.
    pub fn adaptive_rate_limit(mut self, settings: AdaptiveRate) -> Self {
        self.rate_limit = RateLimit::Adaptive(settings);
        self
    }

    /// No client-side rate limit.
    pub fn no_rate_limit(mut self) -> Self {
        self.rate_limit = RateLimit::Off;
        self
    }

    /// Checks the configuration and builds the client. Nothing is sent.
    ///
    /// # Errors
    ///
    /// [`ConfigError`] when the base URL is not an `http(s)` origin (or
    /// carries user info, a query or a fragment), a credential is empty,
    /// credentials would go over plain `http` to a host that is not this
    /// machine, the OAuth token URL is invalid or plain `http` to another
    /// host, or reqwest cannot build its client.
    pub fn build(self) -> Result<S::Client, ConfigError> {
        let base = parse_base_url(&self.base_url)?;
        let auth = self.auth_with_pool()?;
        if let Some(a) = &auth {
            match a {
                Auth::Basic { user, password } => {
                    check_not_empty("user name / API key", user.expose())?;
                    check_not_empty("password / API secret", password.expose())?;
                }
                Auth::Bearer { token, .. } => check_not_empty("bearer token", token.expose())?,
            }
        }
        let sends_credentials = auth.is_some() || self.tokens.is_some();
        if sends_credentials
            && base.scheme() == "http"
            && !is_loopback(&base)
            && !self.allow_insecure_http
        {
            return Err(ConfigError::InsecureHttp {
                host: base.host_str().unwrap_or_default().to_string(),
            });
        }
        let default_http = || {
            http_client_builder()?
                .timeout(self.timeout)
                .connect_timeout(self.connect_timeout)
                .build()
                .map_err(|e| ConfigError::HttpClient(e.to_string()))
        };
        // The token endpoint gets the default client unless told otherwise:
        // a client of the user's may follow redirects, and the secret must
        // not follow one.
        let own_http = self.http.is_some();
        let http = match self.http.clone() {
            Some(c) => c,
            None => default_http()?,
        };
        let tokens = match self.tokens.clone() {
            None => None,
            Some(TokenSource::Provider(p)) => Some(p),
            Some(TokenSource::ClientCredentials(c)) => {
                let api_http = http.clone();
                let provider =
                    c.into_provider(self.allow_insecure_http, self.retry.clone(), || {
                        if own_http {
                            default_http()
                        } else {
                            Ok(api_http)
                        }
                    })?;
                Some(Arc::new(provider) as Arc<dyn crate::auth::DynTokenProvider>)
            }
        }
        .map(|p| Arc::new(TokenCache::new(p, self.token_refresh_margin)));
        S::make(
            http,
            TransportConfig {
                base,
                auth,
                tokens,
                identity_pool_id: self.identity_pool_id.filter(|_| self.tokens.is_some()),
                retry: self.retry,
                rate_limit: self.rate_limit,
            },
        )
    }

    fn auth_with_pool(&self) -> Result<Option<Auth>, ConfigError> {
        match (&self.auth, &self.identity_pool_id) {
            (_, None) => Ok(self.auth.clone()),
            (_, Some(pool)) if self.tokens.is_some() => {
                check_not_empty("identity pool id", pool)?;
                Ok(None)
            }
            (Some(Auth::Bearer { token, .. }), Some(pool)) => {
                check_not_empty("identity pool id", pool)?;
                Ok(Some(Auth::Bearer {
                    token: token.clone(),
                    identity_pool_id: Some(pool.clone()),
                }))
            }
            _ => Err(ConfigError::Incomplete(
                "identity_pool_id needs bearer_token, token_provider or oauth_client_credentials",
            )),
        }
    }
}

/// A `reqwest` client builder set up as this crate's default client: its TLS
/// (see [`crate::tls`]), no redirects (credentials never follow one to
/// another host), the user agent `kafka-mirror/<version>`, and reqwest's
/// own default timeouts (none). Start here to pass your own client to
/// [`ClientBuilder::http_client`] with a proxy, extra roots or other
/// timeouts.
///
/// ```
/// use std::time::Duration;
///
/// let http = kafka_mirror::client::http_client_builder()?
///     .timeout(Duration::from_secs(60))
///     .build()
///     .expect("a client");
/// let c = kafka_mirror::confluent::Client::builder("https://pkc-1.confluent.cloud")
///     .http_client(http)
///     .build()?;
/// # Ok::<(), kafka_mirror::ConfigError>(())
/// ```
///
/// # Errors
///
/// None with the features this crate has today; the `Result` leaves room
/// for a TLS set-up that can fail ([`ConfigError::HttpClient`]).
pub fn http_client_builder() -> Result<reqwest::ClientBuilder, ConfigError> {
    crate::tls::configure(
        reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            // A static value: reqwest copies its default headers into every
            // request, and a static one is copied without an atomic count.
            .user_agent(reqwest::header::HeaderValue::from_static(concat!(
                "kafka-mirror/",
                env!("CARGO_PKG_VERSION")
            ))),
    )
}

fn parse_base_url(raw: &str) -> Result<Url, ConfigError> {
    let invalid = |reason: &str| ConfigError::InvalidBaseUrl {
        url: redact_url(raw),
        reason: reason.to_string(),
    };
    let url = Url::parse(raw.trim()).map_err(|e| invalid(&e.to_string()))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(invalid("the scheme must be http or https"));
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err(invalid("it has no host"));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(invalid("credentials go in basic_auth(), not in the URL"));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(invalid("it must not have a query or fragment"));
    }
    Ok(url)
}

/// A URL for messages, without any user info it may carry.
fn redact_url(raw: &str) -> String {
    match Url::parse(raw) {
        Ok(mut u) => {
            let _ = u.set_username("");
            let _ = u.set_password(None);
            u.to_string()
        }
        Err(_) => raw.split('@').next_back().unwrap_or_default().to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_hosts_are_recognised() {
        for u in [
            "http://localhost:8090",
            "http://127.0.0.1",
            "http://[::1]:1",
        ] {
            assert!(is_loopback(&Url::parse(u).unwrap()), "{u}");
        }
        assert!(!is_loopback(&Url::parse("http://10.0.0.1").unwrap()));
    }

    #[test]
    fn user_info_never_reaches_messages() {
        let e = parse_base_url("https://key:secret@host").unwrap_err();
        assert!(!e.to_string().contains("secret"), "{e}");
    }
}
