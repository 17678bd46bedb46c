//! Reads every spec file of one API folder and merges them into one document.
//!
//! A folder holds one full OpenAPI document (it has `openapi:` and `info:`)
//! and any number of fragments: a docs page's "OpenAPI definition (YAML)"
//! block, which has only `paths:` (and maybe `components:`). Keeping each
//! source in its own file lets a maintainer refresh one page by pasting it.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde_json::{Map, Value};

use crate::error::{BuildError, Result};

/// Top-level keys of a docs page that are page widgets, not OpenAPI.
/// `jsonRequestBodyExample` is the "Request samples" box of Confluent's docs.
const DOCS_PAGE_EXTRAS: &[&str] = &["jsonRequestBodyExample"];

/// Where each operation and component came from, for error messages.
#[derive(Debug, Default, Clone)]
pub struct Origins {
    pub operations: BTreeMap<String, PathBuf>,
    pub components: BTreeMap<String, PathBuf>,
}

impl Origins {
    /// The file an operation (or `components/...` entry) came from.
    pub fn file_of(&self, what: &str) -> Option<&PathBuf> {
        self.operations
            .get(what)
            .or_else(|| self.components.get(what))
    }
}

/// One API's merged document and where its parts came from.
#[derive(Debug, Clone)]
pub struct Loaded {
    pub doc: Value,
    pub origins: Origins,
    pub files: Vec<PathBuf>,
}

/// The spec files of a folder, sorted so the output never depends on the
/// order the file system lists them in.
pub fn spec_files(dir: &Path) -> Result<Vec<PathBuf>> {
    let entries = std::fs::read_dir(dir)
        .map_err(|e| BuildError::new(format!("cannot read the folder: {e}")).in_file(dir))?;
    let mut files = Vec::new();
    for entry in entries {
        let path = entry
            .map_err(|e| BuildError::new(format!("cannot read the folder: {e}")).in_file(dir))?
            .path();
        let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("");
        if matches!(ext, "yaml" | "yml" | "json") {
            files.push(path);
        }
    }
    files.sort();
    if files.is_empty() {
        return Err(BuildError::new("no .yaml, .yml or .json spec in this folder").in_file(dir));
    }
    Ok(files)
}

/// Parses one file (YAML or JSON) into a JSON value.
pub fn parse_file(path: &Path) -> Result<Value> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| BuildError::new(format!("cannot read: {e}")).in_file(path))?;
    parse_text(&text).map_err(|e| e.in_file(path))
}

/// Parses YAML (a superset of JSON). Map keys that YAML reads as numbers
/// (`200:` without quotes) become strings, as OpenAPI means them.
pub fn parse_text(text: &str) -> Result<Value> {
    let yaml: yaml_serde::Value =
        yaml_serde::from_str(text).map_err(|e| BuildError::new(format!("not valid YAML: {e}")))?;
    yaml_to_json(yaml)
}

fn yaml_to_json(v: yaml_serde::Value) -> Result<Value> {
    use yaml_serde::Value as Y;
    Ok(match v {
        Y::Null => Value::Null,
        Y::Bool(b) => Value::Bool(b),
        Y::Number(n) => {
            if let Some(i) = n.as_i64() {
                Value::from(i)
            } else if let Some(u) = n.as_u64() {
                Value::from(u)
            } else {
                let f = n.as_f64().unwrap_or(f64::NAN);
                serde_json::Number::from_f64(f)
                    .map(Value::Number)
                    .ok_or_else(|| BuildError::new(format!("number {f} has no JSON form")))?
            }
        }
        Y::String(s) => Value::String(s),
        Y::Sequence(items) => Value::Array(
            items
                .into_iter()
                .map(yaml_to_json)
                .collect::<Result<Vec<_>>>()?,
        ),
        Y::Mapping(m) => {
            let mut out = Map::new();
            for (k, v) in m {
                let key = match k {
                    Y::String(s) => s,
                    Y::Number(n) => n.to_string(),
                    Y::Bool(b) => b.to_string(),
                    other => {
                        return Err(BuildError::new(format!(
                            "a map key is not a string: {other:?}"
                        )));
                    }
                };
                out.insert(key, yaml_to_json(v)?);
            }
            Value::Object(out)
        }
        Y::Tagged(t) => yaml_to_json(t.value)?,
    })
}

