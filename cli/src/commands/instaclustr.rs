//! `kmirror instaclustr mirror ...`: Kafka Connect mirrors through the
//! Cluster Management API v2, or the provisioning API v1 with `--v1`.

use kafka_mirror::instaclustr::types as v1;
use kafka_mirror::instaclustr_v2::Uuid;
use kafka_mirror::instaclustr_v2::types as v2;
use serde::Serialize;

use crate::args::{Connect, InstaclustrCommand, InstaclustrMirrorCommand};
use crate::clients;
use crate::config::Settings;
use crate::exit::CliError;
use crate::output::{Out, table};

/// A mirror as kmirror prints it, from either API (`-o json`).
#[derive(Serialize, Default)]
struct Mirror {
    id: String,
    connector_name: Option<String>,
    topics_regex: Option<String>,
    status: Option<String>,
    target_latency: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    max_tasks: Option<i64>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    connectors: Vec<(String, String)>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    topics: Vec<String>,
}

impl From<v2::KafkaConnectMirrorV2> for Mirror {
    fn from(m: v2::KafkaConnectMirrorV2) -> Self {
        Mirror {
            id: m.id.map(|i| i.to_string()).unwrap_or_default(),
            connector_name: m.connector_name,
            topics_regex: Some(m.topics_regex),
            status: m.status.map(|s| s.to_string()),
            target_latency: Some(m.target_latency),
            max_tasks: Some(m.max_tasks),
            connectors: m
                .connectors
                .into_iter()
                .map(|c| {
                    (
                        c.name.unwrap_or_default(),
                        c.status.map(|s| s.to_string()).unwrap_or_default(),
                    )
                })
                .collect(),
            topics: m
                .mirrored_topics
                .into_iter()
                .filter_map(|t| t.name)
                .collect(),
        }
    }
}

/// The Kafka Connect cluster: `--connect-cluster`, its variable, or the context.
fn connect_cluster(c: &Connect, s: &Settings) -> Result<Uuid, CliError> {
    let (raw, from) = match (&c.connect_cluster, &s.connect_cluster) {
        (Some(v), _) => (
            v.clone(),
            "--connect-cluster or KAFKA_MIRROR_CONNECT_CLUSTER_ID".to_string(),
        ),
        (None, Some(v)) => (v.value.clone(), v.from.clone()),
        (None, None) => {
            return Err(CliError::Usage(
                "no Kafka Connect cluster: set --connect-cluster or KAFKA_MIRROR_CONNECT_CLUSTER_ID".into(),
            ));
        }
    };
    Uuid::parse_str(raw.trim()).map_err(|_| {
        CliError::Usage(format!(
            "`{raw}` (from {from}) is not a cluster id (a UUID)"
        ))
    })
}

fn mirror_id(raw: &str) -> Result<Uuid, CliError> {
    Uuid::parse_str(raw.trim())
        .map_err(|_| CliError::Usage(format!("`{raw}` is not a mirror id (a UUID)")))
}

