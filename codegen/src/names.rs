//! Rust names of generated things, computed the way typify computes them.

use heck::ToUpperCamelCase;

/// The type name typify gives the component schema `name`
/// (typify's `sanitize(name, Case::Pascal)`).
pub fn type_name(name: &str) -> String {
    let cleaned: String = name
        .replace('\'', "")
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || c == '_' {
                c
            } else {
                '-'
            }
        })
        .collect();
    let out = cleaned.to_upper_camel_case();
    match out.chars().next() {
        Some(c) if c.is_alphabetic() || c == '_' => out,
        _ => format!("X{out}"),
    }
}

/// The name progenitor gives an operation's method, which is also what its
/// hooks receive as `OperationInfo::operation_id` (typify's snake-case
/// sanitizing of the operationId). Every method name the generator writes
/// comes from here.
pub fn method_name(operation_id: &str) -> String {
    use heck::ToSnakeCase;
    operation_id.to_snake_case()
}

/// The name of the setter progenitor gives a request builder for the
/// parameter `name`.
pub fn setter_name(name: &str) -> String {
    use heck::ToSnakeCase;
    name.to_snake_case()
}

/// The constant naming an operation's method in the generated
/// `spec::operation` module: `create_mirror` -> `CREATE_MIRROR`.
pub fn operation_const(method: &str) -> String {
    method.to_ascii_uppercase()
}

/// Gives operations the method names of `table` (`operationId` -> name)
/// by rewriting their `operationId`, which progenitor names the method, its
/// builder and its mock helper after. Returns, for every operation, its
/// method name (snake case) and its original operationId, so the methods
/// keep the vendor's name as a doc alias. An operation the table does not
/// name keeps its operationId (in snake case); a name of the table no
/// operation has is ignored, so a spec that drops an operation still builds.
///
/// # Errors
/// When two operations would get the same method name.
pub fn rename_operations(
    doc: &mut serde_json::Value,
    table: &[(String, String)],
) -> crate::error::Result<std::collections::BTreeMap<String, String>> {
    let mut methods = std::collections::BTreeMap::new();
    for op in crate::walk::operations_mut(doc) {
        let original = op.id.clone();
        let method = table
            .iter()
            .find(|(id, _)| *id == original)
            .map(|(_, name)| name.clone())
            .unwrap_or_else(|| method_name(&original));
        if let Some(other) = methods.insert(method.clone(), original.clone()) {
            return Err(crate::error::BuildError::new(format!(
                "operations `{other}` and `{original}` would both be named `{method}`; \
                 change the method-name table in build.rs"
            ))
            .at(original));
        }
        op.map.insert("operationId".into(), method.into());
    }
    Ok(methods)
}

/// A variant name for an enum value: `PENDING_STOPPED` is `PendingStopped`.
pub fn variant_name(value: &str) -> String {
    type_name(value)
}

#[cfg(test)]
mod tests {
    #[test]
    fn names_match_typify() {
        assert_eq!(
            super::type_name("ListLinksResponseDataList"),
            "ListLinksResponseDataList"
        );
        assert_eq!(super::type_name("link-state"), "LinkState");
        assert_eq!(super::variant_name("PENDING_STOPPED"), "PendingStopped");
        assert_eq!(super::variant_name("3way"), "X3way");
    }

    #[test]
    fn operations_take_the_table_names_and_keep_their_ids() {
        let mut doc = serde_json::json!({"paths": {
            "/a": {"post": {"operationId": "updateKafkaMirrorTopicsPromote"}},
            "/b": {"get": {"operationId": "listThings"}},
        }});
        let table = [
            (
                "updateKafkaMirrorTopicsPromote".to_string(),
                "promote_mirror_topics".to_string(),
            ),
            ("goneFromTheSpec".to_string(), "gone".to_string()),
        ];
        let methods = super::rename_operations(&mut doc, &table).unwrap();
        assert_eq!(
            doc["paths"]["/a"]["post"]["operationId"],
            "promote_mirror_topics"
        );
        assert_eq!(doc["paths"]["/b"]["get"]["operationId"], "list_things");
        assert_eq!(
            methods["promote_mirror_topics"],
            "updateKafkaMirrorTopicsPromote"
        );
        assert_eq!(methods["list_things"], "listThings");
    }

    #[test]
    fn two_operations_with_one_name_are_refused() {
        let mut doc = serde_json::json!({"paths": {
            "/a": {"get": {"operationId": "a"}},
            "/b": {"get": {"operationId": "b"}},
        }});
        let table = [("a".to_string(), "b".to_string())];
        let e = super::rename_operations(&mut doc, &table).unwrap_err();
        assert!(e.problem.contains("both be named `b`"), "{e}");
    }
}