/// Loads and merges every spec file of `dir`.
pub fn load_dir(dir: &Path) -> Result<Loaded> {
    let files = spec_files(dir)?;
    let parsed = files
        .iter()
        .map(|f| parse_file(f).map(|v| (f.clone(), v)))
        .collect::<Result<Vec<_>>>()?;
    let mut loaded = merge(parsed)?;
    loaded.files = files;
    Ok(loaded)
}

/// Merges parsed files: exactly one full document, the rest fragments.
pub fn merge(files: Vec<(PathBuf, Value)>) -> Result<Loaded> {
    let mut base: Option<(PathBuf, Value)> = None;
    let mut fragments = Vec::new();
    for (path, value) in files {
        let Value::Object(obj) = &value else {
            return Err(BuildError::new("the top level is not a map").in_file(&path));
        };
        if obj.contains_key("openapi") {
            if let Some((first, _)) = &base {
                return Err(BuildError::new(format!(
                    "two full documents in one folder (the other is {}); a folder is one API",
                    first.display()
                ))
                .in_file(&path));
            }
            base = Some((path, value));
        } else {
            fragments.push((path, value));
        }
    }
    let Some((base_path, mut doc)) = base else {
        let file = fragments
            .first()
            .map(|(p, _)| p.clone())
            .unwrap_or_default();
        return Err(BuildError::new(
            "no full OpenAPI document (with `openapi:` and `info:`) in this folder; fragments need one to merge into",
        )
        .in_file(file));
    };

    let mut origins = Origins::default();
    record_origins(&doc, &base_path, &mut origins)?;
    strip_docs_extras(&mut doc);
    for (path, mut fragment) in fragments {
        strip_docs_extras(&mut fragment);
        record_origins(&fragment, &path, &mut origins)?;
        merge_fragment(&mut doc, fragment, &path)?;
    }
    Ok(Loaded {
        doc,
        origins,
        files: Vec::new(),
    })
}

fn strip_docs_extras(v: &mut Value) {
    if let Value::Object(obj) = v {
        for key in DOCS_PAGE_EXTRAS {
            obj.remove(*key);
        }
    }
}

fn record_origins(doc: &Value, path: &Path, origins: &mut Origins) -> Result<()> {
    for op in crate::walk::operations(doc) {
        if op.id.is_empty() {
            // Rule `name_unnamed_operations` names it later; until then it
            // is known by its method and path.
            let key = format!("{} {}", op.method.to_uppercase(), op.path);
            origins.operations.insert(key, path.to_path_buf());
            continue;
        }
        if let Some(other) = origins.operations.insert(op.id.clone(), path.to_path_buf()) {
            return Err(BuildError::new(format!(
                "operationId is used twice (also in {}); progenitor needs it unique",
                other.display()
            ))
            .in_file(path)
            .at(op.id));
        }
    }
    for (section, entries) in doc
        .get("components")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
    {
        for name in entries.as_object().into_iter().flat_map(|m| m.keys()) {
            origins
                .components
                .entry(format!("components/{section}/{name}"))
                .or_insert_with(|| path.to_path_buf());
        }
    }
    Ok(())
}

fn merge_fragment(doc: &mut Value, fragment: Value, path: &Path) -> Result<()> {
    let Value::Object(fragment) = fragment else {
        unreachable!("checked by merge")
    };
    for (key, value) in fragment {
        match key.as_str() {
            "paths" => merge_paths(doc, value, path)?,
            "components" => merge_components(doc, value, path)?,
            other => {
                return Err(BuildError::new(format!(
                    "a fragment may hold only `paths` and `components`, not `{other}`"
                ))
                .in_file(path));
            }
        }
    }
    Ok(())
}

fn object_at<'a>(doc: &'a mut Value, key: &str) -> &'a mut Map<String, Value> {
    let obj = doc.as_object_mut().expect("documents are maps");
    obj.entry(key.to_string())
        .or_insert_with(|| Value::Object(Map::new()))
        .as_object_mut()
        .expect("merged sections are maps")
}

