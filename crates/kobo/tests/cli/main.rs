//! The `kobo` binary, run as a user would: `business create`, `rotate-keys`,
//! `migrate`, and `serve` (sandbox key file, graceful SIGTERM, clean logs).

mod logs;
mod multinode;
mod ops;
mod ops_backup;
mod ops_logs;
mod readme;
mod support;
#[path = "../../../kobo-server/tests/api/webhook_receiver.rs"]
mod webhook_receiver;
mod webhooks;

use std::os::unix::fs::PermissionsExt;

use serde_json::{json, Value};

use support::{kobo, DataDir, Server};

fn assert_pair(pair: &Value, private_prefix: &str, public_prefix: &str) {
    let private = pair["private_key"].as_str().unwrap();
    let public = pair["public_key"].as_str().unwrap();
    assert!(private.starts_with(private_prefix), "{private}");
    assert!(public.starts_with(public_prefix), "{public}");
    // Live prefixes are prefixes of nothing in test mode.
    if !private_prefix.contains("DEMO") {
        assert!(!private.contains("DEMO") && !public.contains("DEMO"));
    }
    let random = &private[private_prefix.len()..];
    assert!(random.len() >= 22, "at least 128 bits: {private}");
    assert!(random.chars().all(|c| c.is_ascii_alphanumeric()));
}

#[test]
fn business_create_json_prints_one_object_with_both_pairs() {
    let dir = DataDir::new();
    let out = kobo(
        &dir,
        &["business", "create", "--name", "Ada Stores", "--json"],
    );
    let text = out.stdout.trim();
    assert_eq!(text.lines().count(), 1, "one line: {text}");
    let v: Value = serde_json::from_str(text).unwrap();
    let keys: Vec<&String> = v.as_object().unwrap().keys().collect();
    assert_eq!(keys, ["id", "live", "name", "test"]);
    assert!(v["id"].is_i64());
    assert_eq!(v["name"], "Ada Stores");
    assert_pair(&v["test"], "PRV_DP_DEMO_", "PUB_DP_DEMO_");
    assert_pair(&v["live"], "PRV_DP_", "PUB_DP_");
    // A second business gets new keys and a new id.
    let w: Value = serde_json::from_str(
        kobo(&dir, &["business", "create", "--name", "Other", "--json"])
            .stdout
            .trim(),
    )
    .unwrap();
    assert_ne!(w["id"], v["id"]);
    assert_ne!(w["test"]["private_key"], v["test"]["private_key"]);
    // Only hashes are stored: no key appears in the database file.
    let db = std::fs::read(dir.path().join("kobo.db")).unwrap();
    let db = String::from_utf8_lossy(&db);
    for pair in ["test", "live"] {
        assert!(!db.contains(v[pair]["private_key"].as_str().unwrap()));
    }
}

#[test]
fn migrate_runs_twice() {
    let dir = DataDir::new();
    for _ in 0..2 {
        let out = kobo(&dir, &["migrate"]);
        assert!(
            out.stdout.contains("migrations are up to date"),
            "{}",
            out.stdout
        );
    }
    assert!(dir.path().join("kobo.db").exists());
}

#[tokio::test]
async fn first_serve_writes_a_private_key_file_and_never_prints_keys() {
    let dir = DataDir::new();
    let server = Server::start(&dir, &[]).await;
    let path = dir.path().join("sandbox-keys.json");
    let mode = std::fs::metadata(&path).unwrap().permissions().mode();
    assert_eq!(mode & 0o777, 0o600, "{mode:o}");
    let keys: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    assert_eq!(keys["name"], "Sandbox");
    assert_pair(&keys["test"], "PRV_DP_DEMO_", "PUB_DP_DEMO_");
    assert_pair(&keys["live"], "PRV_DP_", "PUB_DP_");
    // The key file's key works.
    let test_key = keys["test"]["private_key"].as_str().unwrap();
    let (status, _) = server.get("/api/v1/customers", test_key).await;
    assert_eq!(status, 200);
    let (code, stdout, stderr) = server.stop().await;
    assert_eq!(code, Some(0));
    assert!(stdout.contains(&path.display().to_string()), "{stdout}");
    for pair in ["test", "live"] {
        for kind in ["private_key", "public_key"] {
            let key = keys[pair][kind].as_str().unwrap();
            assert!(!stdout.contains(key), "{kind} on stdout");
            assert!(!stderr.contains(key), "{kind} on stderr");
        }
    }
    // A second start keeps the business and does not rewrite the file.
    let server = Server::start(&dir, &[]).await;
    let (status, _) = server.get("/api/v1/customers", test_key).await;
    assert_eq!(status, 200);
    let (code, stdout, _) = server.stop().await;
    assert_eq!(code, Some(0));
    assert!(!stdout.contains("sandbox-keys.json"), "{stdout}");
    let again: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    assert_eq!(again, keys);
}

#[tokio::test]
async fn rotating_test_keys_retires_the_old_test_key_only() {
    let dir = DataDir::new();
    let made: Value = serde_json::from_str(
        kobo(&dir, &["business", "create", "--name", "Rotator", "--json"])
            .stdout
            .trim(),
    )
    .unwrap();
    let id = made["id"].to_string();
    let old_test = made["test"]["private_key"].as_str().unwrap();
    let live = made["live"]["private_key"].as_str().unwrap();
    let server = Server::start(&dir, &[]).await;
    let body =
        json!({"first_name": "Ada", "last_name": "Obi", "email": "a@x.ng", "reference": "R-1"});
    assert_eq!(
        server.post("/api/v1/customers", old_test, &body).await.0,
        201
    );
    let out = kobo(
        &dir,
        &[
            "business",
            "rotate-keys",
            "--business",
            &id,
            "--mode",
            "test",
            "--json",
        ],
    );
    let rotated: Value = serde_json::from_str(out.stdout.trim()).unwrap();
    assert_pair(&rotated["keys"], "PRV_DP_DEMO_", "PUB_DP_DEMO_");
    let new_test = rotated["keys"]["private_key"].as_str().unwrap();
    assert_ne!(new_test, old_test);
    let (status, body) = server.get("/api/v1/customers", old_test).await;
    assert_eq!(status, 401, "{body}");
    assert_eq!(body["code"], "invalid_api_key");
    let (status, body) = server.get("/api/v1/customers/R-1", new_test).await;
    assert_eq!(status, 200, "the data stays with the business: {body}");
    assert_eq!(server.get("/api/v1/customers", live).await.0, 200);
    let missing = support::kobo_fails(
        &dir,
        &[
            "business",
            "rotate-keys",
            "--business",
            "999",
            "--mode",
            "live",
        ],
    );
    assert!(missing.contains("no business with id 999"), "{missing}");
    let (code, _, _) = server.stop().await;
    assert_eq!(code, Some(0));
}
