//! Every error response of every operation uses the API's one error schema,
//! declared as the ranges `4XX` and `5XX`.
//!
//! Generator limit: progenitor needs all error responses of an operation to
//! share one schema, and inline copies of the same schema (each Confluent
//! docs page inlines its own `Error`) count as different types.
//! Quirk: the services answer statuses their specs omit (Confluent 403 and
//! 404, Instaclustr 503/504); with the ranges they are typed errors, not
//! "unexpected response"s.
//!
//! Quirk: Confluent's 429 is a `text/html` page from Jetty's DoSFilter.
//! Generator limit: progenitor turns a non-JSON body into a raw byte-stream
//! error type, which breaks its "one error type per operation" rule (it
//! panics). Only the JSON media type is kept; the examples of the others
//! are kept as `x-raw-examples` (the hand-written layer keeps the raw text
//! of every error body that is not JSON, and the example tests read them).

use serde_json::{Map, Value, json};

use super::{Context, is_error_status, operations_mut};
use crate::error::{BuildError, Result};
use crate::walk::{component_schemas, schema_ref};

pub fn apply(doc: &mut Value, ctx: &Context) -> Result<()> {
    if !component_schemas(doc).contains_key(&ctx.error_schema) {
        return Err(BuildError::new(format!(
            "the API's error schema components/schemas/{} is missing",
            ctx.error_schema
        )));
    }
    for (_, op) in operations_mut(doc) {
        let Some(responses) = op.get_mut("responses").and_then(Value::as_object_mut) else {
            continue;
        };
        let mut descriptions = Map::new();
        let mut examples = Map::new();
        let mut raw = Map::new();
        responses.retain(|status, response| {
            if !is_error_status(status) {
                return true;
            }
            if let Some(d) = response.get("description").and_then(Value::as_str) {
                descriptions.insert(status.clone(), Value::from(d));
            }
            keep_examples(status, response, &mut examples, &mut raw);
            false
        });
        for range in ["4XX", "5XX"] {
            let class = &range[..1];
            let mut media = json!({ "schema": schema_ref(&ctx.error_schema) });
            let mine: Map<String, Value> = examples
                .iter()
                .filter(|(k, _)| k.starts_with(class))
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect();
            if !mine.is_empty() {
                media["examples"] = Value::Object(mine);
            }
            let mut response = json!({
                "description": describe(&descriptions, class),
                "content": { "application/json": media }
            });
            let mine: Map<String, Value> = raw
                .iter()
                .filter(|(k, _)| k.starts_with(class))
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect();
            if !mine.is_empty() {
                response["x-raw-examples"] = Value::Object(mine);
            }
            responses.insert(range.to_string(), response);
        }
    }
    Ok(())
}

/// Keeps the vendor's examples of one error response, named by status.
fn keep_examples(
    status: &str,
    response: &Value,
    examples: &mut Map<String, Value>,
    raw: &mut Map<String, Value>,
) {
    for (media, body) in response
        .get("content")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
    {
        if !is_json(media) {
            for (n, text) in raw_examples(body).into_iter().enumerate() {
                raw.insert(format!("{status} {media} #{n}"), text);
            }
            continue;
        }
        if let Some(v) = body.get("example") {
            examples.insert(format!("{status}_example"), json!({ "value": v }));
        }
        for (name, ex) in body
            .get("examples")
            .and_then(Value::as_object)
            .into_iter()
            .flatten()
        {
            examples.insert(format!("{status}_{name}"), ex.clone());
        }
    }
}

/// The example texts of a media type. Confluent's 429 example is a map
/// `{description, value}` put under `example`, so `value` is looked into.
fn raw_examples(body: &Value) -> Vec<Value> {
    let mut out = Vec::new();
    if let Some(ex) = body.get("example") {
        out.push(ex.get("value").cloned().unwrap_or_else(|| ex.clone()));
    }
    for ex in body
        .get("examples")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
    {
        out.extend(ex.1.get("value").cloned());
    }
    out
}

fn is_json(media: &str) -> bool {
    let essence = media.split(';').next().unwrap_or("").trim();
    essence == "application/json" || essence.ends_with("+json")
}

/// Keeps the vendor's per-status descriptions in the range's description.
fn describe(descriptions: &Map<String, Value>, class: &str) -> String {
    let parts: Vec<String> = descriptions
        .iter()
        .filter(|(status, _)| status.starts_with(class))
        .map(|(status, d)| format!("{status}: {}", d.as_str().unwrap_or_default()))
        .collect();
    if parts.is_empty() {
        format!("Any {class}xx error")
    } else {
        parts.join("\n\n")
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn errors_collapse_to_two_ranges_that_reference_the_error_schema() {
        let doc = super::super::run(
            super::apply,
            r#"
components: {schemas: {Error: {type: object}}}
paths:
  /a:
    get:
      operationId: a
      responses:
        '200': {description: ok}
        '400': {description: bad, content: {application/json: {schema: {title: Error, type: object, additionalProperties: false}, examples: {auth: {value: {error_code: 40101}}}}}}
        '401': {description: who}
        5XX: {description: broken}
"#,
        )
        .unwrap();
        let r = doc["paths"]["/a"]["get"]["responses"].as_object().unwrap();
        let keys: Vec<_> = r.keys().cloned().collect();
        assert_eq!(keys, ["200", "4XX", "5XX"]);
        assert_eq!(
            r["4XX"]["content"]["application/json"]["schema"]["$ref"],
            "#/components/schemas/Error"
        );
        assert_eq!(r["4XX"]["description"], "400: bad\n\n401: who");
        assert_eq!(r["5XX"]["description"], "5XX: broken");
        assert_eq!(
            r["4XX"]["content"]["application/json"]["examples"]["400_auth"]["value"]["error_code"],
            40101
        );
    }

    #[test]
    fn the_html_429_loses_its_content_and_keeps_its_example_as_raw_text() {
        let doc = super::super::run(
            super::apply,
            r#"
components: {schemas: {Error: {type: object}}}
paths:
  /a:
    get:
      operationId: a
      responses:
        '200': {description: ok, content: {text/html: {schema: {type: string}}}}
        '429': {description: slow down, content: {text/html: {schema: {type: string}, example: {description: page, value: <html>slow</html>}}}}
"#,
        )
        .unwrap();
        let r = &doc["paths"]["/a"]["get"]["responses"];
        assert_eq!(
            r["4XX"]["x-raw-examples"]["429 text/html #0"],
            "<html>slow</html>"
        );
        let media: Vec<_> = r["4XX"]["content"].as_object().unwrap().keys().collect();
        assert_eq!(media, ["application/json"]);
        assert!(
            r["200"]["content"].get("text/html").is_some(),
            "success bodies are not touched"
        );
        assert!(super::is_json("application/problem+json; charset=utf-8"));
        assert!(!super::is_json("text/html"));
    }

    #[test]
    fn a_missing_error_schema_is_a_build_error() {
        let err = super::super::run(super::apply, "paths: {}\n").unwrap_err();
        assert!(
            err.problem.contains("components/schemas/Error is missing"),
            "{err}"
        );
    }
}
