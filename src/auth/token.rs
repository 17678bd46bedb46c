//! Bearer tokens that expire: the [`TokenProvider`] trait, the
//! [`AccessToken`] it returns, and the cache every client keeps in front of
//! its provider (refresh before expiry, one refresh at a time).

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use reqwest::header::HeaderValue;
use tokio::time::Instant;

use super::Secret;
use crate::error::AuthError;

/// How long before expiry a token is refreshed, at most: Confluent's
/// Terraform provider uses the same 3 minutes. For a token that lives less
/// than twice this, half its lifetime is used instead.
pub const DEFAULT_REFRESH_MARGIN: Duration = Duration::from_secs(180);

/// A bearer token and how long it stays valid.
///
/// ```
/// use std::time::Duration;
/// use kafka_mirror::auth::AccessToken;
///
/// let t = AccessToken::new("eyJhbGciOi...", Duration::from_secs(900));
/// assert_eq!(t.expires_in(), Some(Duration::from_secs(900)));
/// assert!(!format!("{t:?}").contains("eyJ"));
/// ```
#[derive(Clone)]
pub struct AccessToken {
    token: Secret,
    expires_in: Option<Duration>,
}

impl AccessToken {
    /// A token valid for `expires_in` from now (an OAuth `expires_in`).
    pub fn new(token: impl Into<String>, expires_in: Duration) -> Self {
        Self {
            token: Secret::new(token),
            expires_in: Some(expires_in),
        }
    }

    /// A token valid until `at` (a JWT's `exp`, say); a time in the past
    /// makes a token that is refreshed before its next use.
    pub fn expiring_at(token: impl Into<String>, at: SystemTime) -> Self {
        let left = at.duration_since(SystemTime::now()).unwrap_or_default();
        Self::new(token, left)
    }

    /// A token with no known expiry: used until the API answers 401.
    pub fn without_expiry(token: impl Into<String>) -> Self {
        Self {
            token: Secret::new(token),
            expires_in: None,
        }
    }

    /// The token itself.
    pub fn secret(&self) -> &Secret {
        &self.token
    }

    /// How long it was valid for when it was made, if known.
    pub fn expires_in(&self) -> Option<Duration> {
        self.expires_in
    }
}

impl fmt::Debug for AccessToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AccessToken")
            .field("token", &self.token)
            .field("expires_in", &self.expires_in)
            .finish()
    }
}

/// Where a client gets its bearer tokens: implement it to plug in your own
/// identity provider (a cloud SDK's credentials, a token file refreshed by a
/// sidecar, an STS exchange), and pass it to
/// `confluent::Client::builder(..).token_provider(..)`.
///
/// The client caches the token and calls `token()` again only when the
/// cached one is within its refresh margin of expiry (see
/// [`DEFAULT_REFRESH_MARGIN`]), or once when the API answers 401: one call
/// at a time, however many requests wait. Failures are not retried by the
/// client; retry inside `token()` if your source needs it.
///
/// ```
/// use std::time::Duration;
/// use kafka_mirror::auth::{AccessToken, TokenProvider};
/// use kafka_mirror::error::AuthError;
///
/// struct FromFile(std::path::PathBuf);
///
/// impl TokenProvider for FromFile {
///     async fn token(&self) -> Result<AccessToken, AuthError> {
///         let text = std::fs::read_to_string(&self.0).map_err(AuthError::provider)?;
///         // The sidecar writing the file renews it every 10 minutes.
///         Ok(AccessToken::new(text.trim(), Duration::from_secs(600)))
///     }
/// }
///
/// let c = kafka_mirror::confluent::Client::builder("https://pkc-1.confluent.cloud")
///     .token_provider(FromFile("/run/secrets/token".into()))
///     .identity_pool_id("pool-AbCd")
///     .build()?;
/// # Ok::<(), kafka_mirror::ConfigError>(())
/// ```
pub trait TokenProvider: Send + Sync + 'static {
    /// A fresh token.
    ///
    /// # Errors
    ///
    /// An [`AuthError`] (for example [`AuthError::provider`]) that the
    /// waiting requests return as [`crate::Error::Auth`]. It must not
    /// contain a secret.
    fn token(&self) -> impl Future<Output = Result<AccessToken, AuthError>> + Send;
}

