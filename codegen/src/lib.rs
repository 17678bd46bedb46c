//! Build-time code generation for `kafka-mirror`.
//!
//! `build.rs` calls [`generate()`] once per API folder under `openapi/`:
//!
//! 1. [`load`] reads every file of the folder and merges them (one full
//!    document plus docs-page fragments);
//! 2. [`rules`] normalize the vendors' YAML, each rule answering one service
//!    quirk or generator limit;
//! 3. progenitor generates the client ([`generate`](mod@generate) turns its
//!    panics into a [`BuildError`] naming the file and operation);
//! 4. the [`open_enum`] types, the [`partial`]-failure helpers and the
//!    [`tables`] the hand-written layer reads are added.

pub mod error;
pub mod generate;
pub mod load;
pub mod names;
pub mod open_enum;
pub mod paginated;
pub mod partial;
pub mod rules;
pub mod surface;
pub mod tables;
pub mod walk;

use std::path::{Path, PathBuf};

use progenitor::{GenerationSettings, InterfaceStyle, TypeImpl};
use quote::quote;

pub use error::BuildError;
use error::Result;

/// What the build needs to know about one API besides its specs.
#[derive(Debug, Clone, Default)]
pub struct ApiConfig {
    /// Folder of spec files, for example `openapi/confluent`.
    pub dir: PathBuf,
    /// Rust path of the module the output is included in, for example
    /// `crate::confluent::generated`. Replaced types are named from it.
    pub module_path: String,
    /// The component schema every error response is made to use.
    pub error_schema: String,
    /// The hand-written type that stands for that schema.
    pub error_type: String,
    /// The hand-written state the generated `Client` carries (auth, retry).
    pub inner_type: String,
    /// Method names by operationId (`updateKafkaMirrorTopicsPromote` ->
    /// `promote_mirror_topics`); an operation not listed keeps its
    /// operationId in snake case.
    pub method_names: Vec<(String, String)>,
    /// operationIds for operations the document gives none.
    pub operation_names: Vec<rules::OperationName>,
    /// Values of string properties the document declares no enum for.
    pub known_values: Vec<rules::KnownValues>,
}

/// The generated Rust source of one API.
#[derive(Debug, Clone)]
pub struct Generated {
    pub source: String,
    /// The normalized document, for inspection (`examples/dump.rs`).
    pub normalized: serde_json::Value,
}

/// Runs the whole pipeline for one API folder.
/// A normalized document and the generator settings for it.
struct Prepared {
    doc: serde_json::Value,
    origins: load::Origins,
    /// The API's folder.
    origins_dir: PathBuf,
    /// Method name -> original operationId.
    methods: std::collections::BTreeMap<String, String>,
    components: serde_json::Map<String, serde_json::Value>,
    enums: Vec<open_enum::OpenEnum>,
    settings: GenerationSettings,
}

fn prepare(api: &ApiConfig) -> Result<Prepared> {
    let loaded = load::load_dir(&api.dir)?;
    let origins = loaded.origins;
    let mut doc = loaded.doc;
    let ctx = rules::Context {
        error_schema: api.error_schema.clone(),
        operation_names: api.operation_names.clone(),
        known_values: api.known_values.clone(),
    };
    rules::normalize(&mut doc, &ctx).map_err(|e| locate(e, &origins, &api.dir))?;
    let methods = names::rename_operations(&mut doc, &api.method_names)
        .map_err(|e| locate(e, &origins, &api.dir))?;
    let components = walk::component_schemas(&doc);
    let enums = open_enum::find(&components);
    let mut settings = settings(api)?;
    for e in &enums {
        settings.with_replacement(
            &e.schema_name,
            format!("{}::types::{}", api.module_path, e.type_name),
            [TypeImpl::Display, TypeImpl::FromStr].into_iter(),
        );
    }
    Ok(Prepared {
        doc,
        origins,
        origins_dir: api.dir.clone(),
        methods,
        components,
        enums,
        settings,
    })
}

/// The normalized document of one API folder, as progenitor is given it
/// (for tests that read the specs as the build does).
pub fn normalized(api: &ApiConfig) -> Result<serde_json::Value> {
    prepare(api).map(|p| p.doc)
}

/// Typed `httpmock` helpers for one API (progenitor's
/// `Generator::httpmock`), from the same normalized spec as the client.
/// `crate_path` is the module holding the client's `types`.
pub fn generate_mock(api: &ApiConfig, crate_path: &str) -> Result<String> {
    mock_of(&prepare(api)?, api, crate_path)
}

/// The client and, with `mock_crate_path`, its httpmock helpers, from one
/// preparation: the specs are loaded and normalized once (build.rs).
///
/// # Errors
///
/// As [`generate()`] and [`generate_mock`].
pub fn generate_with_mock(
    api: &ApiConfig,
    mock_crate_path: Option<&str>,
) -> Result<(Generated, Option<String>)> {
    let prepared = prepare(api)?;
    let mock = mock_crate_path
        .map(|path| mock_of(&prepared, api, path))
        .transpose()?;
    Ok((client_of(prepared, api)?, mock))
}

