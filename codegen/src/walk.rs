//! Finding every schema in a document, and comparing schemas by meaning.
//!
//! Rules work on the document as JSON. Only structural keys are followed, so
//! an `example` that happens to look like a schema is never touched.

use serde_json::{Map, Value};

/// Where a schema sits, for rules that name things and for error messages.
#[derive(Debug, Clone, Default)]
pub struct Place {
    /// `components/schemas/Name`, or the operationId, of the root.
    pub root: String,
    /// The property this schema is the value of, if any.
    pub property: Option<String>,
    /// The nearest enclosing named schema (a component or a titled schema).
    pub parent_name: Option<String>,
}

/// One operation of a document: its path, method and operationId.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OperationRef {
    pub path: String,
    /// Lower case, as the document has it.
    pub method: String,
    /// Empty when the operation has none.
    pub id: String,
}

/// One operation of a document, to change in place.
pub struct OperationMut<'a> {
    pub path: String,
    pub id: String,
    pub map: &'a mut Map<String, Value>,
}

/// Is this key of a path item an operation?
pub fn is_method(key: &str) -> bool {
    matches!(
        key,
        "get" | "put" | "post" | "delete" | "options" | "head" | "patch" | "trace"
    )
}

fn id_of(op: &Value) -> String {
    op.get("operationId")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string()
}

/// Every operation, in document order. This and [`operations_mut`] are the
/// only walks over `paths`: every rule and table uses them.
pub fn operations(doc: &Value) -> Vec<OperationRef> {
    let paths = doc.get("paths").and_then(Value::as_object);
    let items = paths.into_iter().flatten();
    let ops = items.flat_map(|(path, item)| {
        let methods = item.as_object().into_iter().flatten();
        methods
            .filter(|(m, _)| is_method(m))
            .map(move |(method, op)| OperationRef {
                path: path.clone(),
                method: method.clone(),
                id: id_of(op),
            })
    });
    ops.collect()
}

/// Every operation object, to change in place, in document order.
pub fn operations_mut(doc: &mut Value) -> Vec<OperationMut<'_>> {
    let paths = doc.get_mut("paths").and_then(Value::as_object_mut);
    let items = paths.into_iter().flatten();
    let ops = items.flat_map(|(path, item)| {
        let methods = item.as_object_mut().into_iter().flatten();
        methods
            .filter(|(m, _)| is_method(m))
            .filter_map(move |(_, op)| {
                let id = id_of(op);
                op.as_object_mut().map(|map| OperationMut {
                    path: path.clone(),
                    id,
                    map,
                })
            })
    });
    ops.collect()
}

/// Visits every schema object of the document, children before parents.
pub fn for_each_schema(doc: &mut Value, f: &mut dyn FnMut(&mut Map<String, Value>, &Place)) {
    if let Some(schemas) = doc
        .pointer_mut("/components/schemas")
        .and_then(Value::as_object_mut)
    {
        for (name, schema) in schemas.iter_mut() {
            let place = Place {
                root: format!("components/schemas/{name}"),
                property: None,
                parent_name: Some(name.clone()),
            };
            walk(schema, &place, f);
        }
    }
    for section in ["parameters", "requestBodies", "responses"] {
        let pointer = format!("/components/{section}");
        if let Some(items) = doc.pointer_mut(&pointer).and_then(Value::as_object_mut) {
            for (name, item) in items.iter_mut() {
                let root = format!("components/{section}/{name}");
                walk_container(item, &root, f);
            }
        }
    }
    if let Some(paths) = doc.get_mut("paths").and_then(Value::as_object_mut) {
        for (route, item) in paths.iter_mut() {
            let Some(item) = item.as_object_mut() else {
                continue;
            };
            for (key, value) in item.iter_mut() {
                let root = if is_method(key) {
                    value
                        .get("operationId")
                        .and_then(Value::as_str)
                        .map(str::to_string)
                        .unwrap_or_else(|| format!("{key} {route}"))
                } else {
                    format!("path {route}")
                };
                walk_container(value, &root, f);
            }
        }
    }
}

/// Parameters, request bodies, responses and operations hold schemas under
/// `schema` (directly or in `content.<media>.schema`).
fn walk_container(v: &mut Value, root: &str, f: &mut dyn FnMut(&mut Map<String, Value>, &Place)) {
    match v {
        Value::Array(items) => items.iter_mut().for_each(|i| walk_container(i, root, f)),
        Value::Object(map) => {
            for (key, child) in map.iter_mut() {
                match key.as_str() {
                    "schema" => walk(
                        child,
                        &Place {
                            root: root.to_string(),
                            ..Place::default()
                        },
                        f,
                    ),
                    "parameters" | "requestBody" | "responses" | "content" | "headers" => {
                        walk_container(child, root, f)
                    }
                    // Media types and status codes are map keys of the above.
                    _ if !is_annotation(key) && child.is_object() => walk_container(child, root, f),
                    _ => {}
                }
            }
        }
        _ => {}
    }
}

