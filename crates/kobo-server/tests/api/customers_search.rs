//! `GET /api/v1/customers?search=`: over names, email, phone and reference,
//! LIKE wildcards taken literally, names outside ASCII.

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::{customer_body, spawn_app};

#[tokio::test]
async fn search_covers_name_email_phone_and_reference() {
    let app = spawn_app().await;
    let people = [
        ("S-ADA", "Adaeze", "Okafor", "adaeze@bank.ng", "08031110001"),
        ("S-TUNDE", "Tunde", "Bakare", "tb@mail.com", "08031110002"),
        ("S_ODD", "Ngozi", "Eze", "n.eze@mail.com", "09099990003"),
        ("SXODD", "Musa", "Bello", "musa@mail.com", "07012340004"),
    ];
    for (reference, first, last, email, phone) in people {
        let b = json!({"first_name": first, "last_name": last, "email": email, "reference": reference, "phone": phone});
        assert_eq!(
            app.post("/api/v1/customers", &b).await.status,
            StatusCode::CREATED
        );
    }
    let refs = |r: &Value| -> Vec<String> {
        let mut v: Vec<String> = r["data"]["data"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["reference"].as_str().unwrap().to_string())
            .collect();
        v.sort();
        v
    };
    for (term, want) in [
        ("adaeze", vec!["S-ADA"]),
        ("OKAFOR", vec!["S-ADA"]),
        ("bank.ng", vec!["S-ADA"]),
        ("mail.com", vec!["SXODD", "S_ODD", "S-TUNDE"]),
        ("+2349099990003", vec!["S_ODD"]),
        ("3111000", vec!["S-ADA", "S-TUNDE"]),
        ("s-tunde", vec!["S-TUNDE"]),
        ("S_ODD", vec!["S_ODD"]),
        ("%", vec![]),
        ("nobody", vec![]),
    ] {
        let r = app.list(&[("search", term)]).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let mut want: Vec<String> = want.into_iter().map(String::from).collect();
        want.sort();
        assert_eq!(refs(&r.body), want, "search {term:?}");
        assert_eq!(r.body["data"]["total"], want.len(), "search {term:?}");
    }
}

#[tokio::test]
async fn search_finds_names_outside_ascii() {
    let app = spawn_app().await;
    let yoruba = "\u{1ECC}\u{300}l\u{E0}j\u{ED}d\u{E9}"; // Ọ̀làjídé
    let mut b = customer_body("YO-1");
    b["first_name"] = json!(yoruba);
    b["last_name"] = json!("\u{C9}mek\u{E1}"); // Émeká
    assert_eq!(
        app.post("/api/v1/customers", &b).await.status,
        StatusCode::CREATED
    );
    app.create_customer("OTHER-1").await;
    for term in [
        yoruba,
        "l\u{E0}j\u{ED}",
        "L\u{E0}J\u{ED}",
        "\u{C9}mek\u{E1}",
        "\u{C9}MEK\u{E1}",
    ] {
        let r = app.list(&[("search", term)]).await;
        assert_eq!(r.body["data"]["total"], 1, "search {term:?}: {}", r.body);
        assert_eq!(r.body["data"]["data"][0]["reference"], "YO-1");
    }
}

/// Search folds case in any script, and the Unicode form of the term.
#[tokio::test]
async fn search_folds_case_outside_ascii() {
    let app = spawn_app().await;
    let mut b = customer_body("YO-2");
    b["first_name"] = json!("\u{1ECC}\u{300}l\u{E0}j\u{ED}d\u{E9}");
    assert_eq!(
        app.post("/api/v1/customers", &b).await.status,
        StatusCode::CREATED
    );
    for term in ["\u{1ECD}\u{300}l\u{E0}j\u{ED}d\u{E9}", "L\u{C0}J\u{CD}"] {
        let r = app.list(&[("search", term)]).await;
        assert_eq!(r.body["data"]["total"], 1, "search {term:?}: {}", r.body);
    }
}
