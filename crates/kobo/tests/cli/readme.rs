//! The README's "First run" walk-through, executed: its ```sh block runs in
//! bash against a real `kobo serve` (started here instead of by the block's
//! `cargo run … &` line), with `KOBO_URL` and `KOBO_DATA_DIR` pointing at it.
//! Every curl must answer 2xx, and the balance must come back as 1500.50.

use std::process::Command;

use crate::support::{DataDir, Server};

const README: &str = include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/../../README.md"));

/// The first ```sh block after the "## First run" heading.
fn first_run_block() -> &'static str {
    let section = &README[README.find("\n## First run").expect("a First run section")..];
    let start = section.find("```sh\n").expect("a ```sh block") + "```sh\n".len();
    let block = &section[start..];
    &block[..block.find("\n```").expect("the block closes") + 1]
}

/// Wraps curl so each call's status is logged (`code args`) while its body
/// still goes to stdout as the walk-through expects.
const PRELUDE: &str = r#"set -eu -o pipefail
curl() {
    local body code rc=0 args="$*"
    body=$(mktemp)
    code=$(command curl -o "$body" -w '%{http_code}' "$@") || rc=$?
    echo "$code ${args//$'\n'/ }" >>"$CURL_LOG"
    cat "$body"
    rm -f "$body"
    return $rc
}
"#;

#[tokio::test]
async fn the_first_run_walk_through_works_as_printed() {
    let block = first_run_block();
    // The test starts the server itself; every other line runs as printed.
    let (started, script): (Vec<&str>, Vec<&str>) =
        block.lines().partition(|l| l.starts_with("cargo run"));
    assert_eq!(started.len(), 1, "the block starts kobo once: {block}");
    assert!(script.iter().any(|l| l.contains("curl")), "{block}");

    let dir = DataDir::new();
    let server = Server::start(&dir, &[]).await;
    let log = dir.path().join("curl.log");
    let out = Command::new("bash")
        .arg("-c")
        .arg(format!("{PRELUDE}{}\n", script.join("\n")))
        .env("KOBO_URL", &server.base)
        .env("KOBO_DATA_DIR", dir.path())
        .env("CURL_LOG", &log)
        .output()
        .expect("bash runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "the walk-through failed:\n{stdout}\n{stderr}"
    );

    let calls = std::fs::read_to_string(&log).unwrap();
    let calls: Vec<&str> = calls.lines().collect();
    let in_block = script.iter().filter(|l| l.contains("curl -s ")).count();
    assert!(
        calls.len() >= in_block,
        "{in_block} curls in the block, ran {calls:?}"
    );
    for call in &calls {
        assert!(call.starts_with('2'), "not a 2xx: {call}\n{stdout}");
    }
    assert!(
        stdout.contains("\"balance\":1500.50,") && stdout.contains("\"balance_kobo\":150050"),
        "the balance is not 1500.50:\n{stdout}"
    );
    let (code, _, _) = server.stop().await;
    assert_eq!(code, Some(0));
}
