//! The seed's own sample request, sent as printed.

use reqwest::StatusCode;

use crate::helpers::spawn_app;

#[tokio::test]
async fn the_seed_sample_request_succeeds() {
    let app = spawn_app().await;
    // Only host, key and email differ from the seed page.
    let raw = r#"{
"first_name": "Wale",
"last_name": "Ajanlekoko",
"nin": "12345678901",
"dob": "1990-06-15",
"bvn": "",
"phone": "+2348012345678",
"email": "wale@example.com",
"reference": "CUST2025-0017",
"type": "wallet",
"collection_wallet": "WALLET_DEMO_QRNTBVSE"
}
"#;
    let resp = app
        .client
        .post(format!("{}/api/v1/customers/", app.base))
        .header("DPPRIVATEKEY", &app.test_key)
        .header("Content-Type", "application/json")
        .body(raw)
        .send()
        .await
        .unwrap();
    let r = crate::helpers::Reply::from(resp).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let d = &r.body["data"];
    assert_eq!(r.body["success"], true);
    assert_eq!(r.body["status"], true);
    assert_eq!(d["first_name"], "Wale");
    assert_eq!(d["reference"], "CUST2025-0017");
    assert_eq!(d["phone"], "+2348012345678");
    assert_eq!(d["nin"], "********901");
    assert_eq!(d["bvn"], serde_json::Value::Null);
    assert_eq!(d["dob"], "1990-06-15");
    assert_eq!(d["type"], "wallet");
    assert_eq!(d["status"], "ACTIVE");
    assert!(d["code"].as_str().unwrap().starts_with("CUS_"));
    assert!(d["id"].is_i64());
}