pub async fn run(command: InstaclustrCommand, s: &Settings, out: Out) -> Result<(), CliError> {
    let InstaclustrCommand::Mirror(cmd) = command;
    let v1 = match &cmd {
        InstaclustrMirrorCommand::List { connect }
        | InstaclustrMirrorCommand::Get { connect, .. }
        | InstaclustrMirrorCommand::Create { connect, .. }
        | InstaclustrMirrorCommand::Delete { connect, .. }
        | InstaclustrMirrorCommand::SetLatency { connect, .. } => connect.v1,
    };
    if v1 {
        return run_v1(cmd, s, out).await;
    }
    let i = clients::instaclustr_v2(s)?;
    match cmd {
        InstaclustrMirrorCommand::List { connect } => {
            let cluster = connect_cluster(&connect, s)?;
            let mirrors: Vec<Mirror> = i
                .list_mirrors()
                .cluster_id(cluster)
                .send()
                .await?
                .into_inner()
                .into_iter()
                .flat_map(|l| l.mirrors)
                .map(|m| Mirror {
                    id: m.id.map(|i| i.to_string()).unwrap_or_default(),
                    connector_name: m.connector_name,
                    topics_regex: Some(m.topics_regex),
                    target_latency: Some(m.target_latency),
                    max_tasks: Some(m.max_tasks),
                    ..Mirror::default()
                })
                .collect();
            out.result(&mirrors, |_| list_table(&mirrors))
        }
        InstaclustrMirrorCommand::Get { id, .. } => {
            let m: Mirror = i
                .get_mirror()
                .mirror_id(mirror_id(&id)?)
                .send()
                .await?
                .into_inner()
                .into();
            out.result(&m, |_| describe(&m))
        }
        InstaclustrMirrorCommand::Create {
            connect,
            topics_regex,
            source_cluster,
            source_properties,
            alias,
            rename,
            max_tasks,
            target_latency,
        } => {
            let cluster = connect_cluster(&connect, s)?;
            let mut body = match (source_cluster, source_properties) {
                (Some(src), _) => v2::KafkaConnectMirrorV2::from_managed_cluster(
                    cluster,
                    Uuid::parse_str(src.trim()).map_err(|_| {
                        CliError::Usage(format!(
                            "--source-cluster `{src}` is not a cluster id (a UUID)"
                        ))
                    })?,
                    alias,
                    topics_regex,
                ),
                (None, Some(props)) => v2::KafkaConnectMirrorV2::from_external_cluster(
                    cluster,
                    props,
                    alias,
                    topics_regex,
                ),
                (None, None) => {
                    return Err(CliError::Usage(
                        "give --source-cluster or --source-properties".into(),
                    ));
                }
            };
            body.rename_mirrored_topics = rename;
            body.max_tasks = max_tasks;
            body.target_latency = target_latency;
            let m: Mirror = i
                .create_mirror()
                .body(body)
                .send()
                .await?
                .into_inner()
                .into();
            out.result(&m, |_| {
                format!(
                    "Created mirror {} ({}): it is {} until its connectors run; `kmirror instaclustr mirror get {}` shows it.",
                    m.id,
                    m.topics_regex.clone().unwrap_or_default(),
                    m.status.clone().unwrap_or_else(|| "CREATING".into()),
                    m.id
                )
            })
        }
        InstaclustrMirrorCommand::Delete { id, .. } => {
            i.delete_mirror().mirror_id(mirror_id(&id)?).send().await?;
            let done = serde_json::json!({"id": id, "deleted": true});
            out.result(&done, |_| format!("Deleted mirror {id}."))
        }
        InstaclustrMirrorCommand::SetLatency { id, latency, .. } => {
            let m: Mirror = i
                .update_mirror()
                .mirror_id(mirror_id(&id)?)
                .body(v2::KafkaConnectMirrorUpdateV2 {
                    target_latency: latency,
                })
                .send()
                .await?
                .into_inner()
                .into();
            out.result(&m, |_| format!("Mirror {id}: target latency {latency} ms."))
        }
    }
}

