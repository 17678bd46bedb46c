//! The emulator's integration tests. The contract test against Prism is
//! `tests/contract.rs`, its own binary: it reads the workspace's specs, so it
//! is left out of the published package.
//!
//! One test binary for the folder instead of one per file: each
//! binary links the whole dependency tree (about 80 MB in a debug build),
//! and one per file filled the CI machine's disk. Run one file's tests
//! with a filter on its module: `cargo test -p kafka-mirror-emulator --test integration outage::`.

mod bad_input;
mod binary;
mod dr;
mod dr_faults;
mod emulator;
mod fleet;
mod health;
mod instaclustr_v2;
mod oauth;
mod outage;
mod wait;
