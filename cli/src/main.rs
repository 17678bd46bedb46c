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
    let out = Out::new(cli.global.output, cli.global.quiet);
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
                eprintln!("{m}");
            }
            e.exit_code()
        }
    }
}

async fn run(cli: Cli, matches: &clap::ArgMatches, out: Out) -> Result<(), CliError> {
    match cli.command {
        // These need no connection settings.
        Command::Completions { shell } => commands::completions(shell),
        Command::Emulator(a) => commands::emulator::run(a, out).await,
        Command::Drill(a) => commands::drill::run(a, out).await,
        command => {
            let settings = config::resolve(&cli.global, matches)?;
            for note in &settings.notes {
                eprintln!("{note}");
            }
            match command {
                Command::Link(c) => commands::link::run(c, &settings, out).await,
                Command::Mirror(c) => commands::mirror::run(c, &settings, out).await,
                Command::Dr(c) => commands::dr::run(c, &settings, out).await,
                Command::Instaclustr(c) => commands::instaclustr::run(c, &settings, out).await,
                Command::Completions { .. } | Command::Emulator(_) | Command::Drill(_) => {
                    unreachable!("handled above")
                }
            }
        }
    }
}
