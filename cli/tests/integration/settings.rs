//! Connection settings, exit codes and secrets: flags, environment, the
//! config file's contexts; bad values named by where they came from; the
//! exact requests a command sends (against httpmock); OAuth from the
//! environment.

use kafka_mirror_test_support::cli as support;

use httpmock::MockServer;
use predicates::prelude::PredicateBooleanExt;
use predicates::str::contains;
use support::tempdir::TempDir;
use support::{Emu, bare, json};

#[test]
fn missing_and_half_set_settings_are_configuration_errors() {
    let home = TempDir::new();
    bare(&home)
        .args(["link", "list"])
        .assert()
        .code(3)
        .stderr(contains("no REST endpoint: set --url or KAFKA_MIRROR_URL"));
    bare(&home)
        .args(["link", "list"])
        .env("KAFKA_MIRROR_URL", "https://pkc-1.example.com")
        .assert()
        .code(3)
        .stderr(contains(
            "no cluster: set --cluster or KAFKA_MIRROR_CLUSTER_ID",
        ));
    bare(&home)
        .args(["link", "list", "--cluster", "lkc-1"])
        .env("KAFKA_MIRROR_URL", "https://pkc-1.example.com")
        .env("KAFKA_MIRROR_API_KEY", "ABCKEY")
        .assert()
        .code(3)
        .stderr(contains("an API key is set (KAFKA_MIRROR_API_KEY) but no API secret: set KAFKA_MIRROR_API_SECRET too"));
    bare(&home)
        .args(["link", "list", "--cluster", "lkc-1"])
        .env("KAFKA_MIRROR_URL", "ftp://pkc-1.example.com")
        .assert()
        .code(3)
        .stderr(contains(
            "the scheme must be http or https (from KAFKA_MIRROR_URL)",
        ));
    bare(&home)
        .args([
            "link",
            "list",
            "--cluster",
            "lkc-1",
            "--url",
            "http://pkc-1.example.com",
        ])
        .env("KAFKA_MIRROR_API_KEY", "k")
        .env("KAFKA_MIRROR_API_SECRET", "s")
        .assert()
        .code(3)
        .stderr(
            contains("refusing to send credentials over plain http").and(contains("(from --url)")),
        );
    bare(&home)
        .args(["link", "list", "--cluster", "lkc-1"])
        .env("KAFKA_MIRROR_URL", "https://pkc-1.example.com")
        .env(
            "KAFKA_MIRROR_OAUTH_TOKEN_URL",
            "https://idp.example.com/token",
        )
        .assert()
        .code(3)
        .stderr(contains(
            "KAFKA_MIRROR_OAUTH_CLIENT_ID and KAFKA_MIRROR_OAUTH_CLIENT_SECRET missing",
        ));
}

#[test]
fn bad_flags_are_usage_errors() {
    let home = TempDir::new();
    bare(&home).args(["link", "lists"]).assert().code(2);
    bare(&home).args(["--bogus"]).assert().code(2);
    bare(&home)
        .args(["mirror", "promote", "a", "--all", "--link", "l"])
        .assert()
        .code(2)
        .stderr(contains("cannot be used with"));
    bare(&home)
        .args([
            "dr",
            "switchover",
            "--link",
            "l",
            "--all",
            "--timeout",
            "soon",
        ])
        .assert()
        .code(2)
        .stderr(contains("`soon` is not a duration"));
}

#[test]
fn secrets_never_appear_in_output_and_a_secret_flag_is_warned_about() {
    let emu = Emu::start(|b| b);
    // A wrong secret: the 401 is reported, the secret is not.
    let out = emu
        .kmirror()
        .env("KAFKA_MIRROR_API_SECRET", "Sup3r-s3cret-value")
        .args(["link", "list"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3));
    let all = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(all.contains("401 Unauthorized"), "{all}");
    assert!(!all.contains("Sup3r-s3cret-value"), "{all}");
    // A secret given as a flag works, with a warning that names the variable.
    let (_, secret) = emu.emulator.credentials().unwrap();
    let out = emu
        .kmirror()
        .env_remove("KAFKA_MIRROR_API_SECRET")
        .args(["link", "list", "--api-secret", secret])
        .output()
        .unwrap();
    assert!(out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("--api-secret on the command line is visible"),
        "{stderr}"
    );
    assert!(
        stderr.contains("set KAFKA_MIRROR_API_SECRET instead"),
        "{stderr}"
    );
    assert!(!String::from_utf8_lossy(&out.stdout).contains(secret));
    // --help shows the variable, never its value.
    let help = emu
        .kmirror()
        .args(["link", "list", "--help"])
        .output()
        .unwrap();
    assert!(!String::from_utf8_lossy(&help.stdout).contains(secret));
}

