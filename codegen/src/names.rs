//! Rust names of generated things, computed the way typify computes them.

use heck::ToUpperCamelCase;

/// The type name typify gives the component schema `name`
/// (typify's `sanitize(name, Case::Pascal)`).
pub fn type_name(name: &str) -> String {
    let cleaned: String = name
        .replace('\'', "")
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || c == '_' {
                c
            } else {
                '-'
            }
        })
        .collect();
    let out = cleaned.to_upper_camel_case();
    match out.chars().next() {
        Some(c) if c.is_alphabetic() || c == '_' => out,
        _ => format!("X{out}"),
    }
}

/// A variant name for an enum value: `PENDING_STOPPED` is `PendingStopped`.
pub fn variant_name(value: &str) -> String {
    type_name(value)
}

#[cfg(test)]
mod tests {
    #[test]
    fn names_match_typify() {
        assert_eq!(
            super::type_name("ListLinksResponseDataList"),
            "ListLinksResponseDataList"
        );
        assert_eq!(super::type_name("link-state"), "LinkState");
        assert_eq!(super::variant_name("PENDING_STOPPED"), "PendingStopped");
        assert_eq!(super::variant_name("3way"), "X3way");
    }
}
