//! Create's field rules, one field at a time: names (any script, no digits
//! or markup), email, Nigerian phone forms, BVN/NIN, dob, type, reference,
//! and collection wallets.

use serde_json::{json, Value};

use crate::customers_create::{body_with, created, refused};
use crate::helpers::{customer_body, spawn_app};

#[tokio::test]
async fn names_accept_any_script_and_refuse_digits_and_markup() {
    let app = spawn_app().await;
    let yoruba = "\u{1ECC}\u{300}l\u{E0}j\u{ED}d\u{E9}"; // Ọ̀làjídé in NFC
    let d = created(&app, &body_with("NAME-1", json!({"first_name": yoruba}))).await;
    assert_eq!(d["first_name"], yoruba);
    // Decomposed input is stored in NFC.
    let decomposed = "O\u{323}\u{300}la\u{300}ji\u{301}de\u{301}";
    let d = created(&app, &body_with("NAME-2", json!({"last_name": decomposed}))).await;
    assert_eq!(d["last_name"], yoruba);
    for (i, ok) in ["O'Brien", "Mary-Jane", "St. John", "张伟"]
        .iter()
        .enumerate()
    {
        created(
            &app,
            &body_with(&format!("NAME-OK{i}"), json!({"last_name": ok})),
        )
        .await;
    }
    for (i, bad) in [
        "John3",
        "<b>Ada</b>",
        "Robert'); DROP TABLE",
        "a_b",
        "   ",
        "-'.",
    ]
    .iter()
    .enumerate()
    {
        let b = body_with(&format!("NAME-BAD{i}"), json!({"first_name": bad}));
        refused(&app, &b, &["first_name"]).await;
    }
    let too_long = "a".repeat(101);
    refused(
        &app,
        &body_with("NAME-L", json!({"last_name": too_long})),
        &["last_name"],
    )
    .await;
    created(
        &app,
        &body_with("NAME-L2", json!({"last_name": "a".repeat(100)})),
    )
    .await;
    assert_eq!(app.total().await, 7);
}

#[tokio::test]
async fn emails_phones_and_identities() {
    let app = spawn_app().await;
    for bad in [
        "ada",
        "ada@",
        "@x.com",
        "a..b@x.com",
        "a@x",
        "a b@x.com",
        "ádá@x.com",
    ] {
        refused(&app, &body_with("E-1", json!({"email": bad})), &["email"]).await;
    }
    let forms = [
        "+2348012345678",
        "+234 801 234 5678",
        "2348012345678",
        "234-801-234-5678",
        "08012345678",
        "0801 234 5678",
        "0801-234-5678",
    ];
    for (i, p) in forms.iter().enumerate() {
        let d = created(&app, &body_with(&format!("PH-{i}"), json!({"phone": p}))).await;
        assert_eq!(d["phone"], "+2348012345678", "{p}");
    }
    for bad in [
        "8012345678",
        "+44 7911 123456",
        "0801234567",
        "080123456789",
        "phone",
    ] {
        refused(
            &app,
            &body_with("PH-BAD", json!({"phone": bad})),
            &["phone"],
        )
        .await;
    }
    for bad in ["1234567890", "123456789012", "1234567890a", "1234 567890"] {
        let b = body_with("ID-BAD", json!({"bvn": bad, "nin": bad}));
        let body = refused(&app, &b, &["bvn", "nin"]).await;
        assert_eq!(
            body["errors"]["bvn"],
            json!(["The bvn must be exactly 11 digits."])
        );
        assert!(!body.to_string().contains(bad), "the value is not echoed");
    }
    assert_eq!(app.total().await, forms.len() as u64);
}

