//! Naira and kobo amounts, as text and as any JSON value a body can carry:
//! no panic, and an accepted amount is in range and round-trips.
#![no_main]

use kobo_core::money::{parse_kobo_json, parse_naira_json, parse_naira_str, MAX_REQUEST_KOBO};
use kobo_core::Kobo;
use libfuzzer_sys::fuzz_target;
use serde_json::Value;

fn check(result: Result<Kobo, kobo_core::money::AmountError>) {
    match result {
        Ok(k) => {
            assert!((0..=MAX_REQUEST_KOBO).contains(&k.0));
            assert_eq!(parse_naira_str(&k.to_naira_string()), Ok(k));
        }
        Err(e) => assert!(!e.to_string().is_empty()),
    }
}

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    check(parse_naira_str(&text));
    check(parse_naira_json(&Value::String(text.to_string())));
    check(parse_kobo_json(&Value::String(text.to_string())));
    if let Ok(v) = serde_json::from_slice::<Value>(data) {
        check(parse_naira_json(&v));
        check(parse_kobo_json(&v));
    }
});
