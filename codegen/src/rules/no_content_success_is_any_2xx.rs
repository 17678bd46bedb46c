//! An operation whose success answers carry no body accepts any 2xx.
//!
//! Quirk: Confluent's create-link answers 201 where the spec says 204. With
//! only `204` declared, progenitor reports any other 2xx as an "unexpected
//! response" error although the link was created. Operations that answer a
//! body are left alone: their success status is a real contract.

use serde_json::{Value, json};

use super::{Context, is_success_status, operations_mut};
use crate::error::Result;

pub fn apply(doc: &mut Value, _: &Context) -> Result<()> {
    for (_, op) in operations_mut(doc) {
        let Some(responses) = op.get_mut("responses").and_then(Value::as_object_mut) else {
            continue;
        };
        let successes: Vec<String> = responses
            .keys()
            .filter(|s| is_success_status(s))
            .cloned()
            .collect();
        if successes.is_empty()
            || successes
                .iter()
                .any(|s| responses[s].get("content").is_some())
        {
            continue;
        }
        let description = successes
            .iter()
            .filter_map(|s| responses[s].get("description").and_then(Value::as_str))
            .collect::<Vec<_>>()
            .join("\n\n");
        responses.retain(|s, _| !is_success_status(s));
        responses.insert("2XX".into(), json!({ "description": description }));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_204_becomes_2xx_and_a_200_with_a_body_stays() {
        let doc = super::super::run(
            super::apply,
            r#"
paths:
  /a:
    post: {operationId: a, responses: {'204': {description: done}}}
    get: {operationId: b, responses: {'200': {description: ok, content: {application/json: {schema: {type: object}}}}}}
"#,
        )
        .unwrap();
        let post = &doc["paths"]["/a"]["post"]["responses"];
        assert_eq!(post["2XX"]["description"], "done");
        assert!(post.get("204").is_none());
        assert!(doc["paths"]["/a"]["get"]["responses"].get("200").is_some());
    }
}
