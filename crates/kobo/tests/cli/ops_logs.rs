//! JSON logs (`log_format = "json"` from a KOBO_CONFIG file): every line is a
//! JSON object, every request line carries its `request_id` (the caller's
//! `x-request-id` when it sent one), and no BVN, NIN, key or provider secret
//! appears, whatever the requests carried.

use kobo_server::http::signature::sign;
use serde_json::{json, Value};

use crate::support::{DataDir, Server};

const SECRET: &str = "provider-secret-7e1f0c";
const BVN: &str = "22287654321";
const NIN: &str = "11122233344";

#[tokio::test]
async fn json_logs_carry_request_ids_and_no_secrets() {
    let dir = DataDir::new();
    let config = dir.path().join("kobo.toml");
    std::fs::write(
        &config,
        format!("log_format = \"json\"\nprovider_secret = \"{SECRET}\"\n"),
    )
    .unwrap();
    let config = config.display().to_string();
    let server = Server::start(&dir, &[("KOBO_CONFIG", config.as_str())]).await;
    let keys: Value = serde_json::from_str(
        &std::fs::read_to_string(dir.path().join("sandbox-keys.json")).unwrap(),
    )
    .unwrap();
    let key = keys["test"]["private_key"].as_str().unwrap();
    let client = reqwest::Client::new();
    let person = json!({"first_name": "Ada", "last_name": "Obi", "email": "ada@x.ng",
        "reference": "LOGS-1", "bvn": BVN, "nin": NIN});
    let calls: Vec<(&str, &str, Option<&str>, Value, u16)> = vec![
        (
            "/api/v1/customers",
            "log-create-1",
            Some(key),
            person.clone(),
            201,
        ),
        ("/api/v1/customers", "log-dup-2", Some(key), person, 409),
        (
            "/api/v1/customers",
            "log-bad-3",
            Some(key),
            json!({"bvn": format!("{BVN}9")}),
            400,
        ),
        (
            "/api/v1/customers",
            "log-nokey-4",
            None,
            json!({"nin": NIN}),
            401,
        ),
        (
            "/api/v1/customers",
            "log-pub-5",
            Some(keys["test"]["public_key"].as_str().unwrap()),
            json!({}),
            401,
        ),
    ];
    for (path, id, k, body, want) in &calls {
        let mut req = client
            .post(format!("{}{path}", server.base))
            .header("x-request-id", *id)
            .json(body);
        if let Some(k) = k {
            req = req.header("DPPRIVATEKEY", *k);
        }
        let resp = req.send().await.unwrap();
        assert_eq!(resp.status().as_u16(), *want, "{id}");
        assert_eq!(resp.headers()["x-request-id"], *id);
    }
    // The provider door, signed and badly signed; the secret must not leak.
    let body = br#"{"account_number":"0000000000"}"#.to_vec();
    for (id, signature) in [
        ("log-sig-6", sign(SECRET, &body)),
        ("log-sig-7", "00".repeat(64)),
    ] {
        let resp = client
            .post(format!("{}/api/v1/provider/name-enquiry", server.base))
            .header("x-request-id", id)
            .header("content-type", "application/json")
            .header("X-Provider-Signature", signature)
            .body(body.clone())
            .send()
            .await
            .unwrap();
        assert!(resp.status().is_client_error(), "{id}");
    }
    // No id given: one is made up and logged.
    let resp = client
        .get(format!("{}/healthz", server.base))
        .send()
        .await
        .unwrap();
    let made_up = resp.headers()["x-request-id"].to_str().unwrap().to_string();
    let (code, stdout, stderr) = server.stop().await;
    assert_eq!(code, Some(0), "{stderr}");
    let lines: Vec<Value> = stderr
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}")))
        .collect();
    let finished: Vec<&Value> = lines
        .iter()
        .filter(|l| l["fields"]["message"] == "finished processing request")
        .collect();
    assert!(finished.len() >= calls.len() + 3, "{stderr}");
    for line in &finished {
        let id = line["span"]["request_id"].as_str().unwrap_or("");
        assert!(
            !id.is_empty() && id != "-",
            "a request line without its id: {line}"
        );
    }
    let ids: Vec<&str> = finished
        .iter()
        .filter_map(|l| l["span"]["request_id"].as_str())
        .collect();
    for (_, id, ..) in &calls {
        assert!(ids.contains(id), "{id} not logged: {ids:?}");
    }
    assert!(ids.contains(&"log-sig-6") && ids.contains(&"log-sig-7"));
    assert!(ids.contains(&made_up.as_str()), "{made_up}");
    let mut secrets = vec![SECRET, BVN, NIN, &BVN[..8], &NIN[..8]];
    for pair in ["test", "live"] {
        for kind in ["private_key", "public_key"] {
            secrets.push(keys[pair][kind].as_str().unwrap());
        }
    }
    for secret in secrets {
        assert!(!stderr.contains(secret), "the log holds {secret}");
        assert!(!stdout.contains(secret), "stdout holds {secret}");
    }
}
