//! `additionalProperties: false` is removed.
//!
//! Generator limit: typify turns it into `#[serde(deny_unknown_fields)]`, so
//! one new field in a service's answer would break decoding for every user.
//! Confluent's docs pages put it on their `Error` schema. Unknown fields are
//! ignored instead.

use serde_json::Value;

use super::Context;
use crate::error::Result;
use crate::walk::for_each_schema;

pub fn apply(doc: &mut Value, _: &Context) -> Result<()> {
    for_each_schema(doc, &mut |schema, _| {
        if schema.get("additionalProperties") == Some(&Value::Bool(false)) {
            schema.remove("additionalProperties");
        }
    });
    Ok(())
}

#[cfg(test)]
mod tests {
    #[test]
    fn closed_objects_open_up() {
        let doc = super::super::run(
            super::apply,
            "components:\n  schemas:\n    E: {type: object, additionalProperties: false, properties: {m: {type: object, additionalProperties: {type: string}}}}\n",
        )
        .unwrap();
        let e = &doc["components"]["schemas"]["E"];
        assert!(e.get("additionalProperties").is_none());
        assert_eq!(
            e["properties"]["m"]["additionalProperties"]["type"], "string",
            "maps stay maps"
        );
    }
}
