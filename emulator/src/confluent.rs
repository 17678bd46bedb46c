//! Confluent Cluster Linking (Kafka REST v3) routes of the emulator.

use std::sync::Arc;

use axum::Json;
use axum::extract::{Path, Query, State as AxState};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::{Value, json};
use tokio::time::Instant;

use super::state::{Action, Config, Link, Mirror, transition};
use super::{Shared, page};
use kafka_mirror::confluent::types as t;

type Answer = Result<Response, Response>;

/// Confluent's error body.
pub(crate) fn error(status: StatusCode, code: i64, message: impl Into<String>) -> Response {
    (
        status,
        Json(json!({"error_code": code, "message": message.into()})),
    )
        .into_response()
}

fn not_found(what: impl Into<String>) -> Response {
    error(StatusCode::NOT_FOUND, 404, what)
}

fn millis(s: &Shared, at: Instant) -> i64 {
    s.epoch_ms + at.saturating_duration_since(s.started).as_millis() as i64
}

#[derive(Deserialize, Default)]
pub(crate) struct ListQuery {
    page_token: Option<usize>,
    mirror_status: Option<String>,
}

#[derive(Deserialize, Default)]
pub(crate) struct CreateLinkQuery {
    link_name: Option<String>,
    validate_only: Option<bool>,
}

#[derive(Deserialize, Default)]
pub(crate) struct Flags {
    validate_only: Option<bool>,
    force: Option<bool>,
}

fn link_data(s: &Shared, cluster: &str, name: &str, link: &Link) -> t::ListLinksResponseData {
    t::ListLinksResponseData {
        kind: "KafkaLinkData".into(),
        metadata: t::ResourceMetadata {
            self_: s.url(&format!("/kafka/v3/clusters/{cluster}/links/{name}")),
            resource_name: None,
        },
        link_name: name.into(),
        cluster_link_id: link.cluster_link_id.clone(),
        source_cluster_id: Some(link.source_cluster_id.clone()),
        destination_cluster_id: None,
        remote_cluster_id: None,
        link_id: None,
        topic_names: link.mirrors.keys().cloned().collect(),
        link_state: Some(t::LinkState::Active),
        link_error: Some(t::LinkError::NoError),
        link_error_message: None,
        tasks: None,
        category_counts: None,
    }
}

fn mirror_data(
    s: &Shared,
    cluster: &str,
    link: &str,
    topic: &str,
    m: &Mirror,
    now: Instant,
) -> t::ListMirrorTopicsResponseData {
    t::ListMirrorTopicsResponseData {
        kind: "KafkaMirrorData".into(),
        metadata: t::ResourceMetadata {
            self_: s.url(&format!(
                "/kafka/v3/clusters/{cluster}/links/{link}/mirrors/{topic}"
            )),
            resource_name: None,
        },
        link_name: link.into(),
        mirror_topic_name: topic.into(),
        source_topic_name: m.source_topic.clone(),
        num_partitions: m.partitions.len() as i64,
        mirror_lags: lags(s, m, now),
        mirror_status: m.status.clone(),
        mirror_topic_error: Some(t::MirrorTopicError::NoError),
        state_time_ms: millis(s, m.state_time),
        mirror_state_transition_errors: Vec::new(),
    }
}

fn lags(s: &Shared, m: &Mirror, now: Instant) -> Vec<t::MirrorLag> {
    m.partitions
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let (lag, offset) = p.at(now, s.behaviour.lag_drain_per_second, m.moving());
            t::MirrorLag {
                partition: i as i64,
                lag: lag as i64,
                last_source_fetch_offset: offset as i64,
            }
        })
        .collect()
}

fn config_data(
    s: &Shared,
    cluster: &str,
    link: &str,
    name: &str,
    c: &Config,
) -> t::ListLinkConfigsResponseData {
    t::ListLinkConfigsResponseData {
        kind: "KafkaLinkConfigData".into(),
        metadata: t::ResourceMetadata {
            self_: s.url(&format!(
                "/kafka/v3/clusters/{cluster}/links/{link}/configs/{name}"
            )),
            resource_name: None,
        },
        cluster_id: cluster.into(),
        link_name: link.into(),
        name: name.into(),
        value: c.value.clone(),
        is_default: c.is_default,
        is_read_only: false,
        is_sensitive: false,
        source: if c.is_default {
            "DEFAULT_CONFIG".into()
        } else {
            t::ListLinkConfigsResponseDataSource::DynamicClusterLinkConfig
        },
        synonyms: Vec::new(),
    }
}

