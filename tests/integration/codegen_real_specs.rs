//! The codegen pipeline on this package's own specs: what the rules promise
//! holds on the real documents, not only on the small ones of codegen's unit
//! tests. (Here rather than in codegen's package, whose tests must not read
//! files outside it.)

use std::path::Path;

use kafka_mirror_codegen::{ApiConfig, generate};
use serde_json::Value;

fn api(name: &str, error_schema: &str) -> kafka_mirror_codegen::Generated {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("openapi")
        .join(name);
    generate(&ApiConfig {
        dir,
        module_path: format!("crate::{name}::generated"),
        error_schema: error_schema.into(),
        error_type: format!("crate::{name}::ErrorBody"),
        inner_type: "crate::transport::Inner".into(),
        method_names: Vec::new(),
        ..Default::default()
    })
    .unwrap_or_else(|e| panic!("{e}"))
}

fn operations(doc: &Value) -> Vec<(String, Value)> {
    let mut out = Vec::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            if ["get", "post", "put", "delete", "patch"].contains(&method.as_str()) {
                out.push((format!("{} {path}", method.to_uppercase()), op.clone()));
            }
        }
    }
    out
}

fn find_key(v: &Value, key: &str, found: &mut Vec<String>, at: String) {
    match v {
        Value::Object(m) => {
            for (k, c) in m {
                if k == key {
                    found.push(format!("{at}/{k}"));
                }
                find_key(c, key, found, format!("{at}/{k}"));
            }
        }
        Value::Array(a) => a
            .iter()
            .enumerate()
            .for_each(|(i, c)| find_key(c, key, found, format!("{at}/{i}"))),
        _ => {}
    }
}

#[test]
fn confluent_has_its_20_operations_with_one_error_schema() {
    let g = api("confluent", "Error");
    let ops = operations(&g.normalized);
    assert_eq!(ops.len(), 20);
    for (name, op) in &ops {
        let statuses: Vec<&String> = op["responses"].as_object().unwrap().keys().collect();
        assert!(
            statuses.iter().all(|s| !s.starts_with('4') || *s == "4XX"),
            "{name}: {statuses:?}"
        );
        for range in ["4XX", "5XX"] {
            assert_eq!(
                op["responses"][range]["content"]["application/json"]["schema"]["$ref"],
                "#/components/schemas/Error",
                "{name}"
            );
        }
    }
    // create-link's 204 became any 2xx (the service answers 201).
    let create = &ops
        .iter()
        .find(|(_, o)| o["operationId"] == "create_kafka_link")
        .unwrap()
        .1;
    assert!(create["responses"].get("2XX").is_some());
}

#[test]
fn every_mirrors_action_documents_partial_failure_and_has_failed() {
    let g = api("confluent", "Error");
    let actions: Vec<_> = operations(&g.normalized)
        .into_iter()
        .filter(|(n, _)| n.contains("/mirrors:"))
        .collect();
    assert_eq!(actions.len(), 7);
    for (name, op) in actions {
        assert!(
            op["description"]
                .as_str()
                .unwrap()
                .contains("**Partial failure:**"),
            "{name}"
        );
    }
    assert!(g.source.contains("pub fn failed(&self)"));
}

#[test]
fn no_closed_objects_extensible_enums_or_inline_titles_remain() {
    for (name, error) in [("confluent", "Error"), ("instaclustr", "ErrorMessage")] {
        let g = api(name, error);
        let mut found = Vec::new();
        find_key(
            &g.normalized,
            "x-extensible-enum",
            &mut found,
            String::new(),
        );
        let mut closed = Vec::new();
        find_key(
            &g.normalized,
            "additionalProperties",
            &mut closed,
            String::new(),
        );
        assert!(found.is_empty(), "{name}: {found:?}");
        assert!(closed.is_empty(), "{name}: {closed:?}");
        let mut all_of = Vec::new();
        find_key(
            &g.normalized["components"],
            "allOf",
            &mut all_of,
            String::new(),
        );
        assert!(all_of.is_empty(), "{name}: {all_of:?}");
    }
}

#[test]
fn status_enums_are_open() {
    let g = api("confluent", "Error");
    for ty in [
        "MirrorTopicStatus",
        "LinkState",
        "LinkError",
        "MirrorTopicError",
        "ListLinkConfigsResponseDataSource",
    ] {
        assert!(g.source.contains(&format!("pub enum {ty} {{")), "{ty}");
        assert!(
            g.source
                .contains(&format!("impl ::std::convert::From<&str> for {ty}")),
            "{ty} is not open"
        );
    }
    let i = api("instaclustr", "ErrorMessage");
    assert!(i.source.contains("pub enum MirrorStatus {"));
    assert!(
        i.source.contains("#[serde(tag = \"sourceType\")]"),
        "the create request is a tagged enum"
    );
    assert_eq!(operations(&i.normalized).len(), 5);
}

#[test]
fn the_four_confluent_lists_page() {
    let g = api("confluent", "Error");
    for op in [
        "list_kafka_links",
        "list_kafka_link_configs",
        "list_kafka_mirror_topics",
        "list_kafka_mirror_topics_under_link",
    ] {
        assert!(
            g.source.contains(&format!("\"{op}\"")),
            "{op} has no pagination"
        );
    }
    assert_eq!(g.source.matches("crate::paginate::Pages::new").count(), 4);
    assert_eq!(
        g.source.matches("impl crate::paginate::Page for").count(),
        3,
        "two lists share one page type"
    );
}
