//! Hostile input, at volume: every parser and validator of the core meets
//! arbitrary strings (any Unicode, lossy bytes, near-miss alphabets) and
//! arbitrary JSON values. None may panic; every refusal carries a message;
//! every acceptance validates again to itself; generated valid inputs pass.
//! (`CustomerLookup::parse` lives in kobo-store: its properties are in the
//! server's API tests, `security_props.rs`.)

use chrono::NaiveDate;
use proptest::prelude::*;
use serde_json::Value;

use crate::keys::{self, KeyKind};
use crate::money::{parse_kobo_json, parse_naira_json, parse_naira_str, MAX_REQUEST_KOBO};
use crate::validate::{self, Rule};
use crate::{nuban, Kobo, Mode};

const CASES: u32 = 5000;

type V = fn(&str) -> Result<String, Rule>;

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2025, 6, 15).unwrap()
}

fn dob_text(s: &str) -> Result<String, Rule> {
    validate::dob(s, today()).map(|d| d.format("%Y-%m-%d").to_string())
}

const VALIDATORS: [(&str, V); 13] = [
    ("person_name", validate::person_name),
    ("company_name", validate::company_name),
    ("rc_number", validate::rc_number),
    ("email", validate::email),
    ("phone", validate::phone),
    ("bvn", validate::bvn),
    ("nin", validate::nin),
    ("reference", validate::reference),
    ("dob", dob_text),
    ("bank_code", validate::bank_code),
    ("account_number", validate::account_number),
    ("session_id", validate::session_id),
    ("idempotency_key", validate::idempotency_key),
];

/// Strings a hostile client sends: anything, lossy bytes, and near misses
/// built from the characters the validators care about.
fn hostile() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        proptest::collection::vec(any::<u8>(), 0..80)
            .prop_map(|b| String::from_utf8_lossy(&b).into_owned()),
        "[ \t\n\r\0-9a-zA-Z+()@._'&,/;%<>\"\\-\u{0300}\u{0301}\u{1ECC}\u{200B}\u{FEFF}é٣０]{0,60}",
        "(' OR 1=1 --|\"; DROP TABLE customer; --|\u{0}|%00|\\$\\{jndi:x\\}|<script>){1,3}",
        "[0-9]{0,35}",
        "(\\+234|234|0|PRV_|PUB_|DP_DEMO_|DP_|CUS_|RC|rc)[0-9A-Za-z_ -]{0,45}",
    ]
}

fn check_validators(s: &str) -> Result<(), TestCaseError> {
    for (name, v) in VALIDATORS {
        match v(s) {
            Ok(out) => prop_assert_eq!(v(&out), Ok(out.clone()), "{} on {:?}", name, s),
            Err(why) => prop_assert!(!why.trim().is_empty(), "{} on {:?}", name, s),
        }
    }
    let masked = validate::mask_identity(s);
    prop_assert!(masked.starts_with("********"));
    prop_assert!(masked.chars().count() <= 11, "at most 3 characters shown");
    Ok(())
}

