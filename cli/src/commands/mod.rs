//! One module per command group.

pub mod check;
pub mod config_file;
pub mod dr;
pub mod drill;
pub mod emulator;
pub mod fleet;
pub mod instaclustr;
pub mod link;
pub mod link_config;
pub mod mirror;
pub mod watch;

use clap::CommandFactory;

use crate::args::{Cli, Shell, TopicSelection};
use crate::exit::CliError;
use crate::output::Out;

/// `kmirror completions SHELL`.
pub fn completions(shell: Shell, out: Out) -> Result<(), CliError> {
    let shell = match shell {
        Shell::Bash => clap_complete::Shell::Bash,
        Shell::Zsh => clap_complete::Shell::Zsh,
        Shell::Fish => clap_complete::Shell::Fish,
    };
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut Cli::command(), "kmirror", &mut script);
    out.raw(&script)
}

/// `name=value` pairs.
pub fn pairs(items: &[String]) -> Result<Vec<(String, String)>, CliError> {
    items
        .iter()
        .map(|i| match i.split_once('=') {
            Some((n, v)) if !n.trim().is_empty() => Ok((n.trim().to_string(), v.to_string())),
            _ => Err(CliError::Usage(format!(
                "`{i}` is not a config of the form name=value"
            ))),
        })
        .collect()
}

/// The selection as the runbooks take it; a pattern is checked here, so
/// that its error names the flag.
pub fn selection(s: &TopicSelection) -> Result<kafka_mirror::dr::Selection, CliError> {
    Ok(match (&s.pattern, s.all) {
        (Some(p), _) => {
            regex::Regex::new(p).map_err(|e| {
                CliError::Usage(format!("--pattern `{p}` is not a regular expression: {e}"))
            })?;
            kafka_mirror::dr::Selection::Pattern(p.clone())
        }
        (None, true) => kafka_mirror::dr::Selection::All,
        (None, false) => kafka_mirror::dr::Selection::Names(s.topics.clone()),
    })
}
