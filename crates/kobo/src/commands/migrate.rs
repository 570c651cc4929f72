//! `kobo migrate`: apply migrations once, before starting nodes.

use std::process::ExitCode;

use crate::cli::Global;
use crate::config;

pub async fn run(global: &Global) -> anyhow::Result<ExitCode> {
    let store = config::open_store(global).await?;
    store.migrate().await?;
    println!("migrations are up to date");
    Ok(ExitCode::SUCCESS)
}