type TokenFuture<'a> = Pin<Box<dyn Future<Output = Result<AccessToken, AuthError>> + Send + 'a>>;

/// [`TokenProvider`] made object-safe, so a client can hold any of them.
pub(crate) trait DynTokenProvider: Send + Sync {
    fn token(&self) -> TokenFuture<'_>;
}

impl<T: TokenProvider> DynTokenProvider for T {
    fn token(&self) -> TokenFuture<'_> {
        Box::pin(TokenProvider::token(self))
    }
}

/// The `Authorization` value of a cached token and its generation, which
/// tells a forced refresh whether another task already replaced the token
/// that was refused. `Debug` shows the header as `Sensitive`.
#[derive(Clone, Debug)]
pub(crate) struct Bearer {
    pub header: HeaderValue,
    pub generation: u64,
}

struct Cached {
    bearer: Bearer,
    /// When to fetch a new one (`None`: only after a 401).
    refresh_at: Option<Instant>,
    /// When it stops working; after a failed refresh it is still used until then.
    expires_at: Option<Instant>,
}

/// After a failed refresh, the wait before the next try while the old token
/// still works, at most: a few seconds, so an identity provider that is down
/// is not asked again by every request.
const RETRY_REFRESH_AFTER: Duration = Duration::from_secs(10);

/// The token cache of one client and its clones.
pub(crate) struct TokenCache {
    provider: Arc<dyn DynTokenProvider>,
    margin: Duration,
    current: Mutex<Option<Cached>>,
    /// Held while fetching: one refresh at a time (single flight).
    refreshing: tokio::sync::Mutex<u64>,
}

impl TokenCache {
    pub(crate) fn new(provider: Arc<dyn DynTokenProvider>, margin: Duration) -> Self {
        Self {
            provider,
            margin,
            current: Mutex::new(None),
            refreshing: tokio::sync::Mutex::new(0),
        }
    }

    /// A token that is not due for refresh, fetching one if needed.
    pub(crate) async fn bearer(&self) -> Result<Bearer, AuthError> {
        if let Some(b) = self.usable(false) {
            return Ok(b);
        }
        let mut generation = self.refreshing.lock().await;
        // Another task may have refreshed while this one waited.
        if let Some(b) = self.usable(false) {
            return Ok(b);
        }
        match self.fetch(&mut generation).await {
            Ok(b) => Ok(b),
            Err(e) => match self.usable(true) {
                Some(still_valid) => {
                    tracing::warn!(error = %e, "token refresh failed; the current token is still valid and stays in use");
                    self.postpone_refresh();
                    Ok(still_valid)
                }
                None => Err(e),
            },
        }
    }

    /// A token other than the one of generation `refused` (which the API
    /// answered 401 to): fetched now, unless another task already did.
    pub(crate) async fn bearer_after_refusal(&self, refused: u64) -> Result<Bearer, AuthError> {
        let mut generation = self.refreshing.lock().await;
        if let Some(b) = self.usable(false).filter(|b| b.generation != refused) {
            return Ok(b);
        }
        self.fetch(&mut generation).await
    }

    /// The cached token: one not due for refresh, or with `until_expiry`
    /// one that has not expired.
    fn usable(&self, until_expiry: bool) -> Option<Bearer> {
        let now = Instant::now();
        let current = self.current.lock().unwrap_or_else(|p| p.into_inner());
        let c = current.as_ref()?;
        let until = if until_expiry {
            c.expires_at
        } else {
            c.refresh_at
        };
        until.is_none_or(|t| now < t).then(|| c.bearer.clone())
    }

