//! A statement longer than two 500-row chunks streams every row, in order,
//! with the right closing balance, in JSON and CSV.

use chrono::{Duration, Utc};
use kobo_core::Kobo;
use kobo_store::{Door, InflowRequest};

use crate::helpers::spawn_app;
use crate::money_helpers::*;
use crate::ota_helpers::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_long_statement_streams_every_row_in_order() {
    const ROWS: usize = 1_200;
    let app = spawn_app().await;
    let day = lagos_today();
    let (code, account) = test_customer_with_account(&app, "st-long").await;
    let door = Door::Sandbox {
        business_id: app.business_id,
    };
    let mut expected = 0;
    for chunk in 0..4 {
        let batch: Vec<InflowRequest> = (0..ROWS / 4)
            .map(|k| {
                let n = chunk * ROWS / 4 + k;
                expected += 100 + n as i64;
                InflowRequest {
                    door,
                    session_id: session(n as u64 + 1),
                    account_number: account.clone(),
                    amount: Kobo(100 + n as i64),
                    sender_name: None,
                    sender_account_number: None,
                    sender_bank_code: None,
                    narration: None,
                    paid_at: Utc::now(),
                }
            })
            .collect();
        for result in app.store.post_inflows(batch).await.unwrap() {
            result.unwrap();
        }
    }
    if lagos_today() != day {
        return eprintln!("Lagos midnight passed while posting; nothing to check");
    }
    assert_eq!(balance_kobo(&app, &app.test_key, &code).await, expected);
    let q = range(day - Duration::days(1), day);
    let body = statement_json(&app, &code, &q).await;
    assert_eq!(statement_totals(&body), (0, expected, expected));
    let rows = body["data"]["movements"].as_array().unwrap();
    assert_eq!(rows.len(), ROWS);
    for (n, row) in rows.iter().enumerate() {
        assert_eq!(row["amount_kobo"], 100 + n as i64);
        assert_eq!(row["meta"]["sessionId"], session(n as u64 + 1).as_str());
    }
    assert!(rows
        .windows(2)
        .all(|w| w[0]["id"].as_i64() < w[1]["id"].as_i64()));
    let text = statement_csv(&app, &code, &q).await;
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), ROWS + 3);
    for (n, line) in lines[2..ROWS + 2].iter().enumerate() {
        assert_eq!(csv_fields(line)[4], (100 + n).to_string(), "{line}");
    }
    assert_eq!(
        lines[ROWS + 2],
        format!(",{day},closing_balance,,,,,,{expected},,,,,")
    );
    // Streamed: sent in chunks, with no length known up front.
    let url = format!("{}{}?{q}", app.base, customer_path(&code, "statement"));
    let resp = app
        .client
        .get(url)
        .header("DPPRIVATEKEY", &app.test_key)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status().as_u16(), 200);
    assert_eq!(resp.content_length(), None);
    assert_eq!(resp.headers()["transfer-encoding"], "chunked");
    verified(&app).await;
}
