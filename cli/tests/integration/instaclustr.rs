//! `kmirror instaclustr mirror ...` against the emulator, v2 by default
//! and v1 with `--v1`, on the same mirrors.

use kafka_mirror_test_support::cli as support;

use predicates::str::contains;
use support::{CONNECT, Emu, json};

#[test]
fn mirrors_are_created_listed_updated_and_deleted() {
    let emu = Emu::start(|b| b);
    let created = emu
        .kmirror()
        .args([
            "-o",
            "json",
            "instaclustr",
            "mirror",
            "create",
            "--connect-cluster",
            CONNECT,
            "--source-cluster",
            "ff4fccf3-2ac0-494b-9f40-e95288dd752d",
            "--topics-regex",
            "orders.*",
            "--max-tasks",
            "2",
        ])
        .output()
        .unwrap();
    assert!(
        created.status.success(),
        "{}",
        String::from_utf8_lossy(&created.stderr)
    );
    let created = json(&created);
    let id = created["id"].as_str().unwrap().to_string();
    assert_eq!(created["status"], "CREATING");
    assert_eq!(created["max_tasks"], 2);

    let listed = json(
        &emu.kmirror()
            .args([
                "-o",
                "json",
                "instaclustr",
                "mirror",
                "list",
                "--connect-cluster",
                CONNECT,
            ])
            .output()
            .unwrap(),
    );
    assert_eq!(listed[0]["id"], id.as_str());
    // The same mirror through the deprecated v1 API.
    emu.kmirror()
        .args([
            "instaclustr",
            "mirror",
            "get",
            &id,
            "--connect-cluster",
            CONNECT,
            "--v1",
        ])
        .assert()
        .success()
        .stdout(contains("orders.*"));
    emu.kmirror()
        .args(["instaclustr", "mirror", "set-latency", &id, "60000"])
        .assert()
        .success();
    let got = json(
        &emu.kmirror()
            .args(["-o", "json", "instaclustr", "mirror", "get", &id])
            .output()
            .unwrap(),
    );
    assert_eq!(got["target_latency"], 60000);
    // Below the documented bound: refused before sending, a usage error.
    emu.kmirror()
        .args(["instaclustr", "mirror", "set-latency", &id, "500"])
        .assert()
        .code(2)
        .stderr(contains("must be at least 1000"));
    emu.kmirror()
        .args(["instaclustr", "mirror", "delete", &id])
        .assert()
        .success();
    emu.kmirror()
        .args(["instaclustr", "mirror", "get", &id])
        .assert()
        .code(3)
        .stderr(contains("404"));
}

#[test]
fn ids_are_checked_before_sending() {
    let emu = Emu::start(|b| b);
    emu.kmirror()
        .args(["instaclustr", "mirror", "list", "--connect-cluster", "not-a-uuid"])
        .assert()
        .code(2)
        .stderr(contains("`not-a-uuid` (from --connect-cluster or KAFKA_MIRROR_CONNECT_CLUSTER_ID) is not a cluster id"));
    emu.kmirror()
        .args(["instaclustr", "mirror", "list"])
        .assert()
        .code(2)
        .stderr(contains("no Kafka Connect cluster"));
}
