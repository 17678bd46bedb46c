//! The runbooks on the worst day, against the emulator with injected
//! faults (20% 50003, 10% resets before applying, 10% lost answers after
//! applying, 20 requests a second) for fault seeds 1 to 20; a switchover
//! interrupted by SIGINT or SIGTERM during its wait, then finished by the
//! same command; the journal of a whole run.

use kafka_mirror_test_support::cli as support;

use std::process::Stdio;
use std::time::{Duration, Instant};

use support::{Emu, LINK, json, statuses, succeeded, tempdir::TempDir};

/// `kmirror dr switchover` of every topic, in JSON, journaling to the file
/// that follows.
const SWITCHOVER_WITH_JOURNAL: &[&str] = &[
    "-o",
    "json",
    "dr",
    "switchover",
    "--link",
    LINK,
    "--all",
    "--journal",
];
use kafka_mirror_emulator::EmulatorBuilder;

fn faulty(seed: u64) -> impl FnOnce(EmulatorBuilder) -> EmulatorBuilder {
    move |b| {
        b.fault_seed(seed)
            .retriable_errors(0.2)
            .connection_resets(0.1)
            .lost_answers(0.1)
            .rate_limit(20)
    }
}

/// Runs `kmirror -o json dr RUNBOOK --link LINK --all` and returns its report.
fn runbook(emu: &Emu, runbook: &str, seed: u64) -> serde_json::Value {
    let out = emu
        .kmirror()
        .args([
            "-o",
            "json",
            "dr",
            runbook,
            "--link",
            LINK,
            "--all",
            "--timeout",
            "2m",
        ])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{runbook}, fault seed {seed}: {}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    json(&out)
}

/// No topic got a second action request after it had moved: each topic's
/// requests are one more than its lost answers whose read-back showed it
/// had not moved.
fn no_blind_replay(report: &serde_json::Value, what: &str) {
    for (name, t) in report["topics"].as_object().unwrap() {
        let lost = t["lost_answers"].as_array().unwrap();
        let unmoved = lost.iter().filter(|l| l["applied"] == false).count() as u64;
        let requests = t["requests"].as_u64().unwrap();
        if requests > 0 {
            assert_eq!(requests, unmoved + 1, "{what}: {name}: {t}");
        }
        for l in lost {
            assert!(l["read_back"].is_string(), "{what}: {name} read back: {l}");
        }
    }
}

#[test]
fn switchover_failover_and_failback_finish_under_faults_for_every_seed() {
    let mut lost = 0;
    for seed in 1..=20 {
        let emu = Emu::start(faulty(seed));
        let r = runbook(&emu, "switchover", seed);
        no_blind_replay(&r, &format!("switchover, seed {seed}"));
        assert!(statuses(&emu).iter().all(|s| s == "STOPPED"), "seed {seed}");
        lost += r["topics"]
            .as_object()
            .unwrap()
            .values()
            .map(|t| t["lost_answers"].as_array().unwrap().len())
            .sum::<usize>();

        let emu = Emu::start(faulty(seed));
        let r = runbook(&emu, "failover", seed);
        no_blind_replay(&r, &format!("failover, seed {seed}"));
        assert!(statuses(&emu).iter().all(|s| s == "STOPPED"), "seed {seed}");
        let r = runbook(&emu, "failback", seed);
        no_blind_replay(&r, &format!("failback, seed {seed}"));
        assert!(statuses(&emu).iter().all(|s| s == "ACTIVE"), "seed {seed}");
    }
    // The faults did reach the action requests in some of the 20 runs.
    assert!(
        lost > 0,
        "no lost answer in 20 seeds: the test tests nothing"
    );
}

