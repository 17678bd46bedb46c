//! The SDK's integration tests. The tracing test is `tests/tracing.rs`,
//! its own binary: tracing caches whether a callsite is wanted process-wide,
//! so tests running beside it without a subscriber would hide its events.
//!
//! One test binary for the folder instead of one per file: each
//! binary links the whole dependency tree (about 80 MB in a debug build),
//! and one per file filled the CI machine's disk. Run one file's tests
//! with a filter on its module: `cargo test -p kafka-mirror --test integration retry::`.

mod cancellation;
mod codegen_real_specs;
mod config;
mod confluent_operations;
mod contract;
mod decoding;
mod errors;
mod instaclustr_operations;
mod instaclustr_v2_operations;
#[cfg(feature = "mock")]
mod mock_kit;
mod oauth;
mod pagination;
mod partial_failure;
mod path_parameters;
mod retry;
mod wait;