async fn run_v1(cmd: InstaclustrMirrorCommand, s: &Settings, out: Out) -> Result<(), CliError> {
    let i = clients::instaclustr_v1(s)?;
    match cmd {
        InstaclustrMirrorCommand::List { connect } => {
            let cluster = connect_cluster(&connect, s)?;
            let mirrors: Vec<Mirror> = i
                .list_mirrors()
                .cluster_id(cluster)
                .send()
                .await?
                .into_inner()
                .mirrors
                .into_iter()
                .map(|m| Mirror {
                    id: m.id.unwrap_or_default(),
                    connector_name: m.connector_name,
                    topics_regex: m.topics_regex,
                    ..Mirror::default()
                })
                .collect();
            out.result(&mirrors, |_| list_table(&mirrors))
        }
        InstaclustrMirrorCommand::Get { id, connect } => {
            let cluster = connect_cluster(&connect, s)?;
            let m = i
                .get_mirror()
                .cluster_id(cluster)
                .mirror_id(&id)
                .send()
                .await?
                .into_inner();
            let m = Mirror {
                id: m.id.unwrap_or(id),
                connector_name: m.connector_name,
                topics_regex: m.topics_regex,
                status: m.status.map(|s| s.to_string()),
                target_latency: m.target_latency.map(i64::from),
                max_tasks: None,
                connectors: [
                    ("MirrorSourceConnector", m.mirror_status),
                    ("CheckpointConnector", m.checkpoint_status),
                ]
                .into_iter()
                .filter_map(|(n, s)| s.map(|s| (n.to_string(), s)))
                .collect(),
                topics: m
                    .topic_statuses
                    .into_iter()
                    .filter_map(|t| t.name)
                    .collect(),
            };
            out.result(&m, |_| describe(&m))
        }
        InstaclustrMirrorCommand::Create {
            connect,
            topics_regex,
            source_cluster,
            source_properties,
            alias,
            rename,
            max_tasks,
            ..
        } => {
            let cluster = connect_cluster(&connect, s)?;
            let tasks = i32::try_from(max_tasks)
                .map_err(|_| CliError::Usage(format!("--max-tasks {max_tasks} is too large")))?;
            let body = match (source_cluster, source_properties) {
                (Some(src), _) => v1::CreateMirrorRequest::Instaclustr {
                    kafka_source: src,
                    topics_regex: Some(topics_regex),
                    max_tasks: Some(tasks),
                    source_alias: Some(alias),
                    use_private_ips: None,
                    use_renaming: Some(rename),
                },
                (None, Some(props)) => v1::CreateMirrorRequest::Custom {
                    source_connection_properties: props,
                    topics_regex: Some(topics_regex),
                    max_tasks: Some(tasks),
                    source_alias: Some(alias),
                    use_renaming: Some(rename),
                },
                (None, None) => {
                    return Err(CliError::Usage(
                        "give --source-cluster or --source-properties".into(),
                    ));
                }
            };
            let created = i
                .create_mirror()
                .cluster_id(cluster)
                .body(body)
                .send()
                .await?
                .into_inner();
            let done = serde_json::json!({"id": created.mirror_id});
            out.result(&done, |_| {
                format!(
                    "Created mirror {} (provisioning API v1).",
                    created.mirror_id
                )
            })
        }
        InstaclustrMirrorCommand::Delete { id, connect } => {
            let cluster = connect_cluster(&connect, s)?;
            i.delete_mirror()
                .cluster_id(cluster)
                .mirror_id(&id)
                .send()
                .await?;
            let done = serde_json::json!({"id": id, "deleted": true});
            out.result(&done, |_| format!("Deleted mirror {id}."))
        }
        InstaclustrMirrorCommand::SetLatency {
            id,
            latency,
            connect,
        } => {
            let cluster = connect_cluster(&connect, s)?;
            let ms = i32::try_from(latency)
                .map_err(|_| CliError::Usage(format!("latency {latency} is too large")))?;
            i.update_mirror_target_latency()
                .cluster_id(cluster)
                .mirror_id(&id)
                .body(v1::UpdateTargetLatencyRequest {
                    new_target_latency: ms,
                })
                .send()
                .await?;
            let done = serde_json::json!({"id": id, "target_latency": latency});
            out.result(&done, |_| {
                format!("Mirror {id}: target latency {latency} ms.")
            })
        }
    }
}

fn list_table(mirrors: &[Mirror]) -> String {
    if mirrors.is_empty() {
        return "No mirrors.".into();
    }
    let rows: Vec<Vec<String>> = mirrors
        .iter()
        .map(|m| {
            vec![
                m.id.clone(),
                m.connector_name.clone().unwrap_or_default(),
                m.topics_regex.clone().unwrap_or_default(),
                m.target_latency.map(|l| l.to_string()).unwrap_or_default(),
            ]
        })
        .collect();
    table(&["ID", "CONNECTOR", "TOPICS", "TARGET LATENCY (ms)"], &rows)
}

fn describe(m: &Mirror) -> String {
    let mut text = format!(
        "Mirror {}\n  status:         {}\n  connector:      {}\n  topics:         {}\n  target latency: {} ms\n",
        m.id,
        m.status.clone().unwrap_or_else(|| "-".into()),
        m.connector_name.clone().unwrap_or_default(),
        m.topics_regex.clone().unwrap_or_default(),
        m.target_latency
            .map(|l| l.to_string())
            .unwrap_or_else(|| "-".into()),
    );
    for (name, status) in &m.connectors {
        text.push_str(&format!("  {name}: {status}\n"));
    }
    if !m.topics.is_empty() {
        text.push_str(&format!("  mirrored:       {}\n", m.topics.join(", ")));
    }
    text
}
