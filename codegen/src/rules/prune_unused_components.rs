//! Component schemas nothing refers to are removed.
//!
//! Generator limit: typify emits a type for every component. After
//! `flatten_all_of` the building blocks (`Resource`, `*_allOf`) are used by
//! no one, and the full spec's copy of a schema a docs page replaced would
//! be a second type for the same thing.

use std::collections::BTreeSet;

use serde_json::Value;

use super::Context;
use crate::error::Result;
use crate::walk::referenced_names;

pub fn apply(doc: &mut Value, ctx: &Context) -> Result<()> {
    // Roots: everything but the component schemas themselves.
    let mut roots = doc.clone();
    if let Some(s) = roots
        .pointer_mut("/components")
        .and_then(Value::as_object_mut)
    {
        s.remove("schemas");
    }
    let mut used = BTreeSet::new();
    referenced_names(&roots, &mut used);
    used.insert(ctx.error_schema.clone());
    let schemas = doc
        .pointer("/components/schemas")
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default();
    let mut queue: Vec<String> = used.iter().cloned().collect();
    while let Some(name) = queue.pop() {
        let mut found = BTreeSet::new();
        if let Some(s) = schemas.get(&name) {
            referenced_names(s, &mut found);
        }
        for f in found {
            if used.insert(f.clone()) {
                queue.push(f);
            }
        }
    }
    if let Some(s) = doc
        .pointer_mut("/components/schemas")
        .and_then(Value::as_object_mut)
    {
        s.retain(|name, _| used.contains(name));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #[test]
    fn only_reachable_schemas_stay() {
        let doc = super::super::run(
            super::apply,
            r#"
components:
  schemas:
    Error: {type: object}
    A: {type: object, properties: {b: {$ref: '#/components/schemas/B'}}}
    B: {type: object}
    Orphan: {type: object}
paths:
  /a:
    get: {operationId: a, responses: {'200': {description: ok, content: {application/json: {schema: {$ref: '#/components/schemas/A'}}}}}}
"#,
        )
        .unwrap();
        let names: Vec<_> = doc["components"]["schemas"]
            .as_object()
            .unwrap()
            .keys()
            .cloned()
            .collect();
        assert_eq!(names, ["Error", "A", "B"]);
    }
}