    fn postpone_refresh(&self) {
        let now = Instant::now();
        let mut current = self.current.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(c) = current.as_mut() {
            let left = c.expires_at.map_or(RETRY_REFRESH_AFTER, |e| {
                e.saturating_duration_since(now) / 2
            });
            c.refresh_at = Some(now + left.min(RETRY_REFRESH_AFTER));
        }
    }

    /// Asks the provider; called with the refresh lock held.
    async fn fetch(&self, generation: &mut u64) -> Result<Bearer, AuthError> {
        let asked = Instant::now();
        let token = self.provider.token().await?;
        let header = bearer_header(token.secret())?;
        *generation += 1;
        let bearer = Bearer {
            header,
            generation: *generation,
        };
        let (refresh_at, expires_at) = match token.expires_in() {
            Some(life) => {
                // Measured from the request: the provider's clock started
                // no later than that.
                let margin = self.margin.min(life / 2);
                (Some(asked + (life - margin)), Some(asked + life))
            }
            None => (None, None),
        };
        tracing::debug!(
            generation = *generation,
            expires_in_s = token.expires_in().map(|d| d.as_secs()),
            "access token fetched"
        );
        *self.current.lock().unwrap_or_else(|p| p.into_inner()) = Some(Cached {
            bearer: bearer.clone(),
            refresh_at,
            expires_at,
        });
        Ok(bearer)
    }
}

impl fmt::Debug for TokenCache {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TokenCache")
            .field("refresh_margin", &self.margin)
            .finish_non_exhaustive()
    }
}

