//! Operations from the command line: `kobo config check` (flag > variable >
//! KOBO_CONFIG file, secrets redacted and never printed), `kobo backup` while
//! `kobo serve` is writing, restoring the copy, and `kobo ledger verify` on a
//! corrupted database. JSON logs are in `ops_logs.rs`.

use std::os::unix::fs::PermissionsExt;
use std::process::Output;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use serde_json::{json, Value};

use crate::support::{command, DataDir, Server};

fn text(out: &Output) -> (String, String) {
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
    let out = command(&dir, &["config", "check", "--bank-name", "Flag Bank", "--max-in-flight", "12"])
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
    assert_eq!(c["bank_name"], "Flag Bank", "a flag beats a variable and the file");
    assert_eq!(c["max_in_flight"], 12, "a flag beats a variable and the file");
    assert_eq!(c["rate_limit_per_second"], 9, "a variable beats the file");
    assert_eq!(c["request_timeout_ms"], 1234, "the file beats the default");
    assert_eq!(c["bank_code"], "058");
    assert_eq!(c["listen"], "10.0.0.1:9000");
    assert_eq!(c["config_file"], file.display().to_string());
    assert_eq!(c["provider_secret"], "<set, redacted>");
    assert_eq!(c["database"], "postgres://kobo:<redacted>@db:5432/kobo");
    assert_eq!(c["encryption_key"], "<from KOBO_ENCRYPTION_KEY, redacted>");
    for secret in ["file-secret-3f9a", "file-db-pass-77", key.as_str()] {
        assert!(!stdout.contains(secret) && !stderr.contains(secret), "{secret} printed");
    }
    // A variable and a flag for the secret: still redacted, neither printed.
    let out = command(&dir, &["config", "check", "--provider-secret", "flag-secret-9c1d"])
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
        assert!(!stdout.contains(secret) && !stderr.contains(secret), "{secret} printed");
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
        assert!(!stderr.contains("leaky-secret-123") && !stdout.contains("leaky-secret-123"), "{stderr}");
    }
    let out = command(&dir, &["config", "check"])
        .env("KOBO_CONFIG", dir.path().join("missing.toml"))
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(text(&out).1.contains("missing.toml"));
}

fn keys(dir: &DataDir) -> Value {
    serde_json::from_str(&std::fs::read_to_string(dir.path().join("sandbox-keys.json")).unwrap()).unwrap()
}

/// A customer with one virtual account: its account number.
async fn customer_with_account(server: &Server, key: &str, reference: &str) -> String {
    let body = json!({"first_name": "Ada", "last_name": "Obi", "email": format!("{reference}@x.ng"), "reference": reference});
    let (status, reply) = server.post("/api/v1/customers", key, &body).await;
    assert_eq!(status, 201, "{reply}");
    let path = format!("/api/v1/customers/{reference}/virtual-accounts");
    let (status, reply) = server.post(&path, key, &json!({})).await;
    assert_eq!(status, 201, "{reply}");
    reply["data"]["account_number"].as_str().unwrap().to_string()
}

const AMOUNT: u64 = 2_500;

