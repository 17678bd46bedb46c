//! `kmirror check`: the SDK's health check as a checklist, a JSON
//! document (`-o json`: the SDK's `HealthReport`), an exit code and,
//! with `--prometheus FILE`, a textfile for node_exporter.

use std::collections::BTreeMap;
use std::future::IntoFuture;
use std::path::Path;

use kafka_mirror::health::{
    Check, HealthReport, LinkHealth, Severity, Thresholds, Verdict, prometheus, thousands,
};

use crate::args::CheckArgs;
use crate::clients;
use crate::config::Settings;
use crate::exit::CliError;
use crate::output::Out;

pub async fn run(args: CheckArgs, s: &Settings, out: Out) -> Result<(), CliError> {
    let (c, cluster) = clients::confluent(s)?;
    let thresholds = Thresholds {
        max_lag: args.max_lag,
        max_partition_lag: args.max_partition_lag,
    };
    let check = c
        .health_check(&cluster, args.links.fleet())
        .thresholds(thresholds)
        .concurrency(args.concurrency);
    let checked = match tokio::time::timeout(args.timeout, check.into_future()).await {
        Ok(checked) => checked.map_err(CliError::from),
        Err(_) => Err(CliError::Config(format!(
            "the check did not finish within {} (--timeout); nothing was judged",
            humantime::format_duration(args.timeout)
        ))),
    };
    let report = match checked {
        Ok(r) => r,
        Err(e) => {
            // The monitor still learns that the check ran and failed.
            if let Some(path) = &args.prometheus {
                write_atomically(path, &prometheus::render_failure(&cluster))?;
            }
            return Err(e);
        }
    };
    if let Some(path) = &args.prometheus {
        write_atomically(path, &prometheus::render(&report))?;
    }
    out.result(&report, |o| checklist(o, &report))?;
    exit(report.verdict(), args.strict)
}

/// The exit code of a verdict: 0 healthy, 1 a problem (or, with
/// `--strict`, a warning), 3 something could not be checked.
fn exit(verdict: Verdict, strict: bool) -> Result<(), CliError> {
    match verdict {
        Verdict::Healthy => Ok(()),
        Verdict::Warnings if !strict => Ok(()),
        Verdict::Warnings | Verdict::Unhealthy => Err(CliError::Partial),
        Verdict::Unknown => Err(CliError::Unchecked),
    }
}

/// Writes `text` to a temporary file beside `path`, then renames it over
/// `path`: a collector reading it never sees half a file.
fn write_atomically(path: &Path, text: &str) -> Result<(), CliError> {
    let name = path
        .file_name()
        .ok_or_else(|| CliError::Usage(format!("--prometheus {} is not a file", path.display())))?;
    let tmp = path.with_file_name(format!(
        ".{}.{}.tmp",
        name.to_string_lossy(),
        std::process::id()
    ));
    let failed =
        |e: std::io::Error| CliError::Output(format!("cannot write {}: {e}", path.display()));
    std::fs::write(&tmp, text).map_err(failed)?;
    std::fs::rename(&tmp, path).map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        failed(e)
    })
}

/// One line of the checklist.
struct Line {
    mark: Mark,
    text: String,
    advice: Option<String>,
}

#[derive(Clone, Copy)]
enum Mark {
    Ok,
    Note,
    Finding(Severity),
}

fn checklist(o: &Out, r: &HealthReport) -> String {
    let topics: usize = r.links.values().map(|h| h.observed.topics.len()).sum();
    let mut text = format!(
        "Check of {}: {} link(s), {topics} mirror topic(s), {:.1}s\n",
        r.cluster,
        r.links.len(),
        r.elapsed.as_secs_f64()
    );
    for f in &r.findings {
        text.push_str(&format!(
            "\n  {} {}\n            -> {}\n",
            mark(o, f.severity),
            f.message,
            f.advice
        ));
    }
    for (link, h) in &r.links {
        let state = if h.observed.exists {
            super::link::state(o, h.observed.state.as_ref().map(|s| s.as_str()))
        } else {
            o.red("MISSING")
        };
        text.push_str(&format!("\n{link}  {state}\n"));
        for line in lines(h, &r.thresholds) {
            let mark = match line.mark {
                Mark::Ok => o.green("ok       "),
                Mark::Note => "note     ".to_string(),
                Mark::Finding(s) => mark(o, s),
            };
            text.push_str(&format!("  {mark} {}\n", line.text));
            if let Some(a) = line.advice {
                text.push_str(&format!("            -> {a}\n"));
            }
        }
    }
    let links_with = r
        .links
        .values()
        .filter(|h| h.findings.iter().any(|f| f.severity == Severity::Problem))
        .count();
    if r.links.is_empty() {
        text.push_str(&format!(
            "\nResult: {}\n",
            o.red("UNHEALTHY: no links to check")
        ));
        return text;
    }
    let summary = match r.verdict() {
        Verdict::Healthy => o.green("HEALTHY: nothing found"),
        Verdict::Warnings => o.yellow(&format!(
            "HEALTHY with {} warning(s)",
            r.count(Severity::Warning)
        )),
        Verdict::Unknown => o.yellow(&format!(
            "UNKNOWN: {} read(s) failed; nothing read was a problem",
            r.count(Severity::Unchecked)
        )),
        Verdict::Unhealthy => o.red(&format!(
            "UNHEALTHY: {} problem(s) on {links_with} of {} link(s), {} warning(s)",
            r.count(Severity::Problem),
            r.links.len(),
            r.count(Severity::Warning)
        )),
    };
    text.push_str(&format!("\nResult: {summary}\n"));
    text
}

