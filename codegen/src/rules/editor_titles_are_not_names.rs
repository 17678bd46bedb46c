//! A title an API editor wrote by itself (`Root Type for ErrorResponse`)
//! is removed: it names nothing.
//!
//! Quirk: Instaclustr's v2 document was written with Apicurio, which titles
//! a schema made from a sample "Root Type for `<sample name>`"; its
//! `ErrorListResponseV2` and `ErrorResponseV2` both carry "Root Type for
//! ErrorResponse". Rule `hoist_titled_schemas` reads a title as the name of
//! a component, and would find two different schemas claiming one name.

use serde_json::Value;

use super::Context;
use crate::error::Result;
use crate::walk::for_each_schema;

/// Apicurio Studio's default title for a schema made from a sample.
const EDITOR_PREFIX: &str = "Root Type for ";

pub fn apply(doc: &mut Value, _: &Context) -> Result<()> {
    for_each_schema(doc, &mut |schema, _| {
        let generated = schema
            .get("title")
            .and_then(Value::as_str)
            .is_some_and(|t| t.starts_with(EDITOR_PREFIX));
        if generated {
            schema.remove("title");
        }
    });
    Ok(())
}

#[cfg(test)]
mod tests {
    #[test]
    fn editor_titles_go_and_real_ones_stay() {
        let doc = super::super::run(
            super::apply,
            "components:\n  schemas:\n    A: {title: Root Type for ErrorResponse, type: object}\n    B: {title: LinkState, type: string}\n",
        )
        .unwrap();
        assert!(doc["components"]["schemas"]["A"].get("title").is_none());
        assert_eq!(doc["components"]["schemas"]["B"]["title"], "LinkState");
    }
}
