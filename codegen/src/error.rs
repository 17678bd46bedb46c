//! The one error the build reports: which file, which operation, what is wrong.

use std::fmt;
use std::path::PathBuf;

/// A spec that cannot be turned into code. Printed by `build.rs` as a single
/// `cargo::error=` line, so a maintainer sees the file, the operation and the
/// problem instead of a generator backtrace.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BuildError {
    /// The YAML file the problem is in, when it can be told.
    pub file: Option<PathBuf>,
    /// The operationId (or `components/schemas/Name`) the problem is in.
    pub operation: Option<String>,
    /// What is wrong, in one sentence.
    pub problem: String,
}

impl BuildError {
    pub fn new(problem: impl Into<String>) -> Self {
        Self {
            file: None,
            operation: None,
            problem: problem.into(),
        }
    }

    pub fn in_file(mut self, file: impl Into<PathBuf>) -> Self {
        self.file.get_or_insert(file.into());
        self
    }

    pub fn at(mut self, operation: impl Into<String>) -> Self {
        self.operation.get_or_insert(operation.into());
        self
    }
}

impl fmt::Display for BuildError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("kafka-mirror: bad OpenAPI spec")?;
        if let Some(file) = &self.file {
            write!(f, " {}", file.display())?;
        }
        if let Some(op) = &self.operation {
            write!(f, ", {op}")?;
        }
        write!(f, ": {}", self.problem)
    }
}

impl std::error::Error for BuildError {}

pub type Result<T, E = BuildError> = std::result::Result<T, E>;
