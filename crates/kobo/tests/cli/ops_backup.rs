//! `kobo backup PATH` while `kobo serve` is posting inflows, then a restore:
//! `kobo ledger verify` on the copy, and a second `kobo serve` on it that
//! answers the old keys with the balance the copy's inflows add up to.

use std::os::unix::fs::PermissionsExt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use serde_json::{json, Value};

use crate::ops::{customer_with_account, keys, text, AMOUNT};
use crate::support::{command, DataDir, Server};

#[tokio::test]
async fn backup_while_serving_then_restore_and_verify() {
    let dir = DataDir::new();
    let server = Arc::new(Server::start(&dir, &[]).await);
    let key = keys(&dir)["test"]["private_key"]
        .as_str()
        .unwrap()
        .to_string();
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
        tokio::task::spawn_blocking(move || cmd.output().unwrap())
            .await
            .unwrap()
    };
    let during = posted.load(Ordering::SeqCst);
    let (stdout, stderr) = text(&backup);
    assert!(backup.status.success(), "{stderr}");
    assert!(stdout.contains("backup written"), "{stdout}");
    writer.await.unwrap();
    assert!(
        during < 150,
        "the backup ran while inflows were being posted"
    );
    let mode = std::fs::metadata(&copy).unwrap().permissions().mode();
    assert_eq!(mode & 0o777, 0o600, "{mode:o}");
    // A second backup to the same path is refused and leaves the copy alone.
    let size = std::fs::metadata(&copy).unwrap().len();
    let again = command(&dir, &["backup", copy.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(!again.status.success());
    assert!(
        text(&again).1.contains("already exists"),
        "{}",
        text(&again).1
    );
    assert_eq!(std::fs::metadata(&copy).unwrap().len(), size);
    // The copy is a consistent ledger.
    let url = format!("sqlite://{}", copy.display());
    let verify = command(&dir, &["ledger", "verify", "--database", &url, "--json"])
        .output()
        .unwrap();
    let (stdout, stderr) = text(&verify);
    assert!(verify.status.success(), "{stdout} {stderr}");
    let report: Value = serde_json::from_str(stdout.trim()).unwrap();
    assert_eq!(report["ok"], true, "{report}");
    let inflows = report["inflows"].as_u64().unwrap();
    assert!((10..=150).contains(&inflows), "{report}");
    let verify = command(&dir, &["ledger", "verify", "--database", &url])
        .output()
        .unwrap();
    assert!(verify.status.success());
    assert!(text(&verify).0.contains("ledger OK"));
    // Restore: stop kobo, put the copy (and the key file) in a data folder, start.
    let server = Arc::into_inner(server).expect("the writer is done");
    let (code, _, _) = server.stop().await;
    assert_eq!(code, Some(0));
    let restored = DataDir::new();
    std::fs::copy(&copy, restored.path().join("kobo.db")).unwrap();
    std::fs::copy(
        dir.path().join("encryption.key"),
        restored.path().join("encryption.key"),
    )
    .unwrap();
    let server = Server::start(&restored, &[]).await;
    let (status, reply) = server.get("/api/v1/customers/BACKUP-1", &key).await;
    assert_eq!(
        status, 200,
        "the old key works on the restored data: {reply}"
    );
    let (status, reply) = server.get("/api/v1/customers/BACKUP-1/balance", &key).await;
    assert_eq!(status, 200, "{reply}");
    assert_eq!(reply["data"]["balance_kobo"], inflows * AMOUNT, "{reply}");
    assert!(
        !restored.path().join("sandbox-keys.json").exists(),
        "no new sandbox business"
    );
    let (code, _, _) = server.stop().await;
    assert_eq!(code, Some(0));
}
