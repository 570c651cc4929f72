//! Money: integer kobo inside, naira with exactly two decimals on the wire.
//!
//! Nothing here ever goes through a float to produce an amount: naira text is
//! built from integers, and JSON numbers given as naira are read back through
//! their shortest round-trip decimal text, then parsed digit by digit.

use serde::ser::Error as _;
use serde_json::Value;

/// An amount of money in kobo (1/100 naira). Integer only; all arithmetic checked.
#[derive(
    Clone,
    Copy,
    Debug,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Default,
    serde::Serialize,
    serde::Deserialize,
)]
#[serde(transparent)]
pub struct Kobo(pub i64);

impl Kobo {
    /// Zero kobo.
    pub const ZERO: Kobo = Kobo(0);

    /// `self + other`, or `None` on overflow.
    pub fn checked_add(self, other: Kobo) -> Option<Kobo> {
        self.0.checked_add(other.0).map(Kobo)
    }

    /// `self - other`, or `None` on overflow.
    pub fn checked_sub(self, other: Kobo) -> Option<Kobo> {
        self.0.checked_sub(other.0).map(Kobo)
    }

    /// `-self`, or `None` for `i64::MIN`.
    pub fn checked_neg(self) -> Option<Kobo> {
        self.0.checked_neg().map(Kobo)
    }

    /// True when strictly greater than zero.
    pub fn is_positive(self) -> bool {
        self.0 > 0
    }

    /// "1234.50", "0.05", "-12.00": naira with exactly two decimals, built from integers (never floats).
    pub fn to_naira_string(self) -> String {
        let sign = if self.0 < 0 { "-" } else { "" };
        let abs = self.0.unsigned_abs();
        format!("{sign}{}.{:02}", abs / 100, abs % 100)
    }
}

/// Largest amount accepted in a request: 100,000,000,000.00 naira.
pub const MAX_REQUEST_KOBO: i64 = 10_000_000_000_000;

/// Why an amount in a request was refused. Each message is phrased to follow
/// the field name ("The amount must be greater than zero.").
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AmountError {
    /// Not a plain decimal number with at most two decimals (or not a number/string at all).
    #[error("must be a number with at most 2 decimal places")]
    Invalid,
    /// Negative (also used by callers for zero where a positive amount is required).
    #[error("must be greater than zero")]
    NotPositive,
    /// Above [`MAX_REQUEST_KOBO`], for a naira field.
    #[error("must not exceed 100000000000.00 naira")]
    TooLarge,
    /// A kobo field that is not an integer (a float, a string with a dot, other text).
    #[error("must be a whole number of kobo")]
    NotWholeKobo,
    /// Above [`MAX_REQUEST_KOBO`], for a kobo field.
    #[error("must not exceed 10000000000000 kobo")]
    TooLargeKobo,
}

/// Parse an unsigned decimal: `digits ['.' 1-2 digits]`. Returns kobo, or
/// `TooLarge` as soon as the value exceeds the maximum (so long inputs cannot overflow).
fn parse_unsigned_naira(s: &str) -> Result<Kobo, AmountError> {
    let (int_part, frac_part) = match s.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (s, None),
    };
    let all_digits = |t: &str| !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit());
    if !all_digits(int_part) {
        return Err(AmountError::Invalid);
    }
    let frac_kobo = match frac_part {
        None => 0,
        Some(f) if all_digits(f) && f.len() <= 2 => {
            let v: i64 = f.bytes().fold(0, |acc, b| acc * 10 + i64::from(b - b'0'));
            if f.len() == 1 {
                v * 10
            } else {
                v
            }
        }
        Some(_) => return Err(AmountError::Invalid),
    };
    let mut naira: i64 = 0;
    for b in int_part.bytes() {
        naira = naira
            .checked_mul(10)
            .and_then(|n| n.checked_add(i64::from(b - b'0')))
            .filter(|n| *n <= MAX_REQUEST_KOBO / 100)
            .ok_or(AmountError::TooLarge)?;
    }
    let kobo = naira * 100 + frac_kobo;
    if kobo > MAX_REQUEST_KOBO {
        return Err(AmountError::TooLarge);
    }
    Ok(Kobo(kobo))
}

