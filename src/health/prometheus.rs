//! A [`HealthReport`] in the Prometheus text exposition format (0.0.4),
//! for node_exporter's textfile collector or any scraper.
//!
//! | metric | labels | value |
//! | --- | --- | --- |
//! | `kmirror_check_timestamp_seconds` | cluster | when the check started |
//! | `kmirror_check_duration_seconds` | cluster | how long it took |
//! | `kmirror_check_success` | cluster | 1 when every read succeeded |
//! | `kmirror_check_healthy` | cluster | 1 when no problem was found |
//! | `kmirror_check_findings` | cluster, severity | findings of each severity |
//! | `kmirror_link_up` | cluster, link | 1 when the link exists and is `ACTIVE` |
//! | `kmirror_link_state` | cluster, link, state | 1 for its state, 0 for the others |
//! | `kmirror_link_task_state` | cluster, link, task, state | 1 for the task's state, 0 for the others |
//! | `kmirror_link_task_errors` | cluster, link, task | the task's error count |
//! | `kmirror_link_offset_sync_enabled` | cluster, link | 1 when consumer offset sync is on |
//! | `kmirror_mirror_topic_status` | cluster, link, topic, status | 1, for its current status |
//! | `kmirror_mirror_topic_lag` | cluster, link, topic | total lag (messages) |
//! | `kmirror_mirror_partition_lag` | cluster, link, topic, partition | the partition's lag |
//!
//! A mirror topic has one status sample (its current status), not one per
//! possible status: a cluster of thousands of topics would otherwise write
//! twelve times as many lines. Alert on
//! `kmirror_mirror_topic_status{status=~"FAILED|LINK_FAILED|SOURCE_UNAVAILABLE"}`.

use std::fmt::Write;

use super::{HealthReport, Severity};
use crate::confluent::types::{LinkState, LinkTaskState};

/// The report as Prometheus text: `# HELP` and `# TYPE` once per metric,
/// then its samples.
///
/// ```
/// # fn show(report: &kafka_mirror::health::HealthReport) -> std::io::Result<()> {
/// std::fs::write("kmirror.prom", kafka_mirror::health::prometheus::render(report))
/// # }
/// ```
pub fn render(r: &HealthReport) -> String {
    let c = [("cluster", r.cluster.as_str())];
    let mut out = Families::default();
    out.gauge(
        "kmirror_check_timestamp_seconds",
        "When the check started (Unix time).",
        &c,
        r.checked_at_ms as f64 / 1000.0,
    );
    out.gauge(
        "kmirror_check_duration_seconds",
        "How long the check took.",
        &c,
        r.elapsed.as_secs_f64(),
    );
    out.gauge(
        "kmirror_check_success",
        "1 when every read of the check succeeded.",
        &c,
        flag(r.count(Severity::Unchecked) == 0),
    );
    out.gauge(
        "kmirror_check_healthy",
        "1 when the check found no problem.",
        &c,
        flag(r.count(Severity::Problem) == 0),
    );
    for (severity, name) in [
        (Severity::Problem, "problem"),
        (Severity::Warning, "warning"),
        (Severity::Unchecked, "unchecked"),
    ] {
        out.gauge(
            "kmirror_check_findings",
            "Findings of the check, by severity.",
            &[("cluster", &r.cluster), ("severity", name)],
            r.count(severity) as f64,
        );
    }
    for (link, h) in &r.links {
        let o = &h.observed;
        let l = [("cluster", r.cluster.as_str()), ("link", link.as_str())];
        out.gauge(
            "kmirror_link_up",
            "1 when the link exists and is ACTIVE.",
            &l,
            flag(o.exists && o.state == Some(LinkState::Active)),
        );
        if let Some(state) = &o.state {
            for known in states(LinkState::KNOWN, state.as_str()) {
                out.gauge(
                    "kmirror_link_state",
                    "1 for the link's state, 0 for the others.",
                    &[l[0], l[1], ("state", known)],
                    flag(known == state.as_str()),
                );
            }
        }
        for task in &o.tasks {
            for known in states(LinkTaskState::KNOWN, task.state.as_str()) {
                out.gauge(
                    "kmirror_link_task_state",
                    "1 for the link task's state, 0 for the others.",
                    &[l[0], l[1], ("task", &task.name), ("state", known)],
                    flag(known == task.state.as_str()),
                );
            }
            out.gauge(
                "kmirror_link_task_errors",
                "Errors the link task reports.",
                &[l[0], l[1], ("task", &task.name)],
                task.errors.len() as f64,
            );
        }
        if let Some(on) = o.offset_sync {
            out.gauge(
                "kmirror_link_offset_sync_enabled",
                "1 when the link syncs consumer offsets.",
                &l,
                flag(on),
            );
        }
        for (topic, t) in &o.topics {
            let tl = [l[0], l[1], ("topic", topic.as_str())];
            out.gauge(
                "kmirror_mirror_topic_status",
                "1, labelled with the mirror topic's current status.",
                &[tl[0], tl[1], tl[2], ("status", &t.status.to_string())],
                1.0,
            );
            out.gauge(
                "kmirror_mirror_topic_lag",
                "Messages the mirror topic is behind its source, all partitions.",
                &tl,
                t.lag as f64,
            );
            for p in &t.partitions {
                out.gauge(
                    "kmirror_mirror_partition_lag",
                    "Messages the partition is behind its source.",
                    &[tl[0], tl[1], tl[2], ("partition", &p.partition.to_string())],
                    p.lag as f64,
                );
            }
        }
    }
    out.finish()
}

