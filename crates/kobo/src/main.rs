//! The `kobo` binary: parses the command line and runs one command.

mod cli;
mod commands;
mod config;
mod config_file;
mod logging;

use clap::Parser;

fn main() -> std::process::ExitCode {
    if let Err(e) = config_file::load() {
        eprintln!("kobo: {e:#}");
        return std::process::ExitCode::FAILURE;
    }
    let cli = cli::Cli::parse();
    logging::init(cli.log_format);
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("kobo: cannot start the async runtime: {e}");
            return std::process::ExitCode::FAILURE;
        }
    };
    match runtime.block_on(commands::run(cli)) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("kobo: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}