/// Parse a naira amount string: digits, optional '.' and 1-2 decimals. No sign, no exponent, no spaces, no thousands separators. Result in kobo. 0 is allowed here (callers check positivity); > MAX_REQUEST_KOBO is an error.
///
/// A leading '-' in front of an otherwise valid amount gives
/// [`AmountError::NotPositive`]; any other sign is [`AmountError::Invalid`].
pub fn parse_naira_str(s: &str) -> Result<Kobo, AmountError> {
    if let Some(rest) = s.strip_prefix('-') {
        return match parse_unsigned_naira(rest) {
            Ok(_) | Err(AmountError::TooLarge) => Err(AmountError::NotPositive),
            Err(e) => Err(e),
        };
    }
    parse_unsigned_naira(s)
}

/// Parse a JSON value given as naira: a JSON number or a string. For numbers, serde_json gives f64; convert via its shortest round-trip Display text (`format!("{}", f)`) and then parse_naira_str-like rules (reject exponents that can't be expressed, more than 2 decimals, negatives, NaN). Integers (u64/i64) are exact. Negative -> error "must be greater than zero".
///
/// Any other JSON type (null, bool, array, object) is [`AmountError::Invalid`];
/// callers decide beforehand whether null or "" means "not given".
pub fn parse_naira_json(v: &Value) -> Result<Kobo, AmountError> {
    match v {
        Value::String(s) => parse_naira_str(s),
        Value::Number(n) => {
            if let Some(u) = n.as_u64() {
                u.checked_mul(100)
                    .and_then(|k| i64::try_from(k).ok())
                    .filter(|k| *k <= MAX_REQUEST_KOBO)
                    .map(Kobo)
                    .ok_or(AmountError::TooLarge)
            } else if let Some(i) = n.as_i64() {
                // as_u64 failed, so this is negative.
                debug_assert!(i < 0);
                Err(AmountError::NotPositive)
            } else if let Some(f) = n.as_f64() {
                if !f.is_finite() {
                    return Err(AmountError::Invalid);
                }
                if f.is_sign_negative() {
                    return Err(AmountError::NotPositive);
                }
                // Rust's Display for f64 is the shortest text that round-trips and
                // never uses an exponent, so "1.5" stays "1.5" and 1e3 is "1000".
                parse_naira_str(&format!("{f}"))
            } else {
                Err(AmountError::Invalid)
            }
        }
        _ => Err(AmountError::Invalid),
    }
}

/// Parse a JSON value given in kobo: must be a JSON integer (not float, not string-with-dot; a string of digits is accepted too), 0..=MAX_REQUEST_KOBO; negative -> error.
///
/// A string may carry a leading '-' (then [`AmountError::NotPositive`]); no
/// other sign, spaces or separators. Floats, even `100.0`, are refused.
pub fn parse_kobo_json(v: &Value) -> Result<Kobo, AmountError> {
    match v {
        Value::Number(n) => {
            if let Some(u) = n.as_u64() {
                i64::try_from(u)
                    .ok()
                    .filter(|k| *k <= MAX_REQUEST_KOBO)
                    .map(Kobo)
                    .ok_or(AmountError::TooLargeKobo)
            } else if n.as_i64().is_some() {
                Err(AmountError::NotPositive)
            } else {
                Err(AmountError::NotWholeKobo)
            }
        }
        Value::String(s) => {
            let (negative, digits) = match s.strip_prefix('-') {
                Some(rest) => (true, rest),
                None => (false, s.as_str()),
            };
            if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
                return Err(AmountError::NotWholeKobo);
            }
            if negative {
                return Err(AmountError::NotPositive);
            }
            let mut k: i64 = 0;
            for b in digits.bytes() {
                k = k
                    .checked_mul(10)
                    .and_then(|n| n.checked_add(i64::from(b - b'0')))
                    .filter(|n| *n <= MAX_REQUEST_KOBO)
                    .ok_or(AmountError::TooLargeKobo)?;
            }
            Ok(Kobo(k))
        }
        _ => Err(AmountError::NotWholeKobo),
    }
}

/// Serializes as a raw JSON number with two decimals, e.g. 1234.50 (uses serde_json::value::RawValue so the text is exact). Only used with serde_json.
///
/// The two decimals survive only when serialized straight to text
/// (`serde_json::to_string`/`to_vec`/`to_writer`, axum's `Json` of a typed
/// struct). Converting to a `serde_json::Value` first (`json!`, `to_value`)
/// re-reads the number as an f64 and renders `1234.50` as `1234.5`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Naira(pub Kobo);

