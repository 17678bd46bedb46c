//! Every path parameter is declared on each operation: the path item's own
//! `parameters` are copied into its operations, and a `{name}` of the path
//! that nothing declares gets a required string parameter.
//!
//! Quirk: Instaclustr's v2 document declares `clusterId` and `mirrorId` on
//! the path items only, with empty `parameters` on the operations; a docs
//! page cut out of a larger document may lose the path item's list
//! altogether. progenitor reads path-item parameters, but this crate's own
//! tables, setter docs and mock helpers read the operation's, and
//! progenitor fails on a template variable no parameter declares.

use serde_json::{Map, Value, json};

use super::Context;
use crate::error::Result;

pub fn apply(doc: &mut Value, _: &Context) -> Result<()> {
    let shared = doc
        .pointer("/components/parameters")
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default();
    let Some(paths) = doc.get_mut("paths").and_then(Value::as_object_mut) else {
        return Ok(());
    };
    for (path, item) in paths.iter_mut() {
        let Some(item) = item.as_object_mut() else {
            continue;
        };
        let on_item = match item.remove("parameters") {
            Some(Value::Array(list)) => list,
            _ => Vec::new(),
        };
        for (method, op) in item.iter_mut() {
            if !crate::walk::is_method(method) {
                continue;
            }
            let Some(op) = op.as_object_mut() else {
                continue;
            };
            let list = op
                .entry("parameters")
                .or_insert_with(|| Value::Array(Vec::new()));
            let Some(list) = list.as_array_mut() else {
                continue;
            };
            // An operation's own declaration overrides the path item's.
            for p in &on_item {
                let key = key_of(p, &shared);
                if !list.iter().any(|q| key_of(q, &shared) == key) {
                    list.push(p.clone());
                }
            }
            for name in template_variables(path) {
                let declared = list
                    .iter()
                    .any(|q| key_of(q, &shared) == Some((name.clone(), "path".into())));
                if !declared {
                    list.push(json!({
                        "name": name, "in": "path", "required": true,
                        "schema": {"type": "string"},
                    }));
                }
            }
        }
    }
    Ok(())
}

/// `(name, in)` of a parameter, through a `$ref` to `components/parameters`.
fn key_of(p: &Value, shared: &Map<String, Value>) -> Option<(String, String)> {
    let p = match p.get("$ref").and_then(Value::as_str) {
        Some(r) => shared.get(r.strip_prefix("#/components/parameters/")?)?,
        None => p,
    };
    Some((
        p.get("name")?.as_str()?.to_string(),
        p.get("in")?.as_str()?.to_string(),
    ))
}

fn template_variables(path: &str) -> Vec<String> {
    path.split('{')
        .skip(1)
        .filter_map(|rest| rest.split_once('}').map(|(name, _)| name.to_string()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn path_item_parameters_move_to_operations_and_missing_ones_are_declared() {
        let doc = super::super::run(
            apply,
            "paths:\n  /c/{clusterId}/m/{mirrorId}:\n    parameters:\n    - {name: mirrorId, in: path, required: true, schema: {type: string, format: uuid}}\n    get:\n      parameters: []\n    put:\n      parameters:\n      - {name: mirrorId, in: path, required: true, schema: {type: integer}}\n",
        )
        .unwrap();
        let item = &doc["paths"]["/c/{clusterId}/m/{mirrorId}"];
        assert!(item.get("parameters").is_none());
        let get = item["get"]["parameters"].as_array().unwrap();
        assert_eq!(get.len(), 2);
        assert_eq!(get[0]["schema"]["format"], "uuid");
        assert_eq!(
            get[1],
            json!({"name": "clusterId", "in": "path", "required": true, "schema": {"type": "string"}})
        );
        let put = item["put"]["parameters"].as_array().unwrap();
        assert_eq!(
            put[0]["schema"]["type"], "integer",
            "the operation's own wins"
        );
        assert_eq!(put.len(), 2);
    }

    #[test]
    fn a_reference_counts_as_a_declaration() {
        let doc = super::super::run(
            apply,
            "components:\n  parameters:\n    c: {name: clusterId, in: path, required: true, schema: {type: string}}\npaths:\n  /c/{clusterId}:\n    get:\n      parameters: [{$ref: '#/components/parameters/c'}]\n",
        )
        .unwrap();
        assert_eq!(
            doc["paths"]["/c/{clusterId}"]["get"]["parameters"]
                .as_array()
                .unwrap()
                .len(),
            1
        );
    }
}
