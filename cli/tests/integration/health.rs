//! `kmirror check`, its Prometheus file, `link task list`,
//! `mirror state-transition-error list`, `link config reset` and
//! `link config diff` against an emulator with a healthy link and a sick
//! one.

use std::collections::BTreeSet;

use kafka_mirror_test_support::cli as support;

use predicates::str::contains;
use support::{Emu, LINK, SICK, json, succeeded, with_a_sick_link};

/// The (severity, check, topic or task) of a link's findings in the JSON.
fn findings(report: &serde_json::Value, link: &str) -> BTreeSet<(String, String, String)> {
    report["links"][link]["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            let about = f["topic"].as_str().or(f["task"].as_str()).unwrap_or("");
            (
                f["severity"].as_str().unwrap().to_string(),
                f["check"].as_str().unwrap().to_string(),
                about.to_string(),
            )
        })
        .collect()
}

/// What `kmirror ARGS` printed, after checking its exit code.
fn stdout_of(emu: &Emu, args: &[&str], code: i32) -> String {
    let out = emu.kmirror().args(args).output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(code),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// The item of a JSON list whose `name` is `name`.
fn named<'a>(list: &'a serde_json::Value, name: &str) -> &'a serde_json::Value {
    list.as_array()
        .unwrap()
        .iter()
        .find(|t| t["name"] == name)
        .unwrap_or_else(|| panic!("no {name} in {list}"))
}

fn set(items: &[(&str, &str, &str)]) -> BTreeSet<(String, String, String)> {
    items
        .iter()
        .map(|(a, b, c)| (a.to_string(), b.to_string(), c.to_string()))
        .collect()
}

#[test]
fn a_sick_link_fails_the_check_with_each_problem_named() {
    let emu = Emu::start(with_a_sick_link);
    let out = emu
        .kmirror()
        .args(["-o", "json", "check", "--all-links"])
        .args(["--max-lag", "10000", "--max-partition-lag", "5000"])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report = json(&out);
    assert_eq!(report["verdict"], "unhealthy");
    assert_eq!(report["cluster"], "lkc-dr");
    assert_eq!(report["thresholds"]["max_lag"], 10000);
    assert!(findings(&report, LINK).is_empty(), "{report:#}");
    assert_eq!(
        findings(&report, SICK),
        set(&[
            ("problem", "task", "AclSync"),
            ("problem", "mirror_status", "audit"),
            ("problem", "topic_lag", "clicks"),
            ("problem", "partition_lag", "clicks"),
            ("warning", "offset_sync", ""),
        ])
    );
    let sick = &report["links"][SICK];
    assert_eq!(sick["state"], "ACTIVE");
    assert_eq!(sick["offset_sync"], false);
    assert_eq!(sick["category_counts"]["IN_ERROR"], 1);
    assert_eq!(sick["category_counts"]["ACTIVE"], 1);
    let audit = &sick["topics"]["audit"];
    assert_eq!(audit["status"], "FAILED");
    assert_eq!(audit["error"], "SOURCE_TOPIC_ID_CHANGED");
    assert_eq!(
        audit["transition_errors"][0]["message"],
        "The source topic was deleted and recreated."
    );
    let clicks = &sick["topics"]["clicks"];
    assert!(clicks["lag"].as_u64().unwrap() > 490_000, "{clicks}");
    assert_eq!(clicks["partitions"][1]["partition"], 1);
    let acl = named(&sick["tasks"], "AclSync");
    assert_eq!(acl["state"], "IN_ERROR");
    assert_eq!(acl["errors"][0]["code"], "AUTHORIZATION_FAILED");
}

#[test]
fn the_checklist_says_what_is_wrong_and_what_to_do() {
    let emu = Emu::start(with_a_sick_link);
    let text = stdout_of(&emu, &["check", "--link", SICK, "--max-lag", "10000"], 1);
    for line in [
        "sick  ACTIVE",
        "  ok        link ACTIVE, no link error",
        "  PROBLEM   task AclSync is IN_ERROR (AUTHORIZATION_FAILED: The link's credentials may not DESCRIBE ACLs on lkc-west.)",
        "            -> ACLs are not mirrored: clients may be refused after a failover; fix the cause, then check with `kmirror link task list sick`",
        "  PROBLEM   mirror audit is FAILED (SOURCE_TOPIC_ID_CHANGED): it stopped mirroring on an error and cannot be promoted; last transition error SOURCE_TOPIC_ID_CHANGED: The source topic was deleted and recreated.",
        "  warning   consumer offset sync is off (consumer.offset.sync.enable=false)",
        "Result: UNHEALTHY: 3 problem(s) on 1 of 1 link(s), 1 warning(s)",
    ] {
        assert!(
            text.lines().any(|l| l == line),
            "missing line {line:?} in:\n{text}"
        );
    }
    assert!(
        text.lines()
            .any(|l| l.starts_with("  PROBLEM   mirror clicks is ")
                && l.ends_with("messages behind (limit 10,000)")),
        "{text}"
    );
}

