//! Confluent Cluster Linking (Kafka REST v3) routes of the emulator.

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::extract::{Path, State as AxState};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use tokio::time::Instant;

use super::Shared;
use super::error::ApiError;
use super::faults::{NOT_LEADER, RefusedTopics};
use super::http::{Api, Body, Params, check_topic_name, no_nulls};
use super::state::{Config, LINK_TASKS, Link, Mirror, State, transition};
use kafka_mirror::confluent::MirrorAction;
use kafka_mirror::confluent::types as t;

type Answer = Result<Response, Response>;

/// Confluent's error body.
/// Confluent's routes: links, link configs, mirror topics, and one route
/// per `mirrors:*` action (so each takes POST and only POST).
pub(crate) fn routes() -> Router<Arc<Shared>> {
    let mut router = Router::new()
        .route(
            "/kafka/v3/clusters/{cluster}/links",
            get(list_links).post(create_link),
        )
        .route(
            "/kafka/v3/clusters/{cluster}/links/{link}",
            get(get_link).delete(delete_link),
        )
        .route(
            "/kafka/v3/clusters/{cluster}/links/{link}/configs",
            get(list_configs),
        )
        .route(
            "/kafka/v3/clusters/{cluster}/links/{link}/configs/{name}",
            get(get_config).put(update_config).delete(delete_config),
        )
        .route(
            "/kafka/v3/clusters/{cluster}/links/{link}/mirrors",
            get(list_mirrors).post(create_mirror),
        )
        .route(
            "/kafka/v3/clusters/{cluster}/links/{link}/mirrors/{topic}",
            get(read_mirror),
        )
        .route(
            "/kafka/v3/clusters/{cluster}/links/-/mirrors",
            get(list_all_mirrors),
        )
        .route(
            "/kafka/v3/clusters/{cluster}/links/{link}/configs:alter",
            put(put_alter_configs),
        );
    for action in MirrorAction::ALL {
        let path = format!(
            "/kafka/v3/clusters/{{cluster}}/links/{{link}}/{}",
            action.path_suffix()
        );
        router = router.route(
            &path,
            post(move |s, p, q, r, b| mirrors_action(*action, s, p, q, r, b)),
        );
    }
    router
}

pub(crate) fn error(status: StatusCode, code: i64, message: impl Into<String>) -> Response {
    ApiError::confluent(status, code, message).into_response()
}

fn not_found(what: impl Into<String>) -> Response {
    error(StatusCode::NOT_FOUND, 404, what)
}

fn bad_request(what: impl Into<String>) -> Response {
    error(StatusCode::BAD_REQUEST, 400, what)
}

fn millis(s: &Shared, at: Instant) -> i64 {
    s.epoch_ms + at.saturating_duration_since(s.started).as_millis() as i64
}

#[derive(Deserialize, Default)]
pub(crate) struct ListQuery {
    page_token: Option<usize>,
    mirror_status: Option<t::MirrorTopicStatus>,
}

#[derive(Deserialize, Default)]
pub(crate) struct CreateLinkQuery {
    link_name: Option<String>,
    validate_only: Option<bool>,
    validate_link: Option<bool>,
}

/// The boolean flags the operations take; a value that is not `true` or
/// `false` is a 400.
#[derive(Deserialize, Default)]
pub(crate) struct Flags {
    validate_only: Option<bool>,
    force: Option<bool>,
    include_tasks: Option<bool>,
    include_state_transition_errors: Option<bool>,
    include_partition_level_truncation_data: Option<bool>,
}

/// A request for a cluster in an emulated outage: its REST endpoint does
/// not answer, as a gateway would say.
pub(crate) fn cluster_down(s: &Shared, cluster: &str) -> Result<(), Response> {
    let state = s.state.lock().unwrap_or_else(|p| p.into_inner());
    down_in(&state, cluster)
}