#[tokio::test]
async fn backup_while_serving_then_restore_and_verify() {
    let dir = DataDir::new();
    let server = Arc::new(Server::start(&dir, &[]).await);
    let key = keys(&dir)["test"]["private_key"].as_str().unwrap().to_string();
    let account = customer_with_account(&server, &key, "BACKUP-1").await;
    // Inflows keep arriving while the backup runs.
    let posted = Arc::new(AtomicU64::new(0));
    let writer = {
        let (server, key, posted) = (server.clone(), key.clone(), posted.clone());
        tokio::spawn(async move {
            for n in 0..150u64 {
                let body = json!({"session_id": format!("9{n:029}"), "account_number": account, "amount_kobo": AMOUNT});
                let (status, reply) = server.post("/api/v1/sandbox/inflows", &key, &body).await;
                assert_eq!(status, 201, "{reply}");
                posted.fetch_add(1, Ordering::SeqCst);
            }
        })
    };
    while posted.load(Ordering::SeqCst) < 10 {
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    }
    let copy = dir.path().join("copies").join("kobo-backup.db");
    std::fs::create_dir_all(copy.parent().unwrap()).unwrap();
    let backup = {
        let mut cmd = command(&dir, &["backup", copy.to_str().unwrap()]);
        tokio::task::spawn_blocking(move || cmd.output().unwrap()).await.unwrap()
    };
    let during = posted.load(Ordering::SeqCst);
    let (stdout, stderr) = text(&backup);
    assert!(backup.status.success(), "{stderr}");
    assert!(stdout.contains("backup written"), "{stdout}");
    writer.await.unwrap();
    assert!(during < 150, "the backup ran while inflows were being posted");
    let mode = std::fs::metadata(&copy).unwrap().permissions().mode();
    assert_eq!(mode & 0o777, 0o600, "{mode:o}");
    // A second backup to the same path is refused and leaves the copy alone.
    let size = std::fs::metadata(&copy).unwrap().len();
    let again = command(&dir, &["backup", copy.to_str().unwrap()]).output().unwrap();
    assert!(!again.status.success());
    assert!(text(&again).1.contains("already exists"), "{}", text(&again).1);
    assert_eq!(std::fs::metadata(&copy).unwrap().len(), size);
    // The copy is a consistent ledger.
    let url = format!("sqlite://{}", copy.display());
    let verify = command(&dir, &["ledger", "verify", "--database", &url, "--json"]).output().unwrap();
    let (stdout, stderr) = text(&verify);
    assert!(verify.status.success(), "{stdout} {stderr}");
    let report: Value = serde_json::from_str(stdout.trim()).unwrap();
    assert_eq!(report["ok"], true, "{report}");
    let inflows = report["inflows"].as_u64().unwrap();
    assert!((10..=150).contains(&inflows), "{report}");
    let verify = command(&dir, &["ledger", "verify", "--database", &url]).output().unwrap();
    assert!(verify.status.success());
    assert!(text(&verify).0.contains("ledger OK"));
    // Restore: stop kobo, put the copy (and the key file) in a data folder, start.
    let server = Arc::into_inner(server).expect("the writer is done");
    let (code, _, _) = server.stop().await;
    assert_eq!(code, Some(0));
    let restored = DataDir::new();
    std::fs::copy(&copy, restored.path().join("kobo.db")).unwrap();
    std::fs::copy(dir.path().join("encryption.key"), restored.path().join("encryption.key")).unwrap();
    let server = Server::start(&restored, &[]).await;
    let (status, reply) = server.get("/api/v1/customers/BACKUP-1", &key).await;
    assert_eq!(status, 200, "the old key works on the restored data: {reply}");
    let (status, reply) = server.get("/api/v1/customers/BACKUP-1/balance", &key).await;
    assert_eq!(status, 200, "{reply}");
    assert_eq!(reply["data"]["balance_kobo"], inflows * AMOUNT, "{reply}");
    assert!(!restored.path().join("sandbox-keys.json").exists(), "no new sandbox business");
    let (code, _, _) = server.stop().await;
    assert_eq!(code, Some(0));
}

#[tokio::test]
async fn ledger_verify_reports_a_corrupted_balance() {
    let dir = DataDir::new();
    let server = Server::start(&dir, &[]).await;
    let key = keys(&dir)["test"]["private_key"].as_str().unwrap().to_string();
    let account = customer_with_account(&server, &key, "CORRUPT-1").await;
    let body = json!({"account_number": account, "amount_kobo": 10_000});
    assert_eq!(server.post("/api/v1/sandbox/inflows", &key, &body).await.0, 201);
    server.stop().await;
    let ok = command(&dir, &["ledger", "verify"]).output().unwrap();
    assert!(ok.status.success(), "{:?}", text(&ok));
    // Someone edits a balance behind kobo's back.
    let url = format!("sqlite://{}", dir.path().join("kobo.db").display());
    let options: sqlx::sqlite::SqliteConnectOptions = url.parse().unwrap();
    let pool = sqlx::sqlite::SqlitePool::connect_with(options).await.unwrap();
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
    let json_out = command(&dir, &["ledger", "verify", "--json"]).output().unwrap();
    assert_eq!(json_out.status.code(), Some(1));
    let report: Value = serde_json::from_str(text(&json_out).0.trim()).unwrap();
    assert_eq!(report["ok"], false);
    assert!(!report["problems"].as_array().unwrap().is_empty());
}
