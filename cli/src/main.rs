//! `kmirror`: Confluent Cluster Linking and Instaclustr mirrors from the
//! terminal, with DR runbooks; a thin layer over the `kafka-mirror` SDK.

// The doc comments of `args` are clap's help texts, written for a terminal
// (bare URLs, `<app>` placeholders), not for rustdoc.
#![allow(rustdoc::bare_urls, rustdoc::invalid_html_tags)]

mod args;
mod clients;
mod commands;
mod config;
mod exit;
mod interrupt;
mod output;

use std::process::ExitCode;

use clap::{CommandFactory, FromArgMatches};

use args::{Cli, Command};
use exit::CliError;
use output::Out;

fn main() -> ExitCode {
    let matches = Cli::command().get_matches();
    let cli = match Cli::from_arg_matches(&matches) {
        Ok(cli) => cli,
        Err(e) => e.exit(),
    };
    let out = Out::new(cli.output.output, cli.output.quiet);
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::from(3);
        }
    };
    match runtime.block_on(run(cli, &matches, out)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            if let Some(m) = e.message() {
                out.error(&m);
            }
            e.exit_code()
        }
    }
}

async fn run(cli: Cli, matches: &clap::ArgMatches, out: Out) -> Result<(), CliError> {
    // The connection flags are read where they are declared: in the
    // matches of the command that takes them.
    let connected = |c: &args::Connection| {
        let sub = matches.subcommand().map(|(_, m)| m).unwrap_or(matches);
        let settings = config::resolve(c, sub)?;
        for note in &settings.notes {
            out.note(note);
        }
        Ok::<_, CliError>(settings)
    };
    match cli.command {
        // These need no connection settings, and take no connection flags.
        Command::Completions { shell } => commands::completions(shell, out),
        Command::Emulator(a) => commands::emulator::run(a, out).await,
        Command::Drill(a) => commands::drill::run(a, out).await,
        Command::Link(c) => {
            let settings = connected(&c.connection)?;
            commands::link::run(c.command, &settings, out).await
        }
        Command::Mirror(c) => {
            let settings = connected(&c.connection)?;
            commands::mirror::run(c.command, &settings, out).await
        }
        Command::Dr(c) => {
            let settings = connected(&c.connection)?;
            commands::dr::run(c.command, &settings, out).await
        }
        Command::Instaclustr(c) => {
            let settings = connected(&c.connection)?;
            commands::instaclustr::run(c.command, &settings, out).await
        }
        Command::Check(c) => {
            let settings = connected(&c.connection)?;
            commands::check::run(c.args, &settings, out).await
        }
    }
}