fn is_annotation(key: &str) -> bool {
    matches!(
        key,
        "example"
            | "examples"
            | "description"
            | "summary"
            | "x-codeSamples"
            | "servers"
            | "security"
            | "tags"
    ) || key.starts_with("x-")
}

/// Visits one schema tree, children first.
pub fn walk(schema: &mut Value, place: &Place, f: &mut dyn FnMut(&mut Map<String, Value>, &Place)) {
    let Some(map) = schema.as_object_mut() else {
        return;
    };
    let own_name = map.get("title").and_then(Value::as_str).map(str::to_string);
    let inner = Place {
        root: place.root.clone(),
        property: None,
        parent_name: own_name.or_else(|| place.parent_name.clone()),
    };
    if let Some(props) = map.get_mut("properties").and_then(Value::as_object_mut) {
        for (name, child) in props.iter_mut() {
            let p = Place {
                property: Some(name.clone()),
                ..inner.clone()
            };
            walk(child, &p, f);
        }
    }
    for key in ["items", "additionalProperties", "not"] {
        if let Some(child) = map.get_mut(key) {
            walk(child, &inner, f);
        }
    }
    for key in ["allOf", "oneOf", "anyOf"] {
        if let Some(Value::Array(children)) = map.get_mut(key) {
            children.iter_mut().for_each(|c| walk(c, &inner, f));
        }
    }
    f(map, place);
}

/// The name a `$ref` to a component schema points at.
pub fn ref_name(schema: &Value) -> Option<&str> {
    schema
        .get("$ref")?
        .as_str()?
        .strip_prefix("#/components/schemas/")
}

pub fn schema_ref(name: &str) -> Value {
    serde_json::json!({ "$ref": format!("#/components/schemas/{name}") })
}

/// A schema with references resolved and annotations (titles, descriptions,
/// examples, `x-` extensions) removed: two schemas that mean the same
/// instances have the same canonical form.
pub fn canonical(schema: &Value, components: &Map<String, Value>) -> Value {
    canonical_depth(schema, components, 0)
}

fn canonical_depth(schema: &Value, components: &Map<String, Value>, depth: usize) -> Value {
    if depth > 32 {
        return Value::String("<recursive>".into());
    }
    if let Some(target) = ref_name(schema).and_then(|n| components.get(n)) {
        return canonical_depth(target, components, depth + 1);
    }
    let Some(map) = schema.as_object() else {
        return schema.clone();
    };
    let mut out = Map::new();
    let mut keys: Vec<_> = map.keys().collect();
    keys.sort();
    for key in keys {
        let v = &map[key];
        if matches!(
            key.as_str(),
            "title" | "description" | "example" | "examples" | "deprecated" | "externalDocs"
        ) || key.starts_with("x-")
        {
            continue;
        }
        let cv = match key.as_str() {
            "properties" => Value::Object(
                v.as_object()
                    .into_iter()
                    .flatten()
                    .map(|(k, s)| (k.clone(), canonical_depth(s, components, depth + 1)))
                    .collect(),
            ),
            "items" | "additionalProperties" | "not" => canonical_depth(v, components, depth + 1),
            "allOf" | "oneOf" | "anyOf" => Value::Array(
                v.as_array()
                    .into_iter()
                    .flatten()
                    .map(|s| canonical_depth(s, components, depth + 1))
                    .collect(),
            ),
            "required" | "enum" => {
                let mut items: Vec<String> = v
                    .as_array()
                    .into_iter()
                    .flatten()
                    .map(|x| {
                        x.as_str()
                            .map(str::to_string)
                            .unwrap_or_else(|| x.to_string())
                    })
                    .collect();
                items.sort();
                items.dedup();
                Value::from(items)
            }
            _ => v.clone(),
        };
        out.insert(key.clone(), cv);
    }
    Value::Object(out)
}

/// Every `$ref` target named anywhere in `v` (examples included: a reference
/// is a reference wherever it is).
pub fn referenced_names(v: &Value, out: &mut std::collections::BTreeSet<String>) {
    match v {
        Value::Object(map) => {
            if let Some(name) = ref_name(v) {
                out.insert(name.to_string());
            }
            map.values().for_each(|c| referenced_names(c, out));
        }
        Value::Array(items) => items.iter().for_each(|c| referenced_names(c, out)),
        _ => {}
    }
}

/// The component schemas of a document (empty if none).
pub fn component_schemas(doc: &Value) -> Map<String, Value> {
    doc.pointer("/components/schemas")
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default()
}

/// The component schemas of a document, created if missing.
pub fn component_schemas_mut(doc: &mut Value) -> &mut Map<String, Value> {
    let root = doc.as_object_mut().expect("documents are maps");
    let components = root
        .entry("components")
        .or_insert_with(|| Value::Object(Map::new()))
        .as_object_mut()
        .expect("components is a map");
    components
        .entry("schemas")
        .or_insert_with(|| Value::Object(Map::new()))
        .as_object_mut()
        .expect("components/schemas is a map")
}

