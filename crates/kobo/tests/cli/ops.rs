//! Operations from the command line: `kobo config check` (flag > variable >
//! KOBO_CONFIG file, secrets redacted and never printed), `kobo backup` while
//! `kobo serve` is writing, restoring the copy, and `kobo ledger verify` on a
//! corrupted database. The backup test is in `ops_backup.rs`, JSON logs in
//! `ops_logs.rs`.

use std::process::Output;

use serde_json::{json, Value};

use crate::support::{command, DataDir, Server};

pub fn text(out: &Output) -> (String, String) {
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn write_config(dir: &DataDir, body: &str) -> std::path::PathBuf {
    let path = dir.path().join("kobo.toml");
    std::fs::write(&path, body).unwrap();
    path
}

#[test]
fn config_check_layers_flags_over_variables_over_the_file_and_hides_secrets() {
    let dir = DataDir::new();
    let file = write_config(
        &dir,
        r#"
listen = "10.0.0.1:9000"
bank_name = "File Bank"
bank-code = "058"
provider_secret = "file-secret-3f9a"
database_url = "postgres://kobo:file-db-pass-77@db:5432/kobo"
rate_limit_per_second = 7
request_timeout_ms = 1234
max_in_flight = 11
"#,
    );
    let key = kobo_core::crypto::Vault::generate_key_base64();
    let out = command(
        &dir,
        &[
            "config",
            "check",
            "--bank-name",
            "Flag Bank",
            "--max-in-flight",
            "12",
        ],
    )
    .env("KOBO_CONFIG", &file)
    .env("KOBO_BANK_NAME", "Env Bank")
    .env("KOBO_RATE_LIMIT_PER_SECOND", "9")
    .env("KOBO_MAX_IN_FLIGHT", "13")
    .env("KOBO_ENCRYPTION_KEY", &key)
    .output()
    .unwrap();
    let (stdout, stderr) = text(&out);
    assert!(out.status.success(), "{stderr}");
    let c: Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(
        c["bank_name"], "Flag Bank",
        "a flag beats a variable and the file"
    );
    assert_eq!(
        c["max_in_flight"], 12,
        "a flag beats a variable and the file"
    );
    assert_eq!(c["rate_limit_per_second"], 9, "a variable beats the file");
    assert_eq!(c["request_timeout_ms"], 1234, "the file beats the default");
    assert_eq!(c["bank_code"], "058");
    assert_eq!(c["listen"], "10.0.0.1:9000");
    assert_eq!(c["config_file"], file.display().to_string());
    assert_eq!(c["provider_secret"], "<set, redacted>");
    assert_eq!(c["database"], "postgres://kobo:<redacted>@db:5432/kobo");
    assert_eq!(c["encryption_key"], "<from KOBO_ENCRYPTION_KEY, redacted>");
    for secret in ["file-secret-3f9a", "file-db-pass-77", key.as_str()] {
        assert!(
            !stdout.contains(secret) && !stderr.contains(secret),
            "{secret} printed"
        );
    }
    // A variable and a flag for the secret: still redacted, neither printed.
    let out = command(
        &dir,
        &["config", "check", "--provider-secret", "flag-secret-9c1d"],
    )
    .env("KOBO_CONFIG", &file)
    .env("KOBO_PROVIDER_SECRET", "env-secret-b2e4")
    .output()
    .unwrap();
    let (stdout, stderr) = text(&out);
    assert!(out.status.success(), "{stderr}");
    let c: Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(c["provider_secret"], "<set, redacted>");
    assert_eq!(c["bank_name"], "File Bank");
    for secret in ["flag-secret-9c1d", "env-secret-b2e4", "file-secret-3f9a"] {
        assert!(
            !stdout.contains(secret) && !stderr.contains(secret),
            "{secret} printed"
        );
    }
    // Without any secret the door is reported closed.
    let out = command(&dir, &["config", "check"]).output().unwrap();
    let c: Value = serde_json::from_str(&text(&out).0).unwrap();
    assert_eq!(c["provider_secret"], "<not set>");
    assert_eq!(c["bank_name"], "Kobo Sandbox Bank");
}

#[test]
fn a_broken_config_file_is_refused_without_echoing_it() {
    let dir = DataDir::new();
    for body in [
        "provider_secret = \"leaky-secret-123\nlisten = \"x\"",
        "provider_secret = 'leaky-secret-123' listen",
        "provider_secret = \"leaky-secret-123\"\nnested = [1]",
    ] {
        let file = write_config(&dir, body);
        let out = command(&dir, &["config", "check"])
            .env("KOBO_CONFIG", &file)
            .output()
            .unwrap();
        let (stdout, stderr) = text(&out);
        assert!(!out.status.success(), "{body:?} accepted");
        assert!(stderr.contains("KOBO_CONFIG"), "{stderr}");
        assert!(
            !stderr.contains("leaky-secret-123") && !stdout.contains("leaky-secret-123"),
            "{stderr}"
        );
    }
    let out = command(&dir, &["config", "check"])
        .env("KOBO_CONFIG", dir.path().join("missing.toml"))
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(text(&out).1.contains("missing.toml"));
}

pub fn keys(dir: &DataDir) -> Value {
    serde_json::from_str(&std::fs::read_to_string(dir.path().join("sandbox-keys.json")).unwrap())
        .unwrap()
}

/// A customer with one virtual account: its account number.
pub async fn customer_with_account(server: &Server, key: &str, reference: &str) -> String {
    let body = json!({"first_name": "Ada", "last_name": "Obi", "email": format!("{reference}@x.ng"), "reference": reference});
    let (status, reply) = server.post("/api/v1/customers", key, &body).await;
    assert_eq!(status, 201, "{reply}");
    let path = format!("/api/v1/customers/{reference}/virtual-accounts");
    let (status, reply) = server.post(&path, key, &json!({})).await;
    assert_eq!(status, 201, "{reply}");
    reply["data"]["account_number"]
        .as_str()
        .unwrap()
        .to_string()
}

/// The amount of each inflow the backup test posts.
pub const AMOUNT: u64 = 2_500;

#[tokio::test]
async fn ledger_verify_reports_a_corrupted_balance() {
    let dir = DataDir::new();
    let server = Server::start(&dir, &[]).await;
    let key = keys(&dir)["test"]["private_key"]
        .as_str()
        .unwrap()
        .to_string();
    let account = customer_with_account(&server, &key, "CORRUPT-1").await;
    let body = json!({"account_number": account, "amount_kobo": 10_000});
    assert_eq!(
        server.post("/api/v1/sandbox/inflows", &key, &body).await.0,
        201
    );
    server.stop().await;
    let ok = command(&dir, &["ledger", "verify"]).output().unwrap();
    assert!(ok.status.success(), "{:?}", text(&ok));
    // Someone edits a balance behind kobo's back.
    let url = format!("sqlite://{}", dir.path().join("kobo.db").display());
    let options: sqlx::sqlite::SqliteConnectOptions = url.parse().unwrap();
    let pool = sqlx::sqlite::SqlitePool::connect_with(options)
        .await
        .unwrap();
    let changed = sqlx::query(
        "UPDATE ledger_account SET balance = balance + 1 WHERE ledger_account_id = (SELECT MAX(ledger_account_id) FROM entry)",
    )
    .execute(&pool)
    .await
    .unwrap();
    assert_eq!(changed.rows_affected(), 1);
    pool.close().await;
    let broken = command(&dir, &["ledger", "verify"]).output().unwrap();
    let (stdout, _) = text(&broken);
    assert_eq!(broken.status.code(), Some(1), "{stdout}");
    assert!(stdout.contains("PROBLEM"), "{stdout}");
    assert!(stdout.contains("balance"), "{stdout}");
    assert!(stdout.contains("ledger BROKEN"), "{stdout}");
    let json_out = command(&dir, &["ledger", "verify", "--json"])
        .output()
        .unwrap();
    assert_eq!(json_out.status.code(), Some(1));
    let report: Value = serde_json::from_str(text(&json_out).0.trim()).unwrap();
    assert_eq!(report["ok"], false);
    assert!(!report["problems"].as_array().unwrap().is_empty());
}