impl serde::Serialize for Naira {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let raw = serde_json::value::RawValue::from_string(self.0.to_naira_string())
            .map_err(S::Error::custom)?;
        raw.serialize(serializer)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use serde_json::json;

    fn s(x: &str) -> Result<Kobo, AmountError> {
        parse_naira_str(x)
    }

    #[test]
    fn parse_naira_str_accepts() {
        assert_eq!(s("0"), Ok(Kobo(0)));
        assert_eq!(s("0.00"), Ok(Kobo(0)));
        assert_eq!(s("0.05"), Ok(Kobo(5)));
        assert_eq!(s("0.5"), Ok(Kobo(50)));
        assert_eq!(s("1"), Ok(Kobo(100)));
        assert_eq!(s("1.5"), Ok(Kobo(150)));
        assert_eq!(s("1.50"), Ok(Kobo(150)));
        assert_eq!(s("1234.50"), Ok(Kobo(123_450)));
        assert_eq!(s("007.10"), Ok(Kobo(710)));
        assert_eq!(s("100000000000"), Ok(Kobo(MAX_REQUEST_KOBO)));
        assert_eq!(s("100000000000.00"), Ok(Kobo(MAX_REQUEST_KOBO)));
        assert_eq!(s("99999999999.99"), Ok(Kobo(MAX_REQUEST_KOBO - 1)));
    }

    #[test]
    fn parse_naira_str_rejects() {
        for bad in [
            "", " 1", "1 ", "1.505", "1.", ".5", "1e3", "1E3", "+1", "1,000", "1_000", "0x10",
            "1.5.0", "1..5", "abc", "١٢", "NaN", "inf", "1.-5", "--1", "-",
        ] {
            assert_eq!(s(bad), Err(AmountError::Invalid), "{bad:?}");
        }
        assert_eq!(s("-1"), Err(AmountError::NotPositive));
        assert_eq!(s("-0.05"), Err(AmountError::NotPositive));
        assert_eq!(s("-99999999999999999999999"), Err(AmountError::NotPositive));
        assert_eq!(s("100000000000.01"), Err(AmountError::TooLarge));
        assert_eq!(s("100000000001"), Err(AmountError::TooLarge));
        assert_eq!(s("9223372036854775807"), Err(AmountError::TooLarge));
        assert_eq!(
            s("99999999999999999999999999999999999999999"),
            Err(AmountError::TooLarge)
        );
    }

    #[test]
    fn parse_naira_json_cases() {
        let p = |v: Value| parse_naira_json(&v);
        assert_eq!(p(json!(0)), Ok(Kobo(0)));
        assert_eq!(p(json!(1)), Ok(Kobo(100)));
        assert_eq!(p(json!(1.5)), Ok(Kobo(150)));
        assert_eq!(p(json!(0.1)), Ok(Kobo(10)));
        assert_eq!(p(json!(0.05)), Ok(Kobo(5)));
        assert_eq!(p(json!("1.50")), Ok(Kobo(150)));
        assert_eq!(p(json!(100_000_000_000u64)), Ok(Kobo(MAX_REQUEST_KOBO)));
        assert_eq!(p(json!(100_000_000_001u64)), Err(AmountError::TooLarge));
        assert_eq!(p(json!(u64::MAX)), Err(AmountError::TooLarge));
        assert_eq!(p(json!(1e300)), Err(AmountError::TooLarge));
        assert_eq!(p(json!(1e-300)), Err(AmountError::Invalid));
        assert_eq!(p(json!(1.505)), Err(AmountError::Invalid));
        assert_eq!(p(json!(-1)), Err(AmountError::NotPositive));
        assert_eq!(p(json!(-1.5)), Err(AmountError::NotPositive));
        assert_eq!(p(json!(i64::MIN)), Err(AmountError::NotPositive));
        assert_eq!(p(json!("-1")), Err(AmountError::NotPositive));
        assert_eq!(p(json!("1e3")), Err(AmountError::Invalid));
        assert_eq!(p(json!(null)), Err(AmountError::Invalid));
        assert_eq!(p(json!(true)), Err(AmountError::Invalid));
        assert_eq!(p(json!([1])), Err(AmountError::Invalid));
        assert_eq!(p(json!({"a": 1})), Err(AmountError::Invalid));
        // Parsed from JSON text, as a request body would be.
        let from = |t: &str| parse_naira_json(&serde_json::from_str::<Value>(t).unwrap());
        assert_eq!(from("1e3"), Ok(Kobo(100_000)));
        assert_eq!(from("1.5e1"), Ok(Kobo(1500)));
        assert_eq!(from("1234.50"), Ok(Kobo(123_450)));
        assert_eq!(from("1.505"), Err(AmountError::Invalid));
        assert_eq!(from("-0"), Err(AmountError::NotPositive));
        assert_eq!(from("-0.0"), Err(AmountError::NotPositive));
        assert_eq!(from("99999999999.99"), Ok(Kobo(MAX_REQUEST_KOBO - 1)));
    }

