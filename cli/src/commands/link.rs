//! `kmirror link ...`: cluster links and their configs.

use kafka_mirror::confluent::types::{
    AlterConfigBatchRequestData, AlterConfigBatchRequestDataData,
    AlterConfigBatchRequestDataOperation, ConfigData, CreateLinkRequestData, ListLinksResponseData,
};
use serde::Serialize;

use super::pairs;
use crate::args::{LinkCommand, LinkConfigCommand};
use crate::clients;
use crate::config::Settings;
use crate::exit::CliError;
use crate::output::{Out, table};

/// A link as kmirror prints it (`-o json`).
#[derive(Serialize)]
struct Link {
    link_name: String,
    link_id: Option<String>,
    state: Option<String>,
    error: Option<String>,
    error_message: Option<String>,
    source_cluster_id: Option<String>,
    destination_cluster_id: Option<String>,
    remote_cluster_id: Option<String>,
    mirror_topics: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    tasks: Option<Vec<Task>>,
}

#[derive(Serialize)]
struct Task {
    name: String,
    state: String,
    errors: Vec<String>,
}

impl From<ListLinksResponseData> for Link {
    fn from(l: ListLinksResponseData) -> Self {
        Link {
            link_name: l.link_name,
            link_id: l.link_id,
            state: l.link_state.map(|s| s.to_string()),
            error: l
                .link_error
                .map(|e| e.to_string())
                .filter(|e| e != "NO_ERROR"),
            error_message: l.link_error_message.filter(|m| !m.is_empty()),
            source_cluster_id: l.source_cluster_id,
            destination_cluster_id: l.destination_cluster_id,
            remote_cluster_id: l.remote_cluster_id,
            mirror_topics: l.topic_names,
            tasks: l.tasks.map(|ts| {
                ts.into_iter()
                    .map(|t| Task {
                        name: t.task_name,
                        state: t.state.to_string(),
                        errors: t
                            .errors
                            .into_iter()
                            .map(|e| format!("{}: {}", e.error_code, e.error_message))
                            .collect(),
                    })
                    .collect()
            }),
        }
    }
}

/// A link config (`-o json`).
#[derive(Serialize)]
struct Config {
    name: String,
    value: String,
    is_default: bool,
    source: String,
}

/// What a change did (`-o json`).
#[derive(Serialize)]
struct Changed<'a> {
    link_name: &'a str,
    action: &'a str,
    dry_run: bool,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    configs: Vec<(String, String)>,
}

