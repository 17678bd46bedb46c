//! A `nullable: true` property is optional; a nullable enum loses `nullable`.
//!
//! Generator limit: a nullable enum with a `title` makes typify emit a type
//! that contains itself ("recursive type" compile error); seen with
//! `link_state` and `link_error` on Confluent's docs pages.
//! Quirk: a field the spec calls required-but-nullable
//! (`partition_level_truncation_data` of the `mirrors:*` results) is one the
//! service may leave out as readily as send as `null`; typify would make
//! absence a decode error. As an optional property it is an `Option` that
//! takes `null`, absence, or a value.

use serde_json::Value;

use super::Context;
use crate::error::Result;
use crate::walk::{for_each_schema, is_string_enum};

pub fn apply(doc: &mut Value, _: &Context) -> Result<()> {
    for_each_schema(doc, &mut |schema, _| {
        let mut made_optional = Vec::new();
        if let Some(props) = schema.get_mut("properties").and_then(Value::as_object_mut) {
            for (name, prop) in props.iter_mut() {
                let Some(prop) = prop.as_object_mut() else {
                    continue;
                };
                if prop.get("nullable") != Some(&Value::Bool(true)) {
                    continue;
                }
                made_optional.push(name.clone());
                if is_string_enum(prop) {
                    prop.remove("nullable");
                    if let Some(values) = prop.get_mut("enum").and_then(Value::as_array_mut) {
                        values.retain(|v| !v.is_null());
                    }
                }
            }
        }
        if let Some(required) = schema.get_mut("required").and_then(Value::as_array_mut) {
            required.retain(|r| !made_optional.iter().any(|m| r == m));
        }
    });
    Ok(())
}

#[cfg(test)]
mod tests {
    #[test]
    fn nullable_properties_become_optional_and_enums_plain() {
        let doc = super::super::run(
            super::apply,
            r#"
components:
  schemas:
    Link:
      type: object
      required: [link_state, link_name, cluster_link_id]
      properties:
        cluster_link_id: {type: string}
        link_name: {type: string, nullable: true}
        link_state: {nullable: true, type: string, enum: [ACTIVE, null], title: LinkState}
"#,
        )
        .unwrap();
        let link = &doc["components"]["schemas"]["Link"];
        assert_eq!(link["required"], serde_json::json!(["cluster_link_id"]));
        assert!(link["properties"]["link_state"].get("nullable").is_none());
        assert_eq!(
            link["properties"]["link_state"]["enum"],
            serde_json::json!(["ACTIVE"])
        );
        assert_eq!(
            link["properties"]["link_name"]["nullable"], true,
            "other types keep the flag"
        );
    }
}