fn mock_of(p: &Prepared, api: &ApiConfig, crate_path: &str) -> Result<String> {
    let tokens = generate::run_httpmock(&p.settings, &p.doc, crate_path)
        .map_err(|e| locate_renamed(e, p))?;
    let file: syn::File = syn::parse2(tokens).map_err(|e| {
        BuildError::new(format!(
            "progenitor emitted mock code that does not parse: {e}"
        ))
        .in_file(&api.dir)
    })?;
    Ok(prettyplease::unparse(&file))
}

/// Runs the whole pipeline for one API folder.
pub fn generate(api: &ApiConfig) -> Result<Generated> {
    client_of(prepare(api)?, api)
}

fn client_of(prepared: Prepared, api: &ApiConfig) -> Result<Generated> {
    let tokens = generate::run_progenitor(&prepared.settings, &prepared.doc)
        .map_err(|e| locate_renamed(e, &prepared))?;
    let Prepared {
        doc,
        methods,
        components,
        enums,
        ..
    } = prepared;
    let mut file: syn::File = syn::parse2(tokens).map_err(|e| {
        BuildError::new(format!("progenitor emitted code that does not parse: {e}"))
            .in_file(&api.dir)
    })?;
    surface::wrap_send(&mut file)?;
    surface::hide_constructors(&mut file)?;
    surface::drop_api_version_header(&mut file)?;
    surface::build_requests_without_waste(&mut file)?;
    surface::add_doc_aliases(&mut file, &methods);
    surface::document_setters(&mut file, &doc)?;

    // Open enums and partial-failure helpers live in `types`, next to the
    // types that use them.
    let mut extra_types = Vec::new();
    for e in &enums {
        extra_types.push(open_enum::emit(e));
    }
    for t in &partial::per_item_error_types(&components) {
        extra_types.push(partial::emit(t));
    }
    let lists = paginated::find(&doc, &components);
    extra_types.push(paginated::emit_page_impls(&lists));
    add_to_module(&mut file, "types", quote! { #(#extra_types)* })?;
    add_to_module(
        &mut file,
        "builder",
        paginated::emit_builder_methods(&lists),
    )?;

    let error_type: syn::Type = syn::parse_str(&api.error_type).map_err(|e| {
        BuildError::new(format!(
            "error type `{}` is not a Rust type: {e}",
            api.error_type
        ))
    })?;
    let enum_names: Vec<String> = enums.iter().map(|e| e.schema_name.clone()).collect();
    let type_map = tables::TypeMap {
        components: &components,
        error_schema: &api.error_schema,
        error_type: &error_type,
        open_enums: &enum_names,
    };
    let operations = tables::emit_operations(&doc);
    let limits = tables::emit_body_limits(&tables::body_limits(&doc, &components));
    let decoders = tables::emit_component_decoders(&type_map);
    let spec_module: syn::File = syn::parse2(quote! {
        /// What the specs say beyond the generated types, for the
        /// hand-written layer: operation paths and body bounds.
        pub(crate) mod spec {
            #operations
            #limits

            /// Decoders for the spec-examples test (tests only).
            #[cfg(test)]
            pub(crate) mod examples {
                #[allow(unused_imports)]
                use super::super::types;
                #decoders
            }
        }
    })
    .map_err(|e| BuildError::new(format!("generated tables do not parse: {e}")))?;
    file.items.extend(spec_module.items);

    Ok(Generated {
        source: prettyplease::unparse(&file),
        normalized: doc,
    })
}

fn settings(api: &ApiConfig) -> Result<GenerationSettings> {
    let inner: proc_macro2::TokenStream = api.inner_type.parse().map_err(|e| {
        BuildError::new(format!(
            "inner type `{}` does not parse: {e}",
            api.inner_type
        ))
    })?;
    let mut s = GenerationSettings::default();
    s.with_interface(InterfaceStyle::Builder)
        .with_hooks(progenitor::HooksMode::Expected)
        .with_inner_type(inner)
        .with_derive("schemars::JsonSchema")
        // Users compare decoded values in their own tests.
        .with_derive("PartialEq")
        .with_replacement(&api.error_schema, &api.error_type, std::iter::empty());
    Ok(s)
}

/// Appends items to a module of the generated file.
fn add_to_module(file: &mut syn::File, name: &str, items: proc_macro2::TokenStream) -> Result<()> {
    let extra: syn::File = syn::parse2(items)
        .map_err(|e| BuildError::new(format!("generated `{name}` items do not parse: {e}")))?;
    for item in file.items.iter_mut() {
        if let syn::Item::Mod(m) = item
            && m.ident == name
            && let Some((_, content)) = m.content.as_mut()
        {
            content.extend(extra.items);
            return Ok(());
        }
    }
    Err(BuildError::new(format!(
        "progenitor's output has no `{name}` module"
    )))
}

/// [`locate`] for an error raised after the operations were renamed: the
/// message names the operationId the spec file has.
fn locate_renamed(mut e: BuildError, p: &Prepared) -> BuildError {
    if let Some(original) = e.operation.as_ref().and_then(|op| p.methods.get(op)) {
        e.operation = Some(original.clone());
    }
    locate(e, &p.origins, &p.origins_dir)
}

/// Fills in the file of an error from where its operation came from.
fn locate(mut e: BuildError, origins: &load::Origins, dir: &Path) -> BuildError {
    if e.file.is_none() {
        e.file = e
            .operation
            .as_deref()
            .and_then(|op| origins.file_of(op))
            .cloned()
            .or_else(|| Some(dir.to_path_buf()));
    }
    e
}