/// Arbitrary JSON values, nested a little, with awkward numbers.
fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        any::<f64>().prop_map(|f| serde_json::Number::from_f64(f)
            .map(Value::Number)
            .unwrap_or(Value::Null)),
        hostile().prop_map(Value::String),
        "-?[0-9]{0,25}(\\.[0-9]{0,4})?([eE][+-]?[0-9]{1,3})?".prop_map(Value::String),
    ];
    leaf.prop_recursive(3, 16, 4, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            proptest::collection::btree_map("[a-z_]{0,8}", inner, 0..4)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

fn check_amounts(v: &Value) -> Result<(), TestCaseError> {
    for (name, parsed) in [("naira", parse_naira_json(v)), ("kobo", parse_kobo_json(v))] {
        match parsed {
            Ok(Kobo(k)) => {
                prop_assert!((0..=MAX_REQUEST_KOBO).contains(&k), "{} {:?}", name, v);
                // An accepted amount renders and parses back to itself.
                let text = Kobo(k).to_naira_string();
                prop_assert_eq!(parse_naira_str(&text), Ok(Kobo(k)));
                prop_assert_eq!(parse_kobo_json(&Value::from(k)), Ok(Kobo(k)));
            }
            Err(e) => prop_assert!(!e.to_string().is_empty()),
        }
    }
    Ok(())
}

fn institution() -> impl Strategy<Value = String> {
    "([0-9]{3}|[0-9]{6})"
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(CASES))]

    #[test]
    fn validators_survive_hostile_strings(s in hostile()) {
        check_validators(&s)?;
    }

    #[test]
    fn validators_survive_long_strings(c in "[a-z0-9 .\u{0301}é@]", n in 90usize..300) {
        let s = c.repeat(n);
        check_validators(&s)?;
        check_validators(&format!("{s}@example.com"))?;
    }

    #[test]
    fn dob_survives_any_today(s in "[0-9]{4}-[0-9]{2}-[0-9]{2}|\\PC{0,12}", days in -800_000i64..800_000) {
        let today = NaiveDate::from_ymd_opt(2000, 1, 1).unwrap() + chrono::Duration::days(days);
        if let Ok(d) = validate::dob(&s, today) {
            prop_assert!(d < today);
            prop_assert!(d >= NaiveDate::from_ymd_opt(1900, 1, 1).unwrap());
            prop_assert_eq!(validate::dob(&d.format("%Y-%m-%d").to_string(), today), Ok(d));
        }
    }

    #[test]
    fn generated_valid_inputs_pass(
        name in "[A-Za-zÀ-ÖØ-öø-ÿ\u{1ECC}\u{1ECD}][\u{0300}\u{0301}\u{0323}]{0,2}([ '.\\-][a-zA-Z\u{0400}-\u{044F}]{1,12}){0,4}",
        company in "[A-Za-z0-9][A-Za-z0-9 &'.,()/\\-]{0,60}",
        rc in "(RC|BN|IT|LP|rc|bn)?[ \\-]?[0-9]{1,10}",
        local in "[a-zA-Z0-9!#$%&'*+/=?^_`{|}~\\-]{1,30}",
        domain in "([a-z0-9]([a-z0-9\\-]{0,10}[a-z0-9])?\\.){1,3}[a-zA-Z]{2,8}",
        phone in "(\\+234|234|0)[1-9][0-9]{9}",
        digits in "[0-9]{30}",
        reference in "[A-Za-z._\\-][A-Za-z0-9._\\-]{0,99}",
        key in "[!-~]{1,255}",
    ) {
        let has_alnum = company.chars().any(char::is_alphanumeric);
        let cases: [(&str, V, &str, bool); 12] = [
            ("person_name", validate::person_name, name.as_str(), true),
            ("company_name", validate::company_name, company.as_str(), has_alnum),
            ("rc_number", validate::rc_number, rc.trim_start_matches([' ', '-']), true),
            ("email", validate::email, &format!("{local}@{domain}"), true),
            ("phone", validate::phone, phone.as_str(), true),
            ("bvn", validate::bvn, &digits[..11], true),
            ("nin", validate::nin, &digits[..11], true),
            ("bank_code3", validate::bank_code, &digits[..3], true),
            ("bank_code6", validate::bank_code, &digits[..6], true),
            ("account_number", validate::account_number, &digits[..10], true),
            ("session_id", validate::session_id, digits.as_str(), true),
            ("idempotency_key", validate::idempotency_key, key.as_str(), true),
        ];
        for (what, v, input, expect_ok) in cases {
            let out = v(input);
            if expect_ok {
                prop_assert!(out.is_ok(), "{} refused {:?}: {:?}", what, input, out);
                let out = out.unwrap();
                prop_assert_eq!(v(&out), Ok(out.clone()));
            }
        }
        if !reference.to_ascii_uppercase().starts_with("CUS_") {
            prop_assert_eq!(validate::reference(&reference), Ok(reference.clone()));
        }
    }

    #[test]
    fn naira_strings_never_panic(s in hostile()) {
        match parse_naira_str(&s) {
            Ok(k) => {
                prop_assert!((0..=MAX_REQUEST_KOBO).contains(&k.0));
                prop_assert_eq!(parse_naira_str(&k.to_naira_string()), Ok(k));
            }
            Err(e) => prop_assert!(!e.to_string().is_empty()),
        }
        check_amounts(&Value::String(s))?;
    }

    #[test]
    fn naira_shaped_strings(s in "-?[0-9]{0,20}(\\.[0-9]{0,3})?") {
        if let Ok(k) = parse_naira_str(&s) {
            let (int, frac) = s.split_once('.').unwrap_or((&s, ""));
            prop_assert!(!s.starts_with('-') && !int.is_empty() && frac.len() <= 2);
            let expect = int.parse::<i128>().unwrap() * 100
                + format!("{frac:0<2}").parse::<i128>().unwrap();
            prop_assert_eq!(i128::from(k.0), expect);
        }
    }

    #[test]
    fn amount_json_values_never_panic(v in json_value()) {
        check_amounts(&v)?;
    }

    #[test]
    fn amount_json_text_never_panics(t in "-?[0-9]{1,400}(\\.[0-9]{1,30})?([eE][+-]?[0-9]{1,4})?") {
        // Huge and tiny numbers (1e400 and the like) as a request body carries them.
        if let Ok(v) = serde_json::from_str::<Value>(&t) {
            check_amounts(&v)?;
        }
    }

    #[test]
    fn nuban_never_panics(code in hostile(), acct in hostile(), serial in any::<u64>()) {
        let _ = nuban::is_valid(&code, &acct);
        if let Some(d) = nuban::check_digit(&code, serial) {
            prop_assert!(d <= 9);
            let number = nuban::account_number(&code, serial).unwrap();
            prop_assert!(nuban::is_valid(&code, &number));
        }
    }

    #[test]
    fn nuban_exactly_one_check_digit(code in institution(), serial in "[0-9]{9}") {
        let valid: Vec<u8> = (0..=9u8)
            .filter(|d| nuban::is_valid(&code, &format!("{serial}{d}")))
            .collect();
        prop_assert_eq!(valid.len(), 1);
        let check = nuban::check_digit(&code, serial.parse().unwrap()).unwrap();
        prop_assert_eq!(valid[0], check);
    }

    #[test]
    fn keys_classify_and_redact_never_panic(s in hostile()) {
        match keys::classify(&s) {
            Some((KeyKind::Private, mode)) => {
                prop_assert!(s.starts_with("PRV_DP_"));
                prop_assert_eq!(mode == Mode::Test, s.starts_with("PRV_DP_DEMO_"));
            }
            Some((KeyKind::Public, mode)) => {
                prop_assert!(s.starts_with("PUB_DP_"));
                prop_assert_eq!(mode == Mode::Test, s.starts_with("PUB_DP_DEMO_"));
            }
            None => prop_assert!(!s.starts_with("PRV_DP_") && !s.starts_with("PUB_DP_")),
        }
        let h = keys::hash(&s);
        prop_assert!(h.len() == 64 && h.bytes().all(|b| b.is_ascii_hexdigit()));
        let _ = keys::redact(&s);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(500))]

    #[test]
    fn generated_keys_classify_and_redact(live in any::<bool>()) {
        let mode = if live { Mode::Live } else { Mode::Test };
        let pair = keys::generate_pair(mode);
        prop_assert_eq!(keys::classify(&pair.private_key), Some((KeyKind::Private, mode)));
        prop_assert_eq!(keys::classify(&pair.public_key), Some((KeyKind::Public, mode)));
        let hint = keys::redact(&pair.private_key);
        prop_assert!(hint.ends_with(&pair.private_key[pair.private_key.len() - 4..]));
        prop_assert!(!hint.contains(&pair.private_key[12..36]), "the secret part is hidden");
    }
}