/// [`cluster_down`] under a lock the caller holds.
fn down_in(state: &State, cluster: &str) -> Result<(), Response> {
    if state.down.contains(cluster) {
        return Err(error(
            StatusCode::SERVICE_UNAVAILABLE,
            503,
            format!("Cluster '{cluster}' is unreachable (emulated outage)."),
        ));
    }
    Ok(())
}

fn link_data(
    s: &Shared,
    cluster: &str,
    name: &str,
    link: &Link,
    down: bool,
    include_tasks: bool,
) -> t::ListLinksResponseData {
    let (state, link_error, message) = if down {
        (
            t::LinkState::Unavailable,
            t::LinkError::BootstrapTcpConnectionFailedError,
            Some(format!(
                "Unable to connect to the remote cluster '{}' of the link.",
                link.peer().unwrap_or_default()
            )),
        )
    } else {
        (t::LinkState::Active, t::LinkError::NoError, None)
    };
    t::ListLinksResponseData {
        kind: "KafkaLinkData".into(),
        metadata: t::ResourceMetadata {
            self_: s.url(&format!("/kafka/v3/clusters/{cluster}/links/{name}")),
            resource_name: None,
        },
        link_name: name.into(),
        cluster_link_id: link.cluster_link_id.clone(),
        source_cluster_id: link.source_cluster_id.clone(),
        destination_cluster_id: link.destination_cluster_id.clone(),
        remote_cluster_id: link.remote_cluster_id.clone(),
        link_id: None,
        topic_names: link.mirrors.keys().cloned().collect(),
        link_state: Some(state),
        link_error: Some(link_error),
        link_error_message: message,
        tasks: include_tasks.then(|| tasks(link, down)),
        category_counts: Some(category_counts(link)),
    }
}

/// The link's mirror topics by state category: what is healthy, pending,
/// paused, in error, or past mirroring (stopped).
fn category_counts(link: &Link) -> Vec<t::LinkCategory> {
    use t::MirrorTopicStatus as S;
    use t::StateCategory as C;
    let mut counts: BTreeMap<String, i32> = [
        C::Active,
        C::Paused,
        C::Pending,
        C::InError,
        C::NotApplicable,
    ]
    .iter()
    .map(|c| (c.to_string(), 0))
    .collect();
    for m in link.mirrors.values() {
        let category = match m.status {
            S::Active => C::Active,
            S::Paused | S::LinkPaused => C::Paused,
            S::PendingStopped
            | S::PendingMirror
            | S::PendingSynchronize
            | S::PendingSetupForRestore
            | S::PendingRestore => C::Pending,
            S::Failed | S::LinkFailed | S::SourceUnavailable => C::InError,
            S::Stopped | S::Unrecognized(_) => C::NotApplicable,
        };
        *counts.entry(category.to_string()).or_default() += 1;
    }
    counts
        .into_iter()
        .map(|(c, count)| t::LinkCategory {
            state_category: c.as_str().into(),
            count,
        })
        .collect()
}

/// The link's tasks: each `ACTIVE` when its config turns it on (or always,
/// for TopicConfigsSync), `NOT_CONFIGURED` otherwise, `IN_ERROR` with its
/// errors when one was injected, `LINK_UNAVAILABLE` while the remote
/// cluster is down.
fn tasks(link: &Link, down: bool) -> Vec<t::LinkTask> {
    LINK_TASKS
        .iter()
        .map(|(name, config)| {
            let on = config.is_none_or(|c| link.config(c) == Some("true"));
            let injected = link.task_errors.get(*name);
            let (state, errors) = match (down, injected, on) {
                (true, _, true) => ("LINK_UNAVAILABLE", Vec::new()),
                (_, Some((code, message)), _) => (
                    "IN_ERROR",
                    vec![t::LinkTaskError {
                        error_code: code.clone(),
                        error_message: message.clone(),
                    }],
                ),
                (_, None, true) => ("ACTIVE", Vec::new()),
                (_, None, false) => ("NOT_CONFIGURED", Vec::new()),
            };
            t::LinkTask {
                task_name: name.to_string(),
                state: state.into(),
                errors,
            }
        })
        .collect()
}

