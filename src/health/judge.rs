//! What a health check concludes from what it read: a pure function, so
//! every rule is a row of a table test.

use super::{
    Check, Finding, LinkObservation, OFFSET_SYNC_CONFIG, Read, Severity, Thresholds, TopicHealth,
    thousands,
};
use crate::confluent::types::{LinkError, LinkState, LinkTaskState, MirrorTopicStatus};

/// The findings of one link, worst first (problems, then what could not
/// be checked, then warnings), each saying what is wrong and what to do.
pub fn judge(link: &str, o: &LinkObservation, t: &Thresholds) -> Vec<Finding> {
    let mut found = Vec::new();
    if !o.exists {
        found.push(finding(
            Severity::Problem,
            Check::LinkExists,
            format!("link {link} does not exist on this cluster"),
            "check the link's name (`kmirror link list`), or create it".into(),
        ));
        return found;
    }
    for failure in &o.failed_reads {
        found.push(finding(
            Severity::Unchecked,
            Check::Read,
            failure.to_string(),
            "run the check again; if it keeps failing, check the credentials' permissions".into(),
        ));
    }
    link_findings(link, o, &mut found);
    for task in &o.tasks {
        task_finding(link, task, &mut found);
    }
    if o.offset_sync == Some(false) {
        found.push(finding(
            Severity::Warning,
            Check::OffsetSync,
            format!("consumer offset sync is off ({OFFSET_SYNC_CONFIG}=false)"),
            format!(
                "after a failover, consumers restart from auto.offset.reset; turn it on: \
                 `kmirror link config set {link} {OFFSET_SYNC_CONFIG}=true`"
            ),
        ));
    }
    let topics_read = !o.failed_reads.iter().any(|r| r.read == Read::MirrorTopics);
    if topics_read && o.topics.is_empty() {
        found.push(finding(
            Severity::Warning,
            Check::HasMirrors,
            format!("link {link} has no mirror topics: it protects nothing"),
            format!("add them: `kmirror mirror create TOPIC --link {link}`"),
        ));
    }
    for (name, topic) in &o.topics {
        topic_findings(link, name, topic, t, &mut found);
    }
    found.sort_by_key(|f| f.severity);
    found
}

/// What concerns the cluster as a whole: a DR cluster with no link
/// protects nothing.
pub(super) fn cluster(cluster: &str, links: usize) -> Vec<Finding> {
    if links > 0 {
        return Vec::new();
    }
    vec![finding(
        Severity::Problem,
        Check::HasLinks,
        format!("cluster {cluster} has no cluster links: nothing is mirrored to it"),
        "check --cluster (the DR cluster, where the links are), or create a link: \
         `kmirror link create`"
            .into(),
    )]
}

fn link_findings(link: &str, o: &LinkObservation, found: &mut Vec<Finding>) {
    let message = o
        .error_message
        .as_deref()
        .map(|m| format!(": {m}"))
        .unwrap_or_default();
    match &o.state {
        None | Some(LinkState::Active) => {}
        Some(LinkState::Paused) => found.push(finding(
            Severity::Warning,
            Check::LinkState,
            format!("link {link} is PAUSED: none of its topics is mirrored"),
            format!("resume it: `kmirror link config set {link} cluster.link.paused=false`"),
        )),
        Some(state @ (LinkState::Failed | LinkState::Unavailable)) => found.push(finding(
            Severity::Problem,
            Check::LinkState,
            format!("link {link} is {state}{message}"),
            "the cluster cannot reach the source: check the source cluster, the link's \
             bootstrap servers and credentials (`kmirror link describe`); if the source is \
             down, this is a failover, not a switchover"
                .into(),
        )),
        Some(other) => found.push(finding(
            Severity::Problem,
            Check::LinkState,
            format!("link {link} is {other}{message}"),
            format!("see `kmirror link describe {link}`"),
        )),
    }
    let link_ok = matches!(o.state, None | Some(LinkState::Active));
    match &o.error {
        None | Some(LinkError::NoError) => {}
        // Said with the state above when the state is already bad.
        Some(_) if !link_ok => {}
        Some(e) => found.push(finding(
            Severity::Problem,
            Check::LinkError,
            format!("link {link} reports {e}{message}"),
            "check the link's credentials and bootstrap servers (`kmirror link describe`)".into(),
        )),
    }
}

