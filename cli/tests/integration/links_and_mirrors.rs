//! `kmirror link ...` and `kmirror mirror ...` against the emulator: what
//! they change, their JSON and human output, their exit codes.

use kafka_mirror_test_support::cli as support;

use predicates::str::contains;
use support::{Emu, LINK, json};

#[test]
fn link_commands_create_describe_configure_and_delete() {
    let emu = Emu::start(|b| b);
    let listed = emu
        .kmirror()
        .args(["-o", "json", "link", "list"])
        .output()
        .unwrap();
    assert!(listed.status.success());
    let links = json(&listed);
    assert_eq!(links[0]["link_name"], LINK);
    assert_eq!(links[0]["state"], "ACTIVE");
    assert_eq!(links[0]["source_cluster_id"], "lkc-primary");
    assert_eq!(links[0]["mirror_topics"].as_array().unwrap().len(), 3);

    // A dry run validates and creates nothing.
    let dry = emu
        .kmirror()
        .args([
            "-o",
            "json",
            "link",
            "create",
            "backup",
            "--source-cluster",
            "lkc-west",
            "--dry-run",
        ])
        .output()
        .unwrap();
    assert_eq!(json(&dry)["dry_run"], true);
    emu.kmirror()
        .args(["link", "describe", "backup"])
        .assert()
        .code(3)
        .stderr(contains("404 Not Found"));

    emu.kmirror()
        .args([
            "link",
            "create",
            "backup",
            "--source-cluster",
            "lkc-west",
            "--source-bootstrap-server",
            "west:9092",
            "--config",
            "consumer.offset.sync.enable=true",
        ])
        .assert()
        .success()
        .stdout(contains(
            "Created link backup on lkc-dr: it mirrors from lkc-west.",
        ));
    let described = json(
        &emu.kmirror()
            .args(["-o", "json", "link", "describe", "backup"])
            .output()
            .unwrap(),
    );
    assert_eq!(described["state"], "ACTIVE");
    assert!(described["tasks"].as_array().is_some_and(|t| !t.is_empty()));

    let got = json(
        &emu.kmirror()
            .args([
                "-o",
                "json",
                "link",
                "config",
                "get",
                "backup",
                "bootstrap.servers",
            ])
            .output()
            .unwrap(),
    );
    assert_eq!(got["value"], "west:9092");
    emu.kmirror()
        .args([
            "link",
            "config",
            "set",
            "backup",
            "consumer.offset.sync.ms=5000",
        ])
        .assert()
        .success()
        .stdout(contains(
            "Set on link backup: consumer.offset.sync.ms=5000.",
        ));
    let listed = json(
        &emu.kmirror()
            .args(["-o", "json", "link", "config", "list", "backup"])
            .output()
            .unwrap(),
    );
    let sync_ms = listed
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "consumer.offset.sync.ms")
        .unwrap();
    assert_eq!(
        (&sync_ms["value"], &sync_ms["is_default"]),
        (&"5000".into(), &false.into())
    );
    emu.kmirror()
        .args([
            "link",
            "config",
            "reset",
            "backup",
            "consumer.offset.sync.ms",
        ])
        .assert()
        .success();
    let got = json(
        &emu.kmirror()
            .args([
                "-o",
                "json",
                "link",
                "config",
                "get",
                "backup",
                "consumer.offset.sync.ms",
            ])
            .output()
            .unwrap(),
    );
    assert_eq!(got["is_default"], true);

    emu.kmirror()
        .args(["link", "config", "set", "backup", "no-equals-sign"])
        .assert()
        .code(2)
        .stderr(contains(
            "`no-equals-sign` is not a config of the form name=value",
        ));
    emu.kmirror()
        .args(["link", "delete", "backup"])
        .assert()
        .success()
        .stdout(contains("Deleted link backup"));
    let after = json(
        &emu.kmirror()
            .args(["-o", "json", "link", "list"])
            .output()
            .unwrap(),
    );
    assert_eq!(after.as_array().unwrap().len(), 1);
}

#[test]
fn mirror_list_describe_and_create() {
    // Lag that does not drain, so that the figures can be asserted.
    let still = kafka_mirror_emulator::Behaviour {
        lag_drain_per_second: 0,
        ..kafka_mirror_emulator::Behaviour::default()
    };
    let emu = Emu::start(|b| {
        b.behaviour(still)
            .mirror(support::DR, LINK, "lagging", &[5, 7])
    });
    let topics = json(
        &emu.kmirror()
            .args(["-o", "json", "mirror", "list", "--link", LINK])
            .output()
            .unwrap(),
    );
    let lagging = topics
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["mirror_topic_name"] == "lagging")
        .unwrap();
    assert_eq!(lagging["lag"], 12);
    assert_eq!(lagging["status"], "ACTIVE");
    assert_eq!(
        lagging["lags"][1],
        serde_json::json!({"partition": 1, "lag": 7})
    );

    // Across every link, and filtered by status.
    emu.kmirror()
        .args(["mirror", "list"])
        .assert()
        .success()
        .stdout(contains("TOPIC      LINK           STATUS  LAG"))
        .stdout(contains("lagging    primary-to-dr  ACTIVE  12"));
    emu.kmirror()
        .args(["mirror", "list", "--status", "stopped"])
        .assert()
        .success()
        .stdout("No mirror topics.\n");
    emu.kmirror()
        .args(["mirror", "list", "--status", "HALTED"])
        .assert()
        .code(2)
        .stderr(contains(
            "--status `HALTED` is not a mirror status; one of ACTIVE, FAILED",
        ));

    emu.kmirror()
        .args([
            "-o", "yaml", "mirror", "describe", "lagging", "--link", LINK,
        ])
        .assert()
        .success()
        .stdout(contains("mirror_topic_name: lagging"))
        .stdout(contains("lag: 12"));
    emu.kmirror()
        .args(["mirror", "create", "audit", "--link", LINK])
        .assert()
        .success()
        .stdout(contains("Created mirror topic audit on lkc-dr"));
    emu.kmirror()
        .args(["mirror", "describe", "audit", "--link", LINK])
        .assert()
        .success()
        .stdout(contains("status: ACTIVE"));
}

