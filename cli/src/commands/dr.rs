//! `kmirror dr switchover | failover | failback`: the SDK's runbooks with a
//! progress bar and a per-topic report.

use kafka_mirror::dr::{Event, Report, TopicOutcome};

use super::selection;
use crate::args::{DrCommand, Runbook};
use crate::clients;
use crate::config::Settings;
use crate::exit::CliError;
use crate::output::{Out, table};

pub async fn run(command: DrCommand, s: &Settings, out: Out) -> Result<(), CliError> {
    let (c, cluster) = clients::confluent(s)?;
    let (args, runbook) = match command {
        DrCommand::Switchover(a) => {
            let r = c.switchover(cluster, a.link.clone());
            (a, r)
        }
        DrCommand::Failover(a) => {
            let r = c.failover(cluster, a.link.clone());
            (a, r)
        }
        DrCommand::Failback(a) => {
            let r = c.failback(cluster, a.link.clone());
            (a, r)
        }
    };
    let report = execute(runbook, &args, out).await?;
    out.result(&report, |o| human(o, &report))?;
    if report.succeeded() {
        Ok(())
    } else {
        Err(CliError::Partial)
    }
}

/// Runs a runbook with steps on stderr and a progress bar moving per topic.
pub async fn execute(
    runbook: kafka_mirror::dr::Runbook<'_>,
    args: &Runbook,
    out: Out,
) -> Result<Report, CliError> {
    let bar = out.progress(0, "topics done");
    let report = runbook
        .selection(selection(&args.selection))
        .max_lag(args.max_lag)
        .timeout(args.timeout)
        .dry_run(args.dry_run)
        .on_event(|e| match e {
            Event::Progress { done, total } => {
                bar.set_length(*total as u64);
                bar.set_position(*done as u64);
            }
            Event::Topic { name, status, lag } => {
                bar.set_message(format!("{name}: {status} (lag {lag})"));
            }
            Event::Lag { total, max, waited } => {
                bar.set_message(format!(
                    "total lag {total}, gate {max}, {:.0} s",
                    waited.as_secs_f64()
                ));
            }
            Event::Step(s) => bar.suspend(|| out.step(&format!("- {s}"))),
            // Warnings are in the report, printed at the end.
            _ => {}
        })
        .await?;
    bar.finish_and_clear();
    Ok(report)
}

/// The report as a table, with what it means.
pub fn human(o: &Out, r: &Report) -> String {
    let rows: Vec<Vec<String>> = r
        .topics
        .iter()
        .map(|(name, t)| {
            let path: Vec<String> = t.statuses.iter().map(|s| s.to_string()).collect();
            let outcome = match &t.outcome {
                TopicOutcome::Done | TopicOutcome::Planned => o.green(&t.outcome.to_string()),
                other => o.red(&other.to_string()),
            };
            let lag = match t.messages_truncated {
                Some(n) => format!("{n} truncated"),
                None => t.total_lag().to_string(),
            };
            vec![
                name.clone(),
                t.action
                    .map(|a| a.to_string())
                    .unwrap_or_else(|| "-".into()),
                lag,
                path.join(" > "),
                outcome,
            ]
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
    if let Some(why) = &r.stopped_early {
        text.push_str(&format!("Stopped before acting: {why}\n"));
    }
    if r.kind == kafka_mirror::dr::Kind::Failover && !r.dry_run {
        text.push_str(&format!(
            "{} message(s) were on the source but not yet mirrored when the topics were failed over: they are not on this cluster.\n",
            r.unmirrored_messages()
        ));
    }
    for w in &r.warnings {
        text.push_str(&format!("Warning: {w}\n"));
    }
    text
}