    #[test]
    fn parse_kobo_json_cases() {
        let p = |v: Value| parse_kobo_json(&v);
        assert_eq!(p(json!(0)), Ok(Kobo(0)));
        assert_eq!(p(json!(150)), Ok(Kobo(150)));
        assert_eq!(p(json!("150")), Ok(Kobo(150)));
        assert_eq!(p(json!(MAX_REQUEST_KOBO)), Ok(Kobo(MAX_REQUEST_KOBO)));
        assert_eq!(
            p(json!(MAX_REQUEST_KOBO + 1)),
            Err(AmountError::TooLargeKobo)
        );
        assert_eq!(p(json!(u64::MAX)), Err(AmountError::TooLargeKobo));
        assert_eq!(
            p(json!("99999999999999999999999999")),
            Err(AmountError::TooLargeKobo)
        );
        assert_eq!(p(json!(-1)), Err(AmountError::NotPositive));
        assert_eq!(p(json!("-1")), Err(AmountError::NotPositive));
        assert_eq!(p(json!(1.5)), Err(AmountError::NotWholeKobo));
        assert_eq!(p(json!(100.0)), Err(AmountError::NotWholeKobo));
        assert_eq!(p(json!("1.5")), Err(AmountError::NotWholeKobo));
        assert_eq!(p(json!("")), Err(AmountError::NotWholeKobo));
        assert_eq!(p(json!(" 1")), Err(AmountError::NotWholeKobo));
        assert_eq!(p(json!("+1")), Err(AmountError::NotWholeKobo));
        assert_eq!(p(json!(null)), Err(AmountError::NotWholeKobo));
    }

    #[test]
    fn checked_ops_at_extremes() {
        let max = Kobo(i64::MAX);
        let min = Kobo(i64::MIN);
        assert_eq!(max.checked_add(Kobo(1)), None);
        assert_eq!(min.checked_add(Kobo(-1)), None);
        assert_eq!(max.checked_add(min), Some(Kobo(-1)));
        assert_eq!(min.checked_sub(Kobo(1)), None);
        assert_eq!(max.checked_sub(Kobo(-1)), None);
        assert_eq!(Kobo::ZERO.checked_sub(min), None);
        assert_eq!(min.checked_neg(), None);
        assert_eq!(max.checked_neg(), Some(Kobo(-i64::MAX)));
        assert_eq!(Kobo(5).checked_neg(), Some(Kobo(-5)));
        assert!(Kobo(1).is_positive());
        assert!(!Kobo::ZERO.is_positive());
        assert!(!Kobo(-1).is_positive());
        assert_eq!(Kobo::default(), Kobo::ZERO);
    }

    #[test]
    fn naira_strings() {
        assert_eq!(Kobo(0).to_naira_string(), "0.00");
        assert_eq!(Kobo(5).to_naira_string(), "0.05");
        assert_eq!(Kobo(-5).to_naira_string(), "-0.05");
        assert_eq!(Kobo(-1200).to_naira_string(), "-12.00");
        assert_eq!(Kobo(123_450).to_naira_string(), "1234.50");
        assert_eq!(Kobo(i64::MAX).to_naira_string(), "92233720368547758.07");
        assert_eq!(Kobo(i64::MIN).to_naira_string(), "-92233720368547758.08");
    }