#[tokio::test]
async fn dob_type_and_reference_rules() {
    let app = spawn_app().await;
    let tomorrow = (chrono::Utc::now() + chrono::Duration::days(2)).date_naive();
    for bad in [
        "2999-01-01",
        &tomorrow.to_string(),
        "1990-02-30",
        "1990-13-01",
        "17-05-1990",
        "1990/05/17",
        "1899-12-31",
    ] {
        refused(&app, &body_with("DOB", json!({"dob": bad})), &["dob"]).await;
    }
    created(&app, &body_with("DOB-OK", json!({"dob": "2000-02-29"}))).await;
    for bad in ["savings", "Wallet", "COLLECTION"] {
        refused(&app, &body_with("TYPE", json!({"type": bad})), &["type"]).await;
    }
    let cases = [
        ("12345", "The reference must not be made only of digits."),
        ("CUS_abc", "The reference must not start with CUS_."),
        ("cus_abc", "The reference must not start with CUS_."),
        (
            "a b",
            "The reference may contain only letters, digits, hyphens, underscores and periods.",
        ),
        (
            "ref/1",
            "The reference may contain only letters, digits, hyphens, underscores and periods.",
        ),
        (
            "r\u{E9}f",
            "The reference may contain only letters, digits, hyphens, underscores and periods.",
        ),
    ];
    for (bad, message) in cases {
        let mut b = customer_body("X");
        b["reference"] = json!(bad);
        let body = refused(&app, &b, &["reference"]).await;
        assert_eq!(body["errors"]["reference"], json!([message]));
        assert_eq!(body["message"], message);
    }
    let mut long = customer_body("X");
    long["reference"] = json!("r".repeat(101));
    refused(&app, &long, &["reference"]).await;
    for (i, ok) in ["CUS", "CUSTOMER_1", "1.2", "_1", &"r".repeat(100)]
        .iter()
        .enumerate()
    {
        let mut b = customer_body(&format!("OK{i}"));
        b["reference"] = json!(ok);
        assert_eq!(created(&app, &b).await["reference"], *ok);
    }
    assert_eq!(app.total().await, 6);
}

#[tokio::test]
async fn collection_customers_need_one_of_the_business_wallets() {
    let app = spawn_app().await;
    let code = app.default_wallet_code(&app.test_key).await;
    assert!(code.starts_with("WALLET_DEMO_"), "{code}");
    let live_code = app.default_wallet_code(&app.live_key).await;
    let need = "The collection_wallet_code field is required when type is collection.";
    let b = body_with("COL-1", json!({"type": "collection"}));
    let body = refused(&app, &b, &["collection_wallet_code"]).await;
    assert_eq!(body["errors"]["collection_wallet_code"], json!([need]));
    for (field, value) in [
        ("collection_wallet_code", json!("")),
        ("collection_wallet_code", Value::Null),
        ("collection_wallet_code", json!("WALLET_DEMO_NOPE1234")),
        ("collection_wallet", json!("WALLET_DEMO_NOPE1234")),
        ("collection_wallet_code", json!(live_code)),
    ] {
        let b = body_with("COL-1", json!({"type": "collection", field: value}));
        refused(&app, &b, &["collection_wallet_code"]).await;
    }
    let d = created(
        &app,
        &body_with(
            "COL-2",
            json!({"type": "collection", "collection_wallet_code": code}),
        ),
    )
    .await;
    assert_eq!(d["type"], "collection");
    assert_eq!(d["collection_wallet"], code);
    // The seed's sample names the field `collection_wallet`.
    let d = created(
        &app,
        &body_with(
            "COL-3",
            json!({"type": "collection", "collection_wallet": code}),
        ),
    )
    .await;
    assert_eq!(d["collection_wallet"], code);
    // A wallet customer accepts and ignores the code, even a bogus one.
    let d = created(
        &app,
        &body_with(
            "COL-4",
            json!({"type": "wallet", "collection_wallet": "WALLET_DEMO_BOGUS"}),
        ),
    )
    .await;
    assert_eq!(d["type"], "wallet");
    assert_eq!(d["collection_wallet"], Value::Null);
    assert_eq!(app.total().await, 3);
}
