//! Instaclustr Cluster Management API v2 mirror routes of the emulator, on
//! the same mirrors as v1: a mirror created through one API is seen through
//! the other. v2 answers create and update with 202 and the whole mirror,
//! delete with 204, and errors as `{"errors": [{"name", "message"}]}`.

use std::sync::Arc;

use axum::extract::{Path, State as AxState};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::{Json, Router, routing};
use tokio::time::Instant;

use super::Shared;
use super::http::{Api, Body, no_nulls};
use super::state::{IcMirror, IcSource, State};
use kafka_mirror::instaclustr_v2::types as t;

type Answer = Result<Response, Response>;

/// v2's error body: one error, named after the field at fault (or the
/// status when no field is).
/// Instaclustr's Cluster Management API v2 routes.
pub(crate) fn routes() -> Router<Arc<Shared>> {
    Router::new()
        .route(
            "/cluster-management/v2/data-sources/kafka_connect_cluster/{cluster}/mirrors/v2/",
            routing::get(list),
        )
        .route(
            "/cluster-management/v2/resources/applications/kafka_connect/mirrors/v2",
            routing::post(create),
        )
        .route(
            "/cluster-management/v2/resources/applications/kafka_connect/mirrors/v2/{id}",
            routing::get(get).put(update).delete(delete),
        )
}

pub(crate) fn error(status: StatusCode, name: &str, message: impl Into<String>) -> Response {
    crate::error::ApiError::instaclustr_v2(status, name, message).into_response()
}

fn bad(name: &str, message: impl Into<String>) -> Response {
    error(StatusCode::BAD_REQUEST, name, message)
}

fn not_found(id: &str) -> Response {
    error(
        StatusCode::NOT_FOUND,
        "mirrorId",
        format!("Kafka Connect mirror '{id}' not found"),
    )
}

fn uuid_of(name: &str, raw: &str) -> Result<String, Response> {
    uuid::Uuid::parse_str(raw)
        .map(|u| u.to_string())
        .map_err(|_| bad(name, format!("'{raw}' is not a UUID")))
}

/// The whole mirror, as v2 shows it.
pub(crate) fn view(
    s: &Shared,
    cluster: &str,
    id: &str,
    m: &IcMirror,
    now: Instant,
) -> t::KafkaConnectMirrorV2 {
    let status = crate::instaclustr::status(s, m, now);
    let connector = if status == "CREATING" {
        "UNASSIGNED"
    } else {
        "RUNNING"
    };
    let source = match &m.source_kind {
        IcSource::Managed { use_private_ips } => t::KafkaConnectMirrorSourceClusterDetailsV2 {
            alias: m.alias.clone(),
            managed_cluster: vec![t::KafkaConnectManagedSourceClusterDetailsV2 {
                source_kafka_cluster_id: m.source.clone(),
                use_private_ips: *use_private_ips,
            }],
            external_cluster: Vec::new(),
        },
        IcSource::External => t::KafkaConnectMirrorSourceClusterDetailsV2 {
            alias: m.alias.clone(),
            managed_cluster: Vec::new(),
            external_cluster: vec![t::KafkaConnectExternalSourceClusterDetailsV2 {
                source_connection_properties: m.source.clone(),
            }],
        },
    };
    t::KafkaConnectMirrorV2 {
        connector_name: Some(m.connector_name.clone()),
        connectors: ["Mirror Connector", "Checkpoint Connector"]
            .into_iter()
            .map(|name| t::KafkaConnectMirrorConnectorDetailsV2 {
                name: Some(name.into()),
                config: None,
                status: Some(connector.into()),
            })
            .collect(),
        id: uuid::Uuid::parse_str(id).ok(),
        kafka_connect_cluster_id: cluster.to_string(),
        max_tasks: m.max_tasks,
        mirrored_topics: m
            .topics
            .iter()
            .map(|name| t::KafkaConnectMirroredTopicDetailsV2 {
                name: Some(name.clone()),
                average_latency: Some(150.0),
                average_rate: Some(1.0),
            })
            .collect(),
        rename_mirrored_topics: m.rename,
        source_cluster: vec![source],
        status: Some(status.into()),
        target_latency: i64::from(m.target_latency),
        topics_regex: m.topics_regex.clone(),
    }
}

