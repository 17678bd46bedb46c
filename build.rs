//! Generates the typed clients from the specs under `openapi/` into `OUT_DIR`.
//! All the work is in the `kafka-mirror-codegen` crate (`codegen/`), where it
//! is unit-tested; this file only says which folders are which API.

use std::path::{Path, PathBuf};

use kafka_mirror_codegen::{ApiConfig, generate, generate_mock};

fn main() {
    // Re-run when any spec changes (cargo watches the whole folder), and at
    // no other time: this script's own changes re-run it anyway.
    println!("cargo::rerun-if-changed=openapi");
    let out = PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));
    for api in apis() {
        let name = api
            .dir
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or("api")
            .to_string();
        match generate(&api) {
            Ok(generated) => write(&out.join(format!("{name}.rs")), &generated.source),
            Err(e) => fail(&e.to_string()),
        }
        // Feature `mock`: typed httpmock helpers from the same spec.
        if std::env::var_os("CARGO_FEATURE_MOCK").is_some() {
            match generate_mock(&api, &format!("crate::{name}")) {
                Ok(source) => write(&out.join(format!("{name}_mock.rs")), &source),
                Err(e) => fail(&e.to_string()),
            }
        }
    }
}

fn apis() -> [ApiConfig; 2] {
    let root = Path::new("openapi");
    [
        ApiConfig {
            dir: root.join("confluent"),
            module_path: "crate::confluent::generated".into(),
            error_schema: "Error".into(),
            error_type: "crate::error::ConfluentError".into(),
            inner_type: "crate::transport::Inner".into(),
            method_names: names(CONFLUENT_METHODS),
        },
        ApiConfig {
            dir: root.join("instaclustr"),
            module_path: "crate::instaclustr::generated".into(),
            error_schema: "ErrorMessage".into(),
            error_type: "crate::error::InstaclustrError".into(),
            inner_type: "crate::transport::Inner".into(),
            method_names: Vec::new(),
        },
    ]
}

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
