//! THE LOG TEST: everything `kobo serve` writes while serving customers with
//! BVNs and NINs, good and bad requests alike, holds no BVN, NIN, private key
//! or encryption key; and SIGTERM drains and exits 0.

use reqwest::Method;
use serde_json::{json, Value};

use crate::support::{DataDir, Server};

const BVNS: [&str; 4] = ["22212345901", "22298765432", "22255550001", "22233334444"];
const NINS: [&str; 3] = ["12345678901", "98765432109", "55550000111"];
/// Invalid on purpose (12 digits) but still a secret-looking number.
const BAD_BVN: &str = "222123459019";

/// Drives good and failing requests through the server with `key` (test) and `live`.
async fn traffic(server: &Server, key: &str, live: &str) {
    let path = "/api/v1/customers";
    let person = |r: &str, e: &str, bvn: &str, nin: &str| json!({"first_name": "Ada", "last_name": "Obi", "email": e, "reference": r, "bvn": bvn, "nin": nin});
    let cases: Vec<(Method, String, &str, Value, u16)> = vec![
        (
            Method::POST,
            path.into(),
            key,
            person("LOG-1", "one@x.ng", BVNS[0], NINS[0]),
            201,
        ),
        (
            Method::POST,
            path.into(),
            live,
            person("LOG-1", "one@x.ng", BVNS[0], NINS[0]),
            201,
        ),
        (
            Method::POST,
            format!("{path}/storeorupdate"),
            key,
            person("LOG-2", "two@x.ng", BVNS[1], NINS[1]),
            201,
        ),
        (
            Method::PATCH,
            format!("{path}/LOG-1"),
            key,
            json!({"bvn": BVNS[2]}),
            200,
        ),
        (
            Method::PUT,
            format!("{path}/two@x.ng"),
            key,
            json!({"nin": NINS[2], "status": "INACTIVE"}),
            200,
        ),
        // Duplicates, validation errors and bad keys, each carrying identities.
        (
            Method::POST,
            path.into(),
            key,
            person("LOG-3", "three@x.ng", BVNS[2], ""),
            409,
        ),
        (
            Method::POST,
            path.into(),
            key,
            person("LOG-4", "not-an-email", BVNS[3], NINS[0]),
            400,
        ),
        (
            Method::POST,
            path.into(),
            key,
            person("LOG-5", "five@x.ng", BAD_BVN, ""),
            400,
        ),
        (
            Method::PATCH,
            format!("{path}/LOG-1"),
            key,
            json!({"bvn": BAD_BVN, "email": "x"}),
            400,
        ),
        (
            Method::POST,
            path.into(),
            "PRV_DP_DEMO_notarealkey0000000000000000000000",
            person("LOG-6", "six@x.ng", BVNS[3], ""),
            401,
        ),
    ];
    for (method, path, k, body, want) in cases {
        let (status, reply) = server.call(method.clone(), &path, k, Some(&body)).await;
        assert_eq!(status, want, "{method} {path}: {reply}");
        assert!(
            !reply.to_string().contains(BVNS[0]),
            "never echoed: {reply}"
        );
    }
    for (path, k) in [
        (format!("{path}?search=Ada"), key),
        (format!("{path}/LOG-1"), key),
        (format!("{path}/LOG-1"), live),
    ] {
        let (status, reply) = server.get(&path, k).await;
        assert_eq!(status, 200, "{path}: {reply}");
    }
    // A public key and malformed bodies that contain a BVN.
    let (status, _) = server.get(path, "PUB_DP_DEMO_abc").await;
    assert_eq!(status, 401);
    let client = reqwest::Client::new();
    for (content_type, body, want) in [
        (
            "application/json",
            format!("{{\"bvn\": \"{}\",", BVNS[3]),
            400,
        ),
        ("text/plain", format!("bvn={}", BVNS[3]), 415),
    ] {
        let resp = client
            .post(format!("{}{path}", server.base))
            .header("DPPRIVATEKEY", key)
            .header("Content-Type", content_type)
            .header("Idempotency-Key", format!("log-{want}"))
            .body(body)
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status().as_u16(), want);
    }
}

/// The text without ANSI colour sequences (`ESC [ … letter`), which the text
/// format writes even to a file and which could split a secret in two.
fn strip_ansi(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' {
            for d in chars.by_ref() {
                if d.is_ascii_alphabetic() {
                    break;
                }
            }
        } else {
            out.push(c);
        }
    }
    out
}

fn assert_clean(log: &str, format: &str, secrets: &[&str]) {
    let log = &strip_ansi(log);
    assert!(!log.trim().is_empty(), "requests are logged at INFO");
    assert!(log.contains("finished processing request"), "{log}");
    for status in [201, 200, 400, 401, 409, 415] {
        let field = match format {
            "json" => format!("\"status\":{status}"),
            _ => format!("status={status}"),
        };
        assert!(log.contains(&field), "a {status} request is logged: {log}");
    }
    for secret in secrets {
        assert!(!log.contains(secret), "the log leaks {secret}:\n{log}");
    }
    // Masked values and last digits alone are fine; the middle of a BVN is not.
    for id in BVNS.iter().chain(NINS.iter()) {
        assert!(!log.contains(&id[..8]), "the log holds the start of {id}");
    }
}

#[tokio::test]
async fn logs_hold_no_identities_or_keys_and_sigterm_drains() {
    for format in ["text", "json"] {
        let dir = DataDir::new();
        let encryption_key = kobo_core::crypto::Vault::generate_key_base64();
        let env = [
            ("KOBO_ENCRYPTION_KEY", encryption_key.as_str()),
            ("KOBO_LOG_FORMAT", format),
        ];
        let server = Server::start(&dir, &env).await;
        let keys: Value = serde_json::from_str(
            &std::fs::read_to_string(dir.path().join("sandbox-keys.json")).unwrap(),
        )
        .unwrap();
        let test = keys["test"]["private_key"].as_str().unwrap();
        let live = keys["live"]["private_key"].as_str().unwrap();
        traffic(&server, test, live).await;
        let (code, stdout, stderr) = server.stop().await;
        assert_eq!(code, Some(0), "SIGTERM drains and exits 0: {stderr}");
        assert!(stderr.contains("shutdown requested"), "{stderr}");
        let mut secrets: Vec<&str> = BVNS.iter().chain(NINS.iter()).copied().collect();
        secrets.extend([BAD_BVN, test, live, encryption_key.as_str()]);
        secrets.push(keys["test"]["public_key"].as_str().unwrap());
        secrets.push(keys["live"]["public_key"].as_str().unwrap());
        secrets.push("PRV_DP_DEMO_notarealkey");
        assert_clean(&stderr, format, &secrets);
        for secret in &secrets {
            assert!(!stdout.contains(secret), "stdout leaks {secret}");
        }
        if format == "json" {
            for line in stderr.lines().filter(|l| !l.trim().is_empty()) {
                serde_json::from_str::<Value>(line).expect("one JSON object a line");
            }
        }
    }
}
