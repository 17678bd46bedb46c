//! TLS for the default HTTP client.
//!
//! With the `rustls` feature (the default), reqwest is built with its own
//! `rustls` feature: rustls with the aws-lc-rs provider and the platform's
//! certificate verifier, as a plain `reqwest` dependency gets by default.
//! Nothing process-wide is installed, and other `reqwest::Client`s in the
//! same program (a user's own, built before or after ours) keep working:
//! reqwest always has a provider of its own. The SDK's client asks for
//! rustls explicitly, so it uses rustls even when another crate in the
//! build turns on reqwest's `native-tls` (which reqwest would otherwise
//! prefer).

use crate::error::ConfigError;

/// `builder` with this crate's TLS choice.
#[cfg(feature = "rustls")]
pub(crate) fn configure(
    builder: reqwest::ClientBuilder,
) -> Result<reqwest::ClientBuilder, ConfigError> {
    Ok(builder.tls_backend_rustls())
}

/// `builder` as it is: native TLS (feature `native-tls`), or none.
#[cfg(not(feature = "rustls"))]
pub(crate) fn configure(
    builder: reqwest::ClientBuilder,
) -> Result<reqwest::ClientBuilder, ConfigError> {
    Ok(builder)
}