fn merge_paths(doc: &mut Value, paths: Value, path: &Path) -> Result<()> {
    let Value::Object(paths) = paths else {
        return Err(BuildError::new("`paths` is not a map").in_file(path));
    };
    let target = object_at(doc, "paths");
    for (route, item) in paths {
        let Value::Object(item) = item else {
            return Err(BuildError::new(format!("path `{route}` is not a map")).in_file(path));
        };
        let existing = target
            .entry(route.clone())
            .or_insert_with(|| Value::Object(Map::new()))
            .as_object_mut()
            .ok_or_else(|| BuildError::new(format!("path `{route}` is not a map")))?;
        for (key, value) in item {
            match existing.get(&key) {
                None => {
                    existing.insert(key, value);
                }
                Some(same) if *same == value && !crate::walk::is_method(&key) => {}
                Some(_) => {
                    return Err(BuildError::new(format!(
                        "`{key}` of path `{route}` is defined in two files"
                    ))
                    .in_file(path));
                }
            }
        }
    }
    Ok(())
}

fn merge_components(doc: &mut Value, components: Value, path: &Path) -> Result<()> {
    let Value::Object(components) = components else {
        return Err(BuildError::new("`components` is not a map").in_file(path));
    };
    let target = object_at(doc, "components");
    for (section, entries) in components {
        let Value::Object(entries) = entries else {
            return Err(
                BuildError::new(format!("components/{section} is not a map")).in_file(path),
            );
        };
        let existing = target
            .entry(section.clone())
            .or_insert_with(|| Value::Object(Map::new()))
            .as_object_mut()
            .ok_or_else(|| BuildError::new(format!("components/{section} is not a map")))?;
        for (name, value) in entries {
            match existing.get(&name) {
                None => {
                    existing.insert(name, value);
                }
                Some(same) if *same == value => {}
                Some(_) => {
                    return Err(BuildError::new(format!(
                        "components/{section}/{name} is defined twice, differently"
                    ))
                    .in_file(path));
                }
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(name: &str, yaml: &str) -> (PathBuf, Value) {
        (PathBuf::from(name), parse_text(yaml).unwrap())
    }

    const BASE: &str = "openapi: 3.0.0\ninfo: {title: t, version: '1'}\npaths:\n  /a:\n    post: {operationId: createA, responses: {'204': {description: ok}}}\n";

    #[test]
    fn fragments_merge_into_the_full_document_by_method() {
        let frag = "paths:\n  /a:\n    get: {operationId: listA, responses: {'200': {description: ok}}}\njsonRequestBodyExample: {x: 1}\n";
        let loaded = merge(vec![file("base.yaml", BASE), file("page.yaml", frag)]).unwrap();
        let a = &loaded.doc["paths"]["/a"];
        assert_eq!(a["get"]["operationId"], "listA");
        assert_eq!(a["post"]["operationId"], "createA");
        assert!(loaded.doc.get("jsonRequestBodyExample").is_none());
        assert_eq!(
            loaded.origins.file_of("listA"),
            Some(&PathBuf::from("page.yaml"))
        );
    }

    #[test]
    fn the_same_method_twice_names_the_file_and_path() {
        let frag = "paths:\n  /a:\n    post: {operationId: createA2, responses: {'204': {description: ok}}}\n";
        let err = merge(vec![file("base.yaml", BASE), file("page.yaml", frag)]).unwrap_err();
        assert_eq!(err.file, Some(PathBuf::from("page.yaml")));
        assert!(err.problem.contains("`post` of path `/a`"), "{err}");
    }

    #[test]
    fn a_duplicate_operation_id_is_refused() {
        let frag = "paths:\n  /b:\n    get: {operationId: createA, responses: {'200': {description: ok}}}\n";
        let err = merge(vec![file("base.yaml", BASE), file("page.yaml", frag)]).unwrap_err();
        assert_eq!(err.operation.as_deref(), Some("createA"));
        assert!(err.problem.contains("used twice"), "{err}");
    }

    #[test]
    fn an_operation_without_id_is_known_by_method_and_path() {
        // Rule `name_unnamed_operations` names it later.
        let frag = "paths:\n  /b:\n    get: {responses: {'200': {description: ok}}}\n";
        let merged = merge(vec![file("base.yaml", BASE), file("page.yaml", frag)]).unwrap();
        assert_eq!(
            merged.origins.file_of("GET /b"),
            Some(&PathBuf::from("page.yaml"))
        );
    }

    #[test]
    fn fragments_alone_are_refused() {
        let frag = "paths: {}\n";
        let err = merge(vec![file("page.yaml", frag)]).unwrap_err();
        assert!(err.problem.contains("no full OpenAPI document"), "{err}");
    }

    #[test]
    fn unquoted_status_codes_become_strings() {
        let v = parse_text("responses:\n  200: {description: ok}\n").unwrap();
        assert!(v["responses"].get("200").is_some());
    }
}