#[test]
fn a_url_ending_in_kafka_v3_gets_a_hint_and_works() {
    let emu = Emu::start(|b| b);
    emu.kmirror()
        .env("KAFKA_MIRROR_URL", format!("{}/kafka/v3", emu.url()))
        .args(["link", "list"])
        .assert()
        .success()
        .stderr(contains(
            "ends in /kafka/v3, which kmirror adds to every path itself",
        ))
        .stdout(contains("primary-to-dr"));
}

#[test]
fn contexts_of_the_config_file_fill_what_flags_and_variables_leave() {
    let emu = Emu::start(|b| b);
    let (user, secret) = emu.emulator.credentials().unwrap();
    let dir = emu.home.path().join(".config/kmirror");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("config.toml"),
        format!(
            "current-context = \"emu\"\n[contexts.emu]\nurl = \"{}\"\ncluster = \"lkc-dr\"\napi-key = \"{user}\"\napi-secret = \"{secret}\"\n[contexts.other]\nurl = \"https://nowhere.example\"\n",
            emu.url()
        ),
    )
    .unwrap();
    bare(&emu.home)
        .args(["link", "list"])
        .assert()
        .success()
        .stdout(contains("primary-to-dr"));
    bare(&emu.home)
        .args(["link", "list", "--context", "missing"])
        .assert()
        .code(3)
        .stderr(contains("no context `missing` in").and(contains("(it has: emu, other)")));
    // A flag wins over the context.
    bare(&emu.home)
        .args(["link", "list", "--cluster", "lkc-elsewhere"])
        .assert()
        .success()
        .stdout(contains("No cluster links on lkc-elsewhere."));
    std::fs::write(dir.join("config.toml"), "[contexts.x]\nurl = 1\n").unwrap();
    bare(&emu.home)
        .args(["link", "list"])
        .assert()
        .code(3)
        .stderr(contains("is not a valid kmirror config"));
}

#[test]
fn a_dry_run_action_sends_validate_only_and_the_named_topics() {
    let server = MockServer::start();
    // The action reads the topics first: one already at its end state is
    // not sent again, one on its way is waited for.
    let list = server.mock(|when, then| {
        when.method("GET")
            .path("/kafka/v3/clusters/lkc-1/links/dr/mirrors")
            .header("authorization", "Basic a2V5OnNlY3JldA==");
        let topic = |name: &str| {
            serde_json::json!({
                "kind": "KafkaMirrorTopic", "metadata": {"self": ""}, "link_name": "dr",
                "mirror_topic_name": name, "source_topic_name": name, "num_partitions": 1,
                "mirror_lags": [], "mirror_status": "ACTIVE", "state_time_ms": 0,
            })
        };
        then.status(200).json_body(serde_json::json!({
            "kind": "KafkaMirrorTopicList", "metadata": {"self": "", "next": null},
            "data": [topic("orders"), topic("payments")]
        }));
    });
    let promote = server.mock(|when, then| {
        when.method("POST")
            .path("/kafka/v3/clusters/lkc-1/links/dr/mirrors:promote")
            .query_param("validate_only", "true")
            .header("authorization", "Basic a2V5OnNlY3JldA==")
            .json_body(serde_json::json!({"mirror_topic_names": ["orders", "payments"]}));
        then.status(200).json_body(serde_json::json!({
            "kind": "KafkaMirrorStatusList", "metadata": {"self": ""},
            "data": [
                {"kind": "KafkaMirrorStatus", "metadata": {"self": ""}, "mirror_topic_name": "orders", "mirror_lags": []},
                {"kind": "KafkaMirrorStatus", "metadata": {"self": ""}, "mirror_topic_name": "payments", "mirror_lags": [],
                 "error_code": 400, "error_message": "Topic 'payments' is not a mirror"}
            ]
        }));
    });
    let home = TempDir::new();
    let out = bare(&home)
        .args([
            "-o",
            "json",
            "mirror",
            "promote",
            "orders",
            "payments",
            "--link",
            "dr",
            "--dry-run",
        ])
        .env("KAFKA_MIRROR_URL", server.base_url())
        .env("KAFKA_MIRROR_CLUSTER_ID", "lkc-1")
        .env("KAFKA_MIRROR_API_KEY", "key")
        .env("KAFKA_MIRROR_API_SECRET", "secret")
        .output()
        .unwrap();
    promote.assert();
    list.assert();
    assert_eq!(out.status.code(), Some(1), "a topic failed");
    let r = json(&out);
    assert_eq!(r["topics"][0]["accepted"], true);
    assert_eq!(r["topics"][1]["accepted"], false);
    assert_eq!(r["topics"][1]["error_code"], 400);
}

