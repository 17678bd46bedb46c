//! An operation without an `operationId` gets one: the name build.rs gives
//! its method and path, or one made of both.
//!
//! Quirk: Instaclustr's v2 document declares no `operationId` at all.
//! Generator limit: progenitor names methods, builders and mock helpers
//! after the operationId and refuses an operation without one. The names
//! come from build.rs (`list_mirrors`, `create_mirror`...); an operation a
//! refreshed spec adds, which build.rs does not know yet, is named after its
//! method and the literal segments of its path, so the build still works.

use serde_json::Value;

use super::Context;
use crate::error::Result;

pub fn apply(doc: &mut Value, ctx: &Context) -> Result<()> {
    let Some(paths) = doc.get_mut("paths").and_then(Value::as_object_mut) else {
        return Ok(());
    };
    for (path, item) in paths.iter_mut() {
        let Some(item) = item.as_object_mut() else {
            continue;
        };
        for (method, op) in item.iter_mut() {
            if !crate::walk::is_method(method) {
                continue;
            }
            let Some(op) = op.as_object_mut() else {
                continue;
            };
            let named = op
                .get("operationId")
                .and_then(Value::as_str)
                .is_some_and(|id| !id.trim().is_empty());
            if named {
                continue;
            }
            let name = ctx
                .operation_names
                .iter()
                .find(|n| n.method.eq_ignore_ascii_case(method) && n.path == *path)
                .map(|n| n.name.clone())
                .unwrap_or_else(|| made_up_name(method, path));
            op.insert("operationId".into(), name.into());
        }
    }
    Ok(())
}

/// `get /a/v2/{id}/mirrors/v2/` -> `get_a_v2_mirrors_v2`.
fn made_up_name(method: &str, path: &str) -> String {
    let words: Vec<&str> = path
        .split('/')
        .filter(|s| !s.is_empty() && !s.starts_with('{'))
        .collect();
    crate::names::method_name(&format!("{method}_{}", words.join("_")))
}

#[cfg(test)]
mod tests {
    use super::super::{Context, OperationName};
    use super::*;

    const DOC: &str = "paths:\n  /m/v2/{id}:\n    get: {responses: {}}\n    delete: {operationId: removeIt, responses: {}}\n  /other/{x}/things/:\n    post: {responses: {}}\n";

    #[test]
    fn operations_get_the_names_build_rs_gives_or_one_made_of_method_and_path() {
        let mut doc = crate::load::parse_text(DOC).unwrap();
        let ctx = Context {
            operation_names: vec![OperationName::new("GET", "/m/v2/{id}", "get_mirror")],
            ..Context::for_tests()
        };
        apply(&mut doc, &ctx).unwrap();
        let op = |p: &str, m: &str| doc["paths"][p][m]["operationId"].clone();
        assert_eq!(op("/m/v2/{id}", "get"), "get_mirror");
        assert_eq!(
            op("/m/v2/{id}", "delete"),
            "removeIt",
            "a given one is kept"
        );
        assert_eq!(op("/other/{x}/things/", "post"), "post_other_things");
    }
}
