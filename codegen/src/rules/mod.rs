//! The normalization rules, in the order they run.
//!
//! Each rule is small, named, and answers one service quirk or generator
//! limit, which its own module comment states (the crate's README lists
//! them). They run on the merged
//! document as JSON, before progenitor sees it, so a refreshed spec gets the
//! same treatment with no new code.

use serde_json::Value;

use crate::error::{BuildError, Result};

pub(crate) mod bounds_are_checked_not_typed;
mod bounds_from_descriptions;
mod document_partial_failure;
mod editor_titles_are_not_names;
pub(crate) mod extensible_enums_are_enums;
mod flatten_all_of;
mod hoist_titled_schemas;
mod inline_array_components;
mod inline_tagged_variants;
mod known_values_are_an_enum;
mod name_inline_enums;
mod name_unnamed_operations;
mod no_content_success_is_any_2xx;
mod nullable_properties_are_optional;
mod one_error_schema;
mod path_parameters_on_operations;
mod prune_unused_components;
mod terraform_poll_statuses_are_an_enum;
mod tolerate_unknown_fields;

/// What a rule may need to know about the API besides the document.
#[derive(Debug, Clone)]
pub struct Context {
    /// The component schema every error response uses after `one_error_schema`.
    pub error_schema: String,
    /// Names for operations the document gives no `operationId`.
    pub operation_names: Vec<OperationName>,
    /// Values of string properties the document declares no enum for.
    pub known_values: Vec<KnownValues>,
}

impl Context {
    /// A context with only the error schema set.
    pub fn new(error_schema: impl Into<String>) -> Self {
        Self {
            error_schema: error_schema.into(),
            operation_names: Vec::new(),
            known_values: Vec::new(),
        }
    }

    #[cfg(test)]
    pub(crate) fn for_tests() -> Self {
        Self::new("Error")
    }
}

/// The operationId to give the operation `method path` when it has none
/// (rule `name_unnamed_operations`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OperationName {
    /// `GET`, `post`... (any case).
    pub method: String,
    /// The path as the document has it.
    pub path: String,
    /// The operationId, which becomes the method name (`list_mirrors`).
    pub name: String,
}

impl OperationName {
    pub fn new(method: &str, path: &str, name: &str) -> Self {
        Self {
            method: method.into(),
            path: path.into(),
            name: name.into(),
        }
    }
}

/// Known values of a string property, and the name of the open enum it
/// becomes (rule `known_values_are_an_enum`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KnownValues {
    /// The component schema.
    pub schema: String,
    /// The property.
    pub property: String,
    /// The type's name (`ConnectorStatus`).
    pub title: String,
    /// The values known, where they come from said in build.rs.
    pub values: Vec<String>,
}

impl KnownValues {
    pub fn new(schema: &str, property: &str, title: &str, values: &[&str]) -> Self {
        Self {
            schema: schema.into(),
            property: property.into(),
            title: title.into(),
            values: values.iter().map(|v| v.to_string()).collect(),
        }
    }
}

/// One normalization step.
pub struct Rule {
    pub name: &'static str,
    pub apply: fn(&mut Value, &Context) -> Result<()>,
}

/// All rules, in order. Order matters where noted in each rule.
pub const RULES: &[Rule] = &[
    // Before anything reads operations by their id.
    Rule {
        name: "name_unnamed_operations",
        apply: name_unnamed_operations::apply,
    },
    Rule {
        name: "path_parameters_on_operations",
        apply: path_parameters_on_operations::apply,
    },
    // These two add `x-extensible-enum`, which the next rule reads.
    Rule {
        name: "terraform_poll_statuses_are_an_enum",
        apply: terraform_poll_statuses_are_an_enum::apply,
    },
    Rule {
        name: "known_values_are_an_enum",
        apply: known_values_are_an_enum::apply,
    },
    Rule {
        name: "bounds_from_descriptions",
        apply: bounds_from_descriptions::apply,
    },
    Rule {
        name: "editor_titles_are_not_names",
        apply: editor_titles_are_not_names::apply,
    },
    Rule {
        name: "extensible_enums_are_enums",
        apply: extensible_enums_are_enums::apply,
    },
    Rule {
        name: "one_error_schema",
        apply: one_error_schema::apply,
    },
    Rule {
        name: "no_content_success_is_any_2xx",
        apply: no_content_success_is_any_2xx::apply,
    },
    Rule {
        name: "nullable_properties_are_optional",
        apply: nullable_properties_are_optional::apply,
    },
    Rule {
        name: "name_inline_enums",
        apply: name_inline_enums::apply,
    },
    Rule {
        name: "inline_array_components",
        apply: inline_array_components::apply,
    },
    Rule {
        name: "hoist_titled_schemas",
        apply: hoist_titled_schemas::apply,
    },
    Rule {
        name: "flatten_all_of",
        apply: flatten_all_of::apply,
    },
    Rule {
        name: "inline_tagged_variants",
        apply: inline_tagged_variants::apply,
    },
    Rule {
        name: "tolerate_unknown_fields",
        apply: tolerate_unknown_fields::apply,
    },
    Rule {
        name: "prune_unused_components",
        apply: prune_unused_components::apply,
    },
    Rule {
        name: "document_partial_failure",
        apply: document_partial_failure::apply,
    },
    // Last: it hides bounds from typify, after every rule that reads them.
    Rule {
        name: "bounds_are_checked_not_typed",
        apply: bounds_are_checked_not_typed::apply,
    },
];

/// Applies every rule in order; an error names the rule that raised it.
pub fn normalize(doc: &mut Value, ctx: &Context) -> Result<()> {
    for rule in RULES {
        (rule.apply)(doc, ctx).map_err(|e| BuildError {
            problem: format!("{} (rule {})", e.problem, rule.name),
            ..e
        })?;
    }
    Ok(())
}

/// Every operation object of the document, with its operationId.
pub(crate) fn operations_mut(
    doc: &mut Value,
) -> Vec<(String, &mut serde_json::Map<String, Value>)> {
    crate::walk::operations_mut(doc)
        .into_iter()
        .map(|op| (op.id, op.map))
        .collect()
}

/// Is this response status an error (4xx, 5xx, `4XX`, `5XX`)?
pub(crate) fn is_error_status(status: &str) -> bool {
    status.starts_with('4') || status.starts_with('5')
}

/// Is this response status a success (2xx or `2XX`)?
pub(crate) fn is_success_status(status: &str) -> bool {
    status.starts_with('2')
}

#[cfg(test)]
pub(crate) fn run(rule: fn(&mut Value, &Context) -> Result<()>, yaml: &str) -> Result<Value> {
    let mut doc = crate::load::parse_text(yaml).expect("test YAML parses");
    rule(&mut doc, &Context::for_tests())?;
    Ok(doc)
}
