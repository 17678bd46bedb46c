//! A string property build.rs lists known values for becomes an open enum
//! with the type name build.rs gives it.
//!
//! Quirk: Instaclustr types its statuses as plain strings and declares no
//! values (the connectors' `status` holds Kafka Connect's connector states:
//! `RUNNING`, `PAUSED`, `FAILED`...). Listed as `x-extensible-enum` with a
//! `title`, the property becomes an open enum named as build.rs says
//! (`MirrorStatus`, `ConnectorStatus`) rather than after its whole path.
//! Values the document already lists are kept, and come first.

use serde_json::Value;

use super::Context;
use crate::error::Result;

pub fn apply(doc: &mut Value, ctx: &Context) -> Result<()> {
    for known in &ctx.known_values {
        let pointer = format!(
            "/components/schemas/{}/properties/{}",
            known.schema, known.property
        );
        let Some(prop) = doc.pointer_mut(&pointer).and_then(Value::as_object_mut) else {
            continue;
        };
        if prop.contains_key("enum") || prop.get("type").and_then(Value::as_str) != Some("string") {
            continue;
        }
        let list = prop
            .entry("x-extensible-enum")
            .or_insert_with(|| Value::Array(Vec::new()));
        if let Some(list) = list.as_array_mut() {
            for v in &known.values {
                if !list.iter().any(|x| x == v.as_str()) {
                    list.push(v.as_str().into());
                }
            }
        }
        prop.insert("title".into(), known.title.as_str().into());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::super::{Context, KnownValues};
    use serde_json::json;

    #[test]
    fn listed_properties_get_their_values_and_title() {
        let mut doc = crate::load::parse_text(
            "components:\n  schemas:\n    C:\n      properties:\n        status: {type: string, x-extensible-enum: [RUNNING]}\n        other: {type: integer}\n",
        )
        .unwrap();
        let ctx = Context {
            known_values: vec![
                KnownValues::new("C", "status", "ConnectorStatus", &["PAUSED", "RUNNING"]),
                KnownValues::new("C", "other", "Other", &["X"]),
                KnownValues::new("Missing", "status", "Nothing", &["X"]),
            ],
            ..Context::for_tests()
        };
        super::apply(&mut doc, &ctx).unwrap();
        let c = &doc["components"]["schemas"]["C"]["properties"];
        assert_eq!(
            c["status"]["x-extensible-enum"],
            json!(["RUNNING", "PAUSED"])
        );
        assert_eq!(c["status"]["title"], "ConnectorStatus");
        assert!(c["other"].get("title").is_none(), "only strings");
    }
}
