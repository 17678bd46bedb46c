//! `kmirror dr switchover | failover | failback`: the SDK's runbooks with a
//! progress bar, a per-topic report, an optional journal, and Ctrl-C /
//! SIGTERM handled (partial report, the line that resumes, exit 130/143).

use std::fs::OpenOptions;
use std::path::Path;

use kafka_mirror::dr::{Event, Kind, Report, RunError, TopicOutcome};

use super::selection;
use crate::args::{DrCommand, Runbook};
use crate::clients;
use crate::config::Settings;
use crate::exit::CliError;
use crate::interrupt::{Interrupts, command_line};
use crate::output::{Out, table};

pub async fn run(command: DrCommand, s: &Settings, out: Out) -> Result<(), CliError> {
    let (c, cluster) = clients::confluent(s)?;
    let (kind, args) = match command {
        DrCommand::Switchover(a) => (Kind::Switchover, a),
        DrCommand::Failover(a) => (Kind::Failover, a),
        DrCommand::Failback(a) => (Kind::Failback, a),
    };
    let interrupts = Interrupts::install()
        .map_err(|e| CliError::Config(format!("cannot listen for Ctrl-C and SIGTERM: {e}")))?;
    let journal = journal_path(kind, &cluster, &args, out)?;
    let Some(link) = args.links.single() else {
        let fleet = c
            .fleet(kind, cluster, args.links.fleet())
            .concurrency(args.concurrency)
            .max_lag(args.max_lag)
            .interrupt_on(interrupts.signal());
        return super::fleet::run(
            fleet,
            &args.selection,
            args.timeout,
            args.dry_run,
            journal.as_deref(),
            &interrupts,
            out,
        )
        .await;
    };
    let mut runbook = c
        .runbook(kind, cluster, link)
        .interrupt_on(interrupts.signal());
    if let Some(path) = &journal {
        let (earlier, file) = open_journal(path)?;
        runbook = runbook.resume_from(earlier).journal(file);
    }
    let report = execute(runbook, &args, out).await?;
    out.result(&report, |o| human(o, &report))?;
    finish(report.succeeded(), &interrupts, out)
}

/// The journal of a run: `--journal`, or for a failback (which resumes from
/// its journal only: a topic it reversed is STOPPED, one it restored
/// ACTIVE, and alone they read as "restore it" and "reverse it") the
/// cluster's default one.
fn journal_path(
    kind: Kind,
    cluster: &str,
    args: &Runbook,
    out: Out,
) -> Result<Option<std::path::PathBuf>, CliError> {
    if let Some(path) = &args.journal {
        return Ok(Some(path.clone()));
    }
    if kind != Kind::Failback || args.dry_run {
        return Ok(None);
    }
    let Some(path) = default_failback_journal(cluster) else {
        return Ok(None);
    };
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(|e| {
            CliError::Config(format!(
                "cannot create {} for the failback's journal: {e}; nothing was sent (or give --journal FILE)",
                dir.display()
            ))
        })?;
    }
    out.note(&format!(
        "Keeping this failback's journal in {}: if the run is cut short, the same command resumes it.",
        path.display()
    ));
    Ok(Some(path))
}

/// The exit of a runbook command: interrupted (with the line to resume),
/// partial, or success.
pub fn finish(succeeded: bool, interrupts: &Interrupts, out: Out) -> Result<(), CliError> {
    if let Some(signal) = interrupts.received() {
        out.note(&format!(
            "Interrupted by {}: nothing was sent after it. To finish the run, run the same command again; it waits for the topics in flight and sends nothing twice:\n  {}",
            signal.name(),
            command_line()
        ));
        return Err(CliError::Interrupted(signal));
    }
    if succeeded {
        Ok(())
    } else {
        Err(CliError::Partial)
    }
}

/// Where a failback keeps its journal when no `--journal` is given:
/// `$XDG_STATE_HOME/kmirror/` (or `~/.local/state/kmirror/`), one file per
/// cluster: its lines name their link, so a run on one link and a run on
/// several resume from each other. `None` when neither is known.
pub fn default_failback_journal(cluster: &str) -> Option<std::path::PathBuf> {
    let base = std::env::var_os("XDG_STATE_HOME")
        .filter(|d| !d.is_empty())
        .map(std::path::PathBuf::from)
        .or_else(|| {
            std::env::var_os("HOME").map(|h| std::path::PathBuf::from(h).join(".local/state"))
        })?;
    let safe = |s: &str| s.replace(['/', '\\'], "_");
    Some(
        base.join("kmirror")
            .join(format!("failback-{}.jsonl", safe(cluster))),
    )
}

