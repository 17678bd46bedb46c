//! The variants of a `oneOf` told apart by a constant property are inlined.
//!
//! Generator limit: typify generates an internally tagged enum
//! (`#[serde(tag = "sourceType")] enum { Instaclustr { .. }, Custom { .. } }`)
//! only when it sees the variants inline; with `$ref` variants it falls back
//! to an untagged enum of wrapper structs named after the schemas
//! (`CreateMirrorRequest::InstaclustrMirrorRequestSchemaOnlyClass(..)`).
//! Quirk: Instaclustr's create-mirror request is such a `oneOf`, told apart
//! by `sourceType`.

use serde_json::Value;

use super::Context;
use crate::error::Result;
use crate::walk::{component_schemas, for_each_schema, ref_name};

pub fn apply(doc: &mut Value, _: &Context) -> Result<()> {
    let components = component_schemas(doc);
    for_each_schema(doc, &mut |schema, _| {
        let Some(variants) = schema.get("oneOf").and_then(Value::as_array) else {
            return;
        };
        let resolved: Vec<Value> = variants
            .iter()
            .map(|v| {
                ref_name(v)
                    .and_then(|n| components.get(n))
                    .unwrap_or(v)
                    .clone()
            })
            .collect();
        if tag_property(&resolved).is_some() {
            schema.insert("oneOf".into(), Value::Array(resolved));
            // The mapping names the components that are now inline.
            schema.remove("discriminator");
        }
    });
    Ok(())
}

/// The property every variant fixes to its own single value, if any.
fn tag_property(variants: &[Value]) -> Option<String> {
    let first = variants.first()?;
    let props = first.get("properties")?.as_object()?;
    props
        .keys()
        .find(|name| variants.iter().all(|v| is_tag(v, name)))
        .cloned()
}

fn is_tag(variant: &Value, name: &str) -> bool {
    let values = variant
        .pointer(&format!("/properties/{name}/enum"))
        .and_then(Value::as_array);
    let required = variant
        .get("required")
        .and_then(Value::as_array)
        .is_some_and(|r| r.iter().any(|x| x == name));
    values.is_some_and(|v| v.len() == 1) && required
}

#[cfg(test)]
mod tests {
    const SPEC: &str = r#"
components:
  schemas:
    Req:
      oneOf:
      - $ref: '#/components/schemas/A'
      - $ref: '#/components/schemas/B'
      discriminator: {propertyName: kind}
    A: {type: object, required: [kind], properties: {kind: {type: string, enum: [a]}, x: {type: string}}}
    B: {type: object, required: [kind], properties: {kind: {type: string, enum: [b]}, y: {type: string}}}
"#;

    #[test]
    fn tagged_variants_are_inlined() {
        let doc = super::super::run(super::apply, SPEC).unwrap();
        let req = &doc["components"]["schemas"]["Req"];
        assert_eq!(req["oneOf"][0]["properties"]["kind"]["enum"][0], "a");
        assert_eq!(req["oneOf"][1]["properties"]["y"]["type"], "string");
        assert!(req.get("discriminator").is_none());
    }

    #[test]
    fn variants_without_a_common_tag_stay_references() {
        let spec = SPEC.replace("enum: [b]", "enum: [b, c]");
        let doc = super::super::run(super::apply, &spec).unwrap();
        assert_eq!(
            doc["components"]["schemas"]["Req"]["oneOf"][0]["$ref"],
            "#/components/schemas/A"
        );
    }
}
