//! The lines of one screen of `kmirror mirror watch`, as a pure function
//! of the snapshot and the terminal's size.

use super::view::{Snapshot, Tone, sparkline, tone};
use crate::output::table;
use kafka_mirror::health::thousands;

/// What the header says about the refreshes.
pub struct Header<'a> {
    pub interval: std::time::Duration,
    pub refreshes: u64,
    /// The last refresh: when it ended (`12:00:03`) and how long it took.
    pub at: &'a str,
    pub took: std::time::Duration,
    /// Why the last refresh failed, if it did (the screen keeps the one
    /// before).
    pub error: Option<&'a str>,
}

/// The screen's lines, each at most `width` columns, at most `height`
/// lines (the rows that do not fit are counted on the last line). With
/// `header` `None`, the plain snapshot printed when not on a terminal.
pub fn lines(
    s: &Snapshot,
    header: Option<&Header<'_>>,
    color: bool,
    width: usize,
    height: usize,
) -> Vec<String> {
    let paint = |code: &str, text: &str| {
        if color {
            format!("\x1b[{code}m{text}\x1b[0m")
        } else {
            text.to_string()
        }
    };
    let toned = |status: &str| match tone(status) {
        Tone::Good => paint("32", status),
        Tone::Fair => paint("33", status),
        Tone::Bad => paint("31", status),
    };
    let mut out = Vec::new();
    if let Some(h) = header {
        out.push(paint(
            "1",
            &format!(
                "kmirror mirror watch  {}  every {}  refresh {} at {} ({:.1}s)  q quits",
                s.cluster,
                humantime::format_duration(h.interval),
                h.refreshes,
                h.at,
                h.took.as_secs_f64()
            ),
        ));
        if let Some(e) = h.error {
            out.push(paint("31", &format!("the last refresh failed: {e}")));
        }
        out.push(String::new());
    }
    let links: Vec<Vec<String>> = s
        .links
        .iter()
        .map(|l| {
            let tasks = if l.task_errors.is_empty() {
                "-".to_string()
            } else {
                paint("31", &l.task_errors.join("; "))
            };
            vec![l.link.clone(), toned_link(&l.state, &paint), tasks]
        })
        .collect();
    out.extend(
        table(&["LINK", "STATE", "TASK ERRORS"], &links)
            .lines()
            .map(String::from),
    );
    for f in &s.failed_reads {
        out.push(paint("33", f));
    }
    out.push(String::new());
    let rows: Vec<Vec<String>> = s
        .topics
        .iter()
        .map(|t| {
            let mark = if t.changed { "*" } else { " " };
            let cells = vec![
                format!("{mark}{}", t.topic),
                t.link.clone(),
                toned(&t.status),
                thousands(t.lag),
                sparkline(&t.trend),
            ];
            if t.changed {
                cells.into_iter().map(|c| paint("1", &c)).collect()
            } else {
                cells
            }
        })
        .collect();
    let topics = table(&[" TOPIC", "LINK", "STATUS", "LAG", "TREND"], &rows);
    let room = height.saturating_sub(out.len() + 1).max(1);
    let all: Vec<&str> = topics.lines().collect();
    if all.len() > room + 1 {
        out.extend(all[..room].iter().map(|l| l.to_string()));
        out.push(format!(
            "... {} more topic(s): a taller terminal shows them",
            all.len() - room
        ));
    } else {
        out.extend(all.iter().map(|l| l.to_string()));
    }
    out.into_iter().map(|l| fit(&l, width, color)).collect()
}

fn toned_link(state: &str, paint: &impl Fn(&str, &str) -> String) -> String {
    match state {
        "ACTIVE" => paint("32", state),
        "PAUSED" => paint("33", state),
        _ => paint("31", state),
    }
}

/// A line cut to `width` visible columns (colour codes take none).
fn fit(line: &str, width: usize, color: bool) -> String {
    let mut out = String::new();
    let mut shown = 0;
    let mut in_escape = false;
    for c in line.chars() {
        if in_escape {
            out.push(c);
            in_escape = c != 'm';
            continue;
        }
        if c == '\x1b' {
            in_escape = true;
            out.push(c);
            continue;
        }
        if shown == width {
            if color {
                out.push_str("\x1b[0m");
            }
            return out;
        }
        out.push(c);
        shown += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::super::view::{LinkRow, Snapshot, TopicRow};
    use super::*;

    fn snapshot(topics: usize) -> Snapshot {
        Snapshot {
            cluster: "lkc-dr".into(),
            checked_at_ms: 0,
            links: vec![LinkRow {
                link: "dr".into(),
                state: "ACTIVE".into(),
                task_errors: vec!["AclSync IN_ERROR: X: y".into()],
            }],
            topics: (0..topics)
                .map(|i| TopicRow {
                    link: "dr".into(),
                    topic: format!("t{i}"),
                    status: "ACTIVE".into(),
                    lag: 1500 * i as u64,
                    changed: i == 1,
                    trend: vec![3, 2, 1],
                })
                .collect(),
            failed_reads: vec![],
        }
    }

    #[test]
    fn the_plain_snapshot_has_the_links_then_the_topics() {
        let got = lines(&snapshot(2), None, false, usize::MAX, usize::MAX);
        assert_eq!(
            got,
            [
                "LINK  STATE   TASK ERRORS",
                "dr    ACTIVE  AclSync IN_ERROR: X: y",
                "",
                " TOPIC  LINK  STATUS  LAG    TREND",
                " t0     dr    ACTIVE  0      █▄▁",
                "*t1     dr    ACTIVE  1,500  █▄▁",
            ]
        );
    }

    #[test]
    fn a_small_terminal_cuts_lines_and_counts_the_rows_left_out() {
        let header = Header {
            interval: std::time::Duration::from_secs(5),
            refreshes: 2,
            at: "12:00:03",
            took: std::time::Duration::from_millis(250),
            error: Some("429"),
        };
        let got = lines(&snapshot(30), Some(&header), false, 40, 12);
        assert_eq!(got.len(), 12);
        assert!(got.iter().all(|l| l.chars().count() <= 40), "{got:#?}");
        assert_eq!(got[0], "kmirror mirror watch  lkc-dr  every 5s  ");
        assert_eq!(got[1], "the last refresh failed: 429");
        assert_eq!(got[11], "... 26 more topic(s): a taller terminal ");
    }

    #[test]
    fn cutting_keeps_colour_codes_whole() {
        assert_eq!(fit("\x1b[31mabcdef\x1b[0m", 3, true), "\x1b[31mabc\x1b[0m");
        assert_eq!(fit("abc", 10, false), "abc");
    }
}
