//! Bounds that typify would turn into types that refuse answers are kept
//! as checks on requests only: they move to `x-checked-*` keys, which the
//! body-limit tables read and typify does not.
//!
//! Generator limit: typify types an array with `minItems` equal to
//! `maxItems` as a fixed-size Rust array (`[T; 1]`), and an integer with
//! `minimum: 1` as `NonZeroU64`. Instaclustr's v2 mirror has both
//! (`sourceCluster`, exactly one; `maxTasks`, above 0, rule
//! `bounds_from_descriptions`), and uses the same schema for its answers:
//! an answer with an empty `sourceCluster` or a `maxTasks` of 0 would then
//! fail to decode, and callers would build `NonZeroU64`s. As checks, a
//! request that breaks them is still refused before it is sent.

use serde_json::Value;

use super::Context;

/// Where `minimum` goes; `tables.rs` reads it back as a body limit.
pub(crate) const CHECKED_MINIMUM: &str = "x-checked-minimum";
/// Where a fixed size's `minItems` goes.
pub(crate) const CHECKED_MIN_ITEMS: &str = "x-checked-min-items";
/// Where a fixed size's `maxItems` goes.
pub(crate) const CHECKED_MAX_ITEMS: &str = "x-checked-max-items";
use crate::error::Result;
use crate::walk::for_each_schema;

pub fn apply(doc: &mut Value, _: &Context) -> Result<()> {
    for_each_schema(doc, &mut |schema, _| {
        let fixed_size =
            schema.contains_key("minItems") && schema.get("minItems") == schema.get("maxItems");
        if fixed_size {
            for (from, to) in [
                ("minItems", CHECKED_MIN_ITEMS),
                ("maxItems", CHECKED_MAX_ITEMS),
            ] {
                if let Some(v) = schema.remove(from) {
                    schema.insert(to.into(), v);
                }
            }
        }
        let non_zero = schema.get("type").and_then(Value::as_str) == Some("integer")
            && schema.get("minimum").and_then(Value::as_f64) == Some(1.0);
        if non_zero && let Some(v) = schema.remove("minimum") {
            schema.insert(CHECKED_MINIMUM.into(), v);
        }
    });
    Ok(())
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    #[test]
    fn fixed_sizes_and_non_zero_minimums_become_checks() {
        let doc = super::super::run(
            super::apply,
            "components:\n  schemas:\n    M:\n      properties:\n        one: {type: array, minItems: 1, maxItems: 1, items: {type: string}}\n        few: {type: array, minItems: 1, maxItems: 3, items: {type: string}}\n        tasks: {type: integer, minimum: 1}\n        latency: {type: integer, minimum: 1000}\n",
        )
        .unwrap();
        let m = &doc["components"]["schemas"]["M"]["properties"];
        assert_eq!(m["one"]["x-checked-min-items"], json!(1));
        assert_eq!(m["one"]["x-checked-max-items"], json!(1));
        assert!(m["one"].get("minItems").is_none());
        assert_eq!(m["few"]["minItems"], json!(1), "a range stays a Vec bound");
        assert_eq!(m["tasks"]["x-checked-minimum"], json!(1));
        assert!(m["tasks"].get("minimum").is_none());
        assert_eq!(m["latency"]["minimum"], json!(1000));
    }
}
