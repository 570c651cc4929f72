//! One-time account numbers (valid NUBANs from the shared serial space,
//! outside the permanent-account cap and its list) and the customer's list of
//! one-time accounts, newest first.

use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::spawn_app;
use crate::money_helpers::*;
use crate::ota_helpers::*;

#[tokio::test]
async fn numbers_are_valid_distinct_and_outside_the_permanent_cap() {
    let app = spawn_app().await;
    let code = app.create_customer("ota-numbers").await["code"]
        .as_str()
        .unwrap()
        .to_string();
    let mut numbers = Vec::new();
    for i in 0..3 {
        numbers.push(
            new_ota(&app, &code, 1000 + i).await["account_number"]
                .as_str()
                .unwrap()
                .to_string(),
        );
    }
    let mut permanent = Vec::new();
    for _ in 0..5 {
        let a = issue_account_with(&app, &app.test_key, &code).await;
        permanent.push(a["account_number"].as_str().unwrap().to_string());
    }
    let sixth = app
        .post(&customer_path(&code, "virtual-accounts"), &json!({}))
        .await;
    sixth.assert_error(400, "virtual_account_limit");
    // The cap does not stop one-time accounts either.
    for i in 0..2 {
        numbers.push(
            new_ota(&app, &code, 2000 + i).await["account_number"]
                .as_str()
                .unwrap()
                .to_string(),
        );
    }
    let all: Vec<&String> = numbers.iter().chain(&permanent).collect();
    for n in &all {
        assert!(
            n.len() == 10 && kobo_core::nuban::is_valid("999999", n),
            "{n}"
        );
    }
    let mut unique = all.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), all.len(), "{all:?}");
    // Serials only grow, across both kinds.
    let serial = |n: &str| n[..9].parse::<u64>().unwrap();
    let order: Vec<u64> = numbers[..3]
        .iter()
        .chain(&permanent)
        .chain(&numbers[3..])
        .map(|n| serial(n))
        .collect();
    assert!(order.windows(2).all(|w| w[0] < w[1]), "{order:?}");
    // Permanent lists never show one-time accounts.
    let listed = get_ok(
        &app,
        &app.test_key,
        &customer_path(&code, "virtual-accounts"),
    )
    .await;
    let listed: Vec<&str> = listed["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["account_number"].as_str().unwrap())
        .collect();
    assert_eq!(
        listed,
        permanent.iter().map(String::as_str).collect::<Vec<_>>()
    );
    let customer = get_ok(&app, &app.test_key, &format!("/api/v1/customers/{code}")).await;
    assert_eq!(
        customer["data"]["virtual_accounts"]
            .as_array()
            .unwrap()
            .len(),
        5
    );
}

#[tokio::test]
async fn the_list_is_newest_first_and_per_customer() {
    let app = spawn_app().await;
    let code = app.create_customer("ota-list").await["code"]
        .as_str()
        .unwrap()
        .to_string();
    let other = app.create_customer("ota-list-other").await["code"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(list_otas(&app, &code).await.is_empty());
    let mut made = Vec::new();
    for (i, amount) in [300, 100, 200].into_iter().enumerate() {
        let body = json!({"amount_kobo": amount, "reference": format!("list-{i}")});
        let r = create_ota(&app, &code, &body).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        made.push(r.body["data"].clone());
    }
    new_ota(&app, &other, 999).await;
    let listed = list_otas(&app, &code).await;
    let refs: Vec<&str> = listed
        .iter()
        .map(|a| a["reference"].as_str().unwrap())
        .collect();
    assert_eq!(refs, ["list-2", "list-1", "list-0"]);
    // Each entry is the account as created (nothing paid, nothing expired).
    for (got, want) in listed.iter().zip(made.iter().rev()) {
        assert_eq!(got, want);
    }
    // The customer can be named by reference too.
    assert_eq!(list_otas(&app, "ota-list").await.len(), 3);
    assert_eq!(list_otas(&app, &other).await.len(), 1);
}
