//! Instaclustr Kafka Mirroring API v1 routes of the emulator.

use std::sync::Arc;

use axum::extract::{Path, State as AxState};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::{Json, Router, routing};
use tokio::time::Instant;

use super::Shared;
use super::http::{Api, Body, no_nulls};
use super::state::{IcMirror, IcSource};
use kafka_mirror::instaclustr::types as t;

type Answer = Result<Response, Response>;

/// Instaclustr's error body.
/// Instaclustr's provisioning API v1 routes.
pub(crate) fn routes() -> Router<Arc<Shared>> {
    Router::new()
        .route(
            "/provisioning/v1/{cluster}/kafka-connect/mirrors",
            routing::get(list).post(create),
        )
        .route(
            "/provisioning/v1/{cluster}/kafka-connect/mirrors/{id}",
            routing::get(get).delete(delete),
        )
        .route(
            "/provisioning/v1/{cluster}/kafka-connect/mirrors/{id}/targetLatency",
            routing::put(target_latency),
        )
}

pub(crate) fn error(status: StatusCode, message: impl Into<String>) -> Response {
    crate::error::ApiError::instaclustr(status, message).into_response()
}

fn cluster_id(raw: &str) -> Result<String, Response> {
    uuid::Uuid::parse_str(raw)
        .map(|u| u.to_string())
        .map_err(|_| {
            error(
                StatusCode::BAD_REQUEST,
                format!("clusterId '{raw}' is not a UUID"),
            )
        })
}

pub(crate) fn status(s: &Shared, m: &IcMirror, now: Instant) -> &'static str {
    if now.saturating_duration_since(m.created) < s.behaviour.instaclustr_sync_delay {
        "CREATING"
    } else {
        "IN_SYNC"
    }
}

pub(crate) async fn list(AxState(s): AxState<Arc<Shared>>, Path(cluster): Path<String>) -> Answer {
    let cluster = cluster_id(&cluster)?;
    let state = s.state.lock().unwrap_or_else(|p| p.into_inner());
    let mirrors = state
        .instaclustr
        .get(&cluster)
        .into_iter()
        .flatten()
        .map(|(id, m)| t::GetAllMirrorsResponseItem {
            id: Some(id.clone()),
            connector_name: Some(m.connector_name.clone()),
            topics_regex: Some(m.topics_regex.clone()),
        })
        .collect();
    Ok(Json(t::GetAllMirrorsResponse { mirrors }).into_response())
}

pub(crate) async fn create(
    AxState(s): AxState<Arc<Shared>>,
    Path(cluster): Path<String>,
    body: Body<t::CreateMirrorRequest>,
) -> Answer {
    let cluster = cluster_id(&cluster)?;
    no_nulls(
        Api::Instaclustr,
        &body.json,
        &[
            "sourceType",
            "kafkaSource",
            "sourceConnectionProperties",
            "usePrivateIps",
            "useRenaming",
            "sourceAlias",
            "topicsRegex",
            "maxTasks",
        ],
    )?;
    let (regex, source, max_tasks, kind, alias, rename) = match &body.value {
        t::CreateMirrorRequest::Instaclustr {
            topics_regex,
            kafka_source,
            max_tasks,
            use_private_ips,
            source_alias,
            use_renaming,
        } => {
            if uuid::Uuid::parse_str(kafka_source).is_err() {
                return Err(error(
                    StatusCode::BAD_REQUEST,
                    format!("kafkaSource '{kafka_source}' is not a cluster id (a UUID)"),
                ));
            }
            (
                topics_regex.clone(),
                kafka_source.to_lowercase(),
                *max_tasks,
                IcSource::Managed {
                    use_private_ips: use_private_ips.unwrap_or(false),
                },
                source_alias.clone(),
                *use_renaming,
            )
        }
        t::CreateMirrorRequest::Custom {
            topics_regex,
            source_connection_properties,
            max_tasks,
            source_alias,
            use_renaming,
        } => {
            if source_connection_properties.trim().is_empty() {
                return Err(error(
                    StatusCode::BAD_REQUEST,
                    "sourceConnectionProperties is empty",
                ));
            }
            (
                topics_regex.clone(),
                source_connection_properties.clone(),
                *max_tasks,
                IcSource::External,
                source_alias.clone(),
                *use_renaming,
            )
        }
    };
    if let Some(n) = max_tasks.filter(|n| *n < 1) {
        return Err(error(
            StatusCode::BAD_REQUEST,
            format!("maxTasks must be at least 1, not {n}"),
        ));
    }
    let regex = regex.unwrap_or_else(|| ".*".into());
    if let Err(e) = regex::Regex::new(&regex) {
        return Err(error(
            StatusCode::BAD_REQUEST,
            format!("topicsRegex '{regex}' is not a valid regular expression: {e}"),
        ));
    }
    let mut state = s.state.lock().unwrap_or_else(|p| p.into_inner());
    // A duplicate is the same source and the same topics, exactly.
    if state.instaclustr.get(&cluster).is_some_and(|ms| {
        ms.values()
            .any(|m| m.topics_regex == regex && m.source == source)
    }) {
        return Err(error(
            StatusCode::BAD_REQUEST,
            format!("A mirror of '{regex}' from this source already exists"),
        ));
    }
    let id = uuid::Uuid::new_v4().to_string();
    let mirror = IcMirror {
        connector_name: connector_name(&source),
        topics_regex: regex,
        source,
        source_kind: kind,
        alias: alias.unwrap_or_else(|| "source".into()),
        rename: rename.unwrap_or(false),
        max_tasks: max_tasks.map_or(DEFAULT_MAX_TASKS, i64::from),
        target_latency: 30_000,
        created: Instant::now(),
        topics: Vec::new(),
    };
    state
        .instaclustr
        .entry(cluster)
        .or_default()
        .insert(id.clone(), mirror);
    Ok(Json(t::CreateMirrorResponse { mirror_id: id }).into_response())
}