fn task_finding(link: &str, task: &super::TaskHealth, found: &mut Vec<Finding>) {
    let errors: Vec<String> = task
        .errors
        .iter()
        .map(|e| format!("{}: {}", e.code, e.message))
        .collect();
    let said = if errors.is_empty() {
        String::new()
    } else {
        format!(" ({})", errors.join("; "))
    };
    let (severity, consequence) = match &task.state {
        LinkTaskState::InError => (Severity::Problem, task_consequence(&task.name)),
        LinkTaskState::Unknown | LinkTaskState::Unrecognized(_) => (
            Severity::Warning,
            "its state is not one the check knows".to_string(),
        ),
        // Healthy, off, or a consequence of the link's own state (said there).
        _ => return,
    };
    let mut f = finding(
        severity,
        Check::Task,
        format!("task {} is {}{said}", task.name, task.state),
        format!("{consequence}; fix the cause, then check with `kmirror link task list {link}`"),
    );
    f.task = Some(task.name.clone());
    found.push(f);
}

/// What a task in error means for a failover.
fn task_consequence(task: &str) -> String {
    match task {
        "AclSync" => "ACLs are not mirrored: clients may be refused after a failover".into(),
        "ConsumerOffsetSync" => {
            "consumer offsets are not mirrored: consumers will restart from auto.offset.reset"
                .into()
        }
        "AutoCreateMirror" => "new source topics are not mirrored".into(),
        "TopicConfigsSync" => "topic configs are not mirrored".into(),
        other => format!("the link's {other} task does not run"),
    }
}

fn topic_findings(
    link: &str,
    name: &str,
    topic: &TopicHealth,
    t: &Thresholds,
    found: &mut Vec<Finding>,
) {
    use MirrorTopicStatus as S;
    let on_topic = |mut f: Finding| {
        f.topic = Some(name.to_string());
        f
    };
    let status_finding = match &topic.status {
        S::Failed => Some((
            Severity::Problem,
            "it stopped mirroring on an error and cannot be promoted".to_string(),
            format!(
                "see why: `kmirror mirror state-transition-error list {name} --link {link}`; \
                 fail it over or recreate the mirror"
            ),
        )),
        S::LinkFailed => Some((
            Severity::Problem,
            "its link failed".into(),
            format!("fix the link first (`kmirror link describe {link}`)"),
        )),
        S::SourceUnavailable => Some((
            Severity::Problem,
            "its source topic cannot be read: a promote would not complete".into(),
            "check the source cluster; while it is down only failover works".into(),
        )),
        S::Paused | S::LinkPaused => Some((
            Severity::Warning,
            "it is not mirroring: its lag grows".into(),
            format!("resume it: `kmirror mirror resume {name} --link {link}`"),
        )),
        S::Stopped => Some((
            Severity::Warning,
            "it no longer mirrors (promoted or failed over)".into(),
            "if this cluster should hold the DR copy, mirror it again (`kmirror dr failback`)"
                .into(),
        )),
        S::Unrecognized(_) => Some((
            Severity::Warning,
            "its status is not one the check knows".into(),
            format!("see `kmirror mirror describe {name} --link {link}`"),
        )),
        _ => None,
    };
    // A topic error and the last transition error explain a bad status:
    // said with it, not as findings of their own.
    let last_transition = topic
        .transition_errors
        .last()
        .map(|e| format!("; last transition error {}: {}", e.code, e.message));
    match status_finding {
        Some((severity @ Severity::Problem, why, advice)) => {
            let error = topic
                .error
                .as_ref()
                .map(|e| format!(" ({e})"))
                .unwrap_or_default();
            found.push(on_topic(finding(
                severity,
                Check::MirrorStatus,
                format!(
                    "mirror {name} is {}{error}: {why}{}",
                    topic.status,
                    last_transition.unwrap_or_default()
                ),
                advice,
            )));
            return;
        }
        Some((severity, why, advice)) => found.push(on_topic(finding(
            severity,
            Check::MirrorStatus,
            format!("mirror {name} is {}: {why}", topic.status),
            advice,
        ))),
        None => {}
    }
    if let Some(e) = &topic.error {
        found.push(on_topic(finding(
            Severity::Problem,
            Check::MirrorError,
            format!("mirror {name} reports {e}"),
            format!("see `kmirror mirror describe {name} --link {link}`"),
        )));
    }
    if let Some(last) = topic.transition_errors.last() {
        found.push(on_topic(finding(
            Severity::Warning,
            Check::TransitionErrors,
            format!(
                "mirror {name} has {} state transition error(s), the last {}: {}",
                topic.transition_errors.len(),
                last.code,
                last.message
            ),
            format!("`kmirror mirror state-transition-error list {name} --link {link}`"),
        )));
    }
    // Lag means nothing once a mirror stopped; a failed one said so above.
    if matches!(topic.status, S::Stopped | S::PendingStopped) {
        return;
    }
    if let Some(max) = t.max_lag.filter(|max| topic.lag > *max) {
        found.push(on_topic(finding(
            Severity::Problem,
            Check::TopicLag,
            format!(
                "mirror {name} is {} messages behind (limit {})",
                thousands(topic.lag),
                thousands(max)
            ),
            "a failover now would lose them; find why it does not catch up (source \
             throughput, link bandwidth, a paused or failing partition)"
                .into(),
        )));
    }
    if let Some(max) = t.max_partition_lag {
        let over: Vec<_> = topic.partitions.iter().filter(|p| p.lag > max).collect();
        if let Some(worst) = over.iter().max_by_key(|p| p.lag) {
            found.push(on_topic(finding(
                Severity::Problem,
                Check::PartitionLag,
                format!(
                    "mirror {name}: {} partition(s) over {} messages behind, the worst \
                     partition {} at {}",
                    over.len(),
                    thousands(max),
                    worst.partition,
                    thousands(worst.lag)
                ),
                "one partition far behind the others points at a hot or stuck partition".into(),
            )));
        }
    }
}

