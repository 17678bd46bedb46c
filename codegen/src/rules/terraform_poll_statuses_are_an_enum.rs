//! The statuses a response's `x-terraform-resource-poll-*-statuses` list
//! become the values of that response's `status` property.
//!
//! Quirk: Instaclustr's v2 document types a mirror's `status` as a plain
//! string, but lists its values where its Terraform provider reads them: on
//! the create answer, `x-terraform-resource-poll-pending-statuses:
//! CREATING` and `...-completed-statuses: IN_SYNC,OUT_OF_SYNC,FAILED,
//! STALE_TOPIC`. Marked `x-extensible-enum`, the property becomes an open
//! enum (rule `extensible_enums_are_enums`): a status added later still
//! decodes, with its text.

use serde_json::Value;

use super::Context;
use crate::error::Result;

const LISTS: [&str; 2] = [
    "x-terraform-resource-poll-pending-statuses",
    "x-terraform-resource-poll-completed-statuses",
];

pub fn apply(doc: &mut Value, _: &Context) -> Result<()> {
    let mut found: Vec<(String, Vec<String>)> = Vec::new();
    for op in crate::walk::operations(doc) {
        let responses = doc["paths"][&op.path][&op.method]["responses"].as_object();
        for response in responses.into_iter().flatten().map(|(_, r)| r) {
            let values: Vec<String> = LISTS
                .iter()
                .filter_map(|k| response.get(*k).and_then(Value::as_str))
                .flat_map(|list| list.split(','))
                .map(str::trim)
                .filter(|v| !v.is_empty())
                .map(str::to_string)
                .collect();
            if values.is_empty() {
                continue;
            }
            let schema_ref = response
                .pointer("/content/application~1json/schema/$ref")
                .and_then(Value::as_str)
                .and_then(|r| r.strip_prefix("#/components/schemas/"));
            if let Some(name) = schema_ref {
                found.push((name.to_string(), values));
            }
        }
    }
    for (name, values) in found {
        let pointer = format!("/components/schemas/{name}/properties/status");
        let Some(status) = doc.pointer_mut(&pointer).and_then(Value::as_object_mut) else {
            continue;
        };
        if status.contains_key("enum") {
            continue;
        }
        let list = status
            .entry("x-extensible-enum")
            .or_insert_with(|| Value::Array(Vec::new()));
        if let Some(list) = list.as_array_mut() {
            for v in values {
                if !list.iter().any(|x| x == v.as_str()) {
                    list.push(v.into());
                }
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    #[test]
    fn the_poll_lists_become_the_status_values() {
        let doc = super::super::run(
            super::apply,
            "paths:\n  /m:\n    post:\n      responses:\n        '202':\n          x-terraform-resource-poll-pending-statuses: CREATING\n          x-terraform-resource-poll-completed-statuses: IN_SYNC,FAILED\n          content:\n            application/json:\n              schema: {$ref: '#/components/schemas/M'}\ncomponents:\n  schemas:\n    M:\n      properties:\n        status: {type: string}\n",
        )
        .unwrap();
        assert_eq!(
            doc["components"]["schemas"]["M"]["properties"]["status"]["x-extensible-enum"],
            json!(["CREATING", "IN_SYNC", "FAILED"])
        );
    }
}
