//! Reshapes progenitor's output into this crate's public surface.
//!
//! progenitor's builders return its own `progenitor_client::Error`, its
//! constructors take the hand-written transport state, its methods are
//! named after operationIds users never see, and every request carries an
//! `api-version` header taken from `info.version` that neither service
//! declares. Each function here answers one of those, on the parsed output.

use std::collections::{BTreeMap, BTreeSet};

use quote::quote;
use serde_json::Value;
use syn::{ImplItem, ImplItemFn, Item, Visibility, parse_quote};

use crate::error::{BuildError, Result};

/// Each builder's `send` becomes a private `send_raw`, and a new public
/// `send` returns `crate::Error`: it lends `send_raw` the per-call record
/// (`crate::call::Record`) that the transport fills, so the caller gets
/// the error the transport saw, with attempts and time, and never
/// progenitor's.
///
/// progenitor's `exec` hook returns only a `reqwest::Result`, so
/// `send_raw`'s call of it becomes `crate::transport::exec`, which takes
/// the record. A `send` that does not call the hook exactly once is an
/// error: its requests would bypass the transport (credentials, retries).
pub fn wrap_send(file: &mut syn::File) -> Result<()> {
    let builder = module_mut(file, "builder")?;
    for item in builder.iter_mut() {
        let Item::Impl(imp) = item else { continue };
        let mut added = Vec::new();
        for member in imp.items.iter_mut() {
            let ImplItem::Fn(f) = member else { continue };
            if f.sig.ident != "send" {
                continue;
            }
            let value = success_type(f)?;
            let docs: Vec<_> = f
                .attrs
                .iter()
                .filter(|a| a.path().is_ident("doc"))
                .cloned()
                .collect();
            f.sig.ident = syn::Ident::new("send_raw", f.sig.ident.span());
            f.vis = parse_quote!(pub(crate));
            f.attrs.retain(|a| !a.path().is_ident("doc"));
            f.sig
                .inputs
                .push(parse_quote!(record: &mut crate::call::Record));
            let exec_calls = lend_record_to_exec(&mut f.block);
            if exec_calls != 1 {
                let name = type_name(&imp.self_ty).unwrap_or_default();
                return Err(BuildError::new(format!(
                    "progenitor's `{name}::send` calls its `exec` hook {exec_calls} times, not once: \
                     its requests would not all go through the transport"
                )));
            }
            added.push(parse_quote! {
                #(#docs)*
                ///
                /// # Errors
                ///
                /// [`crate::Error::InvalidArgument`] before anything is sent
                /// when a required parameter is missing or would change the
                /// path, or a body value breaks the spec's bounds;
                /// [`crate::Error::Api`] when the service answers an error
                /// status (after the retries the client's policy allows);
                /// [`crate::Error::Transport`] when no answer arrived;
                /// [`crate::Error::Decode`] when a success answer does not
                /// decode into its documented type.
                pub async fn send(self) -> ::std::result::Result<ResponseValue<#value>, crate::Error> {
                    let mut record = crate::call::Record::default();
                    let raw = self.send_raw(&mut record).await;
                    crate::call::finish(raw, record)
                }
            });
        }
        imp.items.extend(added.into_iter().map(ImplItem::Fn));
    }
    Ok(())
}

