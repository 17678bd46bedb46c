//! Credentials, kept out of `Debug`, logs and errors, and only ever sent to
//! the configured origin.

use std::fmt;

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
                sensitive(&format!("Basic {token}"))?,
            ));
        }
        Auth::Bearer {
            token,
            identity_pool_id,
        } => {
            out.push((
                reqwest::header::AUTHORIZATION,
                sensitive(&format!("Bearer {}", token.expose()))?,
            ));
            if let Some(pool) = identity_pool_id {
                out.push((
                    HeaderName::from_static("confluent-identity-pool-id"),
                    sensitive(pool)?,
                ));
            }
        }
    }
    Ok(out)
}

fn sensitive(value: &str) -> Result<HeaderValue, ConfigError> {
    let mut v = HeaderValue::from_str(value).map_err(|_| {
        ConfigError::Incomplete("a credential contains characters not allowed in an HTTP header")
    })?;
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
