//! The SDK's clients, configured from the resolved settings.

use kafka_mirror::auth::OAuthClientCredentials;

use crate::config::{Credentials, Settings, Sourced, env_of, where_to_set};
use crate::exit::CliError;

fn url(s: &Settings) -> Result<&Sourced, CliError> {
    s.url.as_ref().ok_or_else(|| {
        CliError::Config(format!(
            "no REST endpoint: {}, or a context in ~/.config/kmirror/config.toml",
            where_to_set("url")
        ))
    })
}

/// A Confluent client and the cluster id its commands act on.
pub fn confluent(s: &Settings) -> Result<(kafka_mirror::confluent::Client, String), CliError> {
    let url = url(s)?;
    let cluster = s.cluster.as_ref().ok_or_else(|| {
        CliError::Config(format!(
            "no cluster: {} to the cluster the links are on (lkc-...)",
            where_to_set("cluster")
        ))
    })?;
    let mut b = kafka_mirror::confluent::Client::builder(&url.value);
    match &s.credentials {
        Credentials::None => {}
        Credentials::Basic { key, secret } => b = b.basic_auth(key, secret),
        Credentials::OAuth {
            token_url,
            client_id,
            client_secret,
            scope,
        } => {
            let mut creds = OAuthClientCredentials::new(&token_url.value, client_id, client_secret);
            if let Some(scope) = scope {
                creds = creds.scope(scope);
            }
            b = b.oauth_client_credentials(creds);
        }
    }
    if let Some(pool) = &s.identity_pool {
        b = b.identity_pool_id(pool);
    }
    let client = b.build().map_err(|e| config_error(s, url, e))?;
    Ok((client, cluster.value.clone()))
}

/// The message of a build error, naming where the bad value came from.
fn config_error(s: &Settings, url: &Sourced, e: kafka_mirror::ConfigError) -> CliError {
    let from = match (&e, &s.credentials) {
        (
            kafka_mirror::ConfigError::InvalidTokenUrl { .. },
            Credentials::OAuth { token_url, .. },
        ) => token_url.from.clone(),
        _ => url.from.clone(),
    };
    CliError::Config(format!("{e} (from {from})"))
}

fn basic(s: &Settings) -> Result<(&str, &str), CliError> {
    match &s.credentials {
        Credentials::Basic { key, secret } => Ok((key, secret)),
        _ => Err(CliError::Config(format!(
            "Instaclustr needs your user name and provisioning API key: set {} and {}",
            env_of("api_key"),
            env_of("api_secret")
        ))),
    }
}

/// A client of Instaclustr's Cluster Management API v2.
pub fn instaclustr_v2(s: &Settings) -> Result<kafka_mirror::instaclustr_v2::Client, CliError> {
    let url = url(s)?;
    let (user, key) = basic(s)?;
    kafka_mirror::instaclustr_v2::Client::builder(&url.value)
        .basic_auth(user, key)
        .build()
        .map_err(|e| config_error(s, url, e))
}

/// A client of Instaclustr's provisioning API v1.
pub fn instaclustr_v1(s: &Settings) -> Result<kafka_mirror::instaclustr::Client, CliError> {
    let url = url(s)?;
    let (user, key) = basic(s)?;
    kafka_mirror::instaclustr::Client::builder(&url.value)
        .basic_auth(user, key)
        .build()
        .map_err(|e| config_error(s, url, e))
}