/// A journal file to resume from and append to: what earlier runs wrote
/// to it, read first (`resume_from`), and the file opened to append
/// (created if need be).
pub fn open_journal(path: &Path) -> Result<(String, std::fs::File), CliError> {
    let cannot = |e: std::io::Error| {
        CliError::Config(format!(
            "cannot open the journal {}: {e}; nothing was sent",
            path.display()
        ))
    };
    let earlier = match std::fs::read(path) {
        Ok(bytes) => String::from_utf8_lossy(&bytes).into_owned(),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
        Err(e) => return Err(cannot(e)),
    };
    let file = OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .map_err(cannot)?;
    Ok((earlier, file))
}

/// Runs a runbook with steps on stderr and a progress bar moving per topic.
pub async fn execute(
    runbook: kafka_mirror::dr::Runbook<'_>,
    args: &Runbook,
    out: Out,
) -> Result<Report, CliError> {
    let bar = out.progress(0, "topics done");
    let report = runbook
        .selection(selection(&args.selection)?)
        .max_lag(args.max_lag)
        .timeout(args.timeout)
        .dry_run(args.dry_run)
        .on_event(|e| on_event(&bar, out, e))
        .await
        .map_err(nothing_changed)?;
    bar.finish_and_clear();
    Ok(report)
}

/// A runbook's `Err` comes before anything was sent: say so.
pub fn nothing_changed(e: kafka_mirror::Error) -> CliError {
    match CliError::from(e) {
        CliError::Api(e) => CliError::Config(format!(
            "{e}\nNothing was changed: the runbook stopped before sending any action."
        )),
        other => other,
    }
}

/// A runbook's event, on the progress bar or as a step line.
pub fn on_event(bar: &indicatif::ProgressBar, out: Out, e: &Event) {
    if let Event::Progress { done, total } = e {
        bar.set_length(*total as u64);
        bar.set_position(*done as u64);
    } else {
        show(bar, out, "", e);
    }
}

/// Every event but progress (whose bar a fleet run sums over its links):
/// on the bar's message or as a step line, each after `prefix` (a fleet
/// run's `"link: "`).
pub fn show(bar: &indicatif::ProgressBar, out: Out, prefix: &str, e: &Event) {
    match e {
        Event::Topic { name, status, lag } => {
            bar.set_message(format!("{prefix}{name}: {status} (lag {lag})"));
        }
        Event::Lag { total, max, waited } => {
            bar.set_message(format!(
                "{prefix}total lag {total}, gate {max}, {:.0} s",
                waited.as_secs_f64()
            ));
        }
        Event::Step(s) => bar.suspend(|| out.step(&format!("- {prefix}{s}"))),
        Event::AnswerLost { .. } | Event::ReadBack { .. } | Event::PollFailed { .. } => {
            bar.suspend(|| out.step(&format!("  {prefix}{e}")))
        }
        // Warnings are in the report, printed at the end; progress is the
        // caller's.
        _ => {}
    }
}

