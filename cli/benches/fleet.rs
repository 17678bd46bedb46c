//! Benchmark: fleet runbooks of `kmirror` against the emulator.
//!
//! `cargo bench -p kafka-mirror-cli --bench fleet`
//!
//! The emulator (in this process, on its own runtime) holds 10 links of
//! 200 mirror topics each (2 partitions each, no lag), lists in pages of
//! 50, takes 2 s to promote and 2 s to restore, and answers 429 above 25
//! requests in any sliding second. The `kmirror` binary runs as a user
//! runs it, with its defaults:
//!
//! 1. `kmirror dr switchover --all-links --all`, on a fresh emulator;
//! 2. the same as ten `kmirror dr switchover --link L --all`, one after the
//!    other (a shell loop), on a fresh emulator;
//! 3. `kmirror dr failover --all-links --all`, then `kmirror dr failback
//!    --all-links --all`, on a fresh emulator.
//!
//! For each: the command's time from start to exit, the requests the
//! emulator received (429s included), and the command's peak memory. The
//! targets (issue 22), checked for the fleet switchover: the whole command
//! within 8 s with every topic `STOPPED`; from its first promote to the
//! report within the promote delay plus 2.5 s; fewer than 300 requests;
//! peak memory under 64 MiB. Prints the figures and exits non-zero when a
//! target is missed.

use std::process::Command;
use std::time::{Duration, Instant};

use kafka_mirror_emulator::{Emulator, EmulatorBuilder};
use serde_json::Value;

const DR: &str = "lkc-dr";
const LINKS: usize = 10;
const TOPICS: usize = 200;
const RATE: usize = 25;
const PROMOTE_DELAY: Duration = Duration::from_secs(2);

const TARGET_TOTAL: Duration = Duration::from_secs(8);
const TARGET_AFTER_PROMOTE: Duration = Duration::from_millis(4_500);
const TARGET_REQUESTS: u64 = 300;
const TARGET_MEMORY_MIB: f64 = 64.0;

fn fleet() -> EmulatorBuilder {
    let mut b = Emulator::builder()
        .promote_delay(PROMOTE_DELAY)
        .page_size(50)
        .rate_limit(RATE);
    for i in 0..LINKS {
        let link = format!("link-{i:02}");
        b = b.link(DR, &link, &format!("lkc-src-{i:02}"));
        for j in 0..TOPICS {
            b = b.mirror(DR, &link, &format!("l{i:02}-t{j:03}"), &[0, 0]);
        }
    }
    b
}

/// An emulator on a runtime of its own, kept alive with it.
struct Running {
    emulator: Emulator,
    _runtime: tokio::runtime::Runtime,
}

fn start() -> Running {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    let emulator = runtime.block_on(fleet().start()).unwrap();
    Running {
        emulator,
        _runtime: runtime,
    }
}

/// One run of `kmirror`: its time, the requests it cost, its JSON output.
struct Run {
    took: Duration,
    requests: u64,
    report: Value,
    code: Option<i32>,
}

fn kmirror(e: &Emulator, args: &[&str]) -> Run {
    let (user, secret) = e.credentials().unwrap();
    let before = e.requests();
    let started = Instant::now();
    let out = Command::new(env!("CARGO_BIN_EXE_kmirror"))
        .args(["-o", "json", "-q"])
        .args(args)
        .env("KAFKA_MIRROR_URL", e.base_url())
        .env("KAFKA_MIRROR_CLUSTER_ID", DR)
        .env("KAFKA_MIRROR_API_KEY", user)
        .env("KAFKA_MIRROR_API_SECRET", secret)
        // No user config, and a state folder of its own (the failback's
        // journal).
        .env("HOME", std::env::temp_dir().join("kmirror-bench-fleet"))
        .env_remove("XDG_CONFIG_HOME")
        .env_remove("XDG_STATE_HOME")
        .output()
        .unwrap();
    let took = started.elapsed();
    let report = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "kmirror {args:?} printed no JSON ({e}): {}",
            String::from_utf8_lossy(&out.stderr)
        )
    });
    Run {
        took,
        requests: e.requests() - before,
        report,
        code: out.status.code(),
    }
}

/// The largest resident size of any child process so far, in MiB.
fn children_peak_mib() -> f64 {
    // SAFETY: getrusage only writes the struct it is given.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    unsafe { libc::getrusage(libc::RUSAGE_CHILDREN, &mut usage) };
    usage.ru_maxrss as f64 / 1024.0
}

/// Every topic of every link in a fleet report, with its outcome.
fn outcomes(report: &Value) -> Vec<String> {
    report["links"]
        .as_object()
        .into_iter()
        .flat_map(|links| links.values())
        .flat_map(|l| l["topics"].as_object().into_iter().flat_map(|t| t.values()))
        .map(|t| t["outcome"].as_str().unwrap_or("?").to_owned())
        .collect()
}

