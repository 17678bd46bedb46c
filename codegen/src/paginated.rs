//! List operations that page through `metadata.next`, found from the spec.
//!
//! Generator limit: progenitor generates streams only for its own page shape
//! (`items` + `next_page`). Confluent's lists answer
//! `{"kind", "metadata": {"self", "next"}, "data": [...]}`; any GET whose 200
//! answer has that shape gets `pages()`, `stream()` and `collect_up_to()` on
//! its builder, so a list added to a refreshed spec pages with no new code.

use heck::ToUpperCamelCase;
use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use serde_json::{Map, Value};

use crate::names::type_name;
use crate::walk::ref_name;

/// One list operation and its page and item types (component names).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Paginated {
    pub operation_id: String,
    pub page: String,
    pub item: String,
}

/// Every GET whose 200 answer is `{metadata: {next}, data: [..]}`.
pub fn find(doc: &Value, components: &Map<String, Value>) -> Vec<Paginated> {
    let mut out = Vec::new();
    for crate::walk::OperationRef { path, method, id } in crate::walk::operations(doc) {
        if method != "get" {
            continue;
        }
        let op = &doc["paths"][&path][&method];
        let Some(page) = op
            .pointer("/responses/200/content/application~1json/schema")
            .and_then(ref_name)
        else {
            continue;
        };
        let Some(props) = components
            .get(page)
            .and_then(|s| s.get("properties"))
            .and_then(Value::as_object)
        else {
            continue;
        };
        let item = props
            .get("data")
            .and_then(|d| d.get("items"))
            .and_then(ref_name);
        let metadata = props
            .get("metadata")
            .and_then(ref_name)
            .and_then(|m| components.get(m));
        let has_next = metadata
            .and_then(|m| m.pointer("/properties/next"))
            .is_some();
        let has_self = metadata
            .and_then(|m| m.pointer("/properties/self"))
            .is_some();
        if let (Some(item), true, true) = (item, has_next, has_self) {
            out.push(Paginated {
                operation_id: id,
                page: page.to_string(),
                item: item.to_string(),
            });
        }
    }
    out
}

/// `impl Page for <page type>`, emitted in `types`. Several operations may
/// share a page type; each type is implemented once.
pub fn emit_page_impls(list: &[Paginated]) -> TokenStream {
    let mut seen = std::collections::BTreeSet::new();
    let impls = list
        .iter()
        .filter(|p| seen.insert(p.page.clone()))
        .map(|p| {
            let page = format_ident!("{}", type_name(&p.page));
            let item = format_ident!("{}", type_name(&p.item));
            quote! {
                impl crate::paginate::sealed::Sealed for #page {}
                impl crate::paginate::Page for #page {
                    type Item = #item;
                    fn next_link(&self) -> ::std::option::Option<&str> {
                        self.metadata.next.as_deref()
                    }
                    fn self_link(&self) -> ::std::option::Option<&str> {
                        Some(self.metadata.self_.as_str())
                    }
                    fn into_items(self) -> ::std::vec::Vec<#item> {
                        self.data
                    }
                }
            }
        });
    quote! { #(#impls)* }
}

/// `pages()`, `stream()` and `collect_up_to()` on each list builder, emitted
/// in `builder` (where the builder's `client` field is visible).
pub fn emit_builder_methods(list: &[Paginated]) -> TokenStream {
    let impls = list.iter().map(|p| {
        let builder = format_ident!("{}", p.operation_id.to_upper_camel_case());
        let page = format_ident!("{}", type_name(&p.page));
        let item = format_ident!("{}", type_name(&p.item));
        let method = crate::names::method_name(&p.operation_id);
        let pages_doc = format!(
            "All pages of `{method}`, following `metadata.next`, lazily: nothing is sent until the \
             stream is polled. See [`crate::paginate`]."
        );
        quote! {
            impl<'a> #builder<'a> {
                #[doc = #pages_doc]
                pub fn pages(self) -> crate::paginate::Pages<'a, types::#page> {
                    let client = self.client;
                    crate::paginate::Pages::new(client, #method, ::std::boxed::Box::pin(self.send()))
                }

                /// Every item of every page, one page in memory at a time.
                pub fn stream(self) -> crate::paginate::Items<'a, types::#page> {
                    self.pages().items()
                }

                /// Every item, at most `max_items` of them.
                ///
                /// # Errors
                ///
                /// The first error of a page request, or
                /// [`crate::Error::Pagination`] when a `next` link is refused.
                pub async fn collect_up_to(self, max_items: usize) -> ::std::result::Result<::std::vec::Vec<types::#item>, crate::Error> {
                    self.stream().collect_up_to(max_items).await
                }
            }
        }
    });
    quote! { #(#impls)* }
}

#[cfg(test)]
mod tests {
    #[test]
    fn lists_with_metadata_next_and_data_are_found() {
        let doc = crate::load::parse_text(
            r#"
paths:
  /links:
    get: {operationId: listLinks, responses: {'200': {description: ok, content: {application/json: {schema: {$ref: '#/components/schemas/LinkList'}}}}}}
  /link:
    get: {operationId: getLink, responses: {'200': {description: ok, content: {application/json: {schema: {$ref: '#/components/schemas/Link'}}}}}}
components:
  schemas:
    Meta: {properties: {self: {type: string}, next: {type: string, nullable: true}}}
    Link: {properties: {name: {type: string}}}
    LinkList: {properties: {metadata: {$ref: '#/components/schemas/Meta'}, data: {type: array, items: {$ref: '#/components/schemas/Link'}}}}
"#,
        )
        .unwrap();
        let components = crate::walk::component_schemas(&doc);
        let found = super::find(&doc, &components);
        assert_eq!(
            found,
            [super::Paginated {
                operation_id: "listLinks".into(),
                page: "LinkList".into(),
                item: "Link".into()
            }]
        );
    }
}