fn mirror_data(
    s: &Shared,
    cluster: &str,
    link: &str,
    topic: &str,
    m: &Mirror,
    now: Instant,
    include_errors: bool,
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
        // An unreachable source is the link's error (link_error), not the
        // topic's: the spec's topic errors are about the topic itself.
        mirror_topic_error: Some(m.error.clone()),
        state_time_ms: millis(s, m.state_time),
        mirror_state_transition_errors: if include_errors {
            m.transition_errors
                .iter()
                .map(|(code, message)| t::LinkTaskError {
                    error_code: code.clone(),
                    error_message: message.clone(),
                })
                .collect()
        } else {
            Vec::new()
        },
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
    Ok(f(link_in(&mut state, cluster, link)?, now))
}

/// As [`with_link`], with the cluster's outage checked and whether the
/// link's other cluster is down, all under the one lock `f` runs in.
fn with_link_and_peer<R>(
    s: &Shared,
    cluster: &str,
    link: &str,
    f: impl FnOnce(&mut Link, Instant, bool) -> R,
) -> Result<R, Response> {
    let now = Instant::now();
    let mut state = s.state.lock().unwrap_or_else(|p| p.into_inner());
    state.settle(now);
    down_in(&state, cluster)?;
    let peer_down = peer_down_in(&state, cluster, link);
    Ok(f(link_in(&mut state, cluster, link)?, now, peer_down))
}

/// The link `link` of `cluster`, or the service's 404.
fn link_in<'a>(state: &'a mut State, cluster: &str, link: &str) -> Result<&'a mut Link, Response> {
    state.link_mut(cluster, link).ok_or_else(|| {
        not_found(format!(
            "Cluster link '{link}' does not exist on cluster '{cluster}'."
        ))
    })
}

