//! Where a command connects and with what credentials: flags, then
//! environment variables, then a context of the config file. Every error
//! names the flag, variable or file a bad value came from, and no secret is
//! ever printed.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use clap::ArgMatches;
use clap::parser::ValueSource;
use serde::Deserialize;

use crate::args::{Connection, SettingNames, connection_settings};
use crate::exit::CliError;

/// The config file: named contexts, one of them current.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
struct ConfigFile {
    current_context: Option<String>,
    #[serde(default)]
    contexts: BTreeMap<String, Context>,
}

/// One context: the same settings as the flags.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct Context {
    pub url: Option<String>,
    pub cluster: Option<String>,
    pub api_key: Option<String>,
    pub api_secret: Option<String>,
    pub oauth_token_url: Option<String>,
    pub oauth_client_id: Option<String>,
    pub oauth_client_secret: Option<String>,
    pub oauth_scope: Option<String>,
    pub identity_pool: Option<String>,
    pub connect_cluster: Option<String>,
}

/// A setting's value and where it came from, for messages.
#[derive(Debug, Clone)]
pub struct Sourced {
    pub value: String,
    pub from: String,
}

/// How requests authenticate.
#[derive(Clone)]
pub enum Credentials {
    None,
    Basic {
        key: String,
        secret: String,
    },
    OAuth {
        token_url: Sourced,
        client_id: String,
        client_secret: String,
        scope: Option<String>,
    },
}

/// Everything a command needs to connect.
pub struct Settings {
    pub url: Option<Sourced>,
    pub cluster: Option<Sourced>,
    pub credentials: Credentials,
    pub identity_pool: Option<String>,
    pub connect_cluster: Option<Sourced>,
    /// Things to tell the user on stderr (a flag secret, a trimmed URL).
    pub notes: Vec<String>,
}

/// The flag and environment variable of the setting `id`, as
/// `args::Connection` declares them.
fn names_of(id: &str) -> (String, String) {
    SETTINGS
        .iter()
        .find(|s| s.id == id)
        .map(|s| (s.flag.clone(), s.env.clone()))
        .unwrap_or_default()
}

/// The connection settings' names, read from clap once per run (every
/// message and check asks for them).
static SETTINGS: std::sync::LazyLock<Vec<SettingNames>> =
    std::sync::LazyLock::new(connection_settings);

/// "set --url or KAFKA_MIRROR_URL": where the setting `id` is given.
pub fn where_to_set(id: &str) -> String {
    let (flag, env) = names_of(id);
    format!("set {flag} or {env}")
}

/// The environment variable of the setting `id`.
pub fn env_of(id: &str) -> String {
    names_of(id).1
}

/// The config file's default place: `$XDG_CONFIG_HOME/kmirror/config.toml`
/// or `~/.config/kmirror/config.toml`.
pub fn default_config_path() -> Option<PathBuf> {
    if let Some(dir) = std::env::var_os("XDG_CONFIG_HOME").filter(|d| !d.is_empty()) {
        return Some(PathBuf::from(dir).join("kmirror/config.toml"));
    }
    std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".config/kmirror/config.toml"))
}

