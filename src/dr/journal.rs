//! The audit journal: one JSON line per request a runbook sends and per
//! status change it sees, written and flushed as it happens, so a run cut
//! off half-way still leaves its record. Nothing secret is in it: no
//! header, no credential, only paths, topic names and answers.

use std::io::Write;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use std::collections::BTreeMap;

use serde_json::{Map, Value, json};
use tokio::time::Instant;

use super::report::MirrorAction;

/// Where journal lines go.
pub(super) struct Journal<'a> {
    out: Option<Box<dyn Write + Send + 'a>>,
    started: Instant,
    /// Written on every line: the runbooks of a fleet run share one
    /// journal, and their lines interleave.
    link: String,
    /// The first write error; the journal stops there, the runbook does not.
    pub(super) failed: Option<String>,
}

impl<'a> Journal<'a> {
    pub(super) fn new(
        out: Option<Box<dyn Write + Send + 'a>>,
        started: Instant,
        link: &str,
    ) -> Self {
        Self {
            out,
            started,
            link: link.to_owned(),
            failed: None,
        }
    }

    /// Writes one line: `event` with `fields`, the wall-clock time and the
    /// time since the runbook started.
    pub(super) fn write(&mut self, event: &str, fields: Value) {
        let Some(out) = self.out.as_mut() else {
            return;
        };
        let mut line = Map::new();
        line.insert("time".into(), json!(rfc3339(SystemTime::now())));
        line.insert("t".into(), json!(round_ms(self.started.elapsed())));
        line.insert("event".into(), json!(event));
        line.insert("link".into(), json!(self.link));
        if let Value::Object(more) = fields {
            line.extend(more);
        }
        let mut text = Value::Object(line).to_string();
        text.push('\n');
        if let Err(e) = out.write_all(text.as_bytes()).and_then(|_| out.flush()) {
            self.failed = Some(e.to_string());
            self.out = None;
        }
    }
}

/// The actions earlier runs of the same runbook had accepted, by topic,
/// read from their journal: the runs since the last one of `kind` on
/// `cluster` and `link` that succeeded (an interrupted, killed or timed-out
/// run leaves its actions to be resumed; a run that succeeded closes the
/// record). An action counts once its request's answer accepted the topic
/// or a read-back after a lost answer showed it applied. Lines that are not
/// JSON (a line cut off by a kill) are skipped. Each line belongs to the
/// run last started on its `link` (a fleet run's links write to one
/// journal); a line without one, from before lines named their link,
/// belongs to the run started last.
pub(super) fn accepted_earlier(
    text: &str,
    kind: &str,
    cluster: &str,
    link: &str,
) -> BTreeMap<String, MirrorAction> {
    let mut accepted = BTreeMap::new();
    // Whether the run last started on `link` is one of this runbook, and
    // the link of the run started last.
    let mut ours = false;
    let mut last_started: Option<String> = None;
    for line in text.lines() {
        let Ok(v) = serde_json::from_str::<Value>(line) else {
            continue;
        };
        let field = |k: &str| v.get(k).and_then(Value::as_str);
        if field("event") == Some("start") {
            last_started = field("link").map(str::to_owned);
        }
        if field("link").or(last_started.as_deref()) != Some(link) {
            continue;
        }
        match field("event") {
            Some("start") => {
                ours = field("kind") == Some(kind)
                    && field("cluster") == Some(cluster)
                    && v.get("dry_run") != Some(&Value::Bool(true));
            }
            Some("end") if ours && v.get("succeeded") == Some(&Value::Bool(true)) => {
                accepted.clear();
            }
            Some("request") if ours && field("method") == Some("POST") => {
                let action = field("path")
                    .and_then(|p| p.rsplit('/').next())
                    .and_then(|a| a.parse::<MirrorAction>().ok());
                let (Some(action), Some(Value::Object(results))) = (action, v.get("results"))
                else {
                    continue;
                };
                for (topic, result) in results {
                    if result.as_str() == Some("accepted") {
                        accepted.insert(topic.clone(), action);
                    }
                }
            }
            Some("read_back") if ours && v.get("applied") == Some(&Value::Bool(true)) => {
                let action = field("action").and_then(|a| a.parse::<MirrorAction>().ok());
                if let (Some(topic), Some(action)) = (field("topic"), action) {
                    accepted.insert(topic.to_owned(), action);
                }
            }
            _ => {}
        }
    }
    accepted
}

/// Seconds, to the millisecond.
pub(super) fn round_ms(d: Duration) -> f64 {
    (d.as_secs_f64() * 1000.0).round() / 1000.0
}