/// Tasks of a mirror created without `maxTasks`.
pub(crate) const DEFAULT_MAX_TASKS: i64 = 3;

/// `source.target.<up to 12 letters or digits of the source>`.
pub(crate) fn connector_name(source: &str) -> String {
    let short: String = source
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .take(12)
        .collect();
    format!("source.target.{short}")
}

pub(crate) async fn get(
    AxState(s): AxState<Arc<Shared>>,
    Path((cluster, id)): Path<(String, String)>,
) -> Answer {
    let cluster = cluster_id(&cluster)?;
    let now = Instant::now();
    let state = s.state.lock().unwrap_or_else(|p| p.into_inner());
    let m = state
        .instaclustr
        .get(&cluster)
        .and_then(|ms| ms.get(&id))
        .ok_or_else(|| error(StatusCode::NOT_FOUND, format!("Mirror '{id}' not found")))?;
    let status = status(&s, m, now);
    let running = if status == "CREATING" {
        "UNASSIGNED"
    } else {
        "RUNNING"
    };
    Ok(Json(t::GetSpecificMirrorResponse {
        id: Some(id.clone()),
        status: Some(status.into()),
        connector_name: Some(m.connector_name.clone()),
        target_latency: Some(m.target_latency),
        topics_regex: Some(m.topics_regex.clone()),
        mirror_status: Some(running.into()),
        checkpoint_status: Some(running.into()),
        topic_statuses: m
            .topics
            .iter()
            .map(|name| t::TopicInfo {
                name: Some(name.clone()),
                average_latency: Some(150),
                average_rate: Some(1.0),
            })
            .collect(),
    })
    .into_response())
}

pub(crate) async fn delete(
    AxState(s): AxState<Arc<Shared>>,
    Path((cluster, id)): Path<(String, String)>,
) -> Answer {
    let cluster = cluster_id(&cluster)?;
    let mut state = s.state.lock().unwrap_or_else(|p| p.into_inner());
    match state
        .instaclustr
        .get_mut(&cluster)
        .and_then(|ms| ms.remove(&id))
    {
        Some(_) => Ok(StatusCode::NO_CONTENT.into_response()),
        None => Err(error(
            StatusCode::NOT_FOUND,
            format!("Mirror '{id}' not found"),
        )),
    }
}

pub(crate) async fn target_latency(
    AxState(s): AxState<Arc<Shared>>,
    Path((cluster, id)): Path<(String, String)>,
    body: Body<t::UpdateTargetLatencyRequest>,
) -> Answer {
    let cluster = cluster_id(&cluster)?;
    no_nulls(Api::Instaclustr, &body.json, &["newTargetLatency"])?;
    let body = body.value;
    if body.new_target_latency < 1000 {
        return Err(error(
            StatusCode::BAD_REQUEST,
            "newTargetLatency must be at least 1000",
        ));
    }
    let mut state = s.state.lock().unwrap_or_else(|p| p.into_inner());
    let m = state
        .instaclustr
        .get_mut(&cluster)
        .and_then(|ms| ms.get_mut(&id))
        .ok_or_else(|| error(StatusCode::NOT_FOUND, format!("Mirror '{id}' not found")))?;
    m.target_latency = body.new_target_latency;
    Ok(StatusCode::NO_CONTENT.into_response())
}