/// Rewrites `client.exec(request, &info)` into
/// `crate::transport::exec(client, request, &info, record)`; returns how
/// many calls it rewrote.
fn lend_record_to_exec(block: &mut syn::Block) -> usize {
    use syn::visit_mut::VisitMut;

    struct Lend(usize);
    impl VisitMut for Lend {
        fn visit_expr_mut(&mut self, e: &mut syn::Expr) {
            syn::visit_mut::visit_expr_mut(self, e);
            if let syn::Expr::MethodCall(m) = e
                && m.method == "exec"
                && m.args.len() == 2
            {
                let (client, args) = (&m.receiver, &m.args);
                *e = parse_quote!(crate::transport::exec(#client, #args, record));
                self.0 += 1;
            }
        }
    }
    let mut lend = Lend(0);
    lend.visit_block_mut(block);
    lend.0
}

/// Allocations progenitor's builders make on every call, and need not:
///
/// - a required parameter starts as `Err("x was not initialized".to_string())`,
///   allocated by every `new()` and freed by its setter. It starts as an
///   empty error instead, and `send_raw` says "x was not initialized" when
///   the error it finds is empty (a failed conversion's never is);
/// - every request builds `HeaderMap::with_capacity(n)` for its header
///   parameters, allocated even when it stays empty; `HeaderMap::new()`
///   allocates only when a header goes in;
/// - each path parameter is copied (`x.to_string()` of a `String`) and then
///   percent-encoded into a new `String`, though IDs and names rarely need
///   a character encoded: a `String` parameter is borrowed, and
///   `crate::call::encode_path` returns it as it is when nothing needs
///   encoding (the same character set as progenitor's);
/// - `ResponseValue::from_response` copies the answer's headers before it
///   drops the answer; `crate::call::from_response` takes them;
/// - an optional query parameter left unset still goes through reqwest's
///   `query()`, which rewrites the URL's query and then removes it again
///   (about 1,200 instructions); `crate::call::query_if_set` skips it.
///
/// Found with callgrind on `benches/overhead.rs` (issue 21's per-call
/// overhead): each allocation and free is about 100 instructions.
pub fn build_requests_without_waste(file: &mut syn::File) -> Result<()> {
    use syn::visit_mut::VisitMut;

    struct Lean {
        params: Params,
    }
    impl VisitMut for Lean {
        fn visit_expr_mut(&mut self, e: &mut syn::Expr) {
            syn::visit_mut::visit_expr_mut(self, e);
            if let Some(lean) = leaner(e, &self.params) {
                *e = lean;
            }
        }
        /// A macro's tokens are not expressions to syn: `format!`'s
        /// arguments (where the URL's path parameters are encoded) are
        /// parsed, visited and put back.
        fn visit_macro_mut(&mut self, m: &mut syn::Macro) {
            type Args = syn::punctuated::Punctuated<syn::Expr, syn::Token![,]>;
            if m.path.is_ident("format")
                && let Ok(mut args) = m.parse_body_with(Args::parse_terminated)
            {
                for arg in args.iter_mut() {
                    self.visit_expr_mut(arg);
                }
                m.tokens = quote!(#args);
            }
        }
    }
    let items = module_mut(file, "builder")?;
    let params = parameters(items);
    for item in items.iter_mut() {
        let own = match item {
            Item::Impl(imp) => type_name(&imp.self_ty).and_then(|n| params.get(&n)),
            _ => None,
        };
        Lean {
            params: own.cloned().unwrap_or_default(),
        }
        .visit_item_mut(item);
    }
    Ok(())
}

/// What a builder's parameters are, by the types of its fields
/// (`Result<T, String>`, the error a failed conversion's message).
#[derive(Debug, Clone, Default)]
struct Params {
    /// Held as `String`s.
    strings: BTreeSet<String>,
    /// Held as `Option`s: optional.
    options: BTreeSet<String>,
}

/// Each builder struct's [`Params`].
fn parameters(items: &[Item]) -> BTreeMap<String, Params> {
    let string: syn::Type = parse_quote!(Result<::std::string::String, String>);
    let string = quote!(#string).to_string();
    let option = quote!(Result<Option<).to_string();
    items
        .iter()
        .filter_map(|item| match item {
            Item::Struct(s) => {
                let mut params = Params::default();
                for f in &s.fields {
                    let (Some(name), ty) = (&f.ident, &f.ty) else {
                        continue;
                    };
                    let ty = quote!(#ty).to_string();
                    if ty == string {
                        params.strings.insert(name.to_string());
                    } else if ty.starts_with(&option) {
                        params.options.insert(name.to_string());
                    }
                }
                Some((s.ident.to_string(), params))
            }
            _ => None,
        })
        .collect()
}

/// `X` of a type `X<'a>`.
fn type_name(ty: &syn::Type) -> Option<String> {
    match ty {
        syn::Type::Path(p) => p.path.segments.last().map(|s| s.ident.to_string()),
        _ => None,
    }
}

/// The replacement of one wasteful expression, if `e` is one. `params`:
/// those of the builder `e` is in.
fn leaner(e: &syn::Expr, params: &Params) -> Option<syn::Expr> {
    match e {
        // builder.query(&progenitor_client::QueryParam::new("n", &x)), x optional
        syn::Expr::MethodCall(m) if m.method == "query" && m.args.len() == 1 => {
            let (name, value) = optional_query(&m.args[0], &params.options)?;
            let builder = &m.receiver;
            Some(parse_quote!(crate::call::query_if_set(#builder, #name, #value)))
        }
        // encode_path(&x.to_string()), encode_path(other)
        syn::Expr::Call(call) if path_ends(&call.func, &["encode_path"]) => {
            let [arg] = call.args.iter().collect::<Vec<_>>()[..] else {
                return None;
            };
            let borrowed = string_copied(arg, &params.strings).unwrap_or_else(|| arg.clone());
            Some(parse_quote!(crate::call::encode_path(#borrowed)))
        }
        // ResponseValue::from_response(x)
        syn::Expr::Call(call) if path_ends(&call.func, &["ResponseValue", "from_response"]) => {
            let args = &call.args;
            Some(parse_quote!(crate::call::from_response(#args)))
        }
        // Err("x was not initialized".to_string())
        syn::Expr::Call(call) if path_ends(&call.func, &["Err"]) => {
            let [syn::Expr::MethodCall(m)] = call.args.iter().collect::<Vec<_>>()[..] else {
                return None;
            };
            let syn::Expr::Lit(syn::ExprLit {
                lit: syn::Lit::Str(text),
                ..
            }) = &*m.receiver
            else {
                return None;
            };
            (m.method == "to_string" && text.value().ends_with(" was not initialized"))
                .then(|| parse_quote!(Err(::std::string::String::new())))
        }
        // x.map_err(Error::InvalidRequest)
        syn::Expr::MethodCall(m)
            if m.method == "map_err"
                && m.args.len() == 1
                && path_ends(&m.args[0], &["Error", "InvalidRequest"]) =>
        {
            let syn::Expr::Path(receiver) = &*m.receiver else {
                return None;
            };
            let name = receiver.path.get_ident()?;
            let missing = format!("{name} was not initialized");
            Some(parse_quote!(#receiver.map_err(|e: ::std::string::String| {
                Error::InvalidRequest(if e.is_empty() { #missing.to_string() } else { e })
            })))
        }
        // ::reqwest::header::HeaderMap::with_capacity(n)
        syn::Expr::Call(call) if path_ends(&call.func, &["HeaderMap", "with_capacity"]) => {
            Some(parse_quote!(::reqwest::header::HeaderMap::new()))
        }
        _ => None,
    }
}

/// `("n", &x)` of `&progenitor_client::QueryParam::new("n", &x)`, when `x`
/// is one of `options`.
fn optional_query<'e>(
    e: &'e syn::Expr,
    options: &BTreeSet<String>,
) -> Option<(&'e syn::Expr, &'e syn::Expr)> {
    let syn::Expr::Reference(r) = e else {
        return None;
    };
    let syn::Expr::Call(call) = &*r.expr else {
        return None;
    };
    let [name, value] = call.args.iter().collect::<Vec<_>>()[..] else {
        return None;
    };
    let syn::Expr::Reference(v) = value else {
        return None;
    };
    let syn::Expr::Path(x) = &*v.expr else {
        return None;
    };
    let x = x.path.get_ident()?.to_string();
    (path_ends(&call.func, &["QueryParam", "new"]) && options.contains(&x)).then_some((name, value))
}

/// `&x` of `&x.to_string()`, when `x` is one of `strings`.
fn string_copied(e: &syn::Expr, strings: &BTreeSet<String>) -> Option<syn::Expr> {
    let syn::Expr::Reference(r) = e else {
        return None;
    };
    let syn::Expr::MethodCall(m) = &*r.expr else {
        return None;
    };
    let syn::Expr::Path(x) = &*m.receiver else {
        return None;
    };
    let name = x.path.get_ident()?;
    (m.method == "to_string" && m.args.is_empty() && strings.contains(&name.to_string()))
        .then(|| parse_quote!(&#x))
}

/// Whether `e` is a path ending with these segments.
fn path_ends(e: &syn::Expr, tail: &[&str]) -> bool {
    let syn::Expr::Path(p) = e else { return false };
    let segments: Vec<String> = p
        .path
        .segments
        .iter()
        .map(|s| s.ident.to_string())
        .collect();
    segments.ends_with(&tail.iter().map(|t| t.to_string()).collect::<Vec<_>>())
}

/// `T` of `Result<ResponseValue<T>, Error<E>>`.
fn success_type(f: &ImplItemFn) -> Result<syn::Type> {
    let unexpected = || {
        BuildError::new(format!(
            "progenitor's `send` returns `{}`, not `Result<ResponseValue<T>, Error<E>>`",
            quote!(#f.sig.output)
        ))
    };
    let syn::ReturnType::Type(_, ty) = &f.sig.output else {
        return Err(unexpected());
    };
    let ok = first_generic(ty).ok_or_else(unexpected)?;
    first_generic(&ok).ok_or_else(unexpected)
}

fn first_generic(ty: &syn::Type) -> Option<syn::Type> {
    let syn::Type::Path(p) = ty else { return None };
    let syn::PathArguments::AngleBracketed(args) = &p.path.segments.last()?.arguments else {
        return None;
    };
    args.args.iter().find_map(|a| match a {
        syn::GenericArgument::Type(t) => Some(t.clone()),
        _ => None,
    })
}

/// `Client::new`, `Client::new_with_client` and the builders' `new` take
/// or assume the crate's private transport state: only the crate's own
/// `builder()` may call them.
pub fn hide_constructors(file: &mut syn::File) -> Result<()> {
    let crate_only: Visibility = parse_quote!(pub(crate));
    for imp in impls_mut(&mut file.items) {
        for_each_fn(imp, |f| {
            if f.sig.ident == "new" || f.sig.ident == "new_with_client" {
                f.vis = crate_only.clone();
            }
        });
    }
    for imp in impls_mut(module_mut(file, "builder")?) {
        for_each_fn(imp, |f| {
            if f.sig.ident == "new" {
                f.vis = crate_only.clone();
            }
        });
    }
    Ok(())
}

/// Removes the `api-version` header progenitor adds to every request from
/// `info.version`. Neither service declares it; Confluent's REST proxy
/// reads no such header, and a proxy in between might. A spec that
/// declares an `api-version` header parameter still gets it: that header is
/// set from the parameter, not from `Client::api_version()`.
pub fn drop_api_version_header(file: &mut syn::File) -> Result<()> {
    for imp in impls_mut(module_mut(file, "builder")?) {
        for_each_fn(imp, |f| {
            f.block.stmts.retain(|stmt| {
                let text = quote!(#stmt).to_string();
                !(text.contains("\"api-version\"") && text.contains("api_version ()"))
            });
        });
    }
    Ok(())
}

/// Each client method keeps its operationId as a doc alias, so searching
/// the docs for the vendor's name (`updateKafkaMirrorTopicsPromote`) finds
/// `promote_mirror_topics`.
pub fn add_doc_aliases(file: &mut syn::File, methods: &BTreeMap<String, String>) {
    for imp in impls_mut(&mut file.items) {
        for_each_fn(imp, |f| {
            let name = f.sig.ident.to_string();
            if let Some(original) = methods.get(&name)
                && *original != name
            {
                f.attrs.push(parse_quote!(#[doc(alias = #original)]));
            }
        });
    }
}

/// Each builder setter gets the spec's description of its parameter
/// (progenitor leaves them undocumented; the descriptions only appear in
/// the client method's list).
pub fn document_setters(file: &mut syn::File, doc: &Value) -> Result<()> {
    let setters = setter_docs(doc);
    let mut builders: BTreeMap<String, &BTreeMap<String, String>> = BTreeMap::new();
    for imp in impls_mut(&mut file.items) {
        for member in &imp.items {
            let ImplItem::Fn(f) = member else { continue };
            if let (Some(docs), Some(name)) =
                (setters.get(&f.sig.ident.to_string()), returned_builder(f))
            {
                builders.insert(name, docs);
            }
        }
    }
    for item in module_mut(file, "builder")?.iter_mut() {
        let Item::Impl(imp) = item else { continue };
        let Some(name) = type_name(&imp.self_ty) else {
            continue;
        };
        let Some(docs) = builders.get(&name) else {
            continue;
        };
        for_each_fn(imp, |f| {
            if let Some(text) = docs.get(&f.sig.ident.to_string()) {
                f.attrs.insert(0, parse_quote!(#[doc = #text]));
            }
        });
    }
    Ok(())
}

/// For every operation (by method name): setter name -> description.
fn setter_docs(doc: &Value) -> BTreeMap<String, BTreeMap<String, String>> {
    let mut out = BTreeMap::new();
    for op in crate::walk::operations(doc) {
        let Some(operation) = doc
            .get("paths")
            .and_then(|p| p.get(&op.path))
            .and_then(|i| i.get(&op.method))
        else {
            continue;
        };
        let mut docs = BTreeMap::new();
        let params = operation.get("parameters").and_then(Value::as_array);
        for p in params.into_iter().flatten() {
            let p = resolve(doc, p);
            let (Some(name), Some(text)) = (
                p.get("name").and_then(Value::as_str),
                p.get("description").and_then(Value::as_str),
            ) else {
                continue;
            };
            docs.insert(crate::names::setter_name(name), text.trim().to_string());
        }
        if let Some(body) = operation.get("requestBody").map(|b| resolve(doc, b)) {
            let text = body
                .get("description")
                .and_then(Value::as_str)
                .unwrap_or("The request body.")
                .trim()
                .to_string();
            docs.insert(
                "body_map".into(),
                format!("{text}\n\nEdits the body in place."),
            );
            docs.insert("body".into(), text);
        }
        out.insert(crate::names::method_name(&op.id), docs);
    }
    out
}

/// A `$ref` to a component, followed once.
fn resolve<'a>(doc: &'a Value, v: &'a Value) -> &'a Value {
    v.get("$ref")
        .and_then(Value::as_str)
        .and_then(|r| r.strip_prefix('#'))
        .and_then(|pointer| doc.pointer(pointer))
        .unwrap_or(v)
}

/// `Y` of a client method `fn x(&self) -> builder::Y<'_>`.
fn returned_builder(f: &ImplItemFn) -> Option<String> {
    let syn::ReturnType::Type(_, ty) = &f.sig.output else {
        return None;
    };
    let syn::Type::Path(p) = &**ty else {
        return None;
    };
    let segments: Vec<_> = p
        .path
        .segments
        .iter()
        .map(|s| s.ident.to_string())
        .collect();
    match segments.as_slice() {
        [module, name] if module == "builder" => Some(name.clone()),
        _ => None,
    }
}

fn module_mut<'a>(file: &'a mut syn::File, name: &str) -> Result<&'a mut Vec<Item>> {
    file.items
        .iter_mut()
        .find_map(|item| match item {
            Item::Mod(m) if m.ident == name => m.content.as_mut().map(|(_, items)| items),
            _ => None,
        })
        .ok_or_else(|| BuildError::new(format!("progenitor's output has no `{name}` module")))
}

fn impls_mut(items: &mut [Item]) -> impl Iterator<Item = &mut syn::ItemImpl> {
    items.iter_mut().filter_map(|item| match item {
        Item::Impl(imp) if imp.trait_.is_none() => Some(imp),
        _ => None,
    })
}

fn for_each_fn(imp: &mut syn::ItemImpl, mut f: impl FnMut(&mut ImplItemFn)) {
    for member in imp.items.iter_mut() {
        if let ImplItem::Fn(func) = member {
            f(func);
        }
    }
}

#[cfg(test)]
mod tests {

    #[test]
    fn builders_allocate_nothing_they_throw_away() {
        let mut file: syn::File = parse_quote! {
            pub mod builder {
                pub struct GetLink<'a> {
                    client: &'a super::Client,
                    link_name: Result<::std::string::String, String>,
                    cluster_id: Result<::uuid::Uuid, String>,
                    include_tasks: Result<Option<bool>, String>,
                }
                impl<'a> GetLink<'a> {
                    pub(crate) fn new(client: &'a super::Client) -> Self {
                        Self { client, link_name: Err("link_name was not initialized".to_string()), n: Ok(None) }
                    }
                    pub(crate) async fn send_raw(self) -> Result<(), Error<()>> {
                        let link_name = link_name.map_err(Error::InvalidRequest)?;
                        let mut header_map = ::reqwest::header::HeaderMap::with_capacity(1usize);
                        let other = Err("a failed conversion".to_string());
                        let url = format!("{}/{}/{}", base, encode_path(&cluster_id.to_string()), encode_path(&link_name.to_string()));
                        let request = client.client.get(url)
                            .query(&progenitor_client::QueryParam::new("link_name", &link_name))
                            .query(&progenitor_client::QueryParam::new("include_tasks", &include_tasks))
                            .build()?;
                        ResponseValue::from_response(response).await
                    }
                }
                impl<'a> Other<'a> {
                    pub(crate) async fn send_raw(self) -> Result<(), Error<()>> {
                        let url = format!("{}/{}", base, encode_path(&link_name.to_string()));
                    }
                }
            }
        };
        super::build_requests_without_waste(&mut file).unwrap();
        let out = quote!(#file).to_string();
        let expected = [
            // Required parameters start as an empty error; the message is
            // made only when one is missing; a failed conversion keeps its.
            "link_name : Err (:: std :: string :: String :: new ())",
            "\"link_name was not initialized\" . to_string ()",
            "if e . is_empty ()",
            "Err (\"a failed conversion\" . to_string ())",
            ":: reqwest :: header :: HeaderMap :: new ()",
            // A String parameter is borrowed; any other is still turned
            // into text first; both go through the crate's encode_path.
            "crate :: call :: encode_path (& cluster_id . to_string ()) , crate :: call :: encode_path (& link_name))",
            "crate :: call :: from_response (response) . await",
            // An optional query parameter is skipped when unset; a
            // required one is always sent.
            "crate :: call :: query_if_set (client . client . get (url) . query (& progenitor_client :: QueryParam :: new (\"link_name\" , & link_name)) , \"include_tasks\" , & include_tasks) . build () ?",
            // Only the builder's own String parameters: `Other` has no
            // `link_name` field, so its text is copied as before.
            "crate :: call :: encode_path (& link_name . to_string ()))",
        ];
        for text in expected {
            assert!(out.contains(text), "{text} not in {out}");
        }
        for gone in ["with_capacity", ", encode_path"] {
            assert!(!out.contains(gone), "{gone} in {out}");
        }
    }
    use super::*;

    fn generated() -> syn::File {
        parse_quote! {
            impl Client {
                pub fn new(baseurl: &str) -> Self { todo!() }
                pub fn new_with_client(baseurl: &str) -> Self { todo!() }
                pub fn promote_mirror_topics(&self) -> builder::PromoteMirrorTopics<'_> { todo!() }
            }
            pub mod builder {
                impl<'a> PromoteMirrorTopics<'a> {
                    pub fn new(client: &'a super::Client) -> Self { todo!() }
                    pub fn link_name<V>(mut self, value: V) -> Self { self }
                    ///Sends a `POST` request
                    pub async fn send(self) -> Result<ResponseValue<types::List>, Error<crate::error::ConfluentError>> {
                        let mut header_map = HeaderMap::with_capacity(1usize);
                        header_map.append(HeaderName::from_static("api-version"), HeaderValue::from_static(super::Client::api_version()));
                        header_map.append(HeaderName::from_static("x-other"), value);
                        client.pre(&mut request, &info).await?;
                        let result = client.exec(request, &info).await;
                        client.post(&result, &info).await?;
                        todo!()
                    }
                }
            }
        }
    }

    fn text(file: &syn::File) -> String {
        prettyplease::unparse(file)
    }

    #[test]
    fn send_returns_the_crate_error_and_progenitors_send_is_private() {
        let mut file = generated();
        wrap_send(&mut file).unwrap();
        let out = text(&file);
        assert!(out.contains("pub(crate) async fn send_raw("), "{out}");
        assert!(out.contains("pub async fn send("), "{out}");
        assert!(
            out.contains("-> ::std::result::Result<ResponseValue<types::List>, crate::Error>"),
            "{out}"
        );
        for text in [
            "let raw = self.send_raw(&mut record).await;",
            "crate::call::finish(raw, record)",
            "record: &mut crate::call::Record",
            // The hook is not called: the transport is, with the record.
            "let result = crate::transport::exec(client, request, &info, record).await;",
            "client.pre(&mut request, &info).await?;",
        ] {
            assert!(out.contains(text), "{text} not in {out}");
        }
        assert!(!out.contains("client.exec("), "{out}");
        assert!(out.contains("# Errors"), "{out}");
    }

    #[test]
    fn a_send_that_does_not_call_the_exec_hook_once_is_refused() {
        let mut file: syn::File = parse_quote! {
            pub mod builder {
                impl<'a> Odd<'a> {
                    pub async fn send(self) -> Result<ResponseValue<types::List>, Error<()>> {
                        let a = client.exec(request, &info).await;
                        let b = client.exec(again, &info).await;
                        todo!()
                    }
                }
            }
        };
        let e = wrap_send(&mut file).unwrap_err().to_string();
        assert!(
            e.contains("`Odd::send` calls its `exec` hook 2 times"),
            "{e}"
        );
    }

    #[test]
    fn constructors_are_crate_private() {
        let mut file = generated();
        hide_constructors(&mut file).unwrap();
        let out = text(&file);
        assert!(out.contains("pub(crate) fn new(baseurl"), "{out}");
        assert!(out.contains("pub(crate) fn new_with_client("), "{out}");
        assert!(out.contains("pub(crate) fn new(client"), "{out}");
        assert!(out.contains("pub fn promote_mirror_topics"), "{out}");
    }

    #[test]
    fn only_the_api_version_header_is_dropped() {
        let mut file = generated();
        drop_api_version_header(&mut file).unwrap();
        let out = text(&file);
        assert!(!out.contains("api-version"), "{out}");
        assert!(out.contains("x-other"), "{out}");
    }

    #[test]
    fn methods_keep_their_operation_id_as_alias_and_setters_get_docs() {
        let mut file = generated();
        let methods = BTreeMap::from([(
            "promote_mirror_topics".to_string(),
            "updateKafkaMirrorTopicsPromote".to_string(),
        )]);
        add_doc_aliases(&mut file, &methods);
        let doc = serde_json::json!({
            "paths": {"/links/{link_name}/mirrors:promote": {"post": {
                "operationId": "promote_mirror_topics",
                "parameters": [{"$ref": "#/components/parameters/LinkName"}],
            }}},
            "components": {"parameters": {"LinkName": {"name": "link_name", "description": "The link name"}}}
        });
        document_setters(&mut file, &doc).unwrap();
        let out = text(&file);
        assert!(
            out.contains("#[doc(alias = \"updateKafkaMirrorTopicsPromote\")]"),
            "{out}"
        );
        assert!(
            out.contains("///The link name\n        pub fn link_name"),
            "{out}"
        );
    }
}