#[test]
fn a_healthy_link_passes_and_warnings_fail_only_with_strict() {
    let emu = Emu::start(with_a_sick_link);
    let text = stdout_of(&emu, &["check", "--link", LINK, "--max-lag", "0"], 0);
    assert!(
        text.contains("  ok        consumer offset sync on\n"),
        "{text}"
    );
    assert!(
        text.contains("  ok        3 mirror topic(s): ACTIVE 3\n"),
        "{text}"
    );
    assert!(text.contains("Result: HEALTHY: nothing found"), "{text}");

    emu.kmirror()
        .args([
            "link",
            "config",
            "reset",
            LINK,
            "consumer.offset.sync.enable",
        ])
        .assert()
        .success();
    emu.kmirror()
        .args(["check", "--link", LINK])
        .assert()
        .code(0)
        .stdout(contains("Result: HEALTHY with 1 warning(s)"));
    emu.kmirror()
        .args(["check", "--link", LINK, "--strict"])
        .assert()
        .code(1);
}

#[test]
fn an_unknown_link_is_a_problem_and_an_unreachable_service_cannot_be_checked() {
    let emu = Emu::start(with_a_sick_link);
    let out = emu
        .kmirror()
        .args([
            "-o",
            "json",
            "check",
            "--link",
            LINK,
            "--link",
            "no-such-link",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let report = json(&out);
    assert_eq!(report["links"]["no-such-link"]["exists"], false);
    assert_eq!(
        findings(&report, "no-such-link"),
        set(&[("problem", "link_exists", "")])
    );

    let home = support::tempdir::TempDir::new();
    let prom = home.path().join("kmirror.prom");
    support::bare(&home)
        .env("KAFKA_MIRROR_URL", "http://127.0.0.1:1")
        .env("KAFKA_MIRROR_CLUSTER_ID", "lkc-dr")
        .args(["check", "--all-links", "--prometheus"])
        .arg(&prom)
        .assert()
        .code(3)
        .stderr(contains("connection refused"));
    let metrics = parse(&std::fs::read_to_string(&prom).unwrap());
    assert_eq!(value(&metrics, "kmirror_check_success", &[]), Some(0.0));
}

fn parse(text: &str) -> prometheus_parse::Scrape {
    prometheus_parse::Scrape::parse(text.lines().map(|l| Ok(l.to_string())))
        .unwrap_or_else(|e| panic!("not the Prometheus text format ({e}):\n{text}"))
}

/// The value of the sample of `metric` whose labels include `labels`.
fn value(s: &prometheus_parse::Scrape, metric: &str, labels: &[(&str, &str)]) -> Option<f64> {
    let matching: Vec<f64> = s
        .samples
        .iter()
        .filter(|x| x.metric == metric)
        .filter(|x| labels.iter().all(|(k, v)| x.labels.get(k) == Some(*v)))
        .map(|x| match x.value {
            prometheus_parse::Value::Gauge(v) | prometheus_parse::Value::Untyped(v) => v,
            ref other => panic!("{metric} is not a gauge: {other:?}"),
        })
        .collect();
    assert!(matching.len() <= 1, "{metric} {labels:?}: {matching:?}");
    matching.first().copied()
}

#[test]
fn the_prometheus_file_parses_and_holds_each_state_and_lag() {
    let emu = Emu::start(with_a_sick_link);
    let prom = emu.home.path().join("textfile/kmirror.prom");
    std::fs::create_dir_all(prom.parent().unwrap()).unwrap();
    std::fs::write(&prom, "stale").unwrap();
    emu.kmirror()
        .args([
            "-q",
            "check",
            "--all-links",
            "--max-lag",
            "10000",
            "--prometheus",
        ])
        .arg(&prom)
        .assert()
        .code(1);
    let text = std::fs::read_to_string(&prom).unwrap();
    let s = parse(&text);
    // Written whole, then renamed: nothing else is left in the folder.
    let left: Vec<_> = std::fs::read_dir(prom.parent().unwrap())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(left, ["kmirror.prom"]);

    let c = ("cluster", "lkc-dr");
    assert_eq!(value(&s, "kmirror_check_success", &[c]), Some(1.0));
    assert_eq!(value(&s, "kmirror_check_healthy", &[c]), Some(0.0));
    assert_eq!(
        value(&s, "kmirror_check_findings", &[c, ("severity", "problem")]),
        Some(3.0)
    );
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs_f64();
    let at = value(&s, "kmirror_check_timestamp_seconds", &[c]).unwrap();
    assert!((now - at).abs() < 120.0, "{at} vs {now}");
    for link in [LINK, SICK] {
        assert_eq!(
            value(&s, "kmirror_link_up", &[c, ("link", link)]),
            Some(1.0)
        );
        assert_eq!(
            value(
                &s,
                "kmirror_link_state",
                &[("link", link), ("state", "ACTIVE")]
            ),
            Some(1.0)
        );
        assert_eq!(
            value(
                &s,
                "kmirror_link_state",
                &[("link", link), ("state", "FAILED")]
            ),
            Some(0.0)
        );
    }
    let acl = [("link", SICK), ("task", "AclSync")];
    assert_eq!(
        value(
            &s,
            "kmirror_link_task_state",
            &[acl[0], acl[1], ("state", "IN_ERROR")]
        ),
        Some(1.0)
    );
    assert_eq!(value(&s, "kmirror_link_task_errors", &acl), Some(1.0));
    assert_eq!(
        value(&s, "kmirror_link_offset_sync_enabled", &[("link", SICK)]),
        Some(0.0)
    );
    assert_eq!(
        value(&s, "kmirror_link_offset_sync_enabled", &[("link", LINK)]),
        Some(1.0)
    );
    let audit = [("link", SICK), ("topic", "audit")];
    assert_eq!(
        value(
            &s,
            "kmirror_mirror_topic_status",
            &[audit[0], audit[1], ("status", "FAILED")]
        ),
        Some(1.0)
    );
    let clicks = [("link", SICK), ("topic", "clicks")];
    let lag = value(&s, "kmirror_mirror_topic_lag", &clicks).unwrap();
    assert!(lag > 490_000.0, "{lag}");
    let p1 = value(
        &s,
        "kmirror_mirror_partition_lag",
        &[clicks[0], clicks[1], ("partition", "1")],
    )
    .unwrap();
    assert_eq!(p1, lag, "all of clicks' lag is on partition 1");
    assert_eq!(
        value(
            &s,
            "kmirror_mirror_partition_lag",
            &[clicks[0], clicks[1], ("partition", "0")]
        ),
        Some(0.0)
    );
    // Every metric has its HELP and TYPE.
    for m in s
        .samples
        .iter()
        .map(|x| x.metric.as_str())
        .collect::<BTreeSet<_>>()
    {
        assert!(s.docs.contains_key(m), "{m} has no HELP");
        assert!(
            text.contains(&format!("# TYPE {m} gauge\n")),
            "{m} has no TYPE"
        );
    }
}

#[test]
fn link_tasks_and_state_transition_errors_are_listed() {
    let emu = Emu::start(with_a_sick_link);
    let tasks = emu.json_of(&["link", "task", "list", SICK]);
    let acl = named(&tasks, "AclSync");
    assert_eq!(acl["state"], "IN_ERROR");
    assert_eq!(
        acl["errors"][0],
        "AUTHORIZATION_FAILED: The link's credentials may not DESCRIBE ACLs on lkc-west."
    );
    emu.kmirror()
        .args(["link", "task", "list", SICK])
        .assert()
        .success()
        .stdout(contains("TASK"))
        .stdout(contains(
            "AclSync             IN_ERROR        AUTHORIZATION_FAILED",
        ));

    let errors = emu.json_of(&[
        "mirror",
        "state-transition-error",
        "list",
        "audit",
        "--link",
        SICK,
    ]);
    assert_eq!(
        errors,
        serde_json::json!([{
            "error_code": "SOURCE_TOPIC_ID_CHANGED",
            "error_message": "The source topic was deleted and recreated."
        }])
    );
    emu.kmirror()
        .args([
            "mirror",
            "state-transition-error",
            "list",
            "clicks",
            "--link",
            SICK,
        ])
        .assert()
        .success()
        .stdout("Mirror topic clicks (link sick) has no state transition errors.\n");
    emu.kmirror()
        .args(["link", "describe", SICK])
        .assert()
        .success()
        .stdout(contains("  topics:  ACTIVE 1, IN_ERROR 1\n"));
}

#[test]
fn link_create_warns_when_a_task_of_the_new_link_is_in_error() {
    let emu = Emu::start(|b| {
        b.task_error(
            "lkc-dr",
            "fresh",
            "AutoCreateMirror",
            "TOPIC_AUTHORIZATION_FAILED",
            "Not authorized to list the source's topics.",
        )
    });
    let out = emu
        .kmirror()
        .args([
            "-o",
            "json",
            "link",
            "create",
            "fresh",
            "--source-cluster",
            "lkc-west",
        ])
        .output()
        .unwrap();
    let done = succeeded(&out);
    assert_eq!(done["tasks_in_error"][0]["name"], "AutoCreateMirror");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains(
            "warning: link fresh was created, but its task AutoCreateMirror is IN_ERROR \
             (TOPIC_AUTHORIZATION_FAILED: Not authorized to list the source's topics.); see \
             `kmirror link task list fresh`"
        ),
        "{stderr}"
    );
}

#[test]
fn config_reset_returns_several_keys_to_their_defaults_in_one_request() {
    let emu = Emu::start(|b| b);
    emu.kmirror()
        .args([
            "link",
            "config",
            "set",
            LINK,
            "consumer.offset.sync.ms=1000",
            "acl.sync.enable=true",
        ])
        .assert()
        .success();
    let config = |name: &str| {
        let c = emu.json_of(&["link", "config", "get", LINK, name]);
        (
            c["value"].as_str().unwrap().to_string(),
            c["is_default"].as_bool().unwrap(),
        )
    };
    let before = emu.emulator.requests();
    emu.kmirror()
        .args([
            "link",
            "config",
            "reset",
            LINK,
            "consumer.offset.sync.ms",
            "acl.sync.enable",
            "--dry-run",
        ])
        .assert()
        .success()
        .stdout(contains("(nothing changed)"));
    assert_eq!(config("acl.sync.enable"), ("true".into(), false));
    let sent_before = emu.emulator.requests();
    emu.kmirror()
        .args(["link", "config", "reset", LINK, "consumer.offset.sync.ms", "acl.sync.enable"])
        .assert()
        .success()
        .stdout("Reset on link primary-to-dr to their defaults: consumer.offset.sync.ms, acl.sync.enable.\n");
    assert_eq!(emu.emulator.requests() - sent_before, 1, "one request");
    assert!(sent_before > before);
    assert_eq!(config("consumer.offset.sync.ms"), ("30000".into(), true));
    assert_eq!(config("acl.sync.enable"), ("false".into(), true));
}

#[test]
fn config_reset_sends_one_alter_with_delete_operations() {
    let server = httpmock::MockServer::start();
    let alter = server.mock(|when, then| {
        when.method("PUT")
            .path("/kafka/v3/clusters/lkc-dr/links/dr/configs:alter")
            .query_param("validate_only", "true")
            .json_body(serde_json::json!({"data": [
                {"name": "acl.sync.enable", "operation": "DELETE"},
                {"name": "consumer.offset.sync.ms", "operation": "DELETE"}
            ]}));
        then.status(204);
    });
    let home = support::tempdir::TempDir::new();
    support::bare(&home)
        .env("KAFKA_MIRROR_URL", server.base_url())
        .env("KAFKA_MIRROR_CLUSTER_ID", "lkc-dr")
        .env("KAFKA_MIRROR_API_KEY", "k")
        .env("KAFKA_MIRROR_API_SECRET", "s")
        .args([
            "link",
            "config",
            "reset",
            "dr",
            "acl.sync.enable",
            "consumer.offset.sync.ms",
            "--dry-run",
        ])
        .assert()
        .success();
    alter.assert();
}

#[test]
fn config_diff_compares_every_config_with_the_file() {
    let emu = Emu::start(|b| b);
    let dir = support::tempdir::TempDir::new();
    let toml = dir.path().join("desired.toml");
    std::fs::write(
        &toml,
        "consumer.offset.sync.enable = true\n\"link.mode\" = \"DESTINATION\"\n",
    )
    .unwrap();
    let out = emu
        .kmirror()
        .args(["-o", "json", "link", "config", "diff", LINK, "--file"])
        .arg(&toml)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let d = json(&out);
    assert_eq!(d["differences"], 1);
    assert_eq!(
        d["changed"],
        serde_json::json!([{"name": "consumer.offset.sync.enable", "desired": "true", "actual": "false", "is_default": true}])
    );
    assert_eq!(d["same"], 1);
    emu.kmirror()
        .args(["link", "config", "diff", LINK, "--file"])
        .arg(&toml)
        .assert()
        .code(1)
        .stdout(contains(
            "  changed  consumer.offset.sync.enable: link false (default), file true\n",
        ))
        .stdout(contains(
            "To apply: kmirror link config set primary-to-dr consumer.offset.sync.enable=true\n",
        ));

    emu.kmirror()
        .args([
            "link",
            "config",
            "set",
            LINK,
            "consumer.offset.sync.enable=true",
            "topic.config.sync.ms=9000",
        ])
        .assert()
        .success();
    let yaml = dir.path().join("desired.yaml");
    std::fs::write(
        &yaml,
        "consumer:\n  offset:\n    sync:\n      enable: true\n",
    )
    .unwrap();
    emu.kmirror()
        .args(["link", "config", "diff", LINK, "--file"])
        .arg(&yaml)
        .assert()
        .code(0)
        .stdout(contains("as desired"))
        .stdout(contains("  extra    topic.config.sync.ms: set on the link (9000), not in the file (not counted without --exact)"));
    emu.kmirror()
        .args(["link", "config", "diff", LINK, "--exact", "--file"])
        .arg(&yaml)
        .assert()
        .code(1)
        .stdout(contains(
            "To reset the extra ones: kmirror link config reset primary-to-dr topic.config.sync.ms",
        ));
    std::fs::write(&yaml, "- not\n- pairs\n").unwrap();
    emu.kmirror()
        .args(["link", "config", "diff", LINK, "--file"])
        .arg(&yaml)
        .assert()
        .code(2)
        .stderr(contains("must hold `name = value` pairs"));
}

#[test]
fn a_check_that_outlives_its_timeout_ends_as_one_that_could_not_check() {
    // Accepts connections (the kernel's backlog) and never answers.
    let silent = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let home = support::tempdir::TempDir::new();
    let prom = home.path().join("kmirror.prom");
    support::bare(&home)
        .env(
            "KAFKA_MIRROR_URL",
            format!("http://{}", silent.local_addr().unwrap()),
        )
        .env("KAFKA_MIRROR_CLUSTER_ID", "lkc-dr")
        .args(["check", "--all-links", "--timeout", "1s", "--prometheus"])
        .arg(&prom)
        .assert()
        .code(3)
        .stderr(contains(
            "error: the check did not finish within 1s (--timeout); nothing was judged",
        ));
    let metrics = parse(&std::fs::read_to_string(&prom).unwrap());
    assert_eq!(value(&metrics, "kmirror_check_success", &[]), Some(0.0));
}

#[test]
fn a_cluster_with_no_links_is_unhealthy() {
    let emu = Emu::start(|b| b);
    let out = emu
        .kmirror()
        .env("KAFKA_MIRROR_CLUSTER_ID", "lkc-elsewhere")
        .args(["check", "--all-links"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains(
            "  PROBLEM   cluster lkc-elsewhere has no cluster links: nothing is mirrored to it\n"
        ),
        "{text}"
    );
    assert!(
        text.ends_with("Result: UNHEALTHY: no links to check\n"),
        "{text}"
    );
    let report = emu
        .kmirror()
        .env("KAFKA_MIRROR_CLUSTER_ID", "lkc-elsewhere")
        .args(["-o", "json", "check", "--all-links"])
        .output()
        .unwrap();
    let report = json(&report);
    assert_eq!(report["verdict"], "unhealthy");
    assert_eq!(report["findings"][0]["check"], "has_links");
}
