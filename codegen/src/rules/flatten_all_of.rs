//! An `allOf` of objects becomes one object with all their properties.
//!
//! Generator limit: Confluent's spec builds every resource as
//! `allOf: [Resource, <Name>_allOf]`. typify renders an allOf it cannot
//! merge as a struct of `#[serde(flatten)]` parts (`subtype_0`,
//! `subtype_1`), so users would write `link.subtype_1.link_name`. Merged,
//! the type has the fields one expects: `link.kind`, `link.link_name`.

use serde_json::{Map, Value};

use super::Context;
use crate::error::{BuildError, Result};
use crate::walk::{canonical, component_schemas, for_each_schema, ref_name};

pub fn apply(doc: &mut Value, _: &Context) -> Result<()> {
    let components = component_schemas(doc);
    let mut problem = None;
    for_each_schema(doc, &mut |schema, place| {
        if problem.is_some() || !schema.contains_key("allOf") {
            return;
        }
        match merge(schema, &components, 0) {
            Ok(merged) => *schema = merged,
            Err(e) => problem = Some(e.at(place.root.clone())),
        }
    });
    problem.map_or(Ok(()), Err)
}

/// The object an allOf stands for; parts are resolved (and flattened) first.
fn merge(
    schema: &Map<String, Value>,
    components: &Map<String, Value>,
    depth: usize,
) -> Result<Map<String, Value>> {
    if depth > 16 {
        return Err(BuildError::new("allOf nests too deep (a cycle?)"));
    }
    let mut out = Map::new();
    // The outer schema's own annotations (title, description, example) stay.
    for (k, v) in schema {
        if k != "allOf" {
            out.insert(k.clone(), v.clone());
        }
    }
    let mut properties = Map::new();
    let mut required: Vec<Value> = Vec::new();
    for part in schema["allOf"].as_array().into_iter().flatten() {
        let resolved = match ref_name(part) {
            Some(name) => components.get(name).ok_or_else(|| {
                BuildError::new(format!("allOf refers to missing components/schemas/{name}"))
            })?,
            None => part,
        };
        let Some(part_map) = resolved.as_object() else {
            return Err(BuildError::new("an allOf part is not a schema"));
        };
        let part_map = if part_map.contains_key("allOf") {
            merge(part_map, components, depth + 1)?
        } else {
            part_map.clone()
        };
        let is_object = part_map
            .get("type")
            .and_then(Value::as_str)
            .is_none_or(|t| t == "object");
        if !is_object || part_map.contains_key("oneOf") || part_map.contains_key("anyOf") {
            return Err(BuildError::new(
                "allOf mixes an object with a non-object; only objects can be merged",
            ));
        }
        for (name, prop) in part_map
            .get("properties")
            .and_then(Value::as_object)
            .into_iter()
            .flatten()
        {
            if let Some(before) = properties.get(name)
                && canonical(before, components) != canonical(prop, components)
            {
                return Err(BuildError::new(format!(
                    "allOf parts define property `{name}` differently"
                )));
            }
            properties.insert(name.clone(), prop.clone());
        }
        for r in part_map
            .get("required")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            if !required.contains(r) {
                required.push(r.clone());
            }
        }
        if part_map.get("additionalProperties") == Some(&Value::Bool(false)) {
            out.insert("additionalProperties".into(), Value::Bool(false));
        }
    }
    out.insert("type".into(), Value::from("object"));
    if !required.is_empty() {
        out.insert("required".into(), Value::Array(required));
    }
    out.insert("properties".into(), Value::Object(properties));
    Ok(out)
}

#[cfg(test)]
mod tests {
    const SPEC: &str = r#"
components:
  schemas:
    Resource:
      type: object
      required: [kind]
      properties: {kind: {type: string}}
    Link_allOf:
      type: object
      required: [link_name]
      properties: {link_name: {type: string}}
    Link:
      description: A link.
      allOf:
      - $ref: '#/components/schemas/Resource'
      - $ref: '#/components/schemas/Link_allOf'
"#;

    #[test]
    fn parts_merge_into_one_object() {
        let doc = super::super::run(super::apply, SPEC).unwrap();
        let link = &doc["components"]["schemas"]["Link"];
        assert!(link.get("allOf").is_none());
        assert_eq!(link["description"], "A link.");
        assert_eq!(link["required"], serde_json::json!(["kind", "link_name"]));
        let props: Vec<_> = link["properties"]
            .as_object()
            .unwrap()
            .keys()
            .cloned()
            .collect();
        assert_eq!(props, ["kind", "link_name"]);
    }

    #[test]
    fn a_property_defined_twice_differently_is_an_error() {
        let spec = SPEC.replace(
            "properties: {link_name: {type: string}}",
            "properties: {kind: {type: integer}}",
        );
        let err = super::super::run(super::apply, &spec).unwrap_err();
        assert!(err.problem.contains("property `kind`"), "{err}");
    }
}