#[test]
fn mirror_actions_select_validate_wait_and_report_each_topic() {
    let emu = Emu::start(|b| b);
    // --pattern and --dry-run: validated, nothing changed.
    let dry = json(
        &emu.kmirror()
            .args([
                "-o",
                "json",
                "mirror",
                "promote",
                "--pattern",
                "^(orders|payments)$",
                "--link",
                LINK,
                "--dry-run",
            ])
            .output()
            .unwrap(),
    );
    assert_eq!(dry["dry_run"], true);
    assert_eq!(dry["action"], "promote");
    let names: Vec<&str> = dry["topics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["mirror_topic_name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["orders", "payments"]);
    assert!(
        dry["topics"]
            .as_array()
            .unwrap()
            .iter()
            .all(|t| t["accepted"] == true)
    );
    emu.kmirror()
        .args(["mirror", "list", "--status", "ACTIVE"])
        .assert()
        .stdout(contains("orders"));

    // --wait until STOPPED.
    let done = emu
        .kmirror()
        .args([
            "-o",
            "json",
            "mirror",
            "promote",
            "orders",
            "--link",
            LINK,
            "--wait",
            "--timeout",
            "30s",
        ])
        .output()
        .unwrap();
    assert!(
        done.status.success(),
        "{}",
        String::from_utf8_lossy(&done.stderr)
    );
    let done = json(&done);
    assert_eq!(done["waited_for"], "STOPPED");
    assert_eq!(done["topics"][0]["status"], "STOPPED");
    assert_eq!(done["topics"][0]["reached"], true);

    // A topic the service refuses fails on its own: exit 1, the others done.
    emu.kmirror()
        .args(["mirror", "pause", "orders", "payments", "--link", LINK])
        .assert()
        .code(1)
        .stdout(contains(
            "pause on link primary-to-dr: 1 of 2 topic(s) accepted",
        ))
        .stdout(contains(
            "orders    refused: Topic 'orders' has already stopped its mirror",
        ))
        .stdout(contains("payments  accepted"));

    // --all, and a selection is required.
    emu.kmirror()
        .args(["mirror", "resume", "--all", "--link", LINK])
        .assert()
        .code(1);
    emu.kmirror()
        .args(["mirror", "failover", "--link", LINK])
        .assert()
        .code(2)
        .stderr(contains("required"));
    emu.kmirror()
        .args(["mirror", "failover", "--pattern", "(", "--link", LINK])
        .assert()
        .code(2)
        .stderr(contains("--pattern `(` is not a regular expression"));
}

#[test]
fn source_initiated_and_bidirectional_links_set_their_mode() {
    let emu = Emu::start(|b| b);
    emu.kmirror()
        .args([
            "link",
            "create",
            "push",
            "--destination-cluster",
            "lkc-cloud",
        ])
        .assert()
        .success()
        .stdout(contains("it mirrors from this cluster, to lkc-cloud"));
    emu.kmirror()
        .args(["link", "create", "both", "--remote-cluster", "lkc-east"])
        .assert()
        .success();
    let push = json(
        &emu.kmirror()
            .args(["-o", "json", "link", "describe", "push"])
            .output()
            .unwrap(),
    );
    assert_eq!(push["destination_cluster_id"], "lkc-cloud");
    let both = json(
        &emu.kmirror()
            .args(["-o", "json", "link", "describe", "both"])
            .output()
            .unwrap(),
    );
    assert_eq!(both["remote_cluster_id"], "lkc-east");
    let mode = json(
        &emu.kmirror()
            .args(["-o", "json", "link", "config", "get", "both", "link.mode"])
            .output()
            .unwrap(),
    );
    assert_eq!(mode["value"], "BIDIRECTIONAL");
    // One peer, and only one.
    emu.kmirror()
        .args([
            "link",
            "create",
            "x",
            "--source-cluster",
            "a",
            "--remote-cluster",
            "b",
        ])
        .assert()
        .code(2);
    emu.kmirror().args(["link", "create", "x"]).assert().code(2);
}
