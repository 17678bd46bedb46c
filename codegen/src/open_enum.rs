//! Open enums: every string enum of the specs becomes a Rust enum with one
//! variant per documented value and a catch-all that keeps unknown text.
//!
//! Generator limit: typify's enums are closed, so a value the service adds
//! (Confluent added the `PENDING_*` restore states to `mirror_status` over
//! time) would fail decoding of the whole response. The generated type is
//! handed to progenitor as a replacement for the schema, so every field,
//! query parameter and body that uses the enum gets the open type.
//!
//! Plain enums with one value are left to typify: they are constant tags
//! (the Instaclustr create request's `sourceType`), which typify needs as
//! they are to generate a tagged enum.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use serde_json::{Map, Value};

use crate::names::{type_name, variant_name};
use crate::walk::is_open_enum;

/// A component schema that becomes an open enum.
#[derive(Debug, Clone)]
pub struct OpenEnum {
    pub schema_name: String,
    pub type_name: String,
    pub values: Vec<String>,
    pub description: Option<String>,
}

/// The component schemas that become open enums.
pub fn find(components: &Map<String, Value>) -> Vec<OpenEnum> {
    components
        .iter()
        .filter_map(|(name, schema)| {
            let map = schema.as_object()?;
            if !is_open_enum(map) {
                return None;
            }
            let values: Vec<String> = map["enum"]
                .as_array()?
                .iter()
                .filter_map(|v| v.as_str().map(str::to_string))
                .collect();
            Some(OpenEnum {
                schema_name: name.clone(),
                type_name: type_name(name),
                values,
                description: map
                    .get("description")
                    .and_then(Value::as_str)
                    .map(str::to_string),
            })
        })
        .collect()
}

/// The name of the catch-all variant: `Unrecognized`, unless a documented
/// value already has that name.
fn catch_all(variants: &[String]) -> proc_macro2::Ident {
    let mut name = "Unrecognized".to_string();
    while variants.contains(&name) {
        name.push('_');
    }
    format_ident!("{}", name)
}

/// The Rust code of one open enum.
pub fn emit(e: &OpenEnum) -> TokenStream {
    let ty = format_ident!("{}", e.type_name);
    let mut names: Vec<String> = Vec::new();
    for v in &e.values {
        let mut n = variant_name(v);
        while names.contains(&n) {
            n.push('_');
        }
        names.push(n);
    }
    let other = catch_all(&names);
    let variants: Vec<_> = names.iter().map(|n| format_ident!("{}", n)).collect();
    let values = &e.values;
    let doc = format!(
        "{}\n\nAn open enum: a value this SDK does not know yet decodes as \
         [`{}::{}`] with its text, so a new state on the service never breaks decoding.",
        e.description
            .clone()
            .unwrap_or_else(|| format!("`{}` values.", e.schema_name)),
        e.type_name,
        other
    );
    let variant_docs = values.iter().map(|v| format!("`{v}`"));
    let known_list = values.join(", ");
    let schema_doc = format!("One of {known_list}, or a value added by the service since.");
    quote! {
        #[doc = #doc]
        #[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum #ty {
            #( #[doc = #variant_docs] #variants, )*
            /// A value not documented when this SDK was generated, as sent.
            #other(::std::string::String),
        }

        impl #ty {
            /// Every documented value, in the spec's order.
            pub const KNOWN: &'static [&'static str] = &[#(#values),*];

            /// The value as the service spells it.
            pub fn as_str(&self) -> &str {
                match self {
                    #( Self::#variants => #values, )*
                    Self::#other(s) => s.as_str(),
                }
            }

            /// `false` for a value this SDK does not know.
            pub fn is_known(&self) -> bool {
                !matches!(self, Self::#other(_))
            }
        }

        impl ::std::convert::From<&str> for #ty {
            fn from(s: &str) -> Self {
                match s {
                    #( #values => Self::#variants, )*
                    other => Self::#other(other.to_string()),
                }
            }
        }

        crate::runtime::open_enum_impls!(#ty, #schema_doc);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn string_enums_with_two_values_or_more_are_found() {
        let components: Map<String, Value> = serde_json::from_value(serde_json::json!({
            "MirrorTopicStatus": {"type": "string", "enum": ["ACTIVE", "PENDING_STOPPED"]},
            "Tag": {"type": "string", "enum": ["custom"]},
            "Source": {"type": "string", "enum": ["DYNAMIC"], "x-open-enum": true},
            "Obj": {"type": "object"},
        }))
        .unwrap();
        let found = find(&components);
        let names: Vec<_> = found.iter().map(|e| e.type_name.as_str()).collect();
        assert_eq!(names, ["MirrorTopicStatus", "Source"]);
        let code = emit(&found[0]).to_string();
        assert!(code.contains("PendingStopped"), "{code}");
        assert!(code.contains("Unrecognized"), "{code}");
    }

    #[test]
    fn the_catch_all_never_collides_with_a_value() {
        assert_eq!(
            catch_all(&["Unrecognized".to_string()]).to_string(),
            "Unrecognized_"
        );
    }
}
