//! Prints what the build generates for one API folder, for maintainers:
//! `cargo run -p kafka-mirror-codegen --example dump -- openapi/confluent [spec|merged|code]`
//! (`merged`: the folder's files merged, before normalization, as JSON).
use std::path::PathBuf;

fn main() {
    let mut args = std::env::args().skip(1);
    let dir = PathBuf::from(args.next().unwrap_or_else(|| "openapi/confluent".into()));
    let what = args.next().unwrap_or_else(|| "code".into());
    let api = kafka_mirror_codegen::ApiConfig {
        dir: dir.clone(),
        module_path: "crate::api".into(),
        error_schema: if dir.ends_with("instaclustr") {
            "ErrorMessage"
        } else if dir.ends_with("instaclustr-v2") {
            "ErrorListResponseV2"
        } else {
            "Error"
        }
        .into(),
        error_type: "crate::ErrorBody".into(),
        inner_type: "crate::Inner".into(),
        method_names: Vec::new(),
        ..Default::default()
    };
    if what == "mock" {
        match kafka_mirror_codegen::generate_mock(&api, "crate::api") {
            Ok(code) => println!("{code}"),
            Err(e) => {
                eprintln!("{e}");
                std::process::exit(1);
            }
        }
        return;
    }
    if what == "merged" {
        match kafka_mirror_codegen::load::load_dir(&dir) {
            Ok(l) => println!("{}", serde_json::to_string_pretty(&l.doc).unwrap()),
            Err(e) => {
                eprintln!("{e}");
                std::process::exit(1);
            }
        }
        return;
    }
    match kafka_mirror_codegen::generate(&api) {
        Ok(g) if what == "spec" => println!("{}", yaml_serde::to_string(&g.normalized).unwrap()),
        Ok(g) => println!("{}", g.source),
        Err(e) => {
            eprintln!("{e}");
            std::process::exit(1);
        }
    }
}