fn finding(severity: Severity, check: Check, message: String, advice: String) -> Finding {
    Finding {
        severity,
        check,
        topic: None,
        task: None,
        message,
        advice,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::health::{ErrorEntry, PartitionLag, TaskHealth};

    fn healthy() -> LinkObservation {
        let mut o = LinkObservation {
            exists: true,
            state: Some(LinkState::Active),
            error: Some(LinkError::NoError),
            offset_sync: Some(true),
            ..LinkObservation::default()
        };
        o.tasks.push(TaskHealth {
            name: "ConsumerOffsetSync".into(),
            state: LinkTaskState::Active,
            errors: vec![],
        });
        o.topics
            .insert("orders".into(), topic(MirrorTopicStatus::Active, &[0, 5]));
        o
    }

    fn topic(status: MirrorTopicStatus, lags: &[u64]) -> TopicHealth {
        TopicHealth {
            status,
            error: None,
            transition_errors: vec![],
            lag: lags.iter().sum(),
            partitions: lags
                .iter()
                .enumerate()
                .map(|(i, l)| PartitionLag {
                    partition: i as i64,
                    lag: *l,
                    last_source_fetch_offset: 0,
                })
                .collect(),
            state_time_ms: 0,
        }
    }

    fn put(o: &mut LinkObservation, t: TopicHealth) {
        o.topics.insert("t".into(), t);
    }

    fn checks(o: &LinkObservation, t: &Thresholds) -> Vec<(Severity, Check)> {
        judge("l", o, t)
            .into_iter()
            .map(|f| (f.severity, f.check))
            .collect()
    }

    #[test]
    fn each_rule_is_one_row() {
        use Check as C;
        use MirrorTopicStatus as S;
        use Severity::*;
        let none = Thresholds::default();
        let limits = Thresholds {
            max_lag: Some(100),
            max_partition_lag: Some(50),
        };
        type Edit = fn(&mut LinkObservation);
        type Row = (&'static str, Edit, Thresholds, Vec<(Severity, Check)>);
        let rows: Vec<Row> = vec![
            ("healthy", |_| {}, limits, vec![]),
            (
                "missing link",
                |o| o.exists = false,
                none,
                vec![(Problem, C::LinkExists)],
            ),
            (
                "failed link",
                |o| {
                    o.state = Some(LinkState::Failed);
                    o.error = Some(LinkError::AuthenticationError);
                },
                none,
                vec![(Problem, C::LinkState)],
            ),
            (
                "paused link",
                |o| o.state = Some(LinkState::Paused),
                none,
                vec![(Warning, C::LinkState)],
            ),
            (
                "error on an active link",
                |o| o.error = Some(LinkError::TimeoutError),
                none,
                vec![(Problem, C::LinkError)],
            ),
            (
                "task in error",
                |o| {
                    o.tasks.push(TaskHealth {
                        name: "AclSync".into(),
                        state: LinkTaskState::InError,
                        errors: vec![ErrorEntry {
                            code: "X".into(),
                            message: "m".into(),
                        }],
                    });
                },
                none,
                vec![(Problem, C::Task)],
            ),
            (
                "task not configured",
                |o| {
                    o.tasks.push(TaskHealth {
                        name: "AclSync".into(),
                        state: LinkTaskState::NotConfigured,
                        errors: vec![],
                    });
                },
                none,
                vec![],
            ),
            (
                "offset sync off",
                |o| o.offset_sync = Some(false),
                none,
                vec![(Warning, C::OffsetSync)],
            ),
            (
                "offset sync not read",
                |o| o.offset_sync = None,
                none,
                vec![],
            ),
            (
                "no mirrors",
                |o| o.topics.clear(),
                none,
                vec![(Warning, C::HasMirrors)],
            ),
            (
                "mirrors unreadable",
                |o| {
                    o.topics.clear();
                    o.failed_reads.push(crate::health::FailedRead {
                        read: Read::MirrorTopics,
                        topic: None,
                        error: "500".into(),
                    });
                },
                none,
                vec![(Unchecked, C::Read)],
            ),
            (
                "failed mirror",
                |o| put(o, topic(S::Failed, &[0])),
                none,
                vec![(Problem, C::MirrorStatus)],
            ),
            (
                "link failed mirror",
                |o| put(o, topic(S::LinkFailed, &[0])),
                none,
                vec![(Problem, C::MirrorStatus)],
            ),
            (
                "unavailable source",
                |o| put(o, topic(S::SourceUnavailable, &[0])),
                none,
                vec![(Problem, C::MirrorStatus)],
            ),
            (
                "paused mirror",
                |o| put(o, topic(S::Paused, &[0])),
                none,
                vec![(Warning, C::MirrorStatus)],
            ),
            (
                "stopped mirror over the lag limit",
                |o| put(o, topic(S::Stopped, &[500])),
                limits,
                vec![(Warning, C::MirrorStatus)],
            ),
            (
                "pending mirror",
                |o| put(o, topic(S::PendingMirror, &[0])),
                none,
                vec![],
            ),
            (
                "failed mirror with its error and transition error",
                |o| {
                    let mut t = topic(S::Failed, &[900]);
                    t.error = Some(crate::confluent::types::MirrorTopicError::SourceTopicIdChanged);
                    t.transition_errors.push(ErrorEntry {
                        code: "C".into(),
                        message: "m".into(),
                    });
                    put(o, t);
                },
                limits,
                vec![(Problem, C::MirrorStatus)],
            ),
            (
                "topic error",
                |o| {
                    let mut t = topic(S::Active, &[0]);
                    t.error =
                        Some(crate::confluent::types::MirrorTopicError::SourceTopicMayBeDeleted);
                    o.topics.insert("t".into(), t);
                },
                none,
                vec![(Problem, C::MirrorError)],
            ),
            (
                "transition errors",
                |o| {
                    let mut t = topic(S::Active, &[0]);
                    t.transition_errors.push(ErrorEntry {
                        code: "C".into(),
                        message: "m".into(),
                    });
                    o.topics.insert("t".into(), t);
                },
                none,
                vec![(Warning, C::TransitionErrors)],
            ),
            (
                "lag over the topic limit only",
                |o| put(o, topic(S::Active, &[40, 40, 40])),
                limits,
                vec![(Problem, C::TopicLag)],
            ),
            (
                "lag over both",
                |o| put(o, topic(S::Active, &[0, 120])),
                limits,
                vec![(Problem, C::TopicLag), (Problem, C::PartitionLag)],
            ),
            (
                "lag at the limit is fine",
                |o| put(o, topic(S::Active, &[50, 50])),
                limits,
                vec![],
            ),
            (
                "lag not judged without limits",
                |o| put(o, topic(S::Active, &[9_999_999])),
                none,
                vec![],
            ),
        ];
        for (name, edit, t, want) in rows {
            let mut o = healthy();
            edit(&mut o);
            assert_eq!(checks(&o, &t), want, "{name}");
        }
    }

    #[test]
    fn findings_name_what_is_wrong_and_what_to_do() {
        let mut o = healthy();
        o.tasks.push(TaskHealth {
            name: "AclSync".into(),
            state: LinkTaskState::InError,
            errors: vec![ErrorEntry {
                code: "AUTHORIZATION_FAILED".into(),
                message: "no DESCRIBE on the cluster".into(),
            }],
        });
        o.topics
            .insert("t".into(), topic(MirrorTopicStatus::Active, &[0, 9_000]));
        let f = judge(
            "dr-link",
            &o,
            &Thresholds {
                max_lag: None,
                max_partition_lag: Some(1_000),
            },
        );
        assert_eq!(
            f[0].message,
            "task AclSync is IN_ERROR (AUTHORIZATION_FAILED: no DESCRIBE on the cluster)"
        );
        assert!(
            f[0].advice.contains("kmirror link task list dr-link"),
            "{}",
            f[0].advice
        );
        assert_eq!(f[0].task.as_deref(), Some("AclSync"));
        assert_eq!(
            f[1].message,
            "mirror t: 1 partition(s) over 1,000 messages behind, the worst partition 1 at 9,000"
        );
        assert_eq!(f[1].topic.as_deref(), Some("t"));
    }

    #[test]
    fn a_cluster_without_links_is_a_problem() {
        let f = cluster("lkc-dr", 0);
        assert_eq!(
            (f[0].severity, f[0].check),
            (Severity::Problem, Check::HasLinks)
        );
        assert!(cluster("lkc-dr", 1).is_empty());
    }

    #[test]
    fn problems_come_before_warnings() {
        let mut o = healthy();
        o.offset_sync = Some(false);
        o.topics
            .insert("t".into(), topic(MirrorTopicStatus::Failed, &[0]));
        let order: Vec<Severity> = judge("l", &o, &Thresholds::default())
            .iter()
            .map(|f| f.severity)
            .collect();
        assert_eq!(order, [Severity::Problem, Severity::Warning]);
    }
}