/// What a monitor should see when a check could not run at all (the
/// links could not even be listed): the time, and `kmirror_check_success`
/// 0.
pub fn render_failure(cluster: &str) -> String {
    let c = [("cluster", cluster)];
    let mut out = Families::default();
    out.gauge(
        "kmirror_check_timestamp_seconds",
        "When the check started (Unix time).",
        &c,
        std::time::SystemTime::now()
            .duration_since(std::time::SystemTime::UNIX_EPOCH)
            .map(|d| d.as_secs_f64())
            .unwrap_or(0.0),
    );
    out.gauge(
        "kmirror_check_success",
        "1 when every read of the check succeeded.",
        &c,
        0.0,
    );
    out.finish()
}

/// Every documented state, and `current` if it is a new one.
fn states<'a>(known: &'a [&'a str], current: &'a str) -> Vec<&'a str> {
    let mut all = known.to_vec();
    if !all.contains(&current) {
        all.push(current);
    }
    all
}

fn flag(b: bool) -> f64 {
    if b { 1.0 } else { 0.0 }
}

/// Metric families in the order first written, each with its samples.
#[derive(Default)]
struct Families {
    order: Vec<&'static str>,
    families: std::collections::HashMap<&'static str, (&'static str, String)>,
}

impl Families {
    fn gauge(&mut self, name: &'static str, help: &'static str, labels: &[(&str, &str)], v: f64) {
        let (_, samples) = self.families.entry(name).or_insert_with(|| {
            self.order.push(name);
            (help, String::new())
        });
        samples.push_str(name);
        if !labels.is_empty() {
            samples.push('{');
            for (i, (k, val)) in labels.iter().enumerate() {
                if i > 0 {
                    samples.push(',');
                }
                let _ = write!(samples, "{k}=\"{}\"", escape(val));
            }
            samples.push('}');
        }
        let _ = writeln!(samples, " {v}");
    }

    fn finish(self) -> String {
        let mut text = String::new();
        for name in self.order {
            let (help, samples) = &self.families[name];
            let _ = writeln!(text, "# HELP {name} {help}");
            let _ = writeln!(text, "# TYPE {name} gauge");
            text.push_str(samples);
        }
        text
    }
}

/// A label value as the format wants it: backslash, double quote and line
/// feed escaped.
fn escape(v: &str) -> String {
    v.replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

#[cfg(test)]
mod tests {
    #[test]
    fn label_values_are_escaped() {
        assert_eq!(super::escape("a\"b\\c\nd"), "a\\\"b\\\\c\\nd");
    }

    #[test]
    fn values_print_as_prometheus_reads_them() {
        let mut f = super::Families::default();
        f.gauge("m", "Help.", &[("cluster", "lkc-1")], 1.0);
        f.gauge("m", "Help.", &[("cluster", "lkc-2")], 0.25);
        f.gauge("n", "Other.", &[], 12345678.0);
        assert_eq!(
            f.finish(),
            "# HELP m Help.\n# TYPE m gauge\nm{cluster=\"lkc-1\"} 1\nm{cluster=\"lkc-2\"} 0.25\n\
             # HELP n Other.\n# TYPE n gauge\nn 12345678\n"
        );
    }
}