    #[test]
    fn naira_serializes_as_exact_number() {
        #[derive(serde::Serialize)]
        struct Balance {
            balance: Naira,
            balance_kobo: Kobo,
        }
        let b = Balance {
            balance: Naira(Kobo(123_450)),
            balance_kobo: Kobo(123_450),
        };
        assert_eq!(
            serde_json::to_string(&b).unwrap(),
            r#"{"balance":1234.50,"balance_kobo":123450}"#
        );
        assert_eq!(
            String::from_utf8(serde_json::to_vec(&b).unwrap()).unwrap(),
            r#"{"balance":1234.50,"balance_kobo":123450}"#
        );
        // The documented trap: going through serde_json::Value (json!, to_value)
        // re-parses the raw text as an f64 and loses the trailing zero.
        let v = json!({ "balance": Naira(Kobo(123_450)) });
        assert_eq!(serde_json::to_string(&v).unwrap(), r#"{"balance":1234.5}"#);
        assert_eq!(serde_json::to_string(&Naira(Kobo(-5))).unwrap(), "-0.05");
        assert_eq!(serde_json::to_string(&Naira(Kobo(0))).unwrap(), "0.00");
        let k: Kobo = serde_json::from_str("42").unwrap();
        assert_eq!(k, Kobo(42));
    }

    #[test]
    fn error_messages() {
        assert_eq!(
            AmountError::Invalid.to_string(),
            "must be a number with at most 2 decimal places"
        );
        assert_eq!(
            AmountError::NotPositive.to_string(),
            "must be greater than zero"
        );
        assert_eq!(
            AmountError::TooLarge.to_string(),
            "must not exceed 100000000000.00 naira"
        );
        assert_eq!(
            AmountError::NotWholeKobo.to_string(),
            "must be a whole number of kobo"
        );
    }

    proptest! {
        #[test]
        fn naira_string_round_trips(k in 0..=MAX_REQUEST_KOBO) {
            let text = Kobo(k).to_naira_string();
            prop_assert_eq!(parse_naira_str(&text), Ok(Kobo(k)));
        }

        #[test]
        fn naira_json_number_round_trips(k in 0..=MAX_REQUEST_KOBO) {
            let text = Kobo(k).to_naira_string();
            let v: Value = serde_json::from_str(&text).unwrap();
            prop_assert_eq!(parse_naira_json(&v), Ok(Kobo(k)));
            prop_assert_eq!(parse_naira_json(&Value::String(text)), Ok(Kobo(k)));
        }

        #[test]
        fn naira_serializes_like_string(k in any::<i64>()) {
            let text = Kobo(k).to_naira_string();
            prop_assert_eq!(serde_json::to_string(&Naira(Kobo(k))).unwrap(), text);
        }

        #[test]
        fn kobo_json_round_trips(k in 0..=MAX_REQUEST_KOBO) {
            prop_assert_eq!(parse_kobo_json(&serde_json::json!(k)), Ok(Kobo(k)));
            prop_assert_eq!(parse_kobo_json(&Value::String(k.to_string())), Ok(Kobo(k)));
        }

        #[test]
        fn checked_add_never_wraps(a in any::<i64>(), b in any::<i64>()) {
            let exact = i128::from(a) + i128::from(b);
            match Kobo(a).checked_add(Kobo(b)) {
                Some(Kobo(r)) => prop_assert_eq!(i128::from(r), exact),
                None => prop_assert!(exact > i128::from(i64::MAX) || exact < i128::from(i64::MIN)),
            }
            let exact_sub = i128::from(a) - i128::from(b);
            match Kobo(a).checked_sub(Kobo(b)) {
                Some(Kobo(r)) => prop_assert_eq!(i128::from(r), exact_sub),
                None => prop_assert!(exact_sub > i128::from(i64::MAX) || exact_sub < i128::from(i64::MIN)),
            }
        }

        #[test]
        fn parsers_never_panic(text in "\\PC{0,40}", f in any::<f64>()) {
            let _ = parse_naira_str(&text);
            let _ = parse_naira_json(&Value::String(text.clone()));
            let _ = parse_kobo_json(&Value::String(text));
            if let Some(n) = serde_json::Number::from_f64(f) {
                let _ = parse_naira_json(&Value::Number(n.clone()));
                let _ = parse_kobo_json(&Value::Number(n));
            }
        }

        #[test]
        fn more_than_two_decimals_rejected(k in 0..MAX_REQUEST_KOBO, d in 1u8..=9) {
            let text = format!("{}{}", Kobo(k).to_naira_string(), d);
            prop_assert_eq!(parse_naira_str(&text), Err(AmountError::Invalid));
            let v: Value = serde_json::from_str(&text).unwrap();
            prop_assert_eq!(parse_naira_json(&v), Err(AmountError::Invalid));
        }
    }
}