/// `kmirror dr switchover` in the background, interrupted by `signal` once
/// its promote is in the journal.
fn interrupted_switchover(
    emu: &Emu,
    journal: &std::path::Path,
    signal: &str,
) -> std::process::Output {
    let mut args: Vec<String> = SWITCHOVER_WITH_JOURNAL
        .iter()
        .map(|a| a.to_string())
        .collect();
    args.push(journal.display().to_string());
    // Once a poll has seen the promote under way (the wait's first read
    // comes a poll interval after the promote).
    interrupted(emu, &args, journal, r#""status":"PENDING_STOPPED""#, signal)
}

/// `kmirror ARGS` in the background, interrupted by `signal` once `sent`
/// appears in the journal `journal`.
fn interrupted(
    emu: &Emu,
    args: &[String],
    journal: &std::path::Path,
    sent: &str,
    signal: &str,
) -> std::process::Output {
    let mut cmd = std::process::Command::new(assert_cmd::cargo::cargo_bin("kmirror"));
    let (user, secret) = emu.emulator.credentials().unwrap();
    cmd.env("KAFKA_MIRROR_URL", emu.url())
        .env("KAFKA_MIRROR_CLUSTER_ID", support::DR)
        .env("KAFKA_MIRROR_API_KEY", user)
        .env("KAFKA_MIRROR_API_SECRET", secret)
        .env("HOME", emu.home.path())
        .env("XDG_STATE_HOME", support::state_home(&emu.home))
        .env("NO_COLOR", "1")
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let child = cmd.spawn().unwrap();
    let started = Instant::now();
    while !std::fs::read_to_string(journal)
        .unwrap_or_default()
        .contains(sent)
    {
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "{sent} was not sent"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    let status = std::process::Command::new("kill")
        .args([signal, &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    child.wait_with_output().unwrap()
}

#[test]
fn a_failback_cut_short_is_resumed_by_the_same_command_without_undoing_it() {
    // Restored topics are PENDING_RESTORE for a second, then ACTIVE: by the
    // time the same command runs again they read, alone, as "reverse it".
    let emu = Emu::start(|b| {
        b.behaviour(kafka_mirror_emulator::Behaviour {
            promote_delay: Duration::ZERO,
            restore_delay: Duration::from_secs(1),
            ..kafka_mirror_emulator::Behaviour::default()
        })
    });
    let failover = emu
        .kmirror()
        .args(["dr", "failover", "--link", LINK, "--all"])
        .output()
        .unwrap();
    assert_eq!(failover.status.code(), Some(0));
    assert!(statuses(&emu).iter().all(|s| s == "STOPPED"));
    // No --journal: kmirror keeps the failback's own, under XDG_STATE_HOME.
    let journal = support::state_home(&emu.home).join("kmirror/failback-lkc-dr.jsonl");
    let args: Vec<String> = ["-o", "json", "dr", "failback", "--link", LINK, "--all"]
        .iter()
        .map(|a| a.to_string())
        .collect();
    let cut = interrupted(
        &emu,
        &args,
        &journal,
        "mirrors:truncate-and-restore",
        "-INT",
    );
    assert_eq!(cut.status.code(), Some(130));
    let stderr = String::from_utf8_lossy(&cut.stderr);
    assert!(
        stderr.contains("Keeping this failback's journal in"),
        "{stderr}"
    );
    std::thread::sleep(Duration::from_millis(1_500));
    assert!(statuses(&emu).iter().all(|s| s == "ACTIVE"));

    let r = succeeded(&emu.kmirror().args(&args).output().unwrap());
    assert_eq!(
        r["action_requests"], 0,
        "no reverse of a restored topic: {r}"
    );
    for (name, t) in r["topics"].as_object().unwrap() {
        assert_eq!(t["action"], "truncate-and-restore", "{name}: {t}");
        assert_eq!(t["resumed"], true, "{name}");
    }
    assert!(statuses(&emu).iter().all(|s| s == "ACTIVE"));
}

#[test]
fn an_interrupted_switchover_reports_what_is_in_flight_and_the_same_command_finishes_it() {
    for (signal, code) in [("-INT", 130), ("-TERM", 143)] {
        let emu = Emu::start(|b| b.promote_delay(Duration::from_secs(4)));
        let home = TempDir::new();
        let journal = home.path().join("switchover.jsonl");
        let out = interrupted_switchover(&emu, &journal, signal);
        assert_eq!(out.status.code(), Some(code), "{signal}");
        let r = json(&out);
        assert_eq!(r["interrupted"], true);
        for (name, t) in r["topics"].as_object().unwrap() {
            assert_eq!(t["outcome"], "in_flight", "{name}: {t}");
            assert_eq!(t["last"], "PENDING_STOPPED", "{name}");
        }
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            stderr.contains("run the same command again")
                && stderr
                    .contains("kmirror -o json dr switchover --link primary-to-dr --all --journal"),
            "{stderr}"
        );
        assert!(
            !stderr.contains(emu.emulator.credentials().unwrap().1),
            "{stderr}"
        );
        let before = std::fs::read_to_string(&journal).unwrap();

        // The same command again: nothing sent, every topic STOPPED, exit 0.
        let again = emu
            .kmirror()
            .args(SWITCHOVER_WITH_JOURNAL)
            .arg(&journal)
            .output()
            .unwrap();
        let r = succeeded(&again);
        assert_eq!(r["action_requests"], 0);
        for (name, t) in r["topics"].as_object().unwrap() {
            assert_eq!(t["resumed"], true, "{name}");
            assert_eq!(t["outcome"], "done", "{name}");
        }
        let all = std::fs::read_to_string(&journal).unwrap();
        let second = &all[before.len()..];
        assert!(!second.contains("\"POST\""), "{second}");
        assert!(statuses(&emu).iter().all(|s| s == "STOPPED"));
    }
}

#[test]
fn the_journal_records_every_request_and_status_change_of_a_run() {
    let emu = Emu::start(|b| b);
    let home = TempDir::new();
    let journal = home.path().join("j.jsonl");
    emu.kmirror()
        .args(["dr", "switchover", "--link", LINK, "--all", "--journal"])
        .arg(&journal)
        .assert()
        .code(0);
    let lines: Vec<serde_json::Value> = std::fs::read_to_string(&journal)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let events: Vec<&str> = lines.iter().map(|l| l["event"].as_str().unwrap()).collect();
    assert_eq!(events.first(), Some(&"start"));
    assert_eq!(events.last(), Some(&"end"));
    let promote: Vec<&serde_json::Value> = lines.iter().filter(|l| l["method"] == "POST").collect();
    assert_eq!(promote.len(), 1);
    let p = promote[0];
    assert_eq!(
        p["path"],
        "/kafka/v3/clusters/lkc-dr/links/primary-to-dr/mirrors:promote"
    );
    assert_eq!(p["validate_only"], false);
    assert_eq!(p["status"], 200);
    assert_eq!(p["attempts"], 1);
    assert_eq!(
        p["topics"],
        serde_json::json!(["inventory", "orders", "payments"])
    );
    assert_eq!(p["results"]["orders"], "accepted");
    let reads = lines.iter().filter(|l| l["method"] == "GET").count();
    assert!(reads >= 3, "topics, link, configs: {reads}");
    for name in ["orders", "payments", "inventory"] {
        assert!(
            lines
                .iter()
                .any(|l| l["event"] == "status" && l["topic"] == name && l["status"] == "STOPPED"),
            "{name}"
        );
    }
    let text = std::fs::read_to_string(&journal).unwrap();
    let (_, secret) = emu.emulator.credentials().unwrap();
    assert!(!text.contains(secret) && !text.to_lowercase().contains("authorization"));
}

/// `kmirror drill --faults`: the switchover drill under every kind of fault
/// passes, and says what was injected and what the runbook made of it.
#[test]
fn the_drill_with_faults_passes_and_reports_what_was_lost() {
    let home = TempDir::new();
    let out = support::bare(&home)
        .args(["-o", "json", "drill", "--faults", "--fault-seed", "4"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v = json(&out);
    assert_eq!(v["passed"], true);
    let injected = &v["faults_injected"];
    assert!(
        injected["answer lost after applying"].as_u64() >= Some(1),
        "the scripted lost answer of the first promote: {injected}"
    );
    let report = &v["reports"][0];
    assert_eq!(report["kind"], "switchover");
    for (name, t) in report["topics"].as_object().unwrap() {
        assert_eq!(t["outcome"], "done", "{name}");
        let lost = t["lost_answers"].as_array().unwrap();
        assert!(
            !lost.is_empty(),
            "{name}: the first promote's answer was lost"
        );
        assert_eq!(lost[0]["applied"], true, "{name}: read back as applied");
    }
}
