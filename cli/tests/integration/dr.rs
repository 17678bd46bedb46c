//! `kmirror dr ...` against the emulator: the runbooks' JSON, exit codes,
//! dry runs that change nothing, an outage, the lag gate.

use kafka_mirror_test_support::cli as support;

use predicates::str::contains;
use support::{DR, Emu, LINK, json, statuses};

#[test]
fn switchover_promotes_and_reports_each_topic() {
    let emu = Emu::start(|b| b);
    let dry = emu
        .kmirror()
        .args([
            "-o",
            "json",
            "dr",
            "switchover",
            "--link",
            LINK,
            "--all",
            "--dry-run",
        ])
        .output()
        .unwrap();
    assert!(dry.status.success());
    let dry = json(&dry);
    assert_eq!(dry["dry_run"], true);
    assert_eq!(dry["topics"]["orders"]["outcome"], "planned");
    assert!(
        statuses(&emu).iter().all(|s| s == "ACTIVE"),
        "a dry run changes nothing"
    );

    let out = emu
        .kmirror()
        .args([
            "-o",
            "json",
            "dr",
            "switchover",
            "--link",
            LINK,
            "orders",
            "payments",
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let r = json(&out);
    assert_eq!(r["kind"], "switchover");
    assert_eq!(r["cluster"], DR);
    assert_eq!(r["topics"]["orders"]["outcome"], "done");
    assert_eq!(r["topics"]["orders"]["action"], "promote");
    assert_eq!(
        r["topics"]["orders"]["statuses"]
            .as_array()
            .unwrap()
            .last()
            .unwrap(),
        "STOPPED"
    );
    assert!(r["topics"].get("inventory").is_none(), "not selected");
    assert!(
        r["warnings"][0]
            .as_str()
            .unwrap()
            .contains("consumer.offset.sync.enable")
    );
    assert!(r["elapsed"].is_number());
}

#[test]
fn a_lag_gate_not_met_in_time_exits_1_and_promotes_nothing() {
    let emu = Emu::start(|b| b.mirror(DR, LINK, "busy", &[10_000_000]));
    emu.kmirror()
        .args([
            "dr",
            "switchover",
            "--link",
            LINK,
            "busy",
            "--timeout",
            "1s",
        ])
        .assert()
        .code(1)
        .stdout(contains("Stopped before acting: the total lag was still"))
        .stdout(contains("nothing was promoted"));
    assert!(statuses(&emu).iter().all(|s| s == "ACTIVE"));
}

#[test]
fn failover_in_an_outage_then_failback_after_recovery() {
    let emu = Emu::start(|b| b.mirror(DR, LINK, "behind", &[40, 2]));
    emu.emulator.outage("lkc-primary");
    emu.kmirror()
        .args(["dr", "switchover", "--link", LINK, "--all"])
        .assert()
        .code(1)
        .stdout(contains("with the source down, run a failover"));
    let out = emu
        .kmirror()
        .args(["-o", "json", "dr", "failover", "--link", LINK, "--all"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let r = json(&out);
    assert_eq!(r["topics"]["behind"]["statuses"][0], "SOURCE_UNAVAILABLE");
    assert_eq!(
        r["topics"]["behind"]["lags"],
        serde_json::json!([{"partition": 0, "lag": 40}, {"partition": 1, "lag": 2}])
    );
    assert!(statuses(&emu).iter().all(|s| s == "STOPPED"));

    emu.emulator.recover("lkc-primary");
    emu.kmirror()
        .args(["dr", "failback", "--link", LINK, "--all"])
        .assert()
        .success()
        .stdout(contains("truncate-and-restore"))
        .stdout(contains(
            "failback on link primary-to-dr: 4 of 4 topic(s) done",
        ));
    assert!(statuses(&emu).iter().all(|s| s == "ACTIVE"));
}

#[test]
fn a_link_that_does_not_exist_is_an_api_error() {
    let emu = Emu::start(|b| b);
    emu.kmirror()
        .args(["dr", "failover", "--link", "nope", "--all"])
        .assert()
        .code(3)
        .stderr(contains("404 Not Found"));
}