/// From a fleet report: the time from the first promote request to the
/// end. A link's promote is sent at the end of its action stage (which
/// starts with the wait for a rate-limit permit); the request itself takes
/// a few milliseconds.
fn after_first_action(report: &Value) -> Duration {
    let stage = |l: &Value, s: &str| l["stages"][s].as_f64().unwrap();
    let first = report["links"]
        .as_object()
        .unwrap()
        .values()
        .map(|l| stage(l, "preflight") + stage(l, "lag_gate") + stage(l, "action"))
        .fold(f64::INFINITY, f64::min);
    Duration::from_secs_f64(report["elapsed"].as_f64().unwrap() - first)
}

fn line(what: &str, r: &Run) {
    println!(
        "fleet:   {what:<38} {:>6.2} s  {:>5} requests  exit {}",
        r.took.as_secs_f64(),
        r.requests,
        r.code.map_or("-".into(), |c| c.to_string())
    );
}

fn main() {
    println!(
        "fleet: {LINKS} links x {TOPICS} topics (2 partitions), pages of 50, promote delay {} s, {RATE} requests/s",
        PROMOTE_DELAY.as_secs()
    );
    let mut failed = Vec::new();

    let e = start();
    let mut args = vec!["dr", "switchover", "--all-links", "--all"];
    // FLEET_BENCH_JOURNAL=FILE keeps the fleet switchover's journal, to see
    // where its time went.
    let journal = std::env::var("FLEET_BENCH_JOURNAL").unwrap_or_default();
    if !journal.is_empty() {
        let _ = std::fs::remove_file(&journal);
        args.extend(["--journal", journal.as_str()]);
    }
    let fleet_run = kmirror(&e.emulator, &args);
    let peak = children_peak_mib();
    line("switchover --all-links", &fleet_run);
    let after = after_first_action(&fleet_run.report);
    let outcomes = outcomes(&fleet_run.report);
    let done = outcomes.iter().filter(|o| *o == "done").count();
    println!(
        "fleet:     {done} of {} topics done; first promote to report {:.2} s; peak memory {peak:.1} MiB",
        LINKS * TOPICS,
        after.as_secs_f64()
    );
    drop(e);

    let e = start();
    let mut one_by_one = Run {
        took: Duration::ZERO,
        requests: 0,
        report: Value::Null,
        code: Some(0),
    };
    for i in 0..LINKS {
        let r = kmirror(
            &e.emulator,
            &[
                "dr",
                "switchover",
                "--link",
                &format!("link-{i:02}"),
                "--all",
            ],
        );
        one_by_one.took += r.took;
        one_by_one.requests += r.requests;
        if r.code != Some(0) {
            one_by_one.code = r.code;
        }
    }
    line("switchover, one link at a time (x10)", &one_by_one);
    drop(e);

    let e = start();
    let failover = kmirror(&e.emulator, &["dr", "failover", "--all-links", "--all"]);
    line("failover --all-links", &failover);
    let failback = kmirror(&e.emulator, &["dr", "failback", "--all-links", "--all"]);
    line("failback --all-links", &failback);
    drop(e);

    if fleet_run.code != Some(0) || done != LINKS * TOPICS {
        failed.push(format!(
            "the fleet switchover exited {:?} with {done} of {} topics done",
            fleet_run.code,
            LINKS * TOPICS
        ));
    }
    if fleet_run.took > TARGET_TOTAL {
        failed.push(format!(
            "the fleet switchover took {:.2} s (target {} s)",
            fleet_run.took.as_secs_f64(),
            TARGET_TOTAL.as_secs()
        ));
    }
    if after > TARGET_AFTER_PROMOTE {
        failed.push(format!(
            "first promote to report {:.2} s (target {:.1} s)",
            after.as_secs_f64(),
            TARGET_AFTER_PROMOTE.as_secs_f64()
        ));
    }
    if fleet_run.requests >= TARGET_REQUESTS {
        failed.push(format!(
            "{} requests (target fewer than {TARGET_REQUESTS})",
            fleet_run.requests
        ));
    }
    if peak >= TARGET_MEMORY_MIB {
        failed.push(format!(
            "peak memory {peak:.1} MiB (target {TARGET_MEMORY_MIB} MiB)"
        ));
    }
    for (what, r) in [("failover", &failover), ("failback", &failback)] {
        if r.code != Some(0) {
            failed.push(format!("the fleet {what} exited {:?}", r.code));
        }
    }
    if failed.is_empty() {
        println!("fleet: every target met: PASS");
    } else {
        for f in &failed {
            println!("fleet: missed: {f}");
        }
        println!("fleet: FAIL");
        std::process::exit(1);
    }
}
