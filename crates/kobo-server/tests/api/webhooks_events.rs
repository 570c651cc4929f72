//! Every event type reaches the receiver as `{"event", "id", "created_at",
//! "data"}`, signed, with the data a business needs (money in kobo).

use chrono::Utc;
use kobo_core::ledger::FeeSchedule;
use kobo_core::{Kobo, Mode};
use serde_json::{json, Value};

use crate::money_helpers::*;
use crate::ota_helpers::*;
use crate::webhook_helpers::*;
use crate::webhooks::envelope;

/// The delivered `data` of event `kind`, after checking the envelope and signatures.
async fn data_of(h: &Hooked, kind: &str) -> Value {
    let r = h.delivery(kind).await;
    assert_signed(&h.secret, &r);
    envelope(&r, kind)
}

fn assert_customer_ref(c: &Value, code: &str, reference: &str) {
    assert_eq!(c["mode"], "test", "{c}");
    assert_eq!(c["code"], code, "{c}");
    assert_eq!(c["reference"], reference, "{c}");
    assert_eq!(c["first_name"], "Ada", "{c}");
    assert_eq!(c["last_name"], "Obi", "{c}");
    assert_eq!(
        c["email"],
        format!("{}@example.com", reference.to_lowercase())
    );
    assert!(
        c["phone"]
            .as_str()
            .is_some_and(|p| p.ends_with("8012345678")),
        "{c}"
    );
}

#[tokio::test]
async fn customer_created_and_updated() {
    let h = Hooked::start().await;
    let c = h.app.create_customer("EV-CUST").await;
    let code = c["code"].as_str().unwrap();
    let created = data_of(&h, "customer.created").await;
    assert_eq!(created["code"], code);
    assert_eq!(created["reference"], "EV-CUST");
    assert_eq!(created["mode"], "test");
    assert_eq!(created["first_name"], "Ada");
    let path = format!("/api/v1/customers/{code}");
    let r = h.app.patch(&path, &json!({"last_name": "Okafor"})).await;
    assert_eq!(r.status, 200, "{}", r.body);
    let updated = data_of(&h, "customer.updated").await;
    assert_eq!(updated["code"], code);
    assert_eq!(updated["last_name"], "Okafor");
    assert_eq!(h.rx.count(), 2);
    h.finish(&[]).await;
}

#[tokio::test]
async fn virtual_account_created() {
    let h = Hooked::start().await;
    let (code, account) = test_customer_with_account(&h.app, "EV-VA").await;
    let data = data_of(&h, "virtual_account.created").await;
    assert_eq!(data["account_number"], account.as_str(), "{data}");
    assert_eq!(data["mode"], "test");
    assert_customer_ref(&data["customer"], &code, "EV-VA");
    h.finish(&[]).await;
}

#[tokio::test]
async fn inflow_received_is_in_kobo_with_sender_account_and_customer() {
    let h = Hooked::start().await;
    let fee = FeeSchedule {
        basis_points: 100,
        flat: Kobo(0),
        cap: None,
    };
    h.app
        .store
        .set_fee_schedule(h.app.business_id, Mode::Test, fee)
        .await
        .unwrap();
    let (code, account) = test_customer_with_account(&h.app, "EV-IN").await;
    let sid = session(41);
    let r = sandbox(&h.app, &sandbox_body(&sid, &account, 150_000)).await;
    assert_eq!(r.status, 201, "{}", r.body);
    let api = inflow(&h.app, &h.app.test_key, &sid).await;
    let d = data_of(&h, "inflow.received").await;
    assert_eq!(d["currency"], "NGN");
    assert_eq!(d["mode"], "test");
    assert_eq!(d["sessionId"], sid.as_str());
    assert_eq!(d["amountPaid"], 150_000, "gross in kobo: {d}");
    assert_eq!(d["amount_kobo"], 150_000);
    assert_eq!(d["fee_kobo"], 1_500);
    let net = 150_000 - 1_500 - d["vat_kobo"].as_i64().unwrap();
    assert!(net < 150_000 - 1_500, "VAT is charged: {d}");
    assert_eq!(d["settlementAmount"], net, "net in kobo: {d}");
    assert_eq!(d["net_kobo"], net);
    assert_eq!(api["net_kobo"], net, "{api}");
    assert_eq!(d["sender"]["name"], "Chidi Okeke");
    assert_eq!(d["sender"]["account_number"], "0123456785");
    assert_eq!(d["sender"]["bank_code"], "058");
    assert_eq!(d["account"]["account_number"], account.as_str());
    assert!(d["account"]["account_name"].is_string(), "{d}");
    assert_customer_ref(&d["customer"], &code, "EV-IN");
    h.finish(&[]).await;
}

