//! `kobo ledger verify`: checks every invariant over the whole database and
//! exits 1 with the list of problems when one fails.

use std::process::ExitCode;

use serde_json::json;

use crate::cli::{Global, LedgerCommand};
use crate::config;

pub async fn run(global: &Global, cmd: LedgerCommand) -> anyhow::Result<ExitCode> {
    let LedgerCommand::Verify { json } = cmd;
    let store = config::open_store(global).await?;
    let report = store.verify_ledger().await?;
    if json {
        println!(
            "{}",
            json!({
                "ok": report.is_ok(), "accounts": report.accounts, "journals": report.journals,
                "entries": report.entries, "inflows": report.inflows, "problems": report.problems,
            })
        );
    } else {
        println!(
            "checked {} accounts, {} journals, {} entries, {} inflows",
            report.accounts, report.journals, report.entries, report.inflows
        );
        for problem in &report.problems {
            println!("PROBLEM: {problem}");
        }
        println!(
            "{}",
            if report.is_ok() {
                "ledger OK"
            } else {
                "ledger BROKEN"
            }
        );
    }
    Ok(if report.is_ok() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}
