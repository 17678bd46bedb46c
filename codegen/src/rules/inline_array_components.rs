//! A component that is only an array is inlined where it is used, and
//! inline arrays lose their `title`.
//!
//! Generator limit: typify makes a named array a newtype
//! (`struct MirrorLags(Vec<MirrorLag>)`), so users would write
//! `topic.mirror_lags.0`. Inlined, the field is a plain `Vec<MirrorLag>`.

use serde_json::{Map, Value};

use super::Context;
use crate::error::Result;
use crate::walk::{component_schemas, for_each_schema, ref_name};

pub fn apply(doc: &mut Value, _: &Context) -> Result<()> {
    let arrays: Map<String, Value> = component_schemas(doc)
        .into_iter()
        .filter(|(_, s)| s.get("type").and_then(Value::as_str) == Some("array"))
        .collect();
    // Twice: an inlined array may itself hold a reference to an array.
    for _ in 0..2 {
        for_each_schema(doc, &mut |schema, _| {
            inline_refs_in(schema, &arrays);
            if schema.get("type").and_then(Value::as_str) == Some("array") {
                schema.remove("title");
            }
        });
    }
    Ok(())
}

fn inline_refs_in(schema: &mut Map<String, Value>, arrays: &Map<String, Value>) {
    let replace = |child: &mut Value| {
        if let Some(target) = ref_name(child).and_then(|n| arrays.get(n)) {
            let mut copy = target.clone();
            if let Some(m) = copy.as_object_mut() {
                m.remove("title");
            }
            *child = copy;
        }
    };
    if let Some(props) = schema.get_mut("properties").and_then(Value::as_object_mut) {
        props.values_mut().for_each(replace);
    }
    if let Some(items) = schema.get_mut("items") {
        replace(items);
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn references_to_arrays_become_arrays() {
        let doc = super::super::run(
            super::apply,
            r#"
components:
  schemas:
    MirrorLags: {type: array, items: {$ref: '#/components/schemas/MirrorLag'}}
    MirrorLag: {type: object}
    Topic:
      properties:
        mirror_lags: {$ref: '#/components/schemas/MirrorLags'}
        inline: {type: array, title: Named, items: {type: string}}
"#,
        )
        .unwrap();
        let t = &doc["components"]["schemas"]["Topic"]["properties"];
        assert_eq!(t["mirror_lags"]["type"], "array");
        assert_eq!(
            t["mirror_lags"]["items"]["$ref"],
            "#/components/schemas/MirrorLag"
        );
        assert!(t["inline"].get("title").is_none());
    }
}
