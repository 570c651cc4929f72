//! One file per subcommand.

mod backup;
mod business;
mod config_check;
mod ledger;
mod migrate;
pub mod serve;

use std::process::ExitCode;

use crate::cli::{Cli, Command};

pub async fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    match cli.command {
        Command::Serve(args) => serve::run(&cli.global, args).await,
        Command::Migrate => migrate::run(&cli.global).await,
        Command::Business(cmd) => business::run(&cli.global, cmd).await,
        Command::Ledger(cmd) => ledger::run(&cli.global, cmd).await,
        Command::Config(cmd) => config_check::run(&cli.global, cmd),
        Command::Backup { path } => backup::run(&cli.global, &path).await,
    }
}
