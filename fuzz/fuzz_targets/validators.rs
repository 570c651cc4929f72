//! Every field validator, NUBAN check and key classifier on arbitrary text:
//! no panic, and an accepted value validates again to itself.
#![no_main]

use kobo_core::{keys, nuban, validate};
use libfuzzer_sys::fuzz_target;

type V = fn(&str) -> Result<String, validate::Rule>;

fuzz_target!(|data: &[u8]| {
    let s = String::from_utf8_lossy(data);
    let dob: V = |s| {
        let today = chrono::NaiveDate::from_ymd_opt(2025, 6, 15).unwrap();
        validate::dob(s, today).map(|d| d.format("%Y-%m-%d").to_string())
    };
    let validators: [V; 13] = [
        validate::person_name,
        validate::company_name,
        validate::rc_number,
        validate::email,
        validate::phone,
        validate::bvn,
        validate::nin,
        validate::reference,
        validate::bank_code,
        validate::account_number,
        validate::session_id,
        validate::idempotency_key,
        dob,
    ];
    for v in validators {
        match v(&s) {
            Ok(out) => assert_eq!(v(&out), Ok(out.clone()), "{s:?}"),
            Err(why) => assert!(!why.is_empty()),
        }
    }
    let _ = validate::mask_identity(&s);
    let _ = validate::search_fold(&s);
    let _ = keys::classify(&s);
    let _ = keys::redact(&s);
    // Split the input into an institution code and an account number.
    let (code, account) = s.split_at(s.char_indices().nth(6).map_or(s.len(), |(i, _)| i));
    let _ = nuban::is_valid(code, account);
    if data.len() >= 8 {
        let serial = u64::from_le_bytes(data[..8].try_into().unwrap());
        if let Some(number) = nuban::account_number(code, serial) {
            assert!(nuban::is_valid(code, &number));
        }
    }
});
