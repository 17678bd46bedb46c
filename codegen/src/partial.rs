//! Helpers for answers that carry one result per item, some possibly failed.
//!
//! Quirk: Confluent's `mirrors:*` actions answer 200 with one item per topic
//! in `data`, each with its own `error_code`/`error_message`. Any list type
//! whose items have both fields gets `failed()`, `succeeded()` and
//! `all_succeeded()`, found from the schema so a new action of the same shape
//! gets them with no new code.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use serde_json::{Map, Value};

use crate::names::type_name;
use crate::walk::ref_name;

/// A list schema whose `data` items carry their own error.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ItemErrorType {
    /// Component name of the list (`AlterMirrorStatusResponseDataList`).
    pub list: String,
    /// Component name of an item (`AlterMirrorStatusResponseData`).
    pub item: String,
    /// The item's field that names it (`mirror_topic_name`), if any.
    pub name_field: Option<String>,
}

pub fn per_item_error_types(components: &Map<String, Value>) -> Vec<ItemErrorType> {
    let mut out = Vec::new();
    for (name, schema) in components {
        let Some(item) = schema.pointer("/properties/data/items").and_then(ref_name) else {
            continue;
        };
        let Some(props) = components
            .get(item)
            .and_then(|s| s.get("properties"))
            .and_then(Value::as_object)
        else {
            continue;
        };
        if props.contains_key("error_code") && props.contains_key("error_message") {
            let name_field = props.keys().find(|k| k.ends_with("_name")).cloned();
            out.push(ItemErrorType {
                list: name.clone(),
                item: item.to_string(),
                name_field,
            });
        }
    }
    out
}

/// The inherent methods of one list type, emitted inside the `types` module.
pub fn emit(t: &ItemErrorType) -> TokenStream {
    let list = format_ident!("{}", type_name(&t.list));
    let item = format_ident!("{}", type_name(&t.item));
    let example_field = t.name_field.clone().unwrap_or_else(|| "error_code".into());
    let doc_failed = format!(
        "The items the service did not apply the action to: those whose `error_code` is set (and not 0) \
         or whose `error_message` is set. The service answers 200 even when some items failed, so check \
         this before taking the action as done.\n\n```ignore\nfor t in response.failed() {{\n    \
         eprintln!(\"{{}}: {{:?}} {{:?}}\", t.{example_field}, t.error_code, t.error_message);\n}}\n```"
    );
    quote! {
        impl #list {
            #[doc = #doc_failed]
            pub fn failed(&self) -> ::std::vec::Vec<&#item> {
                self.data.iter().filter(|i| crate::runtime::item_failed(&i.error_code, &i.error_message)).collect()
            }

            /// The items the action was applied to (the complement of [`Self::failed`]).
            pub fn succeeded(&self) -> ::std::vec::Vec<&#item> {
                self.data.iter().filter(|i| !crate::runtime::item_failed(&i.error_code, &i.error_message)).collect()
            }

            /// `true` when no item failed.
            pub fn all_succeeded(&self) -> bool {
                self.data.iter().all(|i| !crate::runtime::item_failed(&i.error_code, &i.error_message))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn lists_of_items_with_their_own_error_are_found() {
        let components = serde_json::from_value(serde_json::json!({
            "List": {"properties": {"data": {"items": {"$ref": "#/components/schemas/Item"}}}},
            "Item": {"properties": {"mirror_topic_name": {}, "error_code": {}, "error_message": {}}},
            "Other": {"properties": {"data": {"items": {"$ref": "#/components/schemas/Plain"}}}},
            "Plain": {"properties": {"name": {}}},
        }))
        .unwrap();
        let found = super::per_item_error_types(&components);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].list, "List");
        assert_eq!(found[0].name_field.as_deref(), Some("mirror_topic_name"));
    }
}