/// Looks a link up, settling pending transitions first.
fn with_link<R>(
    s: &Shared,
    cluster: &str,
    link: &str,
    f: impl FnOnce(&mut Link, Instant) -> R,
) -> Result<R, Response> {
    let now = Instant::now();
    let mut state = s.state.lock().unwrap_or_else(|p| p.into_inner());
    state.settle(now);
    let l = state
        .clusters
        .get_mut(cluster)
        .and_then(|links| links.get_mut(link))
        .ok_or_else(|| {
            not_found(format!(
                "Cluster link '{link}' does not exist on cluster '{cluster}'."
            ))
        })?;
    Ok(f(l, now))
}

pub(crate) async fn list_links(
    AxState(s): AxState<Arc<Shared>>,
    Path(cluster): Path<String>,
    Query(q): Query<ListQuery>,
) -> Answer {
    let items: Vec<_> = {
        let state = s.state.lock().unwrap_or_else(|p| p.into_inner());
        state
            .clusters
            .get(&cluster)
            .into_iter()
            .flatten()
            .map(|(name, l)| link_data(&s, &cluster, name, l))
            .collect()
    };
    Ok(page(
        &s,
        &format!("/kafka/v3/clusters/{cluster}/links"),
        "KafkaLinkDataList",
        items,
        q.page_token,
        &[],
    ))
}

pub(crate) async fn create_link(
    AxState(s): AxState<Arc<Shared>>,
    Path(cluster): Path<String>,
    Query(q): Query<CreateLinkQuery>,
    Json(body): Json<t::CreateLinkRequestData>,
) -> Answer {
    let Some(name) = q.link_name.filter(|n| !n.is_empty()) else {
        return Err(error(StatusCode::BAD_REQUEST, 400, "link_name is required"));
    };
    let Some(source) = body.source_cluster_id.or(body.remote_cluster_id) else {
        return Err(error(
            StatusCode::BAD_REQUEST,
            400,
            "source_cluster_id is required",
        ));
    };
    let mut state = s.state.lock().unwrap_or_else(|p| p.into_inner());
    if state
        .clusters
        .get(&cluster)
        .is_some_and(|l| l.contains_key(&name))
    {
        return Err(error(
            StatusCode::BAD_REQUEST,
            40002,
            format!("Cluster link '{name}' already exists."),
        ));
    }
    if !q.validate_only.unwrap_or(false) {
        let id = state.id("link-");
        let mut link = Link::new(&source, id);
        for c in body.configs {
            link.configs.insert(
                c.name,
                Config {
                    value: c.value.unwrap_or_default(),
                    is_default: false,
                },
            );
        }
        state
            .clusters
            .entry(cluster)
            .or_default()
            .insert(name, link);
    }
    Ok(StatusCode::NO_CONTENT.into_response())
}

pub(crate) async fn get_link(
    AxState(s): AxState<Arc<Shared>>,
    Path((cluster, link)): Path<(String, String)>,
) -> Answer {
    let data = with_link(&s, &cluster, &link, |l, _| {
        link_data(&s, &cluster, &link, l)
    })?;
    Ok(Json(data).into_response())
}

pub(crate) async fn delete_link(
    AxState(s): AxState<Arc<Shared>>,
    Path((cluster, link)): Path<(String, String)>,
    Query(q): Query<Flags>,
) -> Answer {
    let busy = with_link(&s, &cluster, &link, |l, _| {
        l.mirrors
            .values()
            .any(|m| m.status != t::MirrorTopicStatus::Stopped)
    })?;
    if busy && !q.force.unwrap_or(false) {
        return Err(error(
            StatusCode::BAD_REQUEST,
            400,
            format!("Cluster link '{link}' has mirror topics that are not stopped; use force=true"),
        ));
    }
    if !q.validate_only.unwrap_or(false) {
        let mut state = s.state.lock().unwrap_or_else(|p| p.into_inner());
        state.clusters.get_mut(&cluster).map(|l| l.remove(&link));
    }
    // The spec declares 200 (no body) for deleting a link.
    Ok(StatusCode::OK.into_response())
}