fn bearer_header(token: &Secret) -> Result<HeaderValue, AuthError> {
    let t = token.expose();
    if t.trim().is_empty() {
        return Err(AuthError::message(
            "the token provider returned an empty token".into(),
        ));
    }
    let mut v = HeaderValue::from_str(&format!("Bearer {t}")).map_err(|_| {
        AuthError::message(
            "the access token contains characters not allowed in an HTTP header".into(),
        )
    })?;
    v.set_sensitive(true);
    Ok(v)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicU32, Ordering};

    struct Counting {
        calls: AtomicU32,
        life: Option<Duration>,
        fail_after: Option<u32>,
    }

    impl TokenProvider for Counting {
        async fn token(&self) -> Result<AccessToken, AuthError> {
            let n = self.calls.fetch_add(1, Ordering::SeqCst) + 1;
            tokio::time::sleep(Duration::from_millis(5)).await;
            if self.fail_after.is_some_and(|f| n > f) {
                return Err(AuthError::provider("identity provider down"));
            }
            Ok(match self.life {
                Some(l) => AccessToken::new(format!("t{n}"), l),
                None => AccessToken::without_expiry(format!("t{n}")),
            })
        }
    }

    fn cache(life: Option<Duration>, fail_after: Option<u32>) -> (Arc<Counting>, TokenCache) {
        let p = Arc::new(Counting {
            calls: AtomicU32::new(0),
            life,
            fail_after,
        });
        let c = TokenCache::new(p.clone(), DEFAULT_REFRESH_MARGIN);
        (p, c)
    }

    fn token_of(b: &Bearer) -> String {
        b.header.to_str().unwrap().to_string()
    }

    #[tokio::test(start_paused = true)]
    async fn refreshes_three_minutes_before_expiry_for_long_tokens() {
        let (p, c) = cache(Some(Duration::from_secs(3600)), None);
        assert_eq!(token_of(&c.bearer().await.unwrap()), "Bearer t1");
        tokio::time::advance(Duration::from_secs(3600 - 181)).await;
        assert_eq!(token_of(&c.bearer().await.unwrap()), "Bearer t1");
        tokio::time::advance(Duration::from_secs(2)).await;
        assert_eq!(token_of(&c.bearer().await.unwrap()), "Bearer t2");
        assert_eq!(p.calls.load(Ordering::SeqCst), 2);
    }

    #[tokio::test(start_paused = true)]
    async fn short_tokens_refresh_at_half_their_lifetime() {
        let (p, c) = cache(Some(Duration::from_secs(60)), None);
        c.bearer().await.unwrap();
        tokio::time::advance(Duration::from_secs(29)).await;
        assert_eq!(token_of(&c.bearer().await.unwrap()), "Bearer t1");
        tokio::time::advance(Duration::from_secs(2)).await;
        assert_eq!(token_of(&c.bearer().await.unwrap()), "Bearer t2");
        assert_eq!(p.calls.load(Ordering::SeqCst), 2);
    }

    #[tokio::test(start_paused = true)]
    async fn a_failed_refresh_keeps_a_token_that_still_works_then_gives_up_at_expiry() {
        let (p, c) = cache(Some(Duration::from_secs(600)), Some(1));
        c.bearer().await.unwrap();
        tokio::time::advance(Duration::from_secs(500)).await;
        // Due for refresh; the provider fails; t1 has 100 s left.
        assert_eq!(token_of(&c.bearer().await.unwrap()), "Bearer t1");
        assert_eq!(p.calls.load(Ordering::SeqCst), 2);
        // Not asked again for a while.
        assert_eq!(token_of(&c.bearer().await.unwrap()), "Bearer t1");
        assert_eq!(p.calls.load(Ordering::SeqCst), 2);
        tokio::time::advance(Duration::from_secs(101)).await;
        let e = c.bearer().await.unwrap_err();
        assert_eq!(
            e.to_string(),
            "the token provider failed: identity provider down"
        );
    }

    #[tokio::test(start_paused = true)]
    async fn a_refusal_refreshes_once_however_many_saw_it() {
        let (p, c) = cache(None, None);
        let first = c.bearer().await.unwrap();
        let c = Arc::new(c);
        let tasks: Vec<_> = (0..10)
            .map(|_| {
                let c = c.clone();
                tokio::spawn(async move { c.bearer_after_refusal(first.generation).await })
            })
            .collect();
        for t in tasks {
            assert_eq!(token_of(&t.await.unwrap().unwrap()), "Bearer t2");
        }
        assert_eq!(p.calls.load(Ordering::SeqCst), 2);
    }

    #[tokio::test(start_paused = true)]
    async fn a_refresh_that_fails_near_expiry_is_tried_again_within_half_the_time_left() {
        let (p, c) = cache(Some(Duration::from_secs(600)), Some(1));
        c.bearer().await.unwrap();
        tokio::time::advance(Duration::from_secs(596)).await;
        // 4 s left: the refresh fails, the next try comes 2 s later.
        assert_eq!(token_of(&c.bearer().await.unwrap()), "Bearer t1");
        assert_eq!(p.calls.load(Ordering::SeqCst), 2);
        tokio::time::advance(Duration::from_millis(1500)).await;
        c.bearer().await.unwrap();
        assert_eq!(p.calls.load(Ordering::SeqCst), 2, "not yet");
        tokio::time::advance(Duration::from_millis(1000)).await;
        assert_eq!(token_of(&c.bearer().await.unwrap()), "Bearer t1");
        assert_eq!(p.calls.load(Ordering::SeqCst), 3, "tried again");
    }

    #[test]
    fn a_cache_prints_its_margin_only() {
        let (_, c) = cache(None, None);
        assert_eq!(format!("{c:?}"), "TokenCache { refresh_margin: 180s, .. }");
    }

    #[test]
    fn tokens_never_print() {
        let t = AccessToken::new("very-secret", Duration::from_secs(1));
        assert_eq!(
            format!("{t:?}"),
            "AccessToken { token: ***, expires_in: Some(1s) }"
        );
        let h = bearer_header(t.secret()).unwrap();
        assert!(h.is_sensitive());
    }
}
