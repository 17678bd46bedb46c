//! TLS for the default HTTP client.
//!
//! With the `rustls` feature (the default), reqwest is built without a
//! crypto provider (its own `rustls` feature would compile aws-lc-rs, a long
//! C build), and this crate hands it a rustls configuration with the *ring*
//! provider and the platform's certificate verifier, the same verifier
//! reqwest uses. Nothing process-wide is installed.
//!
//! A `reqwest::Client` you build yourself in the same program needs a
//! provider too: start from [`crate::client::http_client_builder`], or
//! install one (`rustls::crypto::ring::default_provider().install_default()`),
//! or enable reqwest's own `rustls` feature in your crate.

use crate::error::ConfigError;

/// `builder` with this crate's TLS configuration.
#[cfg(feature = "rustls")]
pub(crate) fn configure(
    builder: reqwest::ClientBuilder,
) -> Result<reqwest::ClientBuilder, ConfigError> {
    use std::sync::Arc;

    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let verifier = rustls_platform_verifier::Verifier::new(provider.clone()).map_err(|e| {
        ConfigError::HttpClient(format!("cannot load the system's root certificates: {e}"))
    })?;
    let mut config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| ConfigError::HttpClient(e.to_string()))?
        .dangerous()
        .with_custom_certificate_verifier(Arc::new(verifier))
        .with_no_client_auth();
    // What reqwest offers itself with HTTP/2 enabled.
    config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    Ok(builder.tls_backend_preconfigured(config))
}

/// `builder` as it is: native TLS (feature `native-tls`), or none.
#[cfg(not(feature = "rustls"))]
pub(crate) fn configure(
    builder: reqwest::ClientBuilder,
) -> Result<reqwest::ClientBuilder, ConfigError> {
    Ok(builder)
}
