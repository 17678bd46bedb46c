//! The reads of a health check: what it costs is here, what it concludes
//! is in `judge`.

use std::collections::BTreeMap;

use super::{
    ErrorEntry, FailedRead, LinkObservation, OFFSET_SYNC_CONFIG, PartitionLag, Read,
    TRANSITION_ERROR_READS, TaskHealth, TopicHealth,
};
use crate::Error;
use crate::confluent::Client;
use crate::confluent::types::{
    LinkTaskError, ListLinksResponseData, ListMirrorTopicsResponseData, MirrorTopicError,
    MirrorTopicStatus,
};

/// Reads one link: the link with its tasks, then (with `details`) the
/// offset sync config, then its mirror topics, then the state transition
/// errors of the sick ones. A failed read is noted and the rest goes on.
pub(super) async fn observe(
    client: &Client,
    cluster: &str,
    link: &str,
    details: bool,
) -> LinkObservation {
    let mut o = LinkObservation {
        exists: true,
        ..LinkObservation::default()
    };
    match client
        .get_link()
        .cluster_id(cluster)
        .link_name(link)
        .include_tasks(true)
        .send()
        .await
    {
        Ok(l) => fill_link(&mut o, l.into_inner()),
        Err(e) if e.is_not_found() => {
            o.exists = false;
            return o;
        }
        Err(e) => o.failed_reads.push(failed(Read::Link, None, &e)),
    }
    if details {
        match client
            .get_link_config()
            .cluster_id(cluster)
            .link_name(link)
            .config_name(OFFSET_SYNC_CONFIG)
            .send()
            .await
        {
            Ok(c) => o.offset_sync = Some(c.value.eq_ignore_ascii_case("true")),
            // Not returned: the service's default, off.
            Err(e) if e.is_not_found() => o.offset_sync = Some(false),
            Err(e) => o
                .failed_reads
                .push(failed(Read::OffsetSyncConfig, None, &e)),
        }
    }
    match client
        .list_mirror_topics()
        .cluster_id(cluster)
        .link_name(link)
        .collect_up_to(usize::MAX)
        .await
    {
        Ok(topics) => {
            o.topics = topics
                .into_iter()
                .map(|t| (t.mirror_topic_name.clone(), topic(t)))
                .collect();
        }
        Err(e) => o.failed_reads.push(failed(Read::MirrorTopics, None, &e)),
    }
    if details {
        read_transition_errors(client, cluster, link, &mut o.topics, &mut o.failed_reads).await;
    }
    o
}

/// The state transition errors of the topics most likely to have them (a
/// bad status or a topic error), at most [`TRANSITION_ERROR_READS`].
async fn read_transition_errors(
    client: &Client,
    cluster: &str,
    link: &str,
    topics: &mut BTreeMap<String, TopicHealth>,
    failed_reads: &mut Vec<FailedRead>,
) {
    let sick: Vec<String> = topics
        .iter()
        .filter(|(_, t)| worth_reading_errors(t))
        .map(|(n, _)| n.clone())
        .take(TRANSITION_ERROR_READS)
        .collect();
    for name in sick {
        let read = client
            .get_mirror_topic()
            .cluster_id(cluster)
            .link_name(link)
            .mirror_topic_name(&name)
            .include_state_transition_errors(true)
            .send()
            .await;
        match (read, topics.get_mut(&name)) {
            (Ok(t), Some(entry)) => {
                entry.transition_errors = entries(&t.mirror_state_transition_errors);
            }
            (Ok(_), None) => {}
            (Err(e), _) => {
                failed_reads.push(failed(Read::TransitionErrors, Some(name.clone()), &e))
            }
        }
    }
}

/// A topic whose state transition errors may explain something.
fn worth_reading_errors(t: &TopicHealth) -> bool {
    use MirrorTopicStatus as S;
    t.error.is_some()
        || matches!(
            t.status,
            S::Failed | S::LinkFailed | S::SourceUnavailable | S::Paused | S::LinkPaused
        )
}

fn fill_link(o: &mut LinkObservation, l: ListLinksResponseData) {
    o.state = l.link_state;
    o.error = l.link_error;
    o.error_message = l.link_error_message.filter(|m| !m.trim().is_empty());
    o.tasks = l
        .tasks
        .unwrap_or_default()
        .into_iter()
        .map(|t| TaskHealth {
            name: t.task_name,
            state: t.state,
            errors: entries(&t.errors),
        })
        .collect();
    o.category_counts = l
        .category_counts
        .unwrap_or_default()
        .into_iter()
        .map(|c| (c.state_category.to_string(), i64::from(c.count)))
        .collect();
}

fn topic(t: ListMirrorTopicsResponseData) -> TopicHealth {
    let partitions: Vec<PartitionLag> = t
        .mirror_lags
        .iter()
        .map(|p| PartitionLag {
            partition: p.partition,
            // A negative lag is a service quirk, not a lead.
            lag: u64::try_from(p.lag).unwrap_or(0),
            last_source_fetch_offset: p.last_source_fetch_offset,
        })
        .collect();
    TopicHealth {
        lag: partitions.iter().map(|p| p.lag).sum(),
        status: t.mirror_status,
        error: t.mirror_topic_error.filter(|e| {
            !matches!(
                e,
                MirrorTopicError::NoError | MirrorTopicError::NotSet | MirrorTopicError::Unknown
            )
        }),
        transition_errors: entries(&t.mirror_state_transition_errors),
        partitions,
        state_time_ms: t.state_time_ms,
    }
}

fn entries(errors: &[LinkTaskError]) -> Vec<ErrorEntry> {
    errors
        .iter()
        .map(|e| ErrorEntry {
            code: e.error_code.clone(),
            message: e.error_message.clone(),
        })
        .collect()
}

/// A failed read, its error on one line.
fn failed(read: Read, topic: Option<String>, e: &Error) -> FailedRead {
    FailedRead {
        read,
        topic,
        error: crate::error::one_line(&e.to_string(), usize::MAX),
    }
}