/// `2026-12-04T18:29:49.123Z`.
fn rfc3339(t: SystemTime) -> String {
    let d = t.duration_since(UNIX_EPOCH).unwrap_or_default();
    let secs = d.as_secs();
    let (days, rest) = ((secs / 86_400) as i64, secs % 86_400);
    // Howard Hinnant's days-to-civil algorithm.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}.{:03}Z",
        rest / 3600,
        rest % 3600 / 60,
        rest % 60,
        d.subsec_millis()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_actions_of_unfinished_runs_are_read_back_and_a_success_closes_them() {
        let start = |kind: &str, link: &str| {
            json!({"event": "start", "kind": kind, "cluster": "dr", "link": link, "dry_run": false})
                .to_string()
        };
        let post = |action: &str, results: Value| {
            json!({"event": "request", "method": "POST",
                "path": format!("/kafka/v3/clusters/dr/links/l/mirrors:{action}"),
                "validate_only": false, "results": results})
            .to_string()
        };
        let end = |ok: bool| json!({"event": "end", "succeeded": ok}).to_string();
        let read_back = |topic: &str, applied: bool| {
            json!({"event": "read_back", "topic": topic, "action": "reverse-and-start",
                "status": "STOPPED", "applied": applied})
            .to_string()
        };
        let journal = [
            // A failback that succeeded: closed.
            start("failback", "l"),
            post("truncate-and-restore", json!({"old": "accepted"})),
            end(true),
            // One killed half-way: a reverse accepted, one refused, one
            // lost and read back as applied, one lost and not applied.
            start("failback", "l"),
            post(
                "reverse-and-start-mirror",
                json!({"a": "accepted", "b": {"refused": "no", "error_code": 400}}),
            ),
            post("reverse-and-start-mirror", json!({"error": "connection reset"})),
            read_back("c", true),
            read_back("d", false),
            "{\"event\": \"status\", \"topic\": \"a\", \"sta".to_owned(),
            // Another runbook, another link, and a dry run: not ours.
            start("switchover", "l"),
            post("promote", json!({"x": "accepted"})),
            start("failback", "other"),
            post("reverse-and-start-mirror", json!({"y": "accepted"})),
            json!({"event": "start", "kind": "failback", "cluster": "dr", "link": "l", "dry_run": true})
                .to_string(),
            post("reverse-and-start-mirror", json!({"z": "accepted"})),
            // Interrupted: still open.
            start("failback", "l"),
            post("truncate-and-restore", json!({"e": "accepted"})),
            json!({"event": "end", "succeeded": false, "interrupted": true}).to_string(),
        ]
        .join("\n");
        let got = accepted_earlier(&journal, "failback", "dr", "l");
        let want: BTreeMap<String, MirrorAction> = [
            ("a", MirrorAction::ReverseAndStart),
            ("c", MirrorAction::ReverseAndStart),
            ("e", MirrorAction::TruncateAndRestore),
        ]
        .into_iter()
        .map(|(t, a)| (t.to_owned(), a))
        .collect();
        assert_eq!(got, want);
        assert!(accepted_earlier(&journal, "failback", "dr", "nope").is_empty());
        let closed = format!("{journal}\n{}\n{}", start("failback", "l"), end(true));
        assert!(accepted_earlier(&closed, "failback", "dr", "l").is_empty());
    }

    #[test]
    fn the_interleaved_lines_of_a_fleet_run_are_read_per_link() {
        let line = |event: &str, link: &str, more: Value| {
            let mut v = json!({"event": event, "link": link});
            v.as_object_mut()
                .unwrap()
                .extend(more.as_object().unwrap().clone());
            v.to_string()
        };
        let start = |link: &str| {
            line(
                "start",
                link,
                json!({"kind": "failback", "cluster": "dr", "dry_run": false}),
            )
        };
        let post = |link: &str, topic: &str| {
            line(
                "request",
                link,
                json!({"method": "POST",
                    "path": format!("/kafka/v3/clusters/dr/links/{link}/mirrors:reverse-and-start-mirror"),
                    "results": {topic: "accepted"}}),
            )
        };
        // Link a succeeds while link b is still running.
        let journal = [
            start("a"),
            start("b"),
            post("a", "a1"),
            post("b", "b1"),
            line("end", "a", json!({"succeeded": true})),
            post("b", "b2"),
            line("end", "b", json!({"succeeded": false})),
        ]
        .join("\n");
        assert!(accepted_earlier(&journal, "failback", "dr", "a").is_empty());
        let b: Vec<String> = accepted_earlier(&journal, "failback", "dr", "b")
            .into_keys()
            .collect();
        assert_eq!(b, ["b1", "b2"]);
    }

    #[test]
    fn wall_clock_times_are_rfc3339_in_utc() {
        let at = |s: u64, ms: u64| UNIX_EPOCH + Duration::from_millis(s * 1000 + ms);
        assert_eq!(rfc3339(at(0, 0)), "1970-01-01T00:00:00.000Z");
        assert_eq!(rfc3339(at(951_782_400, 5)), "2000-02-29T00:00:00.005Z");
        assert_eq!(rfc3339(at(1_796_409_000, 250)), "2026-12-04T18:30:00.250Z");
    }

    #[tokio::test(start_paused = true)]
    async fn each_line_is_one_json_object_written_at_once() {
        use std::sync::{Arc, Mutex};
        #[derive(Clone, Default)]
        struct Shared(Arc<Mutex<Vec<u8>>>);
        impl Write for Shared {
            fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
                self.0.lock().unwrap().extend_from_slice(b);
                Ok(b.len())
            }
            fn flush(&mut self) -> std::io::Result<()> {
                Ok(())
            }
        }
        let buf = Shared::default();
        let mut j = Journal::new(Some(Box::new(buf.clone())), Instant::now(), "l");
        j.write("status", json!({"topic": "orders", "status": "STOPPED"}));
        tokio::time::advance(Duration::from_millis(1500)).await;
        j.write("end", json!({"succeeded": true}));
        let text = String::from_utf8(buf.0.lock().unwrap().clone()).unwrap();
        let lines: Vec<Value> = text
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        assert_eq!(lines.len(), 2);
        assert_eq!(lines[0]["event"], "status");
        assert_eq!(lines[0]["topic"], "orders");
        assert_eq!(lines[0]["t"], 0.0);
        assert_eq!(lines[0]["link"], "l");
        assert_eq!(lines[1]["t"], 1.5);
        assert!(lines[1]["time"].as_str().unwrap().ends_with('Z'));
    }
}
