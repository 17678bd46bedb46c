//! A runbook or action over several links (`--link A --link B`,
//! `--all-links`): the SDK's fleet run with one progress bar for the whole
//! run, each link's report, the totals, and the same journal, interrupt and
//! exit handling as one link.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Mutex;
use std::time::Duration;

use kafka_mirror::dr::Event;
use kafka_mirror::dr::fleet::{Fleet, FleetReport, LinkResult};

use super::selection;
use crate::args::TopicSelection;
use crate::exit::CliError;
use crate::interrupt::Interrupts;
use crate::output::Out;

/// Runs `fleet` and prints its report (`-o json`: the
/// [`FleetReport`]).
pub async fn run(
    fleet: Fleet<'_>,
    topics: &TopicSelection,
    timeout: Duration,
    dry_run: bool,
    journal: Option<&Path>,
    interrupts: &Interrupts,
    out: Out,
) -> Result<(), CliError> {
    let mut fleet = fleet
        .selection(selection(topics)?)
        .timeout(timeout)
        .dry_run(dry_run);
    if let Some(path) = journal {
        let (earlier, file) = super::dr::open_journal(path)?;
        fleet = fleet.resume_from(earlier).journal(file);
    }
    let bar = out.progress(0, "topics done");
    // Each link's (done, total): the bar shows their sums.
    let progress: Mutex<BTreeMap<String, (usize, usize)>> = Mutex::default();
    let report = fleet
        .on_event(|link, e| on_event(&bar, &progress, out, link, e))
        .await
        .map_err(super::dr::nothing_changed)?;
    bar.finish_and_clear();
    out.result(&report, |o| human(o, &report))?;
    super::dr::finish(report.succeeded(), interrupts, out)
}

fn on_event(
    bar: &indicatif::ProgressBar,
    progress: &Mutex<BTreeMap<String, (usize, usize)>>,
    out: Out,
    link: &str,
    e: &Event,
) {
    let Event::Progress { done, total } = e else {
        return super::dr::show(bar, out, &format!("{link}: "), e);
    };
    let mut p = progress.lock().unwrap_or_else(|p| p.into_inner());
    p.insert(link.to_owned(), (*done, *total));
    let (done, total) = p.values().fold((0, 0), |(d, t), (dn, tn)| (d + dn, t + tn));
    bar.set_length(total as u64);
    bar.set_position(done as u64);
}

/// Each link's report, then the totals.
fn human(o: &Out, r: &FleetReport) -> String {
    let mut text = String::new();
    for (link, result) in &r.links {
        text.push_str(&format!("== {link}\n"));
        match result {
            LinkResult::Ran(report) => text.push_str(&super::dr::human(o, report)),
            LinkResult::NotRun { error, .. } => text.push_str(&format!(
                "{}\nNothing was sent to this link.\n",
                o.red(&format!("Not run: {error}"))
            )),
            // A future kind of result: its JSON (`-o json`) has it.
            _ => text.push_str("See `-o json` for this link's result.\n"),
        }
        text.push('\n');
    }
    let t = r.totals();
    text.push_str(&format!(
        "{}{} on {} link(s) of {}: {} of {} topic(s) {} in {:.1} s",
        if r.dry_run { "Dry run of a " } else { "" },
        r.kind,
        t.links,
        r.cluster,
        t.done + t.planned + t.accepted,
        t.topics,
        if r.dry_run { "would go ahead" } else { "done" },
        r.elapsed.as_secs_f64()
    ));
    let mut rest = Vec::new();
    for (n, what) in [
        (t.failed, "failed"),
        (t.timed_out, "timed out"),
        (t.not_started, "not started"),
        (t.in_flight, "still on their way"),
    ] {
        if n > 0 {
            rest.push(format!("{n} {what}"));
        }
    }
    if !rest.is_empty() {
        text.push_str(&format!(" ({})", rest.join(", ")));
    }
    text.push_str(&format!("; {} action request(s).", t.action_requests));
    if let Some(rto) = r.recovery_time().filter(|_| !r.dry_run) {
        text.push_str(&format!(
            " Last topic at its end state after {:.1} s.",
            rto.as_secs_f64()
        ));
    }
    text.push('\n');
    let not_run = r.not_run();
    if !not_run.is_empty() {
        let names: Vec<&str> = not_run.iter().map(|(l, _)| *l).collect();
        text.push_str(&format!(
            "{} link(s) not run, nothing sent to them: {}.\n",
            names.len(),
            names.join(", ")
        ));
    }
    for w in &r.warnings {
        text.push_str(&format!("Warning: {w}\n"));
    }
    text
}
