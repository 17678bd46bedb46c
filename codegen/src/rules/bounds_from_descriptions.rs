//! A bound a property's description states in words becomes `minimum`.
//!
//! Quirk: Instaclustr states its bounds in prose, not in the schema:
//! `targetLatency` "can not be less than 1000ms", `maxTasks` "Should be
//! greater than 0". As `minimum`, they are checked before anything is sent
//! (the body-limit tables read it), as the schema's own bounds are. Only
//! the two phrasings below are read, on integer properties without a
//! `minimum` of their own; anything else is left as it is.

use serde_json::Value;

use super::Context;
use crate::error::Result;
use crate::walk::for_each_schema;

pub fn apply(doc: &mut Value, _: &Context) -> Result<()> {
    for_each_schema(doc, &mut |schema, _| {
        if schema.get("type").and_then(Value::as_str) != Some("integer")
            || schema.contains_key("minimum")
        {
            return;
        }
        let Some(text) = schema.get("description").and_then(Value::as_str) else {
            return;
        };
        if let Some(min) = stated_minimum(text) {
            schema.insert("minimum".into(), min.into());
        }
    });
    Ok(())
}

/// "can not be less than N" / "cannot be less than N" give N; "greater than
/// N" gives N + 1 (the values are integers).
fn stated_minimum(text: &str) -> Option<i64> {
    let lower = text.to_ascii_lowercase();
    let number_after = |phrase: &str| {
        let rest = &lower[lower.find(phrase)? + phrase.len()..];
        let digits: String = rest
            .trim_start()
            .chars()
            .take_while(char::is_ascii_digit)
            .collect();
        digits.parse::<i64>().ok()
    };
    number_after("can not be less than")
        .or_else(|| number_after("cannot be less than"))
        .or_else(|| number_after("greater than").map(|n| n + 1))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_two_phrasings_are_read() {
        assert_eq!(
            stated_minimum(
                "It can not be less than 1000ms. The suggested initial latency is 30000ms"
            ),
            Some(1000)
        );
        assert_eq!(stated_minimum("Should be greater than 0."), Some(1));
        assert_eq!(stated_minimum("The latency in milliseconds."), None);
    }

    #[test]
    fn only_integers_without_a_minimum_get_one() {
        let doc = super::super::run(
            apply,
            "components:\n  schemas:\n    M:\n      properties:\n        a: {type: integer, description: Should be greater than 0.}\n        b: {type: integer, minimum: 5, description: can not be less than 1000}\n        c: {type: string, description: can not be less than 3}\n",
        )
        .unwrap();
        let m = &doc["components"]["schemas"]["M"]["properties"];
        assert_eq!(m["a"]["minimum"], 1);
        assert_eq!(m["b"]["minimum"], 5);
        assert!(m["c"].get("minimum").is_none());
    }
}
