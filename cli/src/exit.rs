//! Why kmirror stops, and its exit codes: 0 success, 1 some topic (or
//! mirror) failed, 2 usage error, 3 API, transport or configuration error,
//! 130 / 143 interrupted by SIGINT / SIGTERM.

use std::process::ExitCode;

/// A command's failure.
#[derive(Debug)]
pub enum CliError {
    /// The arguments make no sense together (exit 2, as clap's own errors).
    Usage(String),
    /// A setting is missing or wrong (exit 3).
    Config(String),
    /// The service or the network failed the command (exit 3).
    Api(kafka_mirror::Error),
    /// The command ran, and some topics failed, or a check found a problem
    /// or a difference; the output says which (exit 1).
    Partial,
    /// A check could not read everything it needed and found no problem in
    /// what it read; the output says what (exit 3).
    Unchecked,
    /// Writing the output failed (exit 3).
    Output(String),
    /// A signal stopped the command; the output says what was done and how
    /// to resume (exit 130 for SIGINT, 143 for SIGTERM).
    Interrupted(crate::interrupt::Signal),
}

impl CliError {
    pub fn exit_code(&self) -> ExitCode {
        ExitCode::from(match self {
            CliError::Interrupted(s) => s.exit_code(),
            CliError::Partial => 1,
            CliError::Usage(_) => 2,
            CliError::Config(_) | CliError::Api(_) | CliError::Output(_) | CliError::Unchecked => 3,
        })
    }

    /// The message for stderr (none for a partial failure: the output has it).
    pub fn message(&self) -> Option<String> {
        match self {
            CliError::Usage(m) => Some(format!("error: {m}")),
            CliError::Config(m) => Some(format!("error: {m}")),
            CliError::Api(e) => Some(format!("error: {e}")),
            CliError::Output(m) => Some(format!("error: cannot write the output: {m}")),
            CliError::Partial | CliError::Unchecked | CliError::Interrupted(_) => None,
        }
    }
}

impl From<kafka_mirror::Error> for CliError {
    fn from(e: kafka_mirror::Error) -> Self {
        match e {
            kafka_mirror::Error::InvalidArgument(m) => CliError::Usage(m),
            other => CliError::Api(other),
        }
    }
}

impl From<kafka_mirror::ConfigError> for CliError {
    fn from(e: kafka_mirror::ConfigError) -> Self {
        CliError::Config(e.to_string())
    }
}
