//! Generates the typed clients from the specs under `openapi/` into `OUT_DIR`
//! (or under the folder `KAFKA_MIRROR_OPENAPI_DIR` names, laid out the same
//! way: a crate user's newer copy of the specs). All the work is in the
//! `kafka-mirror-codegen` crate (`codegen/`), where it is unit-tested; this
//! file only says which folders are which API.

use std::path::{Path, PathBuf};

use kafka_mirror_codegen::rules::{KnownValues, OperationName};
use kafka_mirror_codegen::{ApiConfig, generate_with_mock};

/// Names a folder of specs to generate from instead of `openapi/`.
const OPENAPI_DIR_VAR: &str = "KAFKA_MIRROR_OPENAPI_DIR";

/// The API folders the crate's hand-written code needs.
const APIS: &[&str] = &["confluent", "instaclustr", "instaclustr-v2"];

fn main() {
    // Re-run when the variable or any spec changes (cargo watches the whole
    // folder), and at no other time: this script's own changes re-run it
    // anyway.
    println!("cargo::rerun-if-env-changed={OPENAPI_DIR_VAR}");
    let root = spec_root();
    println!("cargo::rerun-if-changed={}", root.display());
    let out = PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));
    // A bad spec of the user's own folder says where the specs came from.
    let from = match std::env::var_os(OPENAPI_DIR_VAR) {
        Some(_) => format!(" (specs from {OPENAPI_DIR_VAR}={})", root.display()),
        None => String::new(),
    };
    for api in apis(&root) {
        let name = api
            .dir
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or("api")
            .replace('-', "_");
        // Feature `mock`: typed httpmock helpers from the same spec, from
        // the same preparation.
        let mock_path = format!("crate::{name}");
        let mock = std::env::var_os("CARGO_FEATURE_MOCK").map(|_| mock_path.as_str());
        match generate_with_mock(&api, mock) {
            Ok((generated, mock)) => {
                write(&out.join(format!("{name}.rs")), &generated.source);
                if let Some(source) = mock {
                    write(&out.join(format!("{name}_mock.rs")), &source);
                }
            }
            Err(e) => fail(&format!("{e}{from}")),
        }
    }
}

/// `openapi/`, or the folder the variable names, checked: it must exist
/// and hold one folder per API this crate needs.
fn spec_root() -> PathBuf {
    let Some(value) = std::env::var_os(OPENAPI_DIR_VAR) else {
        return PathBuf::from("openapi");
    };
    let root = PathBuf::from(&value);
    let named = format!("{OPENAPI_DIR_VAR}={}", root.display());
    if value.is_empty() {
        fail(&format!(
            "{OPENAPI_DIR_VAR} is set but empty; unset it to use the specs shipped with kafka-mirror"
        ));
    }
    if root.is_relative() {
        fail(&format!(
            "{named} is a relative path, which a build script cannot resolve against your \
             workspace; give an absolute path, or set it in .cargo/config.toml under [env] \
             with `relative = true`"
        ));
    }
    if !root.is_dir() {
        fail(&format!("{named}: no such folder"));
    }
    let missing: Vec<&str> = APIS
        .iter()
        .copied()
        .filter(|api| !root.join(api).is_dir())
        .collect();
    if !missing.is_empty() {
        let listed = match missing.split_last() {
            Some((last, [])) => last.to_string(),
            Some((last, rest)) => format!("{} or {last}", rest.join(", ")),
            None => String::new(),
        };
        fail(&format!(
            "{named} has no {listed} folder; it must be laid out like kafka-mirror's openapi/ \
             (one folder per API: {})",
            APIS.join(", ")
        ));
    }
    root
}

fn apis(root: &Path) -> [ApiConfig; 3] {
    [
        ApiConfig {
            dir: root.join("confluent"),
            module_path: "crate::confluent::generated".into(),
            error_schema: "Error".into(),
            error_type: "crate::error::ConfluentError".into(),
            inner_type: "crate::transport::Inner".into(),
            method_names: names(CONFLUENT_METHODS),
            ..Default::default()
        },
        ApiConfig {
            dir: root.join("instaclustr"),
            module_path: "crate::instaclustr::generated".into(),
            error_schema: "ErrorMessage".into(),
            error_type: "crate::error::InstaclustrError".into(),
            inner_type: "crate::transport::Inner".into(),
            method_names: Vec::new(),
            ..Default::default()
        },
        ApiConfig {
            dir: root.join("instaclustr-v2"),
            module_path: "crate::instaclustr_v2::generated".into(),
            error_schema: "ErrorListResponseV2".into(),
            error_type: "crate::error::InstaclustrV2Error".into(),
            inner_type: "crate::transport::Inner".into(),
            method_names: Vec::new(),
            operation_names: INSTACLUSTR_V2_OPERATIONS
                .iter()
                .map(|(m, p, n)| OperationName::new(m, p, n))
                .collect(),
            known_values: vec![
                // The values come from the spec itself (rule
                // terraform_poll_statuses_are_an_enum); this names the type.
                KnownValues::new("KafkaConnectMirrorV2", "status", "MirrorStatus", &[]),
                // Kafka Connect's connector states (its REST API's
                // `/connectors/{name}/status`), which Instaclustr passes on.
                KnownValues::new(
                    "kafkaConnectMirrorConnectorDetailsV2",
                    "status",
                    "ConnectorStatus",
                    &[
                        "UNASSIGNED",
                        "RUNNING",
                        "PAUSED",
                        "FAILED",
                        "RESTARTING",
                        "STOPPED",
                    ],
                ),
            ],
        },
    ]
}