pub async fn run(command: LinkCommand, s: &Settings, out: Out) -> Result<(), CliError> {
    let (c, cluster) = clients::confluent(s)?;
    match command {
        LinkCommand::List => {
            let links: Vec<Link> = c
                .list_links()
                .cluster_id(&cluster)
                .collect_up_to(usize::MAX)
                .await?
                .into_iter()
                .map(Link::from)
                .collect();
            out.result(&links, |o| {
                if links.is_empty() {
                    return format!("No cluster links on {cluster}.");
                }
                let rows: Vec<Vec<String>> = links
                    .iter()
                    .map(|l| {
                        vec![
                            l.link_name.clone(),
                            state(o, l.state.as_deref()),
                            l.source_cluster_id
                                .clone()
                                .or(l.remote_cluster_id.clone())
                                .unwrap_or_default(),
                            l.mirror_topics.len().to_string(),
                            l.error_message
                                .clone()
                                .or(l.error.clone())
                                .unwrap_or_default(),
                        ]
                    })
                    .collect();
                table(&["LINK", "STATE", "SOURCE", "MIRRORS", "ERROR"], &rows)
            })
        }
        LinkCommand::Describe { link } => {
            let l: Link = c
                .get_link()
                .cluster_id(&cluster)
                .link_name(&link)
                .include_tasks(true)
                .send()
                .await?
                .into_inner()
                .into();
            out.result(&l, |o| {
                let mut text = format!(
                    "Link {} on {cluster}\n  state:   {}\n  source:  {}\n  mirrors: {}\n",
                    l.link_name,
                    state(o, l.state.as_deref()),
                    l.source_cluster_id
                        .clone()
                        .or(l.remote_cluster_id.clone())
                        .unwrap_or_else(|| "-".into()),
                    if l.mirror_topics.is_empty() {
                        "none".to_string()
                    } else {
                        l.mirror_topics.join(", ")
                    },
                );
                if let Some(e) = l.error_message.as_ref().or(l.error.as_ref()) {
                    text.push_str(&format!("  error:   {}\n", o.red(e)));
                }
                if let Some(tasks) = &l.tasks {
                    text.push_str("  tasks:\n");
                    for t in tasks {
                        let st = if t.state == "IN_ERROR" {
                            o.red(&t.state)
                        } else {
                            t.state.clone()
                        };
                        let line = format!("    {:<20} {st} {}", t.name, t.errors.join("; "));
                        text.push_str(line.trim_end());
                        text.push('\n');
                    }
                }
                text
            })
        }
        LinkCommand::Create {
            link,
            source_cluster,
            destination_cluster,
            remote_cluster,
            source_bootstrap_server,
            configs,
            dry_run,
        } => {
            let mut all: Vec<ConfigData> = pairs(&configs)?
                .into_iter()
                .map(|(name, value)| ConfigData {
                    name,
                    value: Some(value),
                })
                .collect();
            if let Some(b) = source_bootstrap_server {
                all.push(ConfigData {
                    name: "bootstrap.servers".into(),
                    value: Some(b),
                });
            }
            // The mode follows from the cluster named, unless --config set it.
            let mode = match (&destination_cluster, &remote_cluster) {
                (Some(_), _) => "SOURCE",
                (None, Some(_)) => "BIDIRECTIONAL",
                (None, None) => "DESTINATION",
            };
            if !all.iter().any(|c| c.name == "link.mode") && mode != "DESTINATION" {
                all.push(ConfigData {
                    name: "link.mode".into(),
                    value: Some(mode.into()),
                });
            }
            let peer = source_cluster
                .clone()
                .or(destination_cluster.clone())
                .or(remote_cluster.clone())
                .unwrap_or_default();
            c.create_link()
                .cluster_id(&cluster)
                .link_name(&link)
                .validate_only(dry_run)
                .body(CreateLinkRequestData {
                    source_cluster_id: source_cluster,
                    destination_cluster_id: destination_cluster,
                    remote_cluster_id: remote_cluster,
                    configs: all,
                    ..Default::default()
                })
                .send()
                .await?;
            let source_cluster = match mode {
                "SOURCE" => format!("this cluster, to {peer}"),
                "BIDIRECTIONAL" => format!("and to {peer}, both ways"),
                _ => peer,
            };
            let done = Changed {
                link_name: &link,
                action: "create",
                dry_run,
                configs: Vec::new(),
            };
            out.result(&done, |_| {
                if dry_run {
                    format!("Validated: link {link} ({source_cluster}) can be created on {cluster} (nothing changed).")
                } else {
                    format!("Created link {link} on {cluster}: it mirrors from {source_cluster}. Add mirror topics with `kmirror mirror create TOPIC --link {link}`.")
                }
            })
        }
        LinkCommand::Delete {
            link,
            force,
            dry_run,
        } => {
            c.delete_link()
                .cluster_id(&cluster)
                .link_name(&link)
                .force(force)
                .validate_only(dry_run)
                .send()
                .await?;
            let done = Changed {
                link_name: &link,
                action: "delete",
                dry_run,
                configs: Vec::new(),
            };
            out.result(&done, |_| {
                if dry_run {
                    format!("Validated: link {link} can be deleted (nothing changed).")
                } else {
                    format!("Deleted link {link} from {cluster}.")
                }
            })
        }
        LinkCommand::Config(cmd) => config(cmd, &c, &cluster, out).await,
    }
}

async fn config(
    cmd: LinkConfigCommand,
    c: &kafka_mirror::confluent::Client,
    cluster: &str,
    out: Out,
) -> Result<(), CliError> {
    match cmd {
        LinkConfigCommand::List { link } => {
            let configs: Vec<Config> = c
                .list_link_configs()
                .cluster_id(cluster)
                .link_name(&link)
                .collect_up_to(usize::MAX)
                .await?
                .into_iter()
                .map(|c| Config {
                    name: c.name,
                    value: if c.is_sensitive {
                        "(sensitive)".into()
                    } else {
                        c.value
                    },
                    is_default: c.is_default,
                    source: c.source.to_string(),
                })
                .collect();
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
                    "(sensitive)".into()
                } else {
                    got.value
                },
                is_default: got.is_default,
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
            let done = Changed {
                link_name: &link,
                action: "config set",
                dry_run,
                configs: set.clone(),
            };
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
        LinkConfigCommand::Reset { link, name } => {
            c.delete_link_config()
                .cluster_id(cluster)
                .link_name(&link)
                .config_name(&name)
                .send()
                .await?;
            let done = Changed {
                link_name: &link,
                action: "config reset",
                dry_run: false,
                configs: vec![(name.clone(), String::new())],
            };
            out.result(&done, |_| {
                format!("Reset {name} on link {link} to its default.")
            })
        }
    }
}

fn state(o: &Out, s: Option<&str>) -> String {
    match s {
        Some("ACTIVE") => o.green("ACTIVE"),
        Some(other) => o.yellow(other),
        None => "-".into(),
    }
}
