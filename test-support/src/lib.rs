//! Helpers shared by the tests of every package of the workspace (not
//! published, not for crate users: they have `kafka_mirror::mock` and the
//! emulator).
//!
//! - the root: documented JSON answers and credentials ([`fixtures`],
//!   re-exported here), the SDK's own mock clients, a [`scripted`] raw TCP
//!   server and [`prism`];
//! - [`emulator`] (feature `emulator`): clients for an emulator;
//! - [`cli`] (feature `cli`): `kmirror` against an emulator.
#![allow(missing_docs)]

pub mod fixtures;
pub mod prism;
pub mod scripted;

#[cfg(feature = "cli")]
pub mod cli;
#[cfg(feature = "emulator")]
pub mod emulator;

pub use fixtures::*;
