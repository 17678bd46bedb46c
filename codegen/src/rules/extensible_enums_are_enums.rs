//! `x-extensible-enum: [..]` becomes `enum: [..]`.
//!
//! Quirk: Confluent marks `link_state`, `link_error`, `mirror_topic_error`
//! and others as `x-extensible-enum` (values may be added), while the docs
//! pages render the same fields as plain `enum`. progenitor ignores the
//! extension and would type them `String`. Every enum is generated open
//! anyway (an unknown value decodes and keeps its text, see `open_enum`), so
//! both spellings can become the same typed enum. The schema is marked
//! `x-open-enum` so that even a one-value list (`source` of a link config:
//! `DYNAMIC_CLUSTER_LINK_CONFIG`) is generated open: a one-value plain
//! `enum` is otherwise taken for a constant tag.

use serde_json::Value;

use super::Context;
use crate::error::Result;
use crate::walk::for_each_schema;

/// Marks an enum generated open whatever its number of values.
pub const OPEN: &str = "x-open-enum";

pub fn apply(doc: &mut Value, _: &Context) -> Result<()> {
    for_each_schema(doc, &mut |schema, _| {
        if let Some(values) = schema.remove("x-extensible-enum") {
            schema.entry("enum").or_insert(values);
            schema
                .entry("type")
                .or_insert_with(|| Value::from("string"));
            schema.insert(OPEN.into(), Value::Bool(true));
        }
    });
    Ok(())
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_extension_becomes_an_enum_of_strings() {
        let doc = super::super::run(
            super::apply,
            "components:\n  schemas:\n    L:\n      properties:\n        state: {type: string, x-extensible-enum: [ACTIVE, PAUSED]}\n",
        )
        .unwrap();
        let state = &doc["components"]["schemas"]["L"]["properties"]["state"];
        assert_eq!(state["enum"], serde_json::json!(["ACTIVE", "PAUSED"]));
        assert!(state.get("x-extensible-enum").is_none());
        assert_eq!(state["x-open-enum"], true);
    }
}
