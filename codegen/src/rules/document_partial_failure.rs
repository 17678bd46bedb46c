//! Actions that answer 200 with one result per item say so in their docs.
//!
//! Quirk: Confluent's `mirrors:*` actions answer 200 even when some topics
//! failed; each item of `data` carries its own `error_code` and
//! `error_message`. A caller who only checks the status would take a partial
//! failure for success, so the operation's rustdoc (progenitor copies the
//! description) points at the `failed()` helper generated for the response
//! type (see `partial.rs`).

use serde_json::Value;

use super::{Context, is_success_status, operations_mut};
use crate::error::Result;
use crate::partial::per_item_error_types;
use crate::walk::{component_schemas, ref_name};

pub const NOTE: &str = "**Partial failure:** the service answers 200 even when the action failed for some \
topics: each item of `data` carries its own `error_code` and `error_message`. Call `failed()` on the \
response to get the topics it was not applied to, for example \
`for t in response.failed() { eprintln!(\"{}: {:?}\", t.mirror_topic_name, t.error_message) }`.";

pub fn apply(doc: &mut Value, _: &Context) -> Result<()> {
    let components = component_schemas(doc);
    let with_item_errors = per_item_error_types(&components);
    for (_, op) in operations_mut(doc) {
        let answers_items = op
            .get("responses")
            .and_then(Value::as_object)
            .into_iter()
            .flatten()
            .filter(|(status, _)| is_success_status(status))
            .filter_map(|(_, r)| r.pointer("/content/application~1json/schema"))
            .filter_map(ref_name)
            .any(|name| with_item_errors.iter().any(|t| t.list == name));
        if !answers_items {
            continue;
        }
        let description = op
            .get("description")
            .and_then(Value::as_str)
            .unwrap_or_default();
        if !description.contains(NOTE) {
            let text = if description.is_empty() {
                NOTE.to_string()
            } else {
                format!("{description}\n\n{NOTE}")
            };
            op.insert("description".into(), Value::from(text));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #[test]
    fn actions_with_per_item_errors_get_the_note() {
        let doc = super::super::run(
            super::apply,
            r#"
components:
  schemas:
    Item: {type: object, properties: {error_code: {type: integer, nullable: true}, error_message: {type: string, nullable: true}}}
    List: {type: object, properties: {data: {type: array, items: {$ref: '#/components/schemas/Item'}}}}
paths:
  /a:promote:
    post: {operationId: a, description: Promote., responses: {'200': {description: ok, content: {application/json: {schema: {$ref: '#/components/schemas/List'}}}}}}
  /b:
    get: {operationId: b, responses: {'200': {description: ok}}}
"#,
        )
        .unwrap();
        let d = doc["paths"]["/a:promote"]["post"]["description"]
            .as_str()
            .unwrap();
        assert!(d.starts_with("Promote.\n\n**Partial failure:**"), "{d}");
        assert!(doc["paths"]["/b"]["get"].get("description").is_none());
    }
}
