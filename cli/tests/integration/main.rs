//! The `kmirror` command's integration tests: the built binary run against the emulator.
//!
//! One test binary for the folder instead of one per file: each
//! binary links the whole dependency tree (about 80 MB in a debug build),
//! and one per file filled the CI machine's disk. Run one file's tests
//! with a filter on its module: `cargo test -p kafka-mirror-cli --test integration faults::`.

mod dr;
mod faults;
mod fleet;
mod health;
mod instaclustr;
mod links_and_mirrors;
mod settings;
mod watch;
