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
            error_type: "crate::confluent::ErrorBody".into(),
            inner_type: "crate::transport::Inner".into(),
        },
        ApiConfig {
            dir: root.join("instaclustr"),
            module_path: "crate::instaclustr::generated".into(),
            error_schema: "ErrorMessage".into(),
            error_type: "crate::instaclustr::ErrorBody".into(),
            inner_type: "crate::transport::Inner".into(),
        },
    ]
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
