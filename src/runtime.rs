//! What the generated code refers to, defined once: the rows of the tables
//! generated from each spec (operation paths, body bounds), the predicate
//! behind the partial-failure helpers, and the trait implementations every
//! open enum shares. Nothing here depends on another module of this crate.

/// One operation as its spec declares it (generated `spec::OPERATIONS`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Operation {
    /// The client method's name, as the request hooks see it.
    pub name: &'static str,
    /// The path template, with `{name}` for each path parameter.
    pub path: &'static str,
}

/// A bound the spec puts on one field of a request body (generated
/// `spec::BODY_LIMITS`); typify does not enforce them.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct BodyLimit {
    /// The client method's name.
    pub operation: &'static str,
    /// JSON pointer of the field in the body; a `*` segment stands for
    /// every element of an array.
    pub pointer: &'static str,
    /// `minimum` of a number.
    pub minimum: Option<f64>,
    /// `maximum` of a number.
    pub maximum: Option<f64>,
    /// `minLength` of a string.
    pub min_length: Option<u64>,
    /// `maxLength` of a string.
    pub max_length: Option<u64>,
    /// `minItems` of an array.
    pub min_items: Option<u64>,
    /// `maxItems` of an array.
    pub max_items: Option<u64>,
}

/// An item of a partial-failure answer failed when it carries a non-zero
/// code or a non-empty message (whether the spec makes them optional or not).
pub(crate) fn item_failed(code: &impl ItemErrorCode, message: &impl ItemErrorMessage) -> bool {
    code.code().is_some_and(|c| c != 0) || message.message().is_some_and(|m| !m.is_empty())
}

/// Reads `error_code`, optional or not.
pub(crate) trait ItemErrorCode {
    fn code(&self) -> Option<i64>;
}

impl ItemErrorCode for i64 {
    fn code(&self) -> Option<i64> {
        Some(*self)
    }
}

impl ItemErrorCode for i32 {
    fn code(&self) -> Option<i64> {
        Some(i64::from(*self))
    }
}

impl<T: ItemErrorCode> ItemErrorCode for Option<T> {
    fn code(&self) -> Option<i64> {
        self.as_ref().and_then(ItemErrorCode::code)
    }
}

/// Reads `error_message`, optional or not.
pub(crate) trait ItemErrorMessage {
    fn message(&self) -> Option<&str>;
}

impl ItemErrorMessage for String {
    fn message(&self) -> Option<&str> {
        Some(self.as_str())
    }
}

impl ItemErrorMessage for Option<String> {
    fn message(&self) -> Option<&str> {
        self.as_deref()
    }
}

/// A module holding a file the build generated into `OUT_DIR`. Generated
/// code is not held to this crate's lints (progenitor writes it).
macro_rules! generated_module {
    ($(#[$attr:meta])* $vis:vis mod $name:ident = $file:literal) => {
        $(#[$attr])*
        #[allow(
            clippy::all,
            clippy::pedantic,
            missing_docs,
            unused_imports,
            rustdoc::all,
            unreachable_pub,
            unused_mut,
            dead_code
        )]
        $vis mod $name {
            include!(concat!(env!("OUT_DIR"), "/", $file));
        }
    };
}
pub(crate) use generated_module;

/// The trait implementations of an open enum, given its inherent
/// `as_str()` and `From<&str>` (which the generator writes, since they list
/// the values): conversions from strings, `Display`, serde as a plain
/// string, and a JSON schema listing the known values.
macro_rules! open_enum_impls {
    ($ty:ident, $description:expr) => {
        impl ::std::convert::From<::std::string::String> for $ty {
            fn from(s: ::std::string::String) -> Self {
                Self::from(s.as_str())
            }
        }

        impl ::std::convert::From<&::std::string::String> for $ty {
            fn from(s: &::std::string::String) -> Self {
                Self::from(s.as_str())
            }
        }

        impl ::std::str::FromStr for $ty {
            type Err = ::std::convert::Infallible;
            fn from_str(s: &str) -> ::std::result::Result<Self, Self::Err> {
                Ok(Self::from(s))
            }
        }

        impl ::std::fmt::Display for $ty {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl ::serde::Serialize for $ty {
            fn serialize<S: ::serde::Serializer>(
                &self,
                serializer: S,
            ) -> ::std::result::Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl<'de> ::serde::Deserialize<'de> for $ty {
            fn deserialize<D: ::serde::Deserializer<'de>>(
                deserializer: D,
            ) -> ::std::result::Result<Self, D::Error> {
                let s = <::std::borrow::Cow<'de, str> as ::serde::Deserialize>::deserialize(
                    deserializer,
                )?;
                Ok(Self::from(s.as_ref()))
            }
        }

        impl ::schemars::JsonSchema for $ty {
            fn schema_name() -> ::std::string::String {
                stringify!($ty).to_string()
            }
            fn json_schema(
                _: &mut ::schemars::r#gen::SchemaGenerator,
            ) -> ::schemars::schema::Schema {
                ::schemars::schema::SchemaObject {
                    instance_type: Some(::schemars::schema::InstanceType::String.into()),
                    metadata: Some(Box::new(::schemars::schema::Metadata {
                        description: Some(($description).to_string()),
                        examples: Self::KNOWN.iter().map(|v| ::serde_json::json!(v)).collect(),
                        ..Default::default()
                    })),
                    ..Default::default()
                }
                .into()
            }
        }
    };
}
pub(crate) use open_enum_impls;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_item_failed_when_it_has_a_code_or_a_message() {
        assert!(!item_failed(&Some(0i64), &None::<String>));
        assert!(!item_failed(&None::<i64>, &Some(String::new())));
        assert!(item_failed(&40002i32, &None::<String>));
        assert!(item_failed(&None::<i64>, &Some("stopped".to_string())));
    }
}
