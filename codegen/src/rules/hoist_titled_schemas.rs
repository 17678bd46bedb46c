//! An inline schema with a `title` becomes the component of that name.
//!
//! Quirk: Confluent's docs pages inline every schema and title it with the
//! component name it has in the full spec (`ListLinksResponseData`,
//! `MirrorLag`, ...). Generator limit: typify would emit one type per inline
//! copy. Hoisted, a page's schema and the full spec's component become one
//! type when they mean the same thing.
//!
//! Quirk: the docs pages are newer than the full spec in places and allow
//! `null` where the full spec does not (`partition_level_truncation_data` of
//! the `mirrors:*` results). When the two differ only in that way the page's
//! schema, which accepts every answer the other accepts, becomes the
//! component. Any other difference stops the build and says where, rather
//! than silently picking one.

use serde_json::Value;

use super::Context;
use crate::error::{BuildError, Result};
use crate::walk::{
    canonical, component_schemas, component_schemas_mut, first_difference, for_each_schema,
    is_wider, schema_ref,
};

pub fn apply(doc: &mut Value, _: &Context) -> Result<()> {
    let mut hoisted: Vec<(String, Value, String)> = Vec::new();
    let mut widened: Vec<(String, Value)> = Vec::new();
    let mut problem: Option<BuildError> = None;
    let mut components = component_schemas(doc);
    // Children are visited before parents, so a parent is compared with its
    // children already replaced by references.
    for_each_schema(doc, &mut |schema, place| {
        let Some(title) = schema
            .get("title")
            .and_then(Value::as_str)
            .map(str::to_string)
        else {
            return;
        };
        if place.root == format!("components/schemas/{title}") && place.property.is_none() {
            return; // the component itself
        }
        if schema.contains_key("$ref") || problem.is_some() {
            return;
        }
        let inline = Value::Object(schema.clone());
        match components
            .get(&title)
            .map(|existing| compare(existing, &inline, &components))
        {
            Some(Fit::Same) => {}
            Some(Fit::Wider) => {
                components.insert(title.clone(), inline.clone());
                widened.push((title.clone(), inline));
            }
            Some(Fit::Different(at)) => {
                problem = Some(
                    BuildError::new(format!(
                        "the inline schema titled `{title}` differs from components/schemas/{title} at `{at}`; \
                         make them agree or rename one"
                    ))
                    .at(place.root.clone()),
                );
                return;
            }
            None => {
                components.insert(title.clone(), inline.clone());
                hoisted.push((title.clone(), inline, place.root.clone()));
            }
        }
        schema.clear();
        schema.extend(schema_ref(&title).as_object().cloned().unwrap_or_default());
    });
    if let Some(p) = problem {
        return Err(p);
    }
    let target = component_schemas_mut(doc);
    for (name, schema, _) in hoisted {
        target.entry(name).or_insert(schema);
    }
    for (name, schema) in widened {
        target.insert(name, schema);
    }
    Ok(())
}

enum Fit {
    Same,
    /// The inline schema accepts `null` in more places (or requires fewer
    /// properties), and is otherwise the same.
    Wider,
    Different(String),
}

fn compare(component: &Value, inline: &Value, components: &serde_json::Map<String, Value>) -> Fit {
    let (a, b) = (
        canonical(component, components),
        canonical(inline, components),
    );
    if a == b {
        return Fit::Same;
    }
    if is_wider(&b, &a) {
        return Fit::Wider;
    }
    Fit::Different(first_difference(&a, &b).unwrap_or_default())
}

#[cfg(test)]
mod tests {
    const SPEC: &str = r#"
components:
  schemas:
    MirrorLag:
      type: object
      required: [lag, partition]
      properties: {partition: {type: integer}, lag: {type: integer, format: int64}}
paths:
  /m:
    get:
      operationId: m
      responses:
        '200':
          description: ok
          content:
            application/json:
              schema:
                title: Topic
                type: object
                properties:
                  lag:
                    title: MirrorLag
                    description: the same, told differently
                    type: object
                    required: [partition, lag]
                    properties: {lag: {format: int64, type: integer}, partition: {type: integer}}
"#;

    #[test]
    fn an_inline_copy_of_a_component_becomes_a_reference() {
        let doc = super::super::run(super::apply, SPEC).unwrap();
        let schema =
            &doc["paths"]["/m"]["get"]["responses"]["200"]["content"]["application/json"]["schema"];
        assert_eq!(schema["$ref"], "#/components/schemas/Topic");
        let topic = &doc["components"]["schemas"]["Topic"];
        assert_eq!(
            topic["properties"]["lag"]["$ref"],
            "#/components/schemas/MirrorLag"
        );
    }

    #[test]
    fn a_page_that_allows_null_in_more_places_replaces_the_component() {
        let spec = SPEC.replace(
            "lag: {format: int64, type: integer}",
            "lag: {format: int64, type: integer, nullable: true}",
        );
        let doc = super::super::run(super::apply, &spec).unwrap();
        let lag = &doc["components"]["schemas"]["MirrorLag"];
        assert_eq!(lag["properties"]["lag"]["nullable"], true);
        assert_eq!(lag["description"], "the same, told differently");
    }

    #[test]
    fn a_conflicting_inline_copy_stops_the_build() {
        let spec = SPEC.replace("lag: {format: int64, type: integer}", "lag: {type: string}");
        let err = super::super::run(super::apply, &spec).unwrap_err();
        assert!(err.problem.contains("titled `MirrorLag` differs"), "{err}");
        assert!(
            err.problem
                .contains("at `.properties.lag.format: \"int64\" vs absent`"),
            "{err}"
        );
        assert_eq!(err.operation.as_deref(), Some("m"));
    }
}