/// The report as a table, with what it means.
pub fn human(o: &Out, r: &Report) -> String {
    let rows: Vec<Vec<String>> = r
        .topics
        .iter()
        .map(|(name, t)| {
            let path: Vec<String> = t.statuses.iter().map(|s| s.to_string()).collect();
            let outcome = match &t.outcome {
                TopicOutcome::Done | TopicOutcome::Planned | TopicOutcome::Accepted => {
                    o.green(&t.outcome.to_string())
                }
                TopicOutcome::InFlight { .. } => o.yellow(&t.outcome.to_string()),
                other => o.red(&other.to_string()),
            };
            let lag = match t.messages_truncated {
                Some(n) => format!("{n} truncated"),
                None => t.total_lag().to_string(),
            };
            let mut action = t
                .action
                .map(|a| a.to_string())
                .unwrap_or_else(|| "-".into());
            if t.resumed {
                action.push_str(" (earlier run)");
            }
            vec![name.clone(), action, lag, path.join(" > "), outcome]
        })
        .collect();
    // Switchover and failover: the lag when the action was sent. Failback:
    // the messages truncate-and-restore removed.
    let lag_column = match r.kind {
        kafka_mirror::dr::Kind::Failback => "MESSAGES",
        _ => "LAG AT ACTION",
    };
    let mut text = table(
        &["TOPIC", "ACTION", lag_column, "STATUSES", "OUTCOME"],
        &rows,
    );
    let done = r.topics.values().filter(|t| t.outcome.succeeded()).count();
    text.push_str(&format!(
        "\n{}{} on link {}: {done} of {} topic(s) {} in {:.1} s.\n",
        if r.dry_run { "Dry run of a " } else { "" },
        r.kind,
        r.link,
        r.topics.len(),
        if r.dry_run { "would go ahead" } else { "done" },
        r.elapsed.as_secs_f64()
    ));
    text.push_str(&lost_answers(r));
    let in_flight = r.in_flight();
    if !in_flight.is_empty() && !r.dry_run {
        text.push_str(&format!(
            "Still on their way (their action was accepted): {}.\n",
            in_flight.join(", ")
        ));
    }
    if let Some(why) = &r.stopped_early {
        text.push_str(&format!("Stopped before acting: {why}\n"));
    }
    if r.kind == kafka_mirror::dr::Kind::Failover && !r.dry_run {
        text.push_str(&format!(
            "{} message(s) were on the source but not yet mirrored when the topics were failed over: they are not on this cluster.\n",
            r.unmirrored_messages()
        ));
    }
    if !r.dry_run {
        let s = &r.stages;
        text.push_str(&format!(
            "Stages: pre-flight {:.1} s, lag gate {:.1} s, action {:.1} s, wait {:.1} s; {} action request(s).",
            s.preflight.as_secs_f64(),
            s.lag_gate.as_secs_f64(),
            s.action.as_secs_f64(),
            s.wait.as_secs_f64(),
            r.action_requests
        ));
        if let Some(rto) = r.recovery_time() {
            text.push_str(&format!(
                " Last topic at its end state after {:.1} s.",
                rto.as_secs_f64()
            ));
        }
        text.push('\n');
    }
    if r.failed_polls > 0 {
        text.push_str(&format!(
            "{} read(s) of the topics failed and were read again; the last: {}\n",
            r.failed_polls,
            r.last_poll_error.as_deref().unwrap_or("-")
        ));
    }
    // An action request that lost its answer is told once, with its
    // read-back, in the lost answers above.
    let told = |e: &&RunError| {
        r.topics
            .values()
            .flat_map(|t| &t.lost_answers)
            .any(|l| l.error == e.message)
    };
    for e in r.errors.iter().filter(|e| !told(e)) {
        text.push_str(&format!("Request failed ({}): {}\n", e.stage, e.message));
    }
    for w in &r.warnings {
        text.push_str(&format!("Warning: {w}\n"));
    }
    text
}

/// The lost answers, one paragraph per request that lost its answer (the
/// same action and error), with what reading each topic back found.
fn lost_answers(r: &Report) -> String {
    use std::collections::BTreeMap;
    // The n-th lost answer of each topic named in one request is the same
    // request's: (n, action, error) tells requests apart.
    type Request<'a> = (usize, String, &'a str);
    let mut requests: BTreeMap<Request, BTreeMap<String, Vec<&str>>> = BTreeMap::new();
    for (name, t) in &r.topics {
        for (n, lost) in t.lost_answers.iter().enumerate() {
            let found = match (&lost.read_back, lost.applied) {
                (Some(s), true) => format!("{s}, so it was applied"),
                (Some(s), false) => format!("{s}, not applied, so it was sent again"),
                (None, _) => "could not be read back".into(),
            };
            requests
                .entry((n, lost.action.to_string(), lost.error.as_str()))
                .or_default()
                .entry(found)
                .or_default()
                .push(name);
        }
    }
    let mut text = String::new();
    for ((_, action, error), found) in requests {
        let topics: usize = found.values().map(Vec::len).sum();
        text.push_str(&format!(
            "Lost answer: {action} of {topics} topic(s) got no usable answer ({error}). Read back:\n"
        ));
        for (what, names) in found {
            text.push_str(&format!("  {}: {what}\n", names.join(", ")));
        }
    }
    text
}
