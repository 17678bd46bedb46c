//! Runs progenitor on a normalized document.
//!
//! progenitor reports many unsupported shapes by panicking (for example
//! `assertion failed: response_types.len() <= 1` when an operation's error
//! responses have different schemas). A build script that panics prints a
//! backtrace note and no file name, so the panic is caught here, silenced,
//! and turned into a [`BuildError`]; the generator is then run on one
//! operation at a time to name the one that fails.

use std::cell::RefCell;
use std::panic::{self, AssertUnwindSafe};
use std::sync::Once;

use openapiv3::OpenAPI;
use proc_macro2::TokenStream;
use progenitor::{GenerationSettings, Generator};
use serde_json::Value;

use crate::error::{BuildError, Result};

/// Turns the JSON document into progenitor's input type, saying where the
/// document does not fit OpenAPI 3.0 when it does not.
pub fn to_openapi(doc: &Value) -> Result<OpenAPI> {
    let version = doc.get("openapi").and_then(Value::as_str).unwrap_or("");
    if !version.starts_with("3.0.") {
        return Err(BuildError::new(format!(
            "OpenAPI version `{version}` is not supported: progenitor reads OpenAPI 3.0.x only"
        )));
    }
    // serde_path_to_error names the spot (`paths./x.get.responses.200`)
    // where openapiv3 alone would say only "did not match any variant".
    serde_path_to_error::deserialize(doc).map_err(|e| {
        BuildError::new(format!(
            "not a valid OpenAPI 3.0 document at `{}`: {}",
            e.path(),
            e.inner()
        ))
    })
}

/// Runs progenitor, turning its panics and errors into a [`BuildError`].
pub fn run_progenitor(settings: &GenerationSettings, doc: &Value) -> Result<TokenStream> {
    let spec = to_openapi(doc)?;
    match generate_quietly(settings, &spec) {
        Ok(tokens) => Ok(tokens),
        Err(problem) => {
            Err(blame_operation(settings, doc).unwrap_or_else(|| BuildError::new(problem)))
        }
    }
}

thread_local! {
    /// Set while this thread runs the generator: its panic message goes here
    /// instead of to stderr.
    static QUIET_PANIC: RefCell<Option<Option<String>>> = const { RefCell::new(None) };
}

/// Installs, once, a panic hook that silences and records panics of threads
/// running the generator and leaves every other panic to the previous hook
/// (the hook is process-wide; tests run generators in parallel).
fn install_quiet_hook() {
    static INSTALLED: Once = Once::new();
    INSTALLED.call_once(|| {
        let previous = panic::take_hook();
        panic::set_hook(Box::new(move |info| {
            let text = info
                .payload()
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| info.payload().downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "unknown panic".to_string());
            let recorded = QUIET_PANIC.with(|q| match q.borrow_mut().as_mut() {
                Some(slot) => {
                    *slot = Some(text);
                    true
                }
                None => false,
            });
            if !recorded {
                previous(info);
            }
        }));
    });
}

fn generate_quietly(
    settings: &GenerationSettings,
    spec: &OpenAPI,
) -> std::result::Result<TokenStream, String> {
    quietly(|| Generator::new(settings).generate_tokens(spec))
}

/// Runs progenitor's httpmock generator, turning its panics into a [`BuildError`].
pub fn run_httpmock(
    settings: &GenerationSettings,
    doc: &Value,
    crate_path: &str,
) -> Result<TokenStream> {
    let spec = to_openapi(doc)?;
    quietly(|| Generator::new(settings).httpmock(&spec, crate_path)).map_err(BuildError::new)
}

/// Runs one generator call with its panics silenced and recorded.
fn quietly(
    run: impl FnOnce() -> std::result::Result<TokenStream, progenitor::Error>,
) -> std::result::Result<TokenStream, String> {
    install_quiet_hook();
    QUIET_PANIC.with(|q| *q.borrow_mut() = Some(None));
    let result = panic::catch_unwind(AssertUnwindSafe(run));
    let message = QUIET_PANIC.with(|q| q.borrow_mut().take()).flatten();
    match result {
        Ok(Ok(tokens)) => Ok(tokens),
        Ok(Err(e)) => Err(format!("progenitor refused the spec: {e}")),
        Err(_) => Err(format!(
            "progenitor cannot generate code for it: {}",
            explain(message.as_deref().unwrap_or("unknown panic"))
        )),
    }
}

/// Adds what a maintainer needs to know to a progenitor panic message.
fn explain(panic: &str) -> String {
    if panic.contains("response_types.len() <= 1") {
        format!(
            "{panic} (its success responses, or its error responses, have more than one schema; \
             progenitor needs one of each)"
        )
    } else {
        panic.to_string()
    }
}

/// Runs the generator on each operation alone to find the first that fails.
fn blame_operation(settings: &GenerationSettings, doc: &Value) -> Option<BuildError> {
    for op in crate::walk::operations(doc) {
        let mut single = doc.clone();
        let paths = single.get_mut("paths")?.as_object_mut()?;
        paths.retain(|r, _| *r == op.path);
        let item = paths.get_mut(&op.path)?.as_object_mut()?;
        item.retain(|m, _| *m == op.method || !crate::walk::is_method(m));
        let Ok(spec) = to_openapi(&single) else {
            continue;
        };
        if let Err(problem) = generate_quietly(settings, &spec) {
            return Some(BuildError::new(problem).at(op.id));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(responses: &str) -> Value {
        crate::load::parse_text(&format!(
            "openapi: 3.0.3\ninfo: {{title: t, version: '1'}}\npaths:\n  /ok:\n    get: {{operationId: fine, responses: {{'204': {{description: ok}}}}}}\n  /x:\n    get:\n      operationId: broken\n      responses:\n{responses}"
        ))
        .unwrap()
    }

    #[test]
    fn a_progenitor_panic_becomes_an_error_naming_the_operation() {
        let doc = spec(
            "        '200': {description: a, content: {application/json: {schema: {type: string}}}}\n        '201': {description: b, content: {application/json: {schema: {type: integer}}}}\n",
        );
        let err = run_progenitor(&GenerationSettings::default(), &doc).unwrap_err();
        assert_eq!(err.operation.as_deref(), Some("broken"));
        assert!(err.problem.contains("more than one schema"), "{err}");
    }

    #[test]
    fn a_good_spec_generates() {
        let doc = spec(
            "        '200': {description: a, content: {application/json: {schema: {type: string}}}}\n",
        );
        let code = run_progenitor(&GenerationSettings::default(), &doc)
            .unwrap()
            .to_string();
        assert!(code.contains("fn broken"), "{code}");
    }

    #[test]
    fn openapi_3_1_is_refused_clearly() {
        let mut doc = spec("        '204': {description: a}\n");
        doc["openapi"] = "3.1.0".into();
        let err = to_openapi(&doc).unwrap_err();
        assert!(err.problem.contains("3.0.x only"), "{err}");
    }

    #[test]
    fn a_shape_error_says_where() {
        let mut doc = spec("        '204': {description: a}\n");
        doc["paths"]["/x"]["get"]["parameters"] =
            serde_json::json!([{"name": "p", "in": "nowhere"}]);
        let err = to_openapi(&doc).unwrap_err();
        assert!(
            err.problem.contains("at `paths`") && err.problem.contains("unknown variant `nowhere`"),
            "{err}"
        );
    }
}