pub(crate) async fn list_links(
    AxState(s): AxState<Arc<Shared>>,
    Path(cluster): Path<String>,
    Params(q): Params<ListQuery>,
    Params(flags): Params<Flags>,
) -> Answer {
    cluster_down(&s, &cluster)?;
    let items: Vec<_> = {
        let state = s.state.lock().unwrap_or_else(|p| p.into_inner());
        state
            .clusters
            .get(&cluster)
            .into_iter()
            .flatten()
            .map(|(name, l)| {
                let down = l.peer().is_some_and(|p| state.down.contains(p));
                link_data(
                    &s,
                    &cluster,
                    name,
                    l,
                    down,
                    flags.include_tasks.unwrap_or(false),
                )
            })
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

/// Fields of the create-link body that may not be `null` (the spec makes
/// only `configs[].value` nullable).
const CREATE_LINK_NOT_NULL: &[&str] = &[
    "source_cluster_id",
    "destination_cluster_id",
    "remote_cluster_id",
    "cluster_link_id",
    "configs",
    "configs.items.name",
];

pub(crate) async fn create_link(
    AxState(s): AxState<Arc<Shared>>,
    Path(cluster): Path<String>,
    Params(q): Params<CreateLinkQuery>,
    body: Body<t::CreateLinkRequestData>,
) -> Answer {
    cluster_down(&s, &cluster)?;
    no_nulls(Api::Confluent, &body.json, CREATE_LINK_NOT_NULL)?;
    let body = body.value;
    let Some(name) = q.link_name.filter(|n| !n.is_empty()) else {
        return Err(bad_request("link_name is required"));
    };
    let mode = body
        .configs
        .iter()
        .find(|c| c.name == "link.mode")
        .and_then(|c| c.value.clone())
        .unwrap_or_else(|| "DESTINATION".into());
    // Which end the link names, by mode: a destination-initiated link names
    // its source; a source-initiated one (created on the source cluster)
    // its destination; a bidirectional one the remote cluster.
    let (source, destination, remote) = match mode.as_str() {
        "DESTINATION" => match (&body.source_cluster_id, &body.remote_cluster_id) {
            (Some(src), _) | (None, Some(src)) => (Some(src.clone()), None, None),
            (None, None) => {
                return Err(bad_request(
                    "source_cluster_id is required for a link with link.mode DESTINATION",
                ));
            }
        },
        "SOURCE" => match &body.destination_cluster_id {
            Some(dst) => (None, Some(dst.clone()), None),
            None => {
                return Err(bad_request(
                    "destination_cluster_id is required for a link with link.mode SOURCE",
                ));
            }
        },
        "BIDIRECTIONAL" => match body
            .remote_cluster_id
            .clone()
            .or(body.source_cluster_id.clone())
        {
            Some(remote) => (None, None, Some(remote)),
            None => {
                return Err(bad_request(
                    "remote_cluster_id is required for a link with link.mode BIDIRECTIONAL",
                ));
            }
        },
        other => {
            return Err(bad_request(format!(
                "Invalid value '{other}' for link.mode: one of DESTINATION, SOURCE, BIDIRECTIONAL"
            )));
        }
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
    // validate_link (default true): the remote cluster must answer.
    let peer = source.as_ref().or(destination.as_ref()).or(remote.as_ref());
    if q.validate_link.unwrap_or(true) && peer.is_some_and(|p| state.down.contains(p)) {
        return Err(bad_request(format!(
            "Unable to validate the link: cluster '{}' cannot be reached",
            peer.cloned().unwrap_or_default()
        )));
    }
    if !q.validate_only.unwrap_or(false) {
        let id = body
            .cluster_link_id
            .clone()
            .unwrap_or_else(|| state.id("link-"));
        let mut link = Link::new("", id);
        link.source_cluster_id = source;
        link.destination_cluster_id = destination;
        link.remote_cluster_id = remote;
        for c in body.configs {
            link.configs.insert(
                c.name,
                Config {
                    value: c.value.unwrap_or_default(),
                    is_default: false,
                },
            );
        }
        if let Some(errors) = state
            .task_errors_on_create
            .remove(&(cluster.clone(), name.clone()))
        {
            link.task_errors = errors;
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
    Params(flags): Params<Flags>,
) -> Answer {
    let data = with_link_and_peer(&s, &cluster, &link, |l, _, down| {
        link_data(
            &s,
            &cluster,
            &link,
            l,
            down,
            flags.include_tasks.unwrap_or(false),
        )
    })?;
    Ok(Json(data).into_response())
}

/// Whether the other end of the link is in an outage, under a lock the
/// caller holds.
fn peer_down_in(state: &State, cluster: &str, link: &str) -> bool {
    state
        .clusters
        .get(cluster)
        .and_then(|links| links.get(link))
        .and_then(Link::peer)
        .is_some_and(|p| state.down.contains(p))
}

pub(crate) async fn delete_link(
    AxState(s): AxState<Arc<Shared>>,
    Path((cluster, link)): Path<(String, String)>,
    Params(q): Params<Flags>,
) -> Answer {
    // Checked and removed under one lock: no request sees a link that
    // passed the check and is half gone.
    let mut state = s.state.lock().unwrap_or_else(|p| p.into_inner());
    state.settle(Instant::now());
    down_in(&state, &cluster)?;
    let busy = link_in(&mut state, &cluster, &link)?
        .mirrors
        .values()
        .any(|m| m.status != t::MirrorTopicStatus::Stopped);
    if busy && !q.force.unwrap_or(false) {
        return Err(bad_request(format!(
            "Cluster link '{link}' has mirror topics that are not stopped; use force=true"
        )));
    }
    if !q.validate_only.unwrap_or(false)
        && let Some(links) = state.clusters.get_mut(&cluster)
    {
        links.remove(&link);
    }
    drop(state);
    // The spec declares 200 (no body) for deleting a link.
    Ok(StatusCode::OK.into_response())
}

pub(crate) async fn list_configs(
    AxState(s): AxState<Arc<Shared>>,
    Path((cluster, link)): Path<(String, String)>,
    Params(q): Params<ListQuery>,
) -> Answer {
    cluster_down(&s, &cluster)?;
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
    cluster_down(&s, &cluster)?;
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
    body: Body<t::UpdateLinkConfigRequestData>,
) -> Answer {
    cluster_down(&s, &cluster)?;
    no_nulls(Api::Confluent, &body.json, &["value"])?;
    let value = body.value.value;
    with_link(&s, &cluster, &link, |l, _| {
        l.configs.insert(
            name,
            Config {
                value,
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
    cluster_down(&s, &cluster)?;
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

/// Fields of the batch alter body that may not be `null` (the spec makes
/// `data[].value` and `data[].operation` nullable).
const ALTER_CONFIGS_NOT_NULL: &[&str] = &["data", "validate_only", "data.items.name"];

/// `PUT .../configs:alter`: every change applies, or none (a dry run with
/// `validate_only`, in the body or the query, applies none).
async fn alter_configs(
    s: &Shared,
    cluster: &str,
    link: &str,
    query_validate_only: bool,
    body: Body<t::AlterConfigBatchRequestData>,
) -> Answer {
    no_nulls(Api::Confluent, &body.json, ALTER_CONFIGS_NOT_NULL)?;
    let body = body.value;
    for c in &body.data {
        match c.operation.as_ref().map(|o| o.as_str()) {
            None | Some("SET") | Some("DELETE") => {}
            Some(other) => {
                return Err(bad_request(format!(
                    "Invalid operation '{other}' for config '{}': SET or DELETE",
                    c.name
                )));
            }
        }
        if c.name.is_empty() {
            return Err(bad_request("A config name is empty"));
        }
    }
    let validate_only = query_validate_only || body.validate_only.unwrap_or(false);
    with_link(s, cluster, link, |l, _| {
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

/// `GET .../links/-/mirrors`: the mirror topics of every link.
pub(crate) async fn list_all_mirrors(
    st: AxState<Arc<Shared>>,
    Path(cluster): Path<String>,
    q: Params<ListQuery>,
) -> Answer {
    list_mirrors(st, Path((cluster, "-".to_string())), q).await
}

pub(crate) async fn list_mirrors(
    AxState(s): AxState<Arc<Shared>>,
    Path((cluster, link)): Path<(String, String)>,
    Params(q): Params<ListQuery>,
) -> Answer {
    cluster_down(&s, &cluster)?;
    if let Some(status) = q.mirror_status.as_ref().filter(|m| !m.is_known()) {
        return Err(bad_request(format!(
            "Invalid value '{status}' for mirror_status: one of {}",
            t::MirrorTopicStatus::KNOWN.join(", ")
        )));
    }
    let wanted = q.mirror_status.clone();
    let keep = |m: &Mirror| wanted.as_ref().is_none_or(|w| m.status == *w);
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
            .map(|(ln, tn, m)| mirror_data(&s, &cluster, &ln, &tn, &m, now, false))
            .collect()
    } else {
        with_link(&s, &cluster, &link, |l, now| {
            l.mirrors
                .iter()
                .filter(|(_, m)| keep(m))
                .map(|(tn, m)| mirror_data(&s, &cluster, &link, tn, m, now, false))
                .collect()
        })?
    };
    let extra: Vec<(&str, String)> = q
        .mirror_status
        .iter()
        .map(|v| ("mirror_status", v.to_string()))
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

/// Fields of the create-mirror body that may not be `null` (the spec makes
/// only `configs[].value` nullable).
const CREATE_MIRROR_NOT_NULL: &[&str] = &[
    "source_topic_name",
    "mirror_topic_name",
    "replication_factor",
    "configs",
    "configs.items.name",
];

pub(crate) async fn create_mirror(
    AxState(s): AxState<Arc<Shared>>,
    Path((cluster, link)): Path<(String, String)>,
    body: Body<t::CreateMirrorTopicRequestData>,
) -> Answer {
    cluster_down(&s, &cluster)?;
    no_nulls(Api::Confluent, &body.json, CREATE_MIRROR_NOT_NULL)?;
    let body = body.value;
    check_topic_name(Api::Confluent, "source_topic_name", &body.source_topic_name)?;
    if let Some(name) = &body.mirror_topic_name {
        check_topic_name(Api::Confluent, "mirror_topic_name", name)?;
    }
    if let Some(rf) = body.replication_factor.filter(|rf| *rf < 1) {
        return Err(bad_request(format!(
            "Invalid replication_factor {rf}: it must be at least 1"
        )));
    }
    let name = body
        .mirror_topic_name
        .clone()
        .unwrap_or_else(|| body.source_topic_name.clone());
    let lags = s.behaviour.created_mirror_lags.clone();
    let created = with_link_and_peer(&s, &cluster, &link, |l, now, source_down| {
        if l.mirrors.contains_key(&name) {
            return Some(false);
        }
        if source_down {
            return None;
        }
        l.mirrors.insert(
            name.clone(),
            Mirror::new(&body.source_topic_name, &lags, now),
        );
        Some(true)
    })?;
    match created {
        Some(true) => Ok(StatusCode::NO_CONTENT.into_response()),
        Some(false) => Err(error(
            StatusCode::BAD_REQUEST,
            40002,
            format!("Topic '{name}' already exists."),
        )),
        None => Err(bad_request(format!(
            "Cannot create mirror topic '{name}': the source cluster of link '{link}' is unavailable"
        ))),
    }
}

pub(crate) async fn read_mirror(
    AxState(s): AxState<Arc<Shared>>,
    Path((cluster, link, topic)): Path<(String, String, String)>,
    Params(flags): Params<Flags>,
) -> Answer {
    cluster_down(&s, &cluster)?;
    let include = flags.include_state_transition_errors.unwrap_or(false);
    let data = with_link(&s, &cluster, &link, |l, now| {
        l.mirrors
            .get(&topic)
            .map(|m| mirror_data(&s, &cluster, &link, &topic, m, now, include))
    })?;
    data.map(|d| Json(d).into_response()).ok_or_else(|| {
        not_found(format!(
            "Mirror topic '{topic}' does not exist on link '{link}'."
        ))
    })
}

/// `POST .../links/{link}/mirrors:{action}`: the seven actions on mirrors,
/// one route each (so a wrong method gets 405 with the right `Allow`).
pub(crate) async fn mirrors_action(
    action: MirrorAction,
    AxState(s): AxState<Arc<Shared>>,
    Path((cluster, link)): Path<(String, String)>,
    Params(q): Params<Flags>,
    refused: Option<axum::Extension<RefusedTopics>>,
    body: Body<t::AlterMirrorsRequestData>,
) -> Answer {
    let refused = refused.map(|r| r.0).unwrap_or_default();
    no_nulls(
        Api::Confluent,
        &body.json,
        &["mirror_topic_names", "mirror_topic_name_pattern"],
    )?;
    let body = body.value;
    let pattern = match &body.mirror_topic_name_pattern {
        Some(p) => Some(
            regex::Regex::new(&format!("^(?:{p})$"))
                .map_err(|e| bad_request(format!("Invalid pattern: {e}")))?,
        ),
        None => None,
    };
    let validate_only = q.validate_only.unwrap_or(false);
    let truncation = q.include_partition_level_truncation_data.unwrap_or(false);
    let behaviour = s.behaviour.clone();
    let drain = behaviour.lag_drain_per_second;
    // One lock for the whole action, the reversed mirrors included: no
    // request sees it half applied.
    let now = Instant::now();
    let mut state = s.state.lock().unwrap_or_else(|p| p.into_inner());
    state.settle(now);
    down_in(&state, &cluster)?;
    let source_down = peer_down_in(&state, &cluster, &link);
    let (items, reversed) = {
        let l = link_in(&mut state, &cluster, &link)?;
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
        let item = |name: &str, m: Option<&Mirror>, error: Option<(i64, String)>| {
            alter_item(
                &s,
                &cluster,
                &link,
                name,
                m.map(|m| (m, now)),
                error,
                truncation,
            )
        };
        for name in names {
            let Some(m) = l.mirrors.get_mut(&name) else {
                let missing = format!("Topic '{name}' is not a mirror topic of link '{link}'");
                items.push(item(&name, None, Some((404, missing))));
                continue;
            };
            if refused.covers(&name) {
                // An injected partial failure: this topic is left as it is.
                let not_leader = (NOT_LEADER.0, NOT_LEADER.1.to_string());
                items.push(item(&name, Some(m), Some(not_leader)));
                continue;
            }
            // Truncating and restoring needs the remote cluster, whatever
            // state the mirror is in.
            let outcome = if source_down && action == MirrorAction::TruncateAndRestore {
                Err(format!(
                    "Topic '{name}' cannot be truncated and restored while the remote \
                     cluster of link '{link}' is unavailable"
                ))
            } else {
                transition(action, m, &name, &link, &behaviour, now)
            };
            match outcome {
                Ok(next) => {
                    if !validate_only {
                        let truncated = (action == MirrorAction::TruncateAndRestore)
                            .then(|| m.partitions.iter().map(|p| p.lag).sum::<u64>());
                        m.apply(&next, now, drain);
                        m.messages_truncated = truncated;
                        if let Some(status) = next.reverse.clone() {
                            reversed.push((name.clone(), m.source_topic.clone(), status));
                        }
                    }
                    items.push(item(&name, Some(m), None));
                }
                Err(message) => {
                    if !validate_only {
                        m.transition_errors
                            .push(("INVALID_STATE_TRANSITION".into(), message.clone()));
                    }
                    items.push(item(&name, Some(m), Some((400, message))))
                }
            }
        }
        (items, reversed)
    };
    // Reversing: the source cluster gets a mirror of the (now stopped) topic.
    if !reversed.is_empty() {
        let source = state
            .clusters
            .get(&cluster)
            .and_then(|l| l.get(&link))
            .and_then(|l| l.peer().map(str::to_string))
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
    include_truncation: bool,
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
        // (only the reverse-and-pause docs page does); empty unless asked for.
        partition_level_truncation_data: Some(if include_truncation {
            truncation
        } else {
            Vec::new()
        }),
    }
}

/// `PUT .../links/{link}/configs:alter`.
pub(crate) async fn put_alter_configs(
    AxState(s): AxState<Arc<Shared>>,
    Path((cluster, link)): Path<(String, String)>,
    Params(q): Params<Flags>,
    body: Body<t::AlterConfigBatchRequestData>,
) -> Answer {
    cluster_down(&s, &cluster)?;
    alter_configs(&s, &cluster, &link, q.validate_only.unwrap_or(false), body).await
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

/// One page of a list, with an absolute `next` link when more remain.
pub(crate) fn page<T: Serialize>(
    s: &Shared,
    path: &str,
    kind: &str,
    items: Vec<T>,
    token: Option<usize>,
    extra: &[(&str, String)],
) -> Response {
    let start = token.unwrap_or(0).min(items.len());
    let end = (start + s.behaviour.page_size).min(items.len());
    let query = |offset: Option<usize>| {
        let mut parts: Vec<String> = extra.iter().map(|(k, v)| format!("{k}={v}")).collect();
        if let Some(o) = offset {
            parts.push(format!("page_token={o}"));
        }
        if parts.is_empty() {
            String::new()
        } else {
            format!("?{}", parts.join("&"))
        }
    };
    let next = (end < items.len()).then(|| s.url(&format!("{path}{}", query(Some(end)))));
    let data: Vec<&T> = items[start..end].iter().collect();
    axum::Json(serde_json::json!({
        "kind": kind,
        "metadata": {"self": s.url(&format!("{path}{}", query(token))), "next": next},
        "data": data,
    }))
    .into_response()
}