/// The Kafka Connect cluster and the mirror of `id`, whichever cluster has it.
fn find<'s>(state: &'s State, id: &str) -> Option<(&'s String, &'s IcMirror)> {
    state
        .instaclustr
        .iter()
        .find_map(|(cluster, ms)| ms.get(id).map(|m| (cluster, m)))
}

/// `GET .../data-sources/kafka_connect_cluster/{clusterId}/mirrors/v2/`.
pub(crate) async fn list(AxState(s): AxState<Arc<Shared>>, Path(cluster): Path<String>) -> Answer {
    let cluster = uuid_of("clusterId", &cluster)?;
    let state = s.state.lock().unwrap_or_else(|p| p.into_inner());
    let mirrors = state
        .instaclustr
        .get(&cluster)
        .into_iter()
        .flatten()
        .map(|(id, m)| {
            let full = view(&s, &cluster, id, m, Instant::now());
            t::KafkaConnectMirrorSummaryV2 {
                connector_name: full.connector_name,
                id: full.id,
                kafka_connect_cluster_id: full.kafka_connect_cluster_id,
                max_tasks: full.max_tasks,
                rename_mirrored_topics: full.rename_mirrored_topics,
                source_cluster: full.source_cluster,
                target_latency: full.target_latency,
                topics_regex: full.topics_regex,
            }
        })
        .collect();
    Ok(Json(vec![t::KafkaConnectMirrorSummariesV2 {
        cluster_id: Some(cluster),
        mirrors,
    }])
    .into_response())
}

/// `POST .../applications/kafka_connect/mirrors/v2`.
pub(crate) async fn create(
    AxState(s): AxState<Arc<Shared>>,
    body: Body<t::KafkaConnectMirrorV2>,
) -> Answer {
    no_nulls(
        Api::InstaclustrV2,
        &body.json,
        &[
            "kafkaConnectClusterId",
            "maxTasks",
            "renameMirroredTopics",
            "sourceCluster",
            "targetLatency",
            "topicsRegex",
        ],
    )?;
    let b = body.value;
    let cluster = uuid_of("kafkaConnectClusterId", &b.kafka_connect_cluster_id)?;
    check_latency(b.target_latency)?;
    if b.max_tasks < 1 {
        return Err(bad(
            "maxTasks",
            format!("maxTasks must be greater than 0, not {}", b.max_tasks),
        ));
    }
    let [source] = b.source_cluster.as_slice() else {
        return Err(bad(
            "sourceCluster",
            format!(
                "exactly one source cluster is needed, not {}",
                b.source_cluster.len()
            ),
        ));
    };
    if source.alias.trim().is_empty() {
        return Err(bad("sourceCluster.alias", "the alias is empty"));
    }
    let (source_id, kind) = match (
        source.managed_cluster.as_slice(),
        source.external_cluster.as_slice(),
    ) {
        ([managed], []) => (
            uuid_of(
                "sourceCluster.managedCluster.sourceKafkaClusterId",
                &managed.source_kafka_cluster_id,
            )?,
            IcSource::Managed {
                use_private_ips: managed.use_private_ips,
            },
        ),
        ([], [external]) if !external.source_connection_properties.trim().is_empty() => (
            external.source_connection_properties.clone(),
            IcSource::External,
        ),
        ([], [_]) => {
            return Err(bad(
                "sourceCluster.externalCluster.sourceConnectionProperties",
                "the connection properties are empty",
            ));
        }
        _ => {
            return Err(bad(
                "sourceCluster",
                "exactly one of managedCluster and externalCluster, with one item, is needed",
            ));
        }
    };
    if let Err(e) = regex::Regex::new(&b.topics_regex) {
        return Err(bad(
            "topicsRegex",
            format!(
                "'{}' is not a valid regular expression: {e}",
                b.topics_regex
            ),
        ));
    }
    let now = Instant::now();
    let mut state = s.state.lock().unwrap_or_else(|p| p.into_inner());
    if state.instaclustr.get(&cluster).is_some_and(|ms| {
        ms.values()
            .any(|m| m.topics_regex == b.topics_regex && m.source == source_id)
    }) {
        return Err(bad(
            "topicsRegex",
            format!(
                "A mirror of '{}' from this source already exists",
                b.topics_regex
            ),
        ));
    }
    let id = uuid::Uuid::new_v4().to_string();
    let mirror = IcMirror {
        connector_name: crate::instaclustr::connector_name(&source_id),
        topics_regex: b.topics_regex.clone(),
        source: source_id,
        source_kind: kind,
        alias: source.alias.clone(),
        rename: b.rename_mirrored_topics,
        max_tasks: b.max_tasks,
        target_latency: b.target_latency as i32,
        created: now,
        topics: Vec::new(),
    };
    let answer = view(&s, &cluster, &id, &mirror, now);
    state
        .instaclustr
        .entry(cluster)
        .or_default()
        .insert(id, mirror);
    Ok((StatusCode::ACCEPTED, Json(answer)).into_response())
}