/// Is this a string schema with a list of values?
pub fn is_string_enum(map: &Map<String, Value>) -> bool {
    map.get("enum").is_some_and(Value::is_array)
        && map
            .get("type")
            .and_then(Value::as_str)
            .is_none_or(|t| t == "string")
        && map["enum"]
            .as_array()
            .is_some_and(|v| v.iter().all(|x| x.is_string() || x.is_null()))
}

/// The first place two canonical schemas differ, as `path: a vs b`.
pub fn first_difference(a: &Value, b: &Value) -> Option<String> {
    fn go(a: &Value, b: &Value, at: &str) -> Option<String> {
        match (a, b) {
            (Value::Object(x), Value::Object(y)) => {
                let mut keys: Vec<&String> = x.keys().chain(y.keys()).collect();
                keys.sort();
                keys.dedup();
                keys.into_iter().find_map(|k| match (x.get(k), y.get(k)) {
                    (Some(p), Some(q)) => go(p, q, &format!("{at}.{k}")),
                    (p, q) => Some(format!("{at}.{k}: {} vs {}", show(p), show(q))),
                })
            }
            (Value::Array(x), Value::Array(y)) if x.len() == y.len() => x
                .iter()
                .zip(y)
                .enumerate()
                .find_map(|(i, (p, q))| go(p, q, &format!("{at}[{i}]"))),
            _ if a == b => None,
            _ => Some(format!("{at}: {a} vs {b}")),
        }
    }
    fn show(v: Option<&Value>) -> String {
        v.map(|v| v.to_string()).unwrap_or_else(|| "absent".into())
    }
    go(a, b, "")
}

/// Does canonical schema `wide` accept every instance `narrow` accepts,
/// differing only in allowing `null` in more places or requiring fewer
/// properties? (Both must have the same shape otherwise.)
pub fn is_wider(wide: &Value, narrow: &Value) -> bool {
    match (wide, narrow) {
        (Value::Object(w), Value::Object(n)) => {
            let mut keys: Vec<&String> = w.keys().chain(n.keys()).collect();
            keys.sort();
            keys.dedup();
            keys.into_iter()
                .all(|k| match (k.as_str(), w.get(k), n.get(k)) {
                    ("nullable", w, n) => {
                        w == Some(&Value::Bool(true)) || n != Some(&Value::Bool(true))
                    }
                    ("required", w, n) => {
                        let names = |v: Option<&Value>| {
                            v.and_then(Value::as_array).cloned().unwrap_or_default()
                        };
                        let (w, n) = (names(w), names(n));
                        w.iter().all(|x| n.contains(x))
                    }
                    (_, Some(x), Some(y)) => is_wider(x, y),
                    _ => false,
                })
        }
        (Value::Array(w), Value::Array(n)) => {
            w.len() == n.len() && w.iter().zip(n).all(|(x, y)| is_wider(x, y))
        }
        _ => wide == narrow,
    }
}

/// Is this enum generated open? Two values or more, or marked by
/// `extensible_enums_are_enums`; a single plain value is a constant tag.
pub fn is_open_enum(map: &Map<String, Value>) -> bool {
    is_string_enum(map)
        && (map.get("x-open-enum") == Some(&Value::Bool(true))
            || map["enum"]
                .as_array()
                .is_some_and(|v| v.iter().filter(|x| x.is_string()).count() >= 2))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn differences_are_located_inside_arrays() {
        let a = json!({"allOf": [{"type": "object"}, {"properties": {"x": {"type": "string"}}}]});
        let b = json!({"allOf": [{"type": "object"}, {"properties": {"x": {"type": "integer"}}}]});
        assert_eq!(
            first_difference(&a, &b).unwrap(),
            r#".allOf[1].properties.x.type: "string" vs "integer""#
        );
    }

    #[test]
    fn wider_means_more_nullable_or_fewer_required_and_nothing_else() {
        let narrow = json!({"required": ["a", "b"], "properties": {"a": {"type": "array"}}});
        let wide =
            json!({"required": ["b"], "properties": {"a": {"type": "array", "nullable": true}}});
        assert!(is_wider(&wide, &narrow));
        assert!(!is_wider(&narrow, &wide));
        let other =
            json!({"required": ["b"], "properties": {"a": {"type": "string", "nullable": true}}});
        assert!(!is_wider(&other, &narrow));
    }

    #[test]
    fn canonical_forms_ignore_annotations_and_order() {
        let components = Map::new();
        let a = json!({"title": "A", "required": ["b", "a"], "properties": {"a": {"type": "string", "example": "x"}}});
        let b = json!({"required": ["a", "b"], "description": "d", "properties": {"a": {"type": "string"}}});
        assert_eq!(canonical(&a, &components), canonical(&b, &components));
    }
}
