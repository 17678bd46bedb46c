//! An inline enum without a `title` gets one, so it becomes a named type.
//!
//! Generator limit: typify names an untitled inline enum after its whole
//! path (`ListLinksResponseDataAllOfLinkState`). Confluent's docs pages title
//! these enums after the property (`link_state` is `LinkState`, `state` of
//! `LinkTask` is `LinkTaskState`); the same convention is applied to the
//! full spec's untitled ones so both sources meet on one name: the property
//! in PascalCase, prefixed with the enclosing schema's name when the
//! property is a single word (`state` alone says too little).

use heck::ToUpperCamelCase;
use serde_json::Value;

use super::Context;
use crate::error::Result;
use crate::walk::{for_each_schema, is_open_enum};

pub fn apply(doc: &mut Value, _: &Context) -> Result<()> {
    for_each_schema(doc, &mut |schema, place| {
        if !is_open_enum(schema) || schema.contains_key("title") {
            return;
        }
        if place.root.starts_with("components/schemas/")
            && place.property.is_none()
            && place.parent_name.is_some()
        {
            // A component that is itself the enum already has its name.
            if place
                .root
                .ends_with(place.parent_name.as_deref().unwrap_or_default())
            {
                return;
            }
        }
        if let Some(title) = title_for(place.property.as_deref(), place.parent_name.as_deref()) {
            schema.insert("title".into(), Value::from(title));
        }
    });
    Ok(())
}

fn title_for(property: Option<&str>, parent: Option<&str>) -> Option<String> {
    let property = property?;
    let name = property.to_upper_camel_case();
    if property.contains('_') {
        return Some(name);
    }
    // `ListLinkConfigsResponseData_allOf` names the schema `ListLinkConfigsResponseData`.
    let parent = parent
        .map(|p| p.split('_').next().unwrap_or(p).to_upper_camel_case())
        .unwrap_or_default();
    Some(format!("{parent}{name}"))
}

#[cfg(test)]
mod tests {
    use super::title_for;

    #[test]
    fn names_follow_the_docs_pages() {
        assert_eq!(
            title_for(Some("link_state"), Some("ListLinksResponseData_allOf")).unwrap(),
            "LinkState"
        );
        assert_eq!(
            title_for(Some("state"), Some("LinkTask")).unwrap(),
            "LinkTaskState"
        );
        assert_eq!(
            title_for(Some("source"), Some("ListLinkConfigsResponseData_allOf")).unwrap(),
            "ListLinkConfigsResponseDataSource"
        );
        assert_eq!(title_for(None, Some("X")), None);
    }

    #[test]
    fn untitled_enum_properties_get_a_title_and_titled_ones_keep_theirs() {
        let doc = super::super::run(
            super::apply,
            r#"
components:
  schemas:
    LinkTask:
      properties:
        state: {type: string, enum: [A, B]}
        tag: {type: string, enum: [custom]}
        link_error: {type: string, enum: [B], title: Custom}
    Status: {type: string, enum: [C, D]}
"#,
        )
        .unwrap();
        let s = &doc["components"]["schemas"];
        assert_eq!(
            s["LinkTask"]["properties"]["state"]["title"],
            "LinkTaskState"
        );
        assert_eq!(s["LinkTask"]["properties"]["link_error"]["title"], "Custom");
        assert!(s["Status"].get("title").is_none());
        assert!(
            s["LinkTask"]["properties"]["tag"].get("title").is_none(),
            "a one-value tag stays inline"
        );
    }
}