fn check_latency(ms: i64) -> Result<(), Response> {
    if !(1000..=i64::from(i32::MAX)).contains(&ms) {
        return Err(bad(
            "targetLatency",
            format!("targetLatency must be at least 1000 ms (and fit in 32 bits), not {ms}"),
        ));
    }
    Ok(())
}

/// `GET .../mirrors/v2/{mirrorId}`.
pub(crate) async fn get(AxState(s): AxState<Arc<Shared>>, Path(id): Path<String>) -> Answer {
    let id = uuid_of("mirrorId", &id)?;
    let state = s.state.lock().unwrap_or_else(|p| p.into_inner());
    let (cluster, m) = find(&state, &id).ok_or_else(|| not_found(&id))?;
    Ok(Json(view(&s, cluster, &id, m, Instant::now())).into_response())
}

/// `PUT .../mirrors/v2/{mirrorId}`: the target latency only.
pub(crate) async fn update(
    AxState(s): AxState<Arc<Shared>>,
    Path(id): Path<String>,
    body: Body<t::KafkaConnectMirrorUpdateV2>,
) -> Answer {
    let id = uuid_of("mirrorId", &id)?;
    no_nulls(Api::InstaclustrV2, &body.json, &["targetLatency"])?;
    check_latency(body.value.target_latency)?;
    let mut state = s.state.lock().unwrap_or_else(|p| p.into_inner());
    let cluster = find(&state, &id)
        .map(|(c, _)| c.clone())
        .ok_or_else(|| not_found(&id))?;
    let m = state
        .instaclustr
        .get_mut(&cluster)
        .and_then(|ms| ms.get_mut(&id))
        .ok_or_else(|| not_found(&id))?;
    m.target_latency = body.value.target_latency as i32;
    let answer = view(&s, &cluster, &id, m, Instant::now());
    Ok((StatusCode::ACCEPTED, Json(answer)).into_response())
}

/// `DELETE .../mirrors/v2/{mirrorId}`.
pub(crate) async fn delete(AxState(s): AxState<Arc<Shared>>, Path(id): Path<String>) -> Answer {
    let id = uuid_of("mirrorId", &id)?;
    let mut state = s.state.lock().unwrap_or_else(|p| p.into_inner());
    let removed = state.instaclustr.values_mut().find_map(|ms| ms.remove(&id));
    match removed {
        Some(_) => Ok(StatusCode::NO_CONTENT.into_response()),
        None => Err(not_found(&id)),
    }
}