pub(crate) async fn list_configs(
    AxState(s): AxState<Arc<Shared>>,
    Path((cluster, link)): Path<(String, String)>,
    Query(q): Query<ListQuery>,
) -> Answer {
    let items = with_link(&s, &cluster, &link, |l, _| {
        l.configs
            .iter()
            .map(|(n, c)| config_data(&s, &cluster, &link, n, c))
            .collect::<Vec<_>>()
    })?;
    Ok(page(
        &s,
        &format!("/kafka/v3/clusters/{cluster}/links/{link}/configs"),
        "KafkaLinkConfigDataList",
        items,
        q.page_token,
        &[],
    ))
}

pub(crate) async fn get_config(
    AxState(s): AxState<Arc<Shared>>,
    Path((cluster, link, name)): Path<(String, String, String)>,
) -> Answer {
    let data = with_link(&s, &cluster, &link, |l, _| {
        l.configs
            .get(&name)
            .map(|c| config_data(&s, &cluster, &link, &name, c))
    })?;
    data.map(|d| Json(d).into_response())
        .ok_or_else(|| not_found(format!("Config '{name}' does not exist on link '{link}'.")))
}

pub(crate) async fn update_config(
    AxState(s): AxState<Arc<Shared>>,
    Path((cluster, link, name)): Path<(String, String, String)>,
    Json(body): Json<t::UpdateLinkConfigRequestData>,
) -> Answer {
    with_link(&s, &cluster, &link, |l, _| {
        l.configs.insert(
            name,
            Config {
                value: body.value,
                is_default: false,
            },
        )
    })?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

pub(crate) async fn delete_config(
    AxState(s): AxState<Arc<Shared>>,
    Path((cluster, link, name)): Path<(String, String, String)>,
) -> Answer {
    let found = with_link(&s, &cluster, &link, |l, _| reset_config(l, &name))?;
    if found {
        Ok(StatusCode::NO_CONTENT.into_response())
    } else {
        Err(not_found(format!(
            "Config '{name}' does not exist on link '{link}'."
        )))
    }
}

/// Deleting a config puts its default back (or removes a non-default one).
fn reset_config(l: &mut Link, name: &str) -> bool {
    match super::state::DEFAULT_LINK_CONFIGS
        .iter()
        .find(|(k, _)| *k == name)
    {
        Some((_, v)) => {
            l.configs.insert(
                name.into(),
                Config {
                    value: v.to_string(),
                    is_default: true,
                },
            );
            true
        }
        None => l.configs.remove(name).is_some(),
    }
}

pub(crate) async fn alter_configs(
    AxState(s): AxState<Arc<Shared>>,
    Path((cluster, link)): Path<(String, String)>,
    Json(body): Json<t::AlterConfigBatchRequestData>,
) -> Answer {
    let validate_only = body.validate_only.unwrap_or(false);
    with_link(&s, &cluster, &link, |l, _| {
        if validate_only {
            return;
        }
        for c in body.data {
            match c.operation.as_ref().map(|o| o.as_str()) {
                Some("DELETE") => {
                    reset_config(l, &c.name);
                }
                _ => {
                    l.configs.insert(
                        c.name,
                        Config {
                            value: c.value.unwrap_or_default(),
                            is_default: false,
                        },
                    );
                }
            }
        }
    })?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

pub(crate) async fn list_mirrors(
    AxState(s): AxState<Arc<Shared>>,
    Path((cluster, link)): Path<(String, String)>,
    Query(q): Query<ListQuery>,
) -> Answer {
    let wanted = q.mirror_status.clone();
    let keep = |m: &Mirror| wanted.as_deref().is_none_or(|w| m.status.as_str() == w);
    let items: Vec<_> = if link == "-" {
        let now = Instant::now();
        let mut state = s.state.lock().unwrap_or_else(|p| p.into_inner());
        state.settle(now);
        state
            .clusters
            .get(&cluster)
            .into_iter()
            .flatten()
            .flat_map(|(ln, l)| {
                l.mirrors
                    .iter()
                    .filter(|(_, m)| keep(m))
                    .map(move |(tn, m)| (ln.clone(), tn.clone(), m.clone()))
            })
            .map(|(ln, tn, m)| mirror_data(&s, &cluster, &ln, &tn, &m, now))
            .collect()
    } else {
        with_link(&s, &cluster, &link, |l, now| {
            l.mirrors
                .iter()
                .filter(|(_, m)| keep(m))
                .map(|(tn, m)| mirror_data(&s, &cluster, &link, tn, m, now))
                .collect()
        })?
    };
    let extra: Vec<(&str, String)> = q
        .mirror_status
        .iter()
        .map(|v| ("mirror_status", v.clone()))
        .collect();
    Ok(page(
        &s,
        &format!("/kafka/v3/clusters/{cluster}/links/{link}/mirrors"),
        "KafkaMirrorDataList",
        items,
        q.page_token,
        &extra,
    ))
}

pub(crate) async fn create_mirror(
    AxState(s): AxState<Arc<Shared>>,
    Path((cluster, link)): Path<(String, String)>,
    Json(body): Json<t::CreateMirrorTopicRequestData>,
) -> Answer {
    let name = body
        .mirror_topic_name
        .clone()
        .unwrap_or_else(|| body.source_topic_name.clone());
    let lags = s.behaviour.created_mirror_lags.clone();
    let created = with_link(&s, &cluster, &link, |l, now| {
        if l.mirrors.contains_key(&name) {
            return false;
        }
        l.mirrors.insert(
            name.clone(),
            Mirror::new(&body.source_topic_name, &lags, now),
        );
        true
    })?;
    if created {
        Ok(StatusCode::NO_CONTENT.into_response())
    } else {
        Err(error(
            StatusCode::BAD_REQUEST,
            40002,
            format!("Topic '{name}' already exists."),
        ))
    }
}

pub(crate) async fn read_mirror(
    AxState(s): AxState<Arc<Shared>>,
    Path((cluster, link, topic)): Path<(String, String, String)>,
) -> Answer {
    let data = with_link(&s, &cluster, &link, |l, now| {
        l.mirrors
            .get(&topic)
            .map(|m| mirror_data(&s, &cluster, &link, &topic, m, now))
    })?;
    data.map(|d| Json(d).into_response()).ok_or_else(|| {
        not_found(format!(
            "Mirror topic '{topic}' does not exist on link '{link}'."
        ))
    })
}

/// `POST .../links/{link}/{action}`: the `mirrors:*` actions and `configs:alter` (PUT).
pub(crate) async fn mirrors_action(
    AxState(s): AxState<Arc<Shared>>,
    Path((cluster, link, action)): Path<(String, String, String)>,
    Query(q): Query<Flags>,
    Json(body): Json<t::AlterMirrorsRequestData>,
) -> Answer {
    let action = match action.as_str() {
        "mirrors:promote" => Action::Promote,
        "mirrors:failover" => Action::Failover,
        "mirrors:pause" => Action::Pause,
        "mirrors:resume" => Action::Resume,
        "mirrors:reverse-and-start-mirror" => Action::ReverseAndStart,
        "mirrors:reverse-and-pause-mirror" => Action::ReverseAndPause,
        "mirrors:truncate-and-restore" => Action::TruncateAndRestore,
        other => return Err(not_found(format!("No such action: {other}"))),
    };
    let pattern = match &body.mirror_topic_name_pattern {
        Some(p) => Some(regex::Regex::new(&format!("^(?:{p})$")).map_err(|e| {
            error(
                StatusCode::BAD_REQUEST,
                400,
                format!("Invalid pattern: {e}"),
            )
        })?),
        None => None,
    };
    let validate_only = q.validate_only.unwrap_or(false);
    let behaviour = s.behaviour.clone();
    let drain = behaviour.lag_drain_per_second;
    let (items, reversed) = with_link(&s, &cluster, &link, |l, now| {
        let names: Vec<String> = match &pattern {
            Some(re) => l
                .mirrors
                .keys()
                .filter(|n| re.is_match(n))
                .cloned()
                .collect(),
            None => body.mirror_topic_names.clone(),
        };
        let mut items = Vec::new();
        let mut reversed = Vec::new();
        for name in names {
            let Some(m) = l.mirrors.get_mut(&name) else {
                items.push(alter_item(
                    &s,
                    &cluster,
                    &link,
                    &name,
                    None,
                    Some((
                        404,
                        format!("Topic '{name}' is not a mirror topic of link '{link}'"),
                    )),
                ));
                continue;
            };
            match transition(action, m, &name, &link, &behaviour, now) {
                Ok(next) => {
                    if !validate_only {
                        let truncated = (action == Action::TruncateAndRestore)
                            .then(|| m.partitions.iter().map(|p| p.lag).sum::<u64>());
                        m.apply(&next, now, drain);
                        m.messages_truncated = truncated;
                        if let Some(status) = next.reverse.clone() {
                            reversed.push((name.clone(), m.source_topic.clone(), status));
                        }
                    }
                    items.push(alter_item(
                        &s,
                        &cluster,
                        &link,
                        &name,
                        Some((&*m, now)),
                        None,
                    ));
                }
                Err(message) => items.push(alter_item(
                    &s,
                    &cluster,
                    &link,
                    &name,
                    Some((&*m, now)),
                    Some((400, message)),
                )),
            }
        }
        (items, reversed)
    })?;
    // Reversing: the source cluster gets a mirror of the (now stopped) topic.
    if !reversed.is_empty() {
        let now = Instant::now();
        let mut state = s.state.lock().unwrap_or_else(|p| p.into_inner());
        let source = state
            .clusters
            .get(&cluster)
            .and_then(|l| l.get(&link))
            .map(|l| l.source_cluster_id.clone())
            .unwrap_or_default();
        let id = state.id("link-");
        let back = state
            .clusters
            .entry(source)
            .or_default()
            .entry(link.clone())
            .or_insert_with(|| Link::new(&cluster, id));
        for (mirror, source_topic, status) in reversed {
            let mut m = Mirror::new(
                &mirror,
                &vec![0; s.behaviour.created_mirror_lags.len().max(1)],
                now,
            );
            m.status = status;
            back.mirrors.insert(source_topic, m);
        }
    }
    let list = t::AlterMirrorStatusResponseDataList {
        kind: "KafkaAlterMirrorsDataList".into(),
        metadata: t::ResourceCollectionMetadata {
            self_: s.url(&format!(
                "/kafka/v3/clusters/{cluster}/links/{link}/mirrors"
            )),
            next: None,
        },
        data: items,
    };
    Ok(Json(with_explicit_nulls(list)).into_response())
}

fn alter_item(
    s: &Shared,
    cluster: &str,
    link: &str,
    topic: &str,
    mirror: Option<(&Mirror, Instant)>,
    error: Option<(i64, String)>,
) -> t::AlterMirrorStatusResponseData {
    let (lags, truncated) = match mirror {
        Some((m, now)) => (lags(s, m, now), m.messages_truncated),
        None => (Vec::new(), None),
    };
    let truncation: Vec<t::PartitionLevelTruncationData> = match (truncated, mirror) {
        (Some(_), Some((m, _))) => m
            .partitions
            .iter()
            .enumerate()
            .map(|(i, p)| t::PartitionLevelTruncationData {
                partition_id: i as i64,
                offset_truncated_to: p.offset as i64,
                messages_truncated: 0,
            })
            .collect(),
        _ => Vec::new(),
    };
    t::AlterMirrorStatusResponseData {
        kind: "AlterMirrorsData".into(),
        metadata: t::ResourceMetadata {
            self_: s.url(&format!(
                "/kafka/v3/clusters/{cluster}/links/{link}/mirrors/{topic}"
            )),
            resource_name: None,
        },
        mirror_topic_name: topic.into(),
        error_code: error.as_ref().map(|(c, _)| *c),
        error_message: error.map(|(_, m)| m),
        mirror_lags: lags,
        messages_truncated: truncated.map(|n| n as i64),
        // An array, never null: the full spec does not allow null here
        // (only the reverse-and-pause docs page does).
        partition_level_truncation_data: Some(truncation),
    }
}

/// Used by the alter-configs route, which shares the action path shape.
pub(crate) async fn put_action(
    st: AxState<Arc<Shared>>,
    Path((cluster, link, action)): Path<(String, String, String)>,
    body: Json<Value>,
) -> Answer {
    if action != "configs:alter" {
        return Err(not_found(format!("No such action: {action}")));
    }
    let body: t::AlterConfigBatchRequestData = serde_json::from_value(body.0)
        .map_err(|e| error(StatusCode::BAD_REQUEST, 400, e.to_string()))?;
    alter_configs(st, Path((cluster, link)), Json(body)).await
}

/// The alter answer with its required-but-nullable fields present as `null`
/// (the spec requires them; the generated types leave `None` out).
fn with_explicit_nulls(list: t::AlterMirrorStatusResponseDataList) -> Value {
    let mut v = serde_json::to_value(list).unwrap_or_default();
    for item in v
        .get_mut("data")
        .and_then(Value::as_array_mut)
        .into_iter()
        .flatten()
    {
        if let Some(obj) = item.as_object_mut() {
            for key in [
                "error_code",
                "error_message",
                "messages_truncated",
                "partition_level_truncation_data",
            ] {
                obj.entry(key).or_insert(Value::Null);
            }
        }
    }
    v
}
