//! The audit journal: one JSON line per request a runbook sends and per
//! status change it sees, written and flushed as it happens, so a run cut
//! off half-way still leaves its record. Nothing secret is in it: no
//! header, no credential, only paths, topic names and answers.

use std::io::Write;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde_json::{Map, Value, json};
use tokio::time::Instant;

/// Where journal lines go.
pub(super) struct Journal<'a> {
    out: Option<Box<dyn Write + Send + 'a>>,
    started: Instant,
    /// The first write error; the journal stops there, the runbook does not.
    pub(super) failed: Option<String>,
}

impl<'a> Journal<'a> {
    pub(super) fn new(out: Option<Box<dyn Write + Send + 'a>>, started: Instant) -> Self {
        Self {
            out,
            started,
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
        let mut j = Journal::new(Some(Box::new(buf.clone())), Instant::now());
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
        assert_eq!(lines[1]["t"], 1.5);
        assert!(lines[1]["time"].as_str().unwrap().ends_with('Z'));
    }
}