/// Reads the settings of a command.
///
/// Errors: an unreadable or invalid config file that was named, a context
/// that does not exist, an API key without its secret (or the reverse), an
/// incomplete OAuth setting.
pub fn resolve(global: &Connection, matches: &ArgMatches) -> Result<Settings, CliError> {
    let (context, context_from) = load_context(global)?;
    let mut notes = Vec::new();
    let pick =
        |id: &str, flag_value: &Option<String>, from_context: &Option<String>| -> Option<Sourced> {
            let (flag, env) = names_of(id);
            match (flag_value, matches.value_source(id)) {
                (Some(v), Some(ValueSource::CommandLine)) => Some(Sourced {
                    value: v.clone(),
                    from: flag.to_string(),
                }),
                (Some(v), Some(ValueSource::EnvVariable)) => Some(Sourced {
                    value: v.clone(),
                    from: env.to_string(),
                }),
                (Some(v), _) => Some(Sourced {
                    value: v.clone(),
                    from: flag.to_string(),
                }),
                (None, _) => from_context.clone().map(|value| Sourced {
                    value,
                    from: format!("`{}` in {context_from}", flag.trim_start_matches("--")),
                }),
            }
        };
    for setting in SETTINGS.iter().filter(|s| s.secret) {
        if matches.value_source(&setting.id) == Some(ValueSource::CommandLine) {
            let (flag, env) = (&setting.flag, &setting.env);
            notes.push(format!(
                "warning: {flag} on the command line is visible to other users of this machine (process list) and kept in shell history; set {env} instead"
            ));
        }
    }
    let url = pick("url", &global.url, &context.url).map(|u| clean_url(u, &mut notes));
    let cluster = pick("cluster", &global.cluster, &context.cluster);
    let key = pick("api_key", &global.api_key, &context.api_key);
    let secret = pick("api_secret", &global.api_secret, &context.api_secret);
    let token_url = pick(
        "oauth_token_url",
        &global.oauth_token_url,
        &context.oauth_token_url,
    );
    let client_id = pick(
        "oauth_client_id",
        &global.oauth_client_id,
        &context.oauth_client_id,
    );
    let client_secret = pick(
        "oauth_client_secret",
        &global.oauth_client_secret,
        &context.oauth_client_secret,
    );
    let scope = pick("oauth_scope", &global.oauth_scope, &context.oauth_scope);
    let pool = pick(
        "identity_pool",
        &global.identity_pool,
        &context.identity_pool,
    );
    let env = |id: &str| names_of(id).1;
    let (key_env, secret_env) = (env("api_key"), env("api_secret"));
    let (token_env, id_env, client_secret_env) = (
        env("oauth_token_url"),
        env("oauth_client_id"),
        env("oauth_client_secret"),
    );
    let credentials = match (key, secret, token_url, client_id, client_secret) {
        (Some(k), Some(s), None, None, None) => Credentials::Basic {
            key: k.value,
            secret: s.value,
        },
        (None, None, Some(t), Some(id), Some(s)) => Credentials::OAuth {
            token_url: t,
            client_id: id.value,
            client_secret: s.value,
            scope: scope.map(|s| s.value),
        },
        (None, None, None, None, None) => Credentials::None,
        (Some(k), None, ..) => {
            return Err(CliError::Config(format!(
                "an API key is set ({}) but no API secret: set {secret_env} too (or neither {key_env} nor {secret_env})",
                k.from
            )));
        }
        (None, Some(s), ..) => {
            return Err(CliError::Config(format!(
                "an API secret is set ({}) but no API key: set {key_env} too (or neither {key_env} nor {secret_env})",
                s.from
            )));
        }
        (Some(_), Some(_), ..) => {
            return Err(CliError::Config(format!(
                "both an API key and OAuth settings are set: use {key_env}/{secret_env} or the OAuth variables ({token_env}, {id_env}, {client_secret_env}), not both"
            )));
        }
        (None, None, t, id, s) => {
            let missing: Vec<&str> = [
                (t.is_none(), token_env.as_str()),
                (id.is_none(), id_env.as_str()),
                (s.is_none(), client_secret_env.as_str()),
            ]
            .into_iter()
            .filter(|(m, _)| *m)
            .map(|(_, n)| n)
            .collect();
            return Err(CliError::Config(format!(
                "OAuth needs a token URL, a client id and a client secret: {} missing",
                missing.join(" and ")
            )));
        }
    };
    let connect_cluster = context.connect_cluster.clone().map(|value| Sourced {
        value,
        from: format!("`connect-cluster` in {context_from}"),
    });
    Ok(Settings {
        url,
        cluster,
        credentials,
        identity_pool: pool.map(|p| p.value),
        connect_cluster,
        notes,
    })
}

/// Drops a trailing `/`, and a `/kafka/v3` the client adds itself.
fn clean_url(mut url: Sourced, notes: &mut Vec<String>) -> Sourced {
    let trimmed = url.value.trim().trim_end_matches('/');
    if let Some(base) = trimmed.strip_suffix("/kafka/v3") {
        notes.push(format!(
            "note: the URL from {} ends in /kafka/v3, which kmirror adds to every path itself; using {base}",
            url.from
        ));
        url.value = base.to_string();
    } else {
        url.value = trimmed.to_string();
    }
    url
}

fn load_context(global: &Connection) -> Result<(Context, String), CliError> {
    let (path, named) = match &global.config_path {
        Some(p) => (Some(p.clone()), true),
        None => (default_config_path(), false),
    };
    let file = match &path {
        Some(p) if p.exists() => read_file(p)?,
        Some(p) if named => {
            return Err(CliError::Config(format!(
                "the config file {} (from --config-path or KMIRROR_CONFIG) does not exist",
                p.display()
            )));
        }
        _ => ConfigFile::default(),
    };
    let shown = path
        .as_deref()
        .map(|p| p.display().to_string())
        .unwrap_or_else(|| "the config file".into());
    let name = global.context.clone().or(file.current_context.clone());
    match name {
        None => Ok((Context::default(), shown)),
        Some(name) => match file.contexts.get(&name) {
            Some(c) => Ok((c.clone(), format!("context `{name}` of {shown}"))),
            None => {
                let known: Vec<&str> = file.contexts.keys().map(String::as_str).collect();
                Err(CliError::Config(format!(
                    "no context `{name}` in {shown} (it has: {})",
                    if known.is_empty() {
                        "none".to_string()
                    } else {
                        known.join(", ")
                    }
                )))
            }
        },
    }
}

fn read_file(path: &Path) -> Result<ConfigFile, CliError> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| CliError::Config(format!("cannot read {}: {e}", path.display())))?;
    toml::from_str(&text).map_err(|e| {
        CliError::Config(format!(
            "{} is not a valid kmirror config: {}",
            path.display(),
            e.message()
        ))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_kafka_v3_suffix_is_dropped_with_a_note() {
        let mut notes = Vec::new();
        let u = clean_url(
            Sourced {
                value: "https://pkc-1.confluent.cloud/kafka/v3/".into(),
                from: "KAFKA_MIRROR_URL".into(),
            },
            &mut notes,
        );
        assert_eq!(u.value, "https://pkc-1.confluent.cloud");
        assert!(notes[0].contains("KAFKA_MIRROR_URL"), "{notes:?}");
    }

    #[test]
    fn config_files_name_unknown_keys() {
        let e = toml::from_str::<ConfigFile>("[contexts.a]\nurl = 'x'\napi-secrte = 'y'\n")
            .unwrap_err();
        assert!(e.message().contains("api-secrte"), "{}", e.message());
    }
}