#[test]
fn oauth_settings_come_from_the_environment() {
    let emu = Emu::start(|b| b);
    let (_, pool) = emu.emulator.oauth_client_credentials().unwrap();
    let (id, secret) = kafka_mirror_emulator::DEFAULT_OAUTH_CLIENT;
    let out = bare(&emu.home)
        .args(["-o", "json", "link", "list"])
        .env("KAFKA_MIRROR_URL", emu.url())
        .env("KAFKA_MIRROR_CLUSTER_ID", "lkc-dr")
        .env("KAFKA_MIRROR_OAUTH_TOKEN_URL", emu.emulator.token_url())
        .env("KAFKA_MIRROR_OAUTH_CLIENT_ID", id)
        .env("KAFKA_MIRROR_OAUTH_CLIENT_SECRET", secret)
        .env("KAFKA_MIRROR_IDENTITY_POOL_ID", pool.unwrap())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(json(&out)[0]["link_name"], "primary-to-dr");
    assert_eq!(emu.emulator.tokens_issued(), 1);
    // A wrong client secret: the token endpoint's refusal, not the secret.
    bare(&emu.home)
        .args(["link", "list"])
        .env("KAFKA_MIRROR_URL", emu.url())
        .env("KAFKA_MIRROR_CLUSTER_ID", "lkc-dr")
        .env("KAFKA_MIRROR_OAUTH_TOKEN_URL", emu.emulator.token_url())
        .env("KAFKA_MIRROR_OAUTH_CLIENT_ID", id)
        .env("KAFKA_MIRROR_OAUTH_CLIENT_SECRET", "wr0ng-secret")
        .assert()
        .code(3)
        .stderr(contains("invalid_client").and(contains("wr0ng-secret").not()));
}

#[test]
fn completions_are_generated_for_three_shells() {
    let home = TempDir::new();
    for shell in ["bash", "zsh", "fish"] {
        bare(&home)
            .args(["completions", shell])
            .assert()
            .success()
            .stdout(contains("kmirror").and(contains("switchover")));
    }
}

#[test]
fn commands_that_connect_nowhere_refuse_connection_flags() {
    let home = TempDir::new();
    for args in [
        vec!["drill", "--url", "https://pkc-1.example.com"],
        vec!["emulator", "--cluster", "lkc-1"],
        vec!["completions", "bash", "--api-key", "KEY"],
    ] {
        bare(&home)
            .args(&args)
            .assert()
            .code(2)
            .stderr(contains("unexpected argument"));
    }
    // The commands that connect take them after their name, at any depth.
    bare(&home)
        .args([
            "mirror",
            "list",
            "--link",
            "l",
            "--url",
            "ftp://h",
            "--cluster",
            "c",
        ])
        .assert()
        .code(3)
        .stderr(contains("--url"));
}

#[test]
fn a_reader_that_goes_away_ends_the_output_quietly_with_exit_0() {
    // `kmirror completions bash | head -1`: the pipe closes before the
    // script is written.
    use std::process::{Command, Stdio};
    let home = TempDir::new();
    let mut child = Command::new(assert_cmd::cargo::cargo_bin("kmirror"))
        .args(["completions", "bash"])
        .env("HOME", home.path())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    assert!(
        out.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}
