//! `kmirror link config ...`: a link's configs, reset to defaults, and
//! drift against a desired set.

use kafka_mirror::confluent::types::{
    AlterConfigBatchRequestData, AlterConfigBatchRequestDataData,
    AlterConfigBatchRequestDataOperation,
};
use serde::Serialize;

use super::link::Changed;
use super::pairs;
use crate::args::LinkConfigCommand;
use crate::exit::CliError;
use crate::output::{Out, table};

/// What a sensitive config's value shows as.
pub const SENSITIVE: &str = "(sensitive)";

/// A link config (`-o json`).
#[derive(Serialize)]
pub struct Config {
    pub name: String,
    pub value: String,
    pub is_default: bool,
    pub is_sensitive: bool,
    pub source: String,
}

pub async fn run(
    cmd: LinkConfigCommand,
    c: &kafka_mirror::confluent::Client,
    cluster: &str,
    out: Out,
) -> Result<(), CliError> {
    match cmd {
        LinkConfigCommand::List { link } => {
            let configs = list(c, cluster, &link).await?;
            out.result(&configs, |_| {
                let rows: Vec<Vec<String>> = configs
                    .iter()
                    .map(|c| {
                        vec![
                            c.name.clone(),
                            c.value.clone(),
                            if c.is_default {
                                "default".into()
                            } else {
                                "set".into()
                            },
                        ]
                    })
                    .collect();
                table(&["NAME", "VALUE", "SOURCE"], &rows)
            })
        }
        LinkConfigCommand::Get { link, name } => {
            let got = c
                .get_link_config()
                .cluster_id(cluster)
                .link_name(&link)
                .config_name(&name)
                .send()
                .await?
                .into_inner();
            let config = Config {
                name: got.name,
                value: if got.is_sensitive {
                    SENSITIVE.into()
                } else {
                    got.value
                },
                is_default: got.is_default,
                is_sensitive: got.is_sensitive,
                source: got.source.to_string(),
            };
            out.result(&config, |_| {
                format!(
                    "{} = {}{}",
                    config.name,
                    config.value,
                    if config.is_default { " (default)" } else { "" }
                )
            })
        }
        LinkConfigCommand::Set {
            link,
            configs,
            dry_run,
        } => {
            let set = pairs(&configs)?;
            c.alter_link_configs()
                .cluster_id(cluster)
                .link_name(&link)
                .validate_only(dry_run)
                .body(AlterConfigBatchRequestData {
                    data: set
                        .iter()
                        .map(|(n, v)| AlterConfigBatchRequestDataData {
                            name: n.clone(),
                            value: Some(v.clone()),
                            operation: Some(AlterConfigBatchRequestDataOperation::Set),
                        })
                        .collect(),
                    validate_only: None,
                })
                .send()
                .await?;
            let mut done = Changed::new(&link, "config set", dry_run);
            done.configs = set.clone();
            out.result(&done, |_| {
                let names: Vec<String> = set.iter().map(|(n, v)| format!("{n}={v}")).collect();
                if dry_run {
                    format!(
                        "Validated on link {link}: {} (nothing changed).",
                        names.join(", ")
                    )
                } else {
                    format!("Set on link {link}: {}.", names.join(", "))
                }
            })
        }
        LinkConfigCommand::Reset {
            link,
            names,
            dry_run,
        } => {
            c.alter_link_configs()
                .cluster_id(cluster)
                .link_name(&link)
                .validate_only(dry_run)
                .body(AlterConfigBatchRequestData {
                    data: names
                        .iter()
                        .map(|n| AlterConfigBatchRequestDataData {
                            name: n.clone(),
                            value: None,
                            operation: Some(AlterConfigBatchRequestDataOperation::Delete),
                        })
                        .collect(),
                    validate_only: None,
                })
                .send()
                .await?;
            let mut done = Changed::new(&link, "config reset", dry_run);
            done.configs = names.iter().map(|n| (n.clone(), String::new())).collect();
            out.result(&done, |_| {
                if dry_run {
                    format!(
                        "Validated on link {link}: {} can be reset to their defaults (nothing changed).",
                        names.join(", ")
                    )
                } else {
                    format!(
                        "Reset on link {link} to their defaults: {}.",
                        names.join(", ")
                    )
                }
            })
        }
        LinkConfigCommand::Diff { link, file, exact } => {
            let desired = super::config_file::read(&file)?;
            let actual = list(c, cluster, &link).await?;
            let diff = super::config_file::diff(&link, &file, &desired, &actual, exact);
            out.result(&diff, |o| diff.human(o))?;
            if diff.differences > 0 {
                Err(CliError::Partial)
            } else {
                Ok(())
            }
        }
    }
}

/// Every config of a link, a sensitive one's value hidden.
async fn list(
    c: &kafka_mirror::confluent::Client,
    cluster: &str,
    link: &str,
) -> Result<Vec<Config>, CliError> {
    Ok(c.list_link_configs()
        .cluster_id(cluster)
        .link_name(link)
        .collect_up_to(usize::MAX)
        .await?
        .into_iter()
        .map(|c| Config {
            name: c.name,
            value: if c.is_sensitive {
                SENSITIVE.into()
            } else {
                c.value
            },
            is_default: c.is_default,
            is_sensitive: c.is_sensitive,
            source: c.source.to_string(),
        })
        .collect())
}
