//! Every example in `openapi/` decodes into its generated type.
//!
//! The examples are collected here, from the specs as the build normalizes
//! them (with the codegen crate), so the build does not carry them; the
//! build emits only `decode_component`, one arm per component schema.
//! An example of an inline schema (a parameter, a property) is checked
//! against that schema's JSON type, which is what the generated code
//! decodes it as.

use std::path::Path;

use kafka_mirror_codegen::tables::{Example, collect_examples};
use serde_json::Value;

fn examples(api: &str, error_schema: &str) -> Vec<Example> {
    let config = kafka_mirror_codegen::ApiConfig {
        dir: Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("openapi")
            .join(api),
        module_path: format!("crate::{api}::generated"),
        error_schema: error_schema.into(),
        error_type: "unused".into(),
        inner_type: "unused".into(),
        method_names: Vec::new(),
        ..Default::default()
    };
    let doc = kafka_mirror_codegen::normalized(&config).unwrap_or_else(|e| panic!("{e}"));
    collect_examples(&doc)
}

fn check(api: &str, examples: &[Example], decode: fn(&str, &str) -> Option<Result<(), String>>) {
    check_at_least(api, examples, decode, 11)
}

fn check_at_least(
    api: &str,
    examples: &[Example],
    decode: fn(&str, &str) -> Option<Result<(), String>>,
    fewest: usize,
) {
    assert!(
        examples.len() >= fewest,
        "{api}: too few examples found ({})",
        examples.len()
    );
    let mut failures = Vec::new();
    for ex in examples {
        let outcome = if ex.raw {
            raw_body(&ex.value)
        } else if let Some(name) = ex.schema.get("$ref").and_then(Value::as_str) {
            let name = name.trim_start_matches("#/components/schemas/");
            decode(name, &ex.value.to_string())
                .unwrap_or_else(|| Err(format!("`{name}` has no generated type")))
        } else {
            inline(&ex.schema, &ex.value)
        };
        if let Err(e) = outcome {
            failures.push(format!("{api} {}: {e}\n    {}", ex.location, ex.value));
        }
    }
    assert!(
        failures.is_empty(),
        "{} examples do not decode:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// A raw body (the 429 HTML page) is kept as text in `ApiError::raw_body`:
/// it must not be JSON, which the error type would have been asked to decode.
fn raw_body(value: &Value) -> Result<(), String> {
    let text = value.as_str().ok_or("a raw example is not text")?;
    match serde_json::from_str::<Value>(text) {
        Err(_) => Ok(()),
        Ok(_) => Err("a raw example is JSON".into()),
    }
}

/// The JSON type an inline schema's generated Rust type decodes from.
fn inline(schema: &Value, value: &Value) -> Result<(), String> {
    if value.is_null() && schema.get("nullable") == Some(&Value::Bool(true)) {
        return Ok(());
    }
    let ty = schema.get("type").and_then(Value::as_str);
    let format = schema.get("format").and_then(Value::as_str);
    let fits = match (ty, format) {
        (Some("string"), Some("uuid")) => value
            .as_str()
            .is_some_and(|s| uuid::Uuid::parse_str(s).is_ok()),
        (Some("string"), _) => value.is_string(),
        (Some("integer"), Some("int32")) => {
            value.as_i64().is_some_and(|n| i32::try_from(n).is_ok())
        }
        (Some("integer"), _) => value.is_i64() || value.is_u64(),
        (Some("number"), _) => value.is_number(),
        (Some("boolean"), _) => value.is_boolean(),
        (Some("object"), _) => value.is_object(),
        (Some("array"), _) => {
            let items = schema.get("items").ok_or("an array schema without items")?;
            let values = value.as_array().ok_or("not an array")?;
            return values.iter().try_for_each(|v| inline(items, v));
        }
        _ => return Err(format!("no type can be told for the schema {schema}")),
    };
    let listed = schema
        .get("enum")
        .and_then(Value::as_array)
        .is_none_or(|values| values.contains(value));
    if fits && listed {
        Ok(())
    } else {
        Err(format!("does not fit the schema {schema}"))
    }
}

#[test]
fn every_confluent_example_decodes() {
    let examples = examples("confluent", "Error");
    // The 429 HTML page of the docs pages is among them, kept as raw text.
    assert!(examples.iter().any(|e| e.raw));
    check(
        "confluent",
        &examples,
        crate::confluent::generated::spec::examples::decode_component,
    );
}

#[test]
fn every_instaclustr_example_decodes() {
    check(
        "instaclustr",
        &examples("instaclustr", "ErrorMessage"),
        crate::instaclustr::generated::spec::examples::decode_component,
    );
}

#[test]
fn every_instaclustr_v2_example_decodes() {
    // The v2 document has few examples: the whole mirror, and three fields.
    let examples = examples("instaclustr-v2", "ErrorListResponseV2");
    assert!(
        examples
            .iter()
            .any(|e| e.location.contains("KafkaConnectMirrorV2")
                && e.value.get("sourceCluster").is_some()),
        "the mirror example is among them"
    );
    check_at_least(
        "instaclustr-v2",
        &examples,
        crate::instaclustr_v2::generated::spec::examples::decode_component,
        4,
    );
}

#[test]
fn a_wrong_example_is_reported() {
    let wrong = Example {
        location: "here".into(),
        value: serde_json::json!({"data": "not a list"}),
        schema: serde_json::json!({"$ref": "#/components/schemas/ListLinksResponseDataList"}),
        raw: false,
    };
    let result = std::panic::catch_unwind(|| {
        check(
            "confluent",
            &vec![wrong; 11],
            crate::confluent::generated::spec::examples::decode_component,
        )
    });
    assert!(result.is_err());
    assert!(
        inline(
            &serde_json::json!({"type": "integer", "format": "int32"}),
            &serde_json::json!(1u64 << 40)
        )
        .is_err()
    );
    assert!(
        inline(
            &serde_json::json!({"type": "string", "enum": ["a"]}),
            &serde_json::json!("b")
        )
        .is_err()
    );
}
