//! `kmirror dr ... --link A --link B` and `--all-links`, and `kmirror mirror
//! ACTION --all-links`: one run over several links, its combined JSON and
//! human report, exit codes.

use kafka_mirror_test_support::cli as support;

use predicates::str::contains;
use support::{DR, Emu, LINK};

const SECOND: &str = "second-to-dr";

/// The standard link and a second one with two topics of its own.
fn two_links() -> Emu {
    Emu::start(|b| {
        b.link(DR, SECOND, "lkc-second")
            .mirror(DR, SECOND, "clicks", &[0])
            .mirror(DR, SECOND, "views", &[0, 0])
    })
}

/// Each topic's status on `link`.
fn statuses_of(emu: &Emu, link: &str) -> Vec<String> {
    emu.json_of(&["mirror", "list", "--link", link])
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["status"].as_str().unwrap().to_owned())
        .collect()
}

#[test]
fn a_switchover_of_every_link_promotes_them_all_with_one_report() {
    let emu = two_links();
    let r = emu.json_of(&["dr", "switchover", "--all-links", "--all"]);
    assert_eq!(r["kind"], "switchover");
    assert_eq!(r["links"][LINK]["result"], "ran");
    assert_eq!(r["links"][SECOND]["topics"]["views"]["outcome"], "done");
    assert_eq!(r["totals"]["links"], 2);
    assert_eq!(r["totals"]["topics"], 5);
    assert_eq!(r["totals"]["done"], 5);
    assert_eq!(r["totals"]["action_requests"], 2);
    for link in [LINK, SECOND] {
        assert!(statuses_of(&emu, link).iter().all(|s| s == "STOPPED"));
    }
}

#[test]
fn a_named_link_that_does_not_exist_is_not_run_and_the_others_are() {
    let emu = two_links();
    emu.kmirror()
        .args([
            "dr",
            "failover",
            "--link",
            SECOND,
            "--link",
            "no-such-link",
            "--all",
        ])
        .assert()
        .code(1)
        .stdout(contains("== no-such-link"))
        .stdout(contains("Not run:"))
        .stdout(contains("Nothing was sent to this link."))
        .stdout(contains(
            "failover on 2 link(s) of lkc-dr: 2 of 2 topic(s) done",
        ))
        .stdout(contains(
            "1 link(s) not run, nothing sent to them: no-such-link.",
        ));
    assert!(statuses_of(&emu, SECOND).iter().all(|s| s == "STOPPED"));
    assert!(statuses_of(&emu, LINK).iter().all(|s| s == "ACTIVE"));
}

#[test]
fn a_dry_run_over_several_links_changes_nothing() {
    let emu = two_links();
    let r = emu.json_of(&[
        "dr",
        "switchover",
        "--link",
        LINK,
        "--link",
        SECOND,
        "--all",
        "--dry-run",
    ]);
    assert_eq!(r["dry_run"], true);
    assert_eq!(r["totals"]["planned"], 5);
    for link in [LINK, SECOND] {
        assert!(statuses_of(&emu, link).iter().all(|s| s == "ACTIVE"));
    }
}

#[test]
fn a_mirror_action_takes_every_link() {
    let emu = two_links();
    let r = emu.json_of(&["mirror", "pause", "--all-links", "--all", "--wait"]);
    assert_eq!(r["kind"], "mirror pause");
    assert_eq!(r["totals"]["done"], 5);
    for link in [LINK, SECOND] {
        assert!(statuses_of(&emu, link).iter().all(|s| s == "PAUSED"));
    }
}

#[test]
fn links_named_and_every_link_together_are_a_usage_error() {
    let emu = two_links();
    emu.kmirror()
        .args(["dr", "switchover", "--link", LINK, "--all-links", "--all"])
        .assert()
        .code(2)
        .stderr(contains("--all-links"));
    emu.kmirror()
        .args(["dr", "switchover", "--all"])
        .assert()
        .code(2)
        .stderr(contains("--link"));
}