/// How a finding of `severity` is marked.
fn mark(o: &Out, severity: Severity) -> String {
    match severity {
        Severity::Problem => o.red("PROBLEM  "),
        Severity::Warning => o.yellow("warning  "),
        Severity::Unchecked => o.yellow("unchecked"),
    }
}

/// A link's checklist: what passed, then what was found, worst first.
fn lines(h: &LinkHealth, t: &Thresholds) -> Vec<Line> {
    let o = &h.observed;
    let found = |checks: &[Check]| h.findings.iter().any(|f| checks.contains(&f.check));
    let mut lines = Vec::new();
    let mut ok = |text: String| {
        lines.push(Line {
            mark: Mark::Ok,
            text,
            advice: None,
        })
    };
    if o.exists {
        if o.state.is_some() && !found(&[Check::LinkState, Check::LinkError]) {
            ok("link ACTIVE, no link error".into());
        }
        if !o.tasks.is_empty() && !found(&[Check::Task]) {
            ok(format!("{} task(s), none in error", o.tasks.len()));
        }
        if o.offset_sync == Some(true) {
            ok("consumer offset sync on".into());
        }
        if !o.topics.is_empty()
            && !found(&[Check::MirrorStatus, Check::MirrorError, Check::HasMirrors])
        {
            ok(format!(
                "{} mirror topic(s): {}",
                o.topics.len(),
                by_status(h)
            ));
        }
        let lag_judged = t.max_lag.is_some() || t.max_partition_lag.is_some();
        if let Some((topic, worst)) = o.topics.iter().max_by_key(|(_, t)| t.lag) {
            if lag_judged && !found(&[Check::TopicLag, Check::PartitionLag]) {
                ok(format!(
                    "lag within the limits (largest: {topic}, {} messages)",
                    thousands(worst.lag)
                ));
            } else if !lag_judged {
                lines.push(Line {
                    mark: Mark::Note,
                    text: format!(
                        "largest lag: {topic}, {} messages (not judged: no --max-lag or \
                         --max-partition-lag)",
                        thousands(worst.lag)
                    ),
                    advice: None,
                });
            }
        }
    }
    for f in &h.findings {
        lines.push(Line {
            mark: Mark::Finding(f.severity),
            text: f.message.clone(),
            advice: Some(f.advice.clone()),
        });
    }
    lines
}

/// `ACTIVE 3, PAUSED 1`.
fn by_status(h: &LinkHealth) -> String {
    let mut counts: BTreeMap<String, usize> = BTreeMap::new();
    for t in h.observed.topics.values() {
        *counts.entry(t.status.to_string()).or_default() += 1;
    }
    counts
        .iter()
        .map(|(s, n)| format!("{s} {n}"))
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use kafka_mirror::health::Verdict;

    #[test]
    fn exit_codes_follow_the_verdict() {
        let code = |v, strict| match super::exit(v, strict) {
            Ok(()) => 0,
            Err(e) => {
                // ExitCode has no accessor; the variants name the codes.
                match e {
                    crate::exit::CliError::Partial => 1,
                    crate::exit::CliError::Unchecked => 3,
                    _ => 99,
                }
            }
        };
        for (v, strict, want) in [
            (Verdict::Healthy, false, 0),
            (Verdict::Healthy, true, 0),
            (Verdict::Warnings, false, 0),
            (Verdict::Warnings, true, 1),
            (Verdict::Unhealthy, false, 1),
            (Verdict::Unknown, false, 3),
            (Verdict::Unknown, true, 3),
        ] {
            assert_eq!(code(v, strict), want, "{v:?} strict={strict}");
        }
    }
}
