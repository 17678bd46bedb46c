//! Tables generated next to the client, read by the hand-written layer:
//!
//! - `OPERATIONS`: each operation's client method name and path template,
//!   sorted by name, so the request hook can refuse a path parameter that
//!   would change the path (empty, `.` or `..`) before anything is sent.
//! - `BODY_LIMITS`: numeric and length bounds of request bodies
//!   (`newTargetLatency >= 1000`), checked before sending for the same reason;
//!   typify does not enforce them.
//! - `decode_component` (tests only): decodes JSON text as a component's
//!   generated type, for the test that every example of the specs decodes
//!   (it collects the examples itself, with [`collect_examples`]).

use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use serde_json::{Map, Value};

use crate::names::{method_name, operation_const, type_name};
use crate::rules::bounds_are_checked_not_typed::{
    CHECKED_MAX_ITEMS, CHECKED_MIN_ITEMS, CHECKED_MINIMUM,
};
use crate::walk::ref_name;

/// Names the generator needs to map a schema to its Rust type.
pub struct TypeMap<'a> {
    pub components: &'a Map<String, Value>,
    pub error_schema: &'a str,
    pub error_type: &'a syn::Type,
    pub open_enums: &'a [String],
}

/// The path template of every operation, keyed by its method name, as
/// rows of `crate::runtime::Operation`.
pub fn emit_operations(doc: &Value) -> TokenStream {
    let rows = crate::walk::operations(doc).into_iter().map(|op| {
        let (name, path) = (method_name(&op.id), &op.path);
        quote! { crate::runtime::Operation { name: #name, path: #path } }
    });
    let consts = crate::walk::operations(doc).into_iter().map(|op| {
        let name = method_name(&op.id);
        let ident = quote::format_ident!("{}", operation_const(&name));
        let doc = format!(
            "`{name}`: the method name of `{} {}`.",
            op.method.to_uppercase(),
            op.path
        );
        quote! {
            #[doc = #doc]
            #[allow(dead_code)]
            pub(crate) const #ident: &str = #name;
        }
    });
    quote! {
        /// Every operation of this API.
        pub(crate) static OPERATIONS: &[crate::runtime::Operation] = &[#(#rows),*];

        /// Each operation's method name, as the request hooks receive it:
        /// hand-written code matches on these, so a renamed operation is a
        /// compile error, not a rule that silently stops applying.
        pub(crate) mod operation {
            #(#consts)*
        }
    }
}

/// A bound on one field of a request body.
#[derive(Debug, Clone, PartialEq)]
pub struct BodyLimit {
    pub operation: String,
    /// JSON pointer of the field in the body (`/newTargetLatency`); a `*`
    /// segment stands for every element of an array.
    pub pointer: String,
    pub minimum: Option<f64>,
    pub maximum: Option<f64>,
    pub min_length: Option<u64>,
    pub max_length: Option<u64>,
    pub min_items: Option<u64>,
    pub max_items: Option<u64>,
}

pub fn body_limits(doc: &Value, components: &Map<String, Value>) -> Vec<BodyLimit> {
    let mut out = Vec::new();
    for crate::walk::OperationRef { path, method, id } in crate::walk::operations(doc) {
        let op = &doc["paths"][&path][&method];
        let mut body = op.get("requestBody");
        if let Some(name) = body.and_then(|b| b.get("$ref")).and_then(Value::as_str)
            && let Some(rest) = name.strip_prefix("#/components/requestBodies/")
        {
            body = doc.pointer(&format!("/components/requestBodies/{rest}"));
        }
        if let Some(schema) = body.and_then(|b| b.pointer("/content/application~1json/schema")) {
            limits_in(schema, components, &id, String::new(), &mut out, 0);
        }
    }
    out
}

fn limits_in(
    schema: &Value,
    components: &Map<String, Value>,
    op: &str,
    pointer: String,
    out: &mut Vec<BodyLimit>,
    depth: usize,
) {
    if depth > 16 {
        return;
    }
    let schema = match ref_name(schema).and_then(|n| components.get(n)) {
        Some(target) => target,
        None => schema,
    };
    // `x-checked-*`: bounds hidden from typify (rule bounds_are_checked_not_typed).
    let checked = |k: &str| {
        let hidden = match k {
            "minimum" => CHECKED_MINIMUM,
            "minItems" => CHECKED_MIN_ITEMS,
            "maxItems" => CHECKED_MAX_ITEMS,
            other => other,
        };
        schema.get(k).or_else(|| schema.get(hidden))
    };
    let num = |k: &str| checked(k).and_then(Value::as_f64);
    let int = |k: &str| checked(k).and_then(Value::as_u64);
    let limit = BodyLimit {
        operation: op.to_string(),
        pointer: pointer.clone(),
        minimum: num("minimum"),
        maximum: num("maximum"),
        min_length: int("minLength"),
        max_length: int("maxLength"),
        min_items: int("minItems"),
        max_items: int("maxItems"),
    };
    if limit.minimum.is_some()
        || limit.maximum.is_some()
        || limit.min_length.is_some()
        || limit.max_length.is_some()
        || limit.min_items.is_some()
        || limit.max_items.is_some()
    {
        out.push(limit);
    }
    if let Some(items) = schema.get("items") {
        limits_in(
            items,
            components,
            op,
            format!("{pointer}/*"),
            out,
            depth + 1,
        );
    }
    for (name, prop) in schema
        .get("properties")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
    {
        let escaped = name.replace('~', "~0").replace('/', "~1");
        limits_in(
            prop,
            components,
            op,
            format!("{pointer}/{escaped}"),
            out,
            depth + 1,
        );
    }
    for variant in ["oneOf", "anyOf", "allOf"]
        .iter()
        .filter_map(|k| schema.get(*k))
        .filter_map(Value::as_array)
        .flatten()
    {
        limits_in(variant, components, op, pointer.clone(), out, depth + 1);
    }
}

pub fn emit_body_limits(limits: &[BodyLimit]) -> TokenStream {
    let opt_f = |v: Option<f64>| match v {
        Some(x) => quote! { Some(#x) },
        None => quote! { None },
    };
    let opt_u = |v: Option<u64>| match v {
        Some(x) => quote! { Some(#x) },
        None => quote! { None },
    };
    let rows = limits.iter().map(|l| {
        let (op, ptr) = (method_name(&l.operation), &l.pointer);
        let (min, max, minl, maxl) = (opt_f(l.minimum), opt_f(l.maximum), opt_u(l.min_length), opt_u(l.max_length));
        let (mini, maxi) = (opt_u(l.min_items), opt_u(l.max_items));
        quote! { crate::runtime::BodyLimit { operation: #op, pointer: #ptr, minimum: #min, maximum: #max, min_length: #minl, max_length: #maxl, min_items: #mini, max_items: #maxi } }
    });
    quote! {
        /// Every bound on request bodies of this API.
        pub(crate) static BODY_LIMITS: &[crate::runtime::BodyLimit] = &[#(#rows),*];
    }
}

/// One example of the specs and the schema it illustrates.
#[derive(Debug, Clone)]
pub struct Example {
    pub location: String,
    pub value: Value,
    pub schema: Value,
    /// A non-JSON body kept as text (the 429 HTML page).
    pub raw: bool,
}

/// Every example of the normalized document.
pub fn collect_examples(doc: &Value) -> Vec<Example> {
    let mut out = Vec::new();
    let components = doc
        .pointer("/components/schemas")
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default();
    for (name, schema) in &components {
        let at = format!("components/schemas/{name}");
        // A component's own example is of the component's type.
        if let Some(v) = schema.get("example") {
            out.push(Example {
                location: format!("{at} example"),
                value: v.clone(),
                schema: crate::walk::schema_ref(name),
                raw: false,
            });
        }
        for (prop, child) in schema
            .get("properties")
            .and_then(Value::as_object)
            .into_iter()
            .flatten()
        {
            schema_examples(child, &format!("{at}.{prop}"), &mut out, 1);
        }
    }
    for section in ["parameters", "requestBodies", "responses"] {
        for (name, item) in doc
            .pointer(&format!("/components/{section}"))
            .and_then(Value::as_object)
            .into_iter()
            .flatten()
        {
            container_examples(item, &format!("components/{section}/{name}"), &mut out);
        }
    }
    for crate::walk::OperationRef { path, method, id } in crate::walk::operations(doc) {
        let op = &doc["paths"][&path][&method];
        container_examples(op, &id, &mut out);
        if let Some(params) = doc["paths"][&path].get("parameters") {
            container_examples(
                &serde_json::json!({ "parameters": params }),
                &format!("{path} parameters"),
                &mut out,
            );
        }
    }
    out
}

fn media_examples(media: &Value, schema: &Value, at: &str, out: &mut Vec<Example>) {
    if let Some(v) = media.get("example") {
        out.push(Example {
            location: format!("{at} example"),
            value: v.clone(),
            schema: schema.clone(),
            raw: false,
        });
    }
    for (name, ex) in media
        .get("examples")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
    {
        if let Some(v) = ex.get("value") {
            out.push(Example {
                location: format!("{at} examples/{name}"),
                value: v.clone(),
                schema: schema.clone(),
                raw: false,
            });
        }
    }
}

fn container_examples(item: &Value, at: &str, out: &mut Vec<Example>) {
    for param in item
        .get("parameters")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let name = param.get("name").and_then(Value::as_str).unwrap_or("?");
        if let Some(schema) = param.get("schema") {
            media_examples(param, schema, &format!("{at} parameter {name}"), out);
        }
    }
    let mut media_of = |holder: &Value, label: String| {
        for (media, m) in holder
            .get("content")
            .and_then(Value::as_object)
            .into_iter()
            .flatten()
        {
            if let Some(schema) = m.get("schema") {
                media_examples(m, schema, &format!("{label} {media}"), out);
            }
        }
        for (status, text) in holder
            .get("x-raw-examples")
            .and_then(Value::as_object)
            .into_iter()
            .flatten()
        {
            out.push(Example {
                location: format!("{label} {status} raw body"),
                value: text.clone(),
                schema: Value::Null,
                raw: true,
            });
        }
    };
    if let Some(body) = item.get("requestBody") {
        media_of(body, format!("{at} requestBody"));
    }
    if item.get("content").is_some() {
        media_of(item, at.to_string());
    }
    for (status, response) in item
        .get("responses")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
    {
        media_of(response, format!("{at} response {status}"));
    }
}

fn schema_examples(schema: &Value, at: &str, out: &mut Vec<Example>, depth: usize) {
    if depth > 16 || schema.get("$ref").is_some() {
        return;
    }
    if let Some(v) = schema.get("example") {
        out.push(Example {
            location: format!("{at} example"),
            value: v.clone(),
            schema: schema.clone(),
            raw: false,
        });
    }
    for (name, prop) in schema
        .get("properties")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
    {
        schema_examples(prop, &format!("{at}.{name}"), out, depth + 1);
    }
    if let Some(items) = schema.get("items") {
        schema_examples(items, &format!("{at}[]"), out, depth + 1);
    }
}

/// `decode_component(name, json)` (tests only): decodes JSON text as the
/// generated type of a component schema, and refuses an open enum's value
/// the spec does not list. The examples themselves are collected when the
/// test runs ([`collect_examples`]), not on every build.
pub fn emit_component_decoders(types: &TypeMap<'_>) -> TokenStream {
    let arms = types.components.keys().map(|name| {
        if name == types.error_schema {
            let t = types.error_type;
            return quote! { #name => decode::<#t>(json) };
        }
        let ident = format_ident!("{}", type_name(name));
        if types.open_enums.iter().any(|e| e == name) {
            quote! {
                #name => ::serde_json::from_str::<types::#ident>(json)
                    .map_err(|e| e.to_string())
                    .and_then(|v| if v.is_known() { Ok(()) } else { Err(format!("`{v}` is not a documented value")) })
            }
        } else {
            quote! { #name => decode::<types::#ident>(json) }
        }
    });
    quote! {
        /// Decodes `json` as the generated type of the component schema
        /// `name`; `None` for a name that is not a component.
        pub(crate) fn decode_component(name: &str, json: &str) -> Option<Result<(), String>> {
            fn decode<T: ::serde::de::DeserializeOwned>(json: &str) -> Result<(), String> {
                ::serde_json::from_str::<T>(json).map(|_| ()).map_err(|e| e.to_string())
            }
            Some(match name {
                #(#arms,)*
                _ => return None,
            })
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn method_names_are_snake_case_operation_ids() {
        assert_eq!(
            crate::names::method_name("updateKafkaMirrorTopicsReverseAndPauseMirror"),
            "update_kafka_mirror_topics_reverse_and_pause_mirror"
        );
        assert_eq!(crate::names::method_name("listMirrors"), "list_mirrors");
    }
}