#[tokio::test]
async fn inflow_suspended_carries_the_reason() {
    let h = Hooked::start().await;
    let (code, account) = test_customer_with_account(&h.app, "EV-SUS").await;
    deactivate(&h.app, &code).await;
    let sid = session(42);
    let r = sandbox(&h.app, &sandbox_body(&sid, &account, 70_000)).await;
    assert_eq!(r.status, 201, "{}", r.body);
    let d = data_of(&h, "inflow.suspended").await;
    assert_eq!(d["reason"], "customer_inactive", "{d}");
    assert_eq!(d["amountPaid"], 70_000);
    assert_eq!(d["sessionId"], sid.as_str());
    assert_eq!(d["customer"]["code"], code.as_str());
    assert!(h
        .events(None)
        .await
        .iter()
        .all(|e| e["event"] != "inflow.received"));
    h.finish(&[]).await;
}

#[tokio::test]
async fn one_time_account_partially_paid_then_paid() {
    let h = Hooked::start().await;
    let code = h.app.create_customer("EV-OTA").await["code"]
        .as_str()
        .unwrap()
        .to_string();
    let a = new_ota(&h.app, &code, 10_000).await;
    let number = a["account_number"].as_str().unwrap().to_string();
    pay(&h.app, &number, 51, 4_000).await;
    // Payloads are rendered at the first attempt: let this one go out first.
    let partial = data_of(&h, "one_time_account.partially_paid").await;
    assert_eq!(partial["account_number"], number.as_str());
    assert_eq!(partial["status"], "PENDING");
    assert_eq!(partial["amount_paid_kobo"], 4_000);
    assert_eq!(partial["amount_remaining_kobo"], 6_000);
    assert_customer_ref(&partial["customer"], &code, "EV-OTA");
    pay(&h.app, &number, 52, 6_000).await;
    let paid = data_of(&h, "one_time_account.paid").await;
    assert_eq!(paid["status"], "APPROVED");
    assert_eq!(paid["amount_paid_kobo"], 10_000);
    assert_eq!(paid["amount_kobo"], 10_000);
    assert_eq!(paid["mode"], "test");
    let kinds: Vec<Value> = h
        .events(None)
        .await
        .iter()
        .map(|e| e["event"].clone())
        .collect();
    assert_eq!(
        kinds,
        [
            "customer.created",
            "inflow.received",
            "one_time_account.partially_paid",
            "inflow.received",
            "one_time_account.paid"
        ]
    );
    h.finish(&[]).await;
}

#[tokio::test]
async fn one_time_account_expired_by_the_sweep() {
    let h = Hooked::start().await;
    let code = h.app.create_customer("EV-EXP").await["code"]
        .as_str()
        .unwrap()
        .to_string();
    let a = new_ota(&h.app, &code, 10_000).await;
    let number = a["account_number"].as_str().unwrap().to_string();
    let pool = raw_pool(&h.app).await;
    set_expiry(&pool, &number, LONG_AGO).await;
    h.app
        .store
        .expire_one_time_accounts(Utc::now())
        .await
        .unwrap();
    let d = data_of(&h, "one_time_account.expired").await;
    assert_eq!(d["account_number"], number.as_str());
    assert_eq!(d["status"], "EXPIRED");
    assert_eq!(d["amount_paid_kobo"], 0);
    assert_customer_ref(&d["customer"], &code, "EV-EXP");
    // Sweeping again adds nothing.
    h.app
        .store
        .expire_one_time_accounts(Utc::now())
        .await
        .unwrap();
    h.event("one_time_account.expired").await;
    pool.close().await;
    h.finish(&[]).await;
}

#[tokio::test]
async fn changes_that_do_not_commit_leave_no_event() {
    let h = Hooked::start().await;
    let (code, account) = test_customer_with_account(&h.app, "EV-NONE").await;
    h.rx.wait_for(2).await;
    // A duplicate customer, a replayed inflow and an account for an inactive
    // customer are refused or deduplicated: no event for any of them.
    let dup = h
        .app
        .post(
            "/api/v1/customers",
            &crate::helpers::customer_body("EV-NONE"),
        )
        .await;
    assert!(dup.status.is_client_error(), "{}", dup.body);
    let body = sandbox_body(&session(61), &account, 5_000);
    assert_eq!(sandbox(&h.app, &body).await.status, 201);
    let again = sandbox(&h.app, &body).await;
    assert!(
        again.status.is_success(),
        "a replay is answered: {}",
        again.body
    );
    deactivate(&h.app, &code).await;
    let path = customer_path(&code, "virtual-accounts");
    let refused = h.app.post(&path, &json!({})).await;
    assert!(refused.status.is_client_error(), "{}", refused.body);
    h.rx.wait_for(4).await;
    let kinds: Vec<Value> = h
        .events(None)
        .await
        .iter()
        .map(|e| e["event"].clone())
        .collect();
    assert_eq!(
        kinds,
        [
            "customer.created",
            "virtual_account.created",
            "inflow.received",
            "customer.updated"
        ]
    );
    h.rx.assert_stays_at(4, std::time::Duration::from_millis(200))
        .await;
    h.finish(&[]).await;
}
