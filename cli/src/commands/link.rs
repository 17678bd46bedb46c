//! `kmirror link ...`: cluster links and their configs.

use std::collections::BTreeMap;

use kafka_mirror::confluent::types::{ConfigData, CreateLinkRequestData, ListLinksResponseData};
use serde::Serialize;

use super::pairs;
use crate::args::{LinkCommand, LinkTaskCommand};
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
    /// Mirror topics by state category, where the service gives them.
    #[serde(skip_serializing_if = "Option::is_none")]
    category_counts: Option<BTreeMap<String, i64>>,
}

#[derive(Clone, Serialize)]
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
            category_counts: l.category_counts.map(|cs| {
                cs.into_iter()
                    .map(|c| (c.state_category.to_string(), i64::from(c.count)))
                    .collect()
            }),
        }
    }
}

/// What a change did (`-o json`).
#[derive(Serialize)]
pub(super) struct Changed<'a> {
    link_name: &'a str,
    action: &'a str,
    dry_run: bool,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub(super) configs: Vec<(String, String)>,
    /// Tasks of a new link found in error when it was read back.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    tasks_in_error: Vec<Task>,
}

impl<'a> Changed<'a> {
    pub(super) fn new(link_name: &'a str, action: &'a str, dry_run: bool) -> Self {
        Self {
            link_name,
            action,
            dry_run,
            configs: Vec::new(),
            tasks_in_error: Vec::new(),
        }
    }
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
            let l = with_tasks(&c, &cluster, &link).await?;
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
                if let Some(counts) = l.category_counts.as_ref().filter(|c| !c.is_empty()) {
                    let shown: Vec<String> = counts
                        .iter()
                        .filter(|(_, n)| **n > 0)
                        .map(|(category, n)| {
                            let text = format!("{category} {n}");
                            if category == "IN_ERROR" && *n > 0 {
                                o.red(&text)
                            } else {
                                text
                            }
                        })
                        .collect();
                    text.push_str(&format!("  topics:  {}\n", shown.join(", ")));
                }
                if let Some(tasks) = &l.tasks {
                    text.push_str("  tasks:\n");
                    for t in tasks {
                        let st = task_state(o, &t.state);
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
            let mut done = Changed::new(&link, "create", dry_run);
            if !dry_run {
                done.tasks_in_error = tasks_in_error(&c, &cluster, &link, out).await;
            }
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
            let done = Changed::new(&link, "delete", dry_run);
            out.result(&done, |_| {
                if dry_run {
                    format!("Validated: link {link} can be deleted (nothing changed).")
                } else {
                    format!("Deleted link {link} from {cluster}.")
                }
            })
        }
        LinkCommand::Config(cmd) => super::link_config::run(cmd, &c, &cluster, out).await,
        LinkCommand::Task(LinkTaskCommand::List { link }) => {
            let l = with_tasks(&c, &cluster, &link).await?;
            let tasks = l.tasks.unwrap_or_default();
            out.result(&tasks, |o| {
                if tasks.is_empty() {
                    return format!("Link {link} reports no tasks.");
                }
                let rows: Vec<Vec<String>> = tasks
                    .iter()
                    .map(|t| vec![t.name.clone(), task_state(o, &t.state), t.errors.join("; ")])
                    .collect();
                table(&["TASK", "STATE", "ERRORS"], &rows)
            })
        }
    }
}

/// A link with its tasks (`include_tasks`), as kmirror prints it.
async fn with_tasks(
    c: &kafka_mirror::confluent::Client,
    cluster: &str,
    link: &str,
) -> Result<Link, kafka_mirror::Error> {
    Ok(c.get_link()
        .cluster_id(cluster)
        .link_name(link)
        .include_tasks(true)
        .send()
        .await?
        .into_inner()
        .into())
}

/// A new link's tasks read back: the service accepts a link whose tasks
/// then fail (Confluent CLI issue #3072), so say so at once. A failed read
/// is a note, not a failure: the link was created.
async fn tasks_in_error(
    c: &kafka_mirror::confluent::Client,
    cluster: &str,
    link: &str,
    out: Out,
) -> Vec<Task> {
    let l = match with_tasks(c, cluster, link).await {
        Ok(l) => l,
        Err(e) => {
            out.note(&format!(
                "note: link {link} was created, but its tasks could not be read back: {e}"
            ));
            return Vec::new();
        }
    };
    let bad: Vec<Task> = l
        .tasks
        .unwrap_or_default()
        .into_iter()
        .filter(|t| t.state == "IN_ERROR")
        .collect();
    for t in &bad {
        out.note(&format!(
            "warning: link {link} was created, but its task {} is IN_ERROR ({}); see \
             `kmirror link task list {link}`",
            t.name,
            t.errors.join("; ")
        ));
    }
    bad
}

fn task_state(o: &Out, s: &str) -> String {
    match s {
        "IN_ERROR" | "LINK_FAILED" | "LINK_UNAVAILABLE" => o.red(s),
        "ACTIVE" => o.green(s),
        _ => s.to_string(),
    }
}

pub(super) fn state(o: &Out, s: Option<&str>) -> String {
    match s {
        Some("ACTIVE") => o.green("ACTIVE"),
        Some(other) => o.yellow(other),
        None => "-".into(),
    }
}