/// operationIds for Instaclustr's v2 mirror operations, which have none.
const INSTACLUSTR_V2_OPERATIONS: &[(&str, &str, &str)] = &[
    (
        "get",
        "/cluster-management/v2/data-sources/kafka_connect_cluster/{clusterId}/mirrors/v2/",
        "list_mirrors",
    ),
    (
        "post",
        "/cluster-management/v2/resources/applications/kafka_connect/mirrors/v2",
        "create_mirror",
    ),
    (
        "get",
        "/cluster-management/v2/resources/applications/kafka_connect/mirrors/v2/{mirrorId}",
        "get_mirror",
    ),
    (
        "put",
        "/cluster-management/v2/resources/applications/kafka_connect/mirrors/v2/{mirrorId}",
        "update_mirror",
    ),
    (
        "delete",
        "/cluster-management/v2/resources/applications/kafka_connect/mirrors/v2/{mirrorId}",
        "delete_mirror",
    ),
];

/// Method names for Confluent's operationIds, which name a POST action
/// "update" (`updateKafkaMirrorTopicsPromote`), a single config "configs"
/// (`getKafkaLinkConfigs`) and mix "read" with "get". Each method keeps its
/// operationId as a doc alias; an operation not listed here (one added to a
/// refreshed spec) is named after its operationId in snake case.
/// Instaclustr's operationIds (`listMirrors`, `createMirror`, ...) already
/// read well.
const CONFLUENT_METHODS: &[(&str, &str)] = &[
    ("listKafkaLinks", "list_links"),
    ("createKafkaLink", "create_link"),
    ("getKafkaLink", "get_link"),
    ("deleteKafkaLink", "delete_link"),
    ("listKafkaLinkConfigs", "list_link_configs"),
    ("getKafkaLinkConfigs", "get_link_config"),
    ("updateKafkaLinkConfig", "update_link_config"),
    ("deleteKafkaLinkConfig", "delete_link_config"),
    ("updateKafkaLinkConfigBatch", "alter_link_configs"),
    ("listKafkaMirrorTopicsUnderLink", "list_mirror_topics"),
    ("listKafkaMirrorTopics", "list_all_mirror_topics"),
    ("createKafkaMirrorTopic", "create_mirror_topic"),
    ("readKafkaMirrorTopic", "get_mirror_topic"),
    ("updateKafkaMirrorTopicsPromote", "promote_mirror_topics"),
    ("updateKafkaMirrorTopicsFailover", "failover_mirror_topics"),
    ("updateKafkaMirrorTopicsPause", "pause_mirror_topics"),
    ("updateKafkaMirrorTopicsResume", "resume_mirror_topics"),
    (
        "updateKafkaMirrorTopicsReverseAndStartMirror",
        "reverse_and_start_mirror_topics",
    ),
    (
        "updateKafkaMirrorTopicsReverseAndPauseMirror",
        "reverse_and_pause_mirror_topics",
    ),
    (
        "updateKafkaMirrorTopicsTruncateAndRestoreMirror",
        "truncate_and_restore_mirror_topics",
    ),
];

fn names(table: &[(&str, &str)]) -> Vec<(String, String)> {
    table
        .iter()
        .map(|(id, name)| (id.to_string(), name.to_string()))
        .collect()
}

fn write(path: &Path, source: &str) {
    if let Err(e) = std::fs::write(path, source) {
        fail(&format!(
            "kafka-mirror: cannot write {}: {e}",
            path.display()
        ));
    }
}

/// One clear line, no backtrace: cargo prints `error: <message>` and fails
/// the build because of the `cargo::error` line (the exit status stays 0 so
/// that cargo does not add the script's whole output around it).
fn fail(message: &str) -> ! {
    println!("cargo::error={message}");
    std::process::exit(0);
}
