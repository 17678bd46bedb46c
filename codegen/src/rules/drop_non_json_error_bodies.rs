//! Error responses lose their non-JSON media types.
//!
//! Quirk: Confluent's 429 is a `text/html` page from Jetty's DoSFilter.
//! Generator limit: progenitor turns a non-JSON body into a raw byte-stream
//! error type, which breaks its "one error type per operation" rule (it
//! panics). The hand-written layer keeps the raw text of every error body
//! that is not JSON, so nothing is lost by dropping the media type here.

use serde_json::Value;

use super::{Context, is_error_status, operations_mut};
use crate::error::Result;

pub fn apply(doc: &mut Value, _: &Context) -> Result<()> {
    for (_, op) in operations_mut(doc) {
        let Some(responses) = op.get_mut("responses").and_then(Value::as_object_mut) else {
            continue;
        };
        for (status, response) in responses.iter_mut() {
            if !is_error_status(status) {
                continue;
            }
            let Some(response) = response.as_object_mut() else {
                continue;
            };
            let mut raw = serde_json::Map::new();
            if let Some(content) = response.get_mut("content").and_then(Value::as_object_mut) {
                for (media, body) in content.iter().filter(|(m, _)| !is_json(m)) {
                    for (n, text) in raw_examples(body).into_iter().enumerate() {
                        raw.insert(format!("{status} {media} #{n}"), text);
                    }
                }
                content.retain(|media, _| is_json(media));
                if content.is_empty() {
                    response.remove("content");
                }
            }
            if !raw.is_empty() {
                response.insert("x-raw-examples".into(), Value::Object(raw));
            }
        }
    }
    Ok(())
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

pub(crate) fn is_json(media: &str) -> bool {
    let essence = media.split(';').next().unwrap_or("").trim();
    essence == "application/json" || essence.ends_with("+json")
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_html_429_loses_its_content_and_json_errors_keep_theirs() {
        let doc = super::super::run(
            super::apply,
            r#"
paths:
  /a:
    get:
      operationId: a
      responses:
        '200': {description: ok, content: {text/html: {schema: {type: string}}}}
        '400': {description: bad, content: {application/json: {schema: {type: object}}}}
        '429': {description: slow down, content: {text/html: {schema: {type: string}, example: {description: page, value: <html>slow</html>}}}}
"#,
        )
        .unwrap();
        let r = &doc["paths"]["/a"]["get"]["responses"];
        assert!(r["429"].get("content").is_none());
        assert_eq!(
            r["429"]["x-raw-examples"]["429 text/html #0"],
            "<html>slow</html>"
        );
        assert!(r["400"]["content"].get("application/json").is_some());
        assert!(
            r["200"]["content"].get("text/html").is_some(),
            "success bodies are not touched"
        );
    }
}
