//! Field validators. Each returns the normalized value or a [`Rule`]: a message
//! phrased to follow the field name, so the server can render
//! "The {field} {message}." (e.g. "The email must be a valid email address.").
//!
//! Surrounding whitespace is trimmed by every validator except [`reference`]
//! and [`idempotency_key`], which refuse it. Validating a returned value again
//! always gives the same value back.

use chrono::NaiveDate;
use unicode_normalization::char::is_combining_mark;
use unicode_normalization::UnicodeNormalization;

/// A validation rule message, phrased to follow the field name.
pub type Rule = &'static str;

const EMPTY: Rule = "must not be empty";

/// Trim, collapse internal whitespace runs to one space, then NFC.
fn normalize_text(s: &str) -> String {
    let collapsed = s.split_whitespace().collect::<Vec<_>>().join(" ");
    collapsed.nfc().collect()
}

/// Checks that every char is a base (per `is_base`), a combining mark following
/// a base (possibly after other marks), or one of `punct`. Returns whether
/// at least one base was seen, or `None` when a char is not allowed.
fn scan_marked(s: &str, is_base: fn(char) -> bool, punct: &[char]) -> Option<bool> {
    let mut after_base = false;
    let mut any_base = false;
    for c in s.chars() {
        if is_combining_mark(c) {
            if !after_base {
                return None;
            }
        } else if is_base(c) {
            after_base = true;
            any_base = true;
        } else if c == ' ' || punct.contains(&c) {
            after_base = false;
        } else {
            return None;
        }
    }
    Some(any_base)
}

/// Unicode NFC, trimmed; 1-100 chars (count chars after trim+NFC); letters of any script (char::is_alphabetic) each possibly followed by combining marks (unicode_normalization::char::is_combining_mark), spaces, '\'' , '-', '.'. Must contain at least one letter. Yoruba "Ọ̀làjídé" and "Adébáyọ̀" must pass; "John3", "<script>", "Robert'); DROP" must fail. Internal runs of whitespace may be collapsed to one space.
///
/// Internal runs of any Unicode whitespace are collapsed to a single ' '.
pub fn person_name(s: &str) -> Result<String, Rule> {
    let n = normalize_text(s);
    if n.is_empty() {
        return Err(EMPTY);
    }
    if n.chars().count() > 100 {
        return Err("must be at most 100 characters");
    }
    match scan_marked(&n, char::is_alphabetic, &['\'', '-', '.']) {
        None => Err("may contain only letters, spaces, apostrophes, hyphens and periods"),
        Some(false) => Err("must contain at least one letter"),
        Some(true) => Ok(n),
    }
}

/// Company names: NFC, trimmed, 1-150 chars, letters/digits of any script, spaces and & ' - . , ( ) /; at least one letter or digit.
///
/// Combining marks are allowed after a letter or digit; internal whitespace
/// runs are collapsed to a single ' '.
pub fn company_name(s: &str) -> Result<String, Rule> {
    let n = normalize_text(s);
    if n.is_empty() {
        return Err(EMPTY);
    }
    if n.chars().count() > 150 {
        return Err("must be at most 150 characters");
    }
    match scan_marked(
        &n,
        char::is_alphanumeric,
        &['&', '\'', '-', '.', ',', '(', ')', '/'],
    ) {
        None => Err("may contain only letters, digits, spaces and & ' - . , ( ) /"),
        Some(false) => Err("must contain at least one letter or digit"),
        Some(true) => Ok(n),
    }
}

/// CAC registration numbers: optional prefix RC, BN, IT or LP (case-insensitive, returned uppercase, optional space or hyphen after prefix removed), then 1-10 digits. Returns e.g. "RC123456"; bare digits are returned as digits.
pub fn rc_number(s: &str) -> Result<String, Rule> {
    const RULE: Rule = "must be a CAC registration number such as RC123456";
    let t = s.trim();
    if t.is_empty() {
        return Err(EMPTY);
    }
    let (prefix, rest) = match t.get(..2).map(str::to_ascii_uppercase) {
        Some(p) if ["RC", "BN", "IT", "LP"].contains(&p.as_str()) => {
            let rest = &t[2..];
            let rest = rest
                .strip_prefix(' ')
                .or_else(|| rest.strip_prefix('-'))
                .unwrap_or(rest);
            (p, rest)
        }
        _ => (String::new(), t),
    };
    if rest.is_empty() || rest.len() > 10 || !rest.bytes().all(|b| b.is_ascii_digit()) {
        return Err(RULE);
    }
    Ok(format!("{prefix}{rest}"))
}

fn is_local_char(c: u8) -> bool {
    c.is_ascii_alphanumeric() || b"!#$%&'*+/=?^_`{|}~.-".contains(&c)
}

fn is_domain_label(l: &str) -> bool {
    !l.is_empty()
        && l.len() <= 63
        && !l.starts_with('-')
        && !l.ends_with('-')
        && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
}

/// Email syntax only (no DNS): trimmed, ≤ 254 chars, exactly one '@', local part 1-64 chars of ASCII letters/digits and !#$%&'*+/=?^_`{|}~.- with no leading/trailing/double dot; domain: ≥2 labels separated by '.', each 1-63 chars of ASCII letters/digits/'-' not starting or ending with '-', last label ≥2 letters. Returns the trimmed email with the domain lowercased (local part kept as given).
pub fn email(s: &str) -> Result<String, Rule> {
    const RULE: Rule = "must be a valid email address";
    let t = s.trim();
    if t.is_empty() {
        return Err(EMPTY);
    }
    if t.chars().count() > 254 {
        return Err("must be at most 254 characters");
    }
    let (local, domain) = t.split_once('@').ok_or(RULE)?;
    if domain.contains('@') {
        return Err(RULE);
    }
    let local_ok = !local.is_empty()
        && local.len() <= 64
        && local.bytes().all(is_local_char)
        && !local.starts_with('.')
        && !local.ends_with('.')
        && !local.contains("..");
    if !local_ok {
        return Err(RULE);
    }
    let labels: Vec<&str> = domain.split('.').collect();
    let last = labels[labels.len() - 1];
    let domain_ok = labels.len() >= 2
        && labels.iter().all(|l| is_domain_label(l))
        && last.len() >= 2
        && last.bytes().all(|b| b.is_ascii_alphabetic());
    if !domain_ok {
        return Err(RULE);
    }
    Ok(format!("{local}@{}", domain.to_ascii_lowercase()))
}

/// Nigerian phone: ignore spaces, dashes and parentheses; accept "+234" + 10 digits, "234" + 10 digits, "0" + 10 digits; the 10 national digits must not start with 0. Returns E.164 "+234XXXXXXXXXX".
///
/// "Spaces" means any Unicode whitespace; "dashes" means ASCII '-'.
pub fn phone(s: &str) -> Result<String, Rule> {
    const RULE: Rule = "must be a Nigerian phone number such as +2348031234567 or 08031234567";
    let cleaned: String = s
        .chars()
        .filter(|c| !(c.is_whitespace() || matches!(c, '-' | '(' | ')')))
        .collect();
    if cleaned.is_empty() {
        return Err(EMPTY);
    }
    let national = if let Some(r) = cleaned.strip_prefix("+234") {
        r
    } else if let Some(r) = cleaned.strip_prefix("234").filter(|r| r.len() == 10) {
        r
    } else if let Some(r) = cleaned.strip_prefix('0') {
        r
    } else {
        return Err(RULE);
    };
    if national.len() != 10
        || !national.bytes().all(|b| b.is_ascii_digit())
        || national.starts_with('0')
    {
        return Err(RULE);
    }
    Ok(format!("+234{national}"))
}

/// Trimmed `s` when it is exactly `n` ASCII digits.
fn digits_exact(s: &str, n: usize, rule: Rule) -> Result<String, Rule> {
    let t = s.trim();
    if t.is_empty() {
        return Err(EMPTY);
    }
    if t.len() == n && t.bytes().all(|b| b.is_ascii_digit()) {
        Ok(t.to_owned())
    } else {
        Err(rule)
    }
}

/// BVN / NIN: exactly 11 ASCII digits (after trimming). Returns the digits.
pub fn bvn(s: &str) -> Result<String, Rule> {
    digits_exact(s, 11, "must be exactly 11 digits")
}

/// NIN: exactly 11 ASCII digits (after trimming). Returns the digits.
pub fn nin(s: &str) -> Result<String, Rule> {
    digits_exact(s, 11, "must be exactly 11 digits")
}

/// "********901": 8 stars then the last 3 digits.
///
/// Inputs of 3 characters or fewer are never revealed: they give "********".
pub fn mask_identity(digits: &str) -> String {
    let chars: Vec<char> = digits.chars().collect();
    let mut out = String::from("********");
    if chars.len() > 3 {
        out.extend(&chars[chars.len() - 3..]);
    }
    out
}

/// Merchant reference: 1-100 of ASCII letters, digits, '-', '_', '.'; refused when made only of digits or starting with "CUS_" (case-insensitive), since those would collide with id/code lookups. Returned as given (trimmed? no: reject surrounding whitespace as invalid chars).
pub fn reference(s: &str) -> Result<String, Rule> {
    if s.is_empty() {
        return Err(EMPTY);
    }
    if !s
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
    {
        return Err("may contain only letters, digits, hyphens, underscores and periods");
    }
    if s.len() > 100 {
        return Err("must be at most 100 characters");
    }
    if s.bytes().all(|b| b.is_ascii_digit()) {
        return Err("must not be made only of digits");
    }
    if s.get(..4).is_some_and(|p| p.eq_ignore_ascii_case("CUS_")) {
        return Err("must not start with CUS_");
    }
    Ok(s.to_owned())
}

/// Date of birth "YYYY-MM-DD": a real calendar date strictly before `today` and not before 1900-01-01.
///
/// Exactly that shape (4-2-2 ASCII digits), after trimming.
pub fn dob(s: &str, today: NaiveDate) -> Result<NaiveDate, Rule> {
    const RULE: Rule = "must be a real date in the format YYYY-MM-DD";
    let t = s.trim();
    if t.is_empty() {
        return Err(EMPTY);
    }
    let b = t.as_bytes();
    let shape_ok = b.len() == 10
        && b.iter().enumerate().all(|(i, c)| match i {
            4 | 7 => *c == b'-',
            _ => c.is_ascii_digit(),
        });
    if !shape_ok {
        return Err(RULE);
    }
    let num = |r: std::ops::Range<usize>| -> u32 {
        b[r].iter().fold(0, |acc, c| acc * 10 + u32::from(c - b'0'))
    };
    let year = i32::try_from(num(0..4)).map_err(|_| RULE)?;
    let date = NaiveDate::from_ymd_opt(year, num(5..7), num(8..10)).ok_or(RULE)?;
    if year < 1900 {
        return Err("must not be before 1900-01-01");
    }
    if date >= today {
        return Err("must be a date in the past");
    }
    Ok(date)
}

/// Bank code: 3 or 6 ASCII digits.
pub fn bank_code(s: &str) -> Result<String, Rule> {
    const RULE: Rule = "must be 3 or 6 digits";
    let t = s.trim();
    if t.is_empty() {
        return Err(EMPTY);
    }
    if (t.len() == 3 || t.len() == 6) && t.bytes().all(|b| b.is_ascii_digit()) {
        Ok(t.to_owned())
    } else {
        Err(RULE)
    }
}

/// NUBAN account number shape: exactly 10 ASCII digits.
pub fn account_number(s: &str) -> Result<String, Rule> {
    digits_exact(s, 10, "must be exactly 10 digits")
}

/// NIP session id: exactly 30 ASCII digits.
pub fn session_id(s: &str) -> Result<String, Rule> {
    digits_exact(s, 30, "must be exactly 30 digits")
}

/// Idempotency-Key header value: 1-255 visible ASCII chars (0x21..=0x7E).
pub fn idempotency_key(s: &str) -> Result<String, Rule> {
    if s.is_empty() {
        return Err(EMPTY);
    }
    if s.len() <= 255 && s.bytes().all(|b| (0x21..=0x7E).contains(&b)) {
        Ok(s.to_owned())
    } else {
        Err("must be 1 to 255 visible ASCII characters")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2025, 6, 15).unwrap()
    }

    #[test]
    fn person_names() {
        for ok in [
            "Ọ̀làjídé",
            "Adébáyọ̀",
            "John",
            "O'Brien",
            "Mary-Jane",
            "Jr.",
            "Chukwuemeka Ngozi",
            "Åsa",
            "张伟",
            "محمد",
            "Ngozi\u{0301}",
        ] {
            assert!(person_name(ok).is_ok(), "{ok:?}");
        }
        assert_eq!(person_name("  Ada   Obi \t"), Ok("Ada Obi".to_owned()));
        // Decomposed input is returned in NFC.
        assert_eq!(person_name("Ade\u{0301}"), Ok("Adé".to_owned()));
        // Yoruba stays letter + combining grave (no precomposed form exists).
        assert_eq!(person_name("Ọ̀la"), Ok("\u{1ECC}\u{0300}la".to_owned()));
        assert_eq!(
            person_name("John3"),
            Err("may contain only letters, spaces, apostrophes, hyphens and periods")
        );
        for bad in ["<script>", "Robert'); DROP", "a_b", "a@b", "a\u{0}b", "😀"] {
            assert!(person_name(bad).is_err(), "{bad:?}");
        }
        // A combining mark must follow a letter.
        assert!(person_name("\u{0301}a").is_err());
        assert!(person_name("a \u{0301}").is_err());
        assert!(person_name("a-\u{0301}").is_err());
        assert_eq!(person_name(""), Err("must not be empty"));
        assert_eq!(person_name("   "), Err("must not be empty"));
        assert_eq!(person_name("-'."), Err("must contain at least one letter"));
        assert!(person_name(&"a".repeat(100)).is_ok());
        assert_eq!(
            person_name(&"a".repeat(101)),
            Err("must be at most 100 characters")
        );
        // Counted after NFC: 100 decomposed é are 100 chars.
        assert!(person_name(&"e\u{0301}".repeat(100)).is_ok());
    }

    #[test]
    fn company_names() {
        for ok in [
            "Dotapay Ltd.",
            "A & B (Nig.) Ltd",
            "7Up Bottling Co., Plc",
            "Ọ̀làjídé/Sons",
            "O'Neil-Ventures",
            "123",
        ] {
            assert!(company_name(ok).is_ok(), "{ok:?}");
        }
        assert_eq!(company_name(" Acme   Ltd "), Ok("Acme Ltd".to_owned()));
        for bad in ["<b>", "a; b", "a_b", "x@y", "50%", "\u{0301}x"] {
            assert!(company_name(bad).is_err(), "{bad:?}");
        }
        assert_eq!(
            company_name("&()"),
            Err("must contain at least one letter or digit")
        );
        assert_eq!(company_name(""), Err("must not be empty"));
        assert!(company_name(&"a".repeat(150)).is_ok());
        assert!(company_name(&"a".repeat(151)).is_err());
    }

    #[test]
    fn rc_numbers() {
        let ok = |i: &str, o: &str| assert_eq!(rc_number(i), Ok(o.to_owned()), "{i:?}");
        ok("RC123456", "RC123456");
        ok("rc123456", "RC123456");
        ok("Rc 123456", "RC123456");
        ok("RC-123456", "RC123456");
        ok("bn1", "BN1");
        ok("IT 0012", "IT0012");
        ok("lp-9999999999", "LP9999999999");
        ok("123456", "123456");
        ok("  RC 1 ", "RC1");
        for bad in [
            "",
            "RC",
            "RC ",
            "RC-",
            "RC  123",
            "RC--1",
            "XX123",
            "RC12345678901",
            "12345678901",
            "RC12a",
            "R C1",
            "RC+1",
            "ĳ123",
            "١٢٣",
        ] {
            assert!(rc_number(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn emails() {
        let ok = |i: &str, o: &str| assert_eq!(email(i), Ok(o.to_owned()), "{i:?}");
        ok("ada@example.com", "ada@example.com");
        ok("  Ada.Obi@Example.COM ", "Ada.Obi@example.com");
        ok("a+tag@sub.example.ng", "a+tag@sub.example.ng");
        ok("o'brien@x-y.co", "o'brien@x-y.co");
        ok("!#$%&'*+/=?^_`{|}~-@a.io", "!#$%&'*+/=?^_`{|}~-@a.io");
        ok(
            &format!("{}@a.io", "a".repeat(64)),
            &format!("{}@a.io", "a".repeat(64)),
        );
        for bad in [
            "",
            "ada",
            "ada@",
            "@example.com",
            "a@b@example.com",
            ".a@example.com",
            "a.@example.com",
            "a..b@example.com",
            "a@example",
            "a@example.c",
            "a@example.c0m",
            "a@-example.com",
            "a@example-.com",
            "a@example..com",
            "a@.example.com",
            "a@example.com.",
            "a b@example.com",
            "a@exa mple.com",
            "ádá@example.com",
            "a@exämple.com",
            "a\"b@example.com",
            "a@example.com\0",
        ] {
            assert!(email(bad).is_err(), "{bad:?}");
        }
        assert!(email(&format!("{}@a.io", "a".repeat(65))).is_err());
        let long_label = "a".repeat(64);
        assert!(email(&format!("a@{long_label}.io")).is_err());
        // 254 total is fine, 255 is not.
        let domain = format!(
            "{}.{}.{}.io",
            "b".repeat(63),
            "c".repeat(63),
            "d".repeat(58)
        );
        let e254 = format!("{}@{domain}", "a".repeat(64));
        assert_eq!(e254.len(), 254);
        assert!(email(&e254).is_ok());
        let e255 = format!("{}@{domain}x", "a".repeat(64));
        assert_eq!(email(&e255), Err("must be at most 254 characters"));
    }

    #[test]
    fn phones() {
        let ok = |i: &str| assert_eq!(phone(i), Ok("+2348031234567".to_owned()), "{i:?}");
        ok("+2348031234567");
        ok("2348031234567");
        ok("08031234567");
        ok("0803 123 4567");
        ok("0803-123-4567");
        ok("(0803) 123-4567");
        ok("+234 (803) 123 4567");
        ok(" +234-803-123-4567 ");
        for bad in [
            "",
            "8031234567",
            "+23408031234567",
            "2340803123456",
            "0803123456",
            "080312345678",
            "+234803123456",
            "+2348031234567 8",
            "00803123456",
            "+44 7911 123456",
            "0803.123.4567",
            "+2348031234a67",
            "++2348031234567",
            "０8031234567",
        ] {
            assert!(phone(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn identities() {
        assert_eq!(bvn("22212345901"), Ok("22212345901".to_owned()));
        assert_eq!(bvn(" 22212345901 "), Ok("22212345901".to_owned()));
        assert_eq!(nin("12345678901"), Ok("12345678901".to_owned()));
        for bad in [
            "",
            "1234567890",
            "123456789012",
            "1234567890a",
            "1234 567890",
            "١٢٣٤٥٦٧٨٩٠١",
        ] {
            assert!(bvn(bad).is_err(), "{bad:?}");
            assert!(nin(bad).is_err(), "{bad:?}");
        }
        assert_eq!(bvn("123"), Err("must be exactly 11 digits"));
        assert_eq!(mask_identity("22212345901"), "********901");
        assert_eq!(mask_identity("1234"), "********234");
        assert_eq!(mask_identity("123"), "********");
        assert_eq!(mask_identity(""), "********");
        assert_eq!(mask_identity("ééééé"), "********ééé");
    }

    #[test]
    fn references() {
        for ok in [
            "ref-1",
            "a",
            "CUS",
            "CUSTOMER_1",
            "cus-1",
            "1.2",
            "1e3",
            "_1",
            &"a".repeat(100),
        ] {
            assert_eq!(reference(ok), Ok(ok.to_owned()), "{ok:?}");
        }
        assert_eq!(reference(""), Err("must not be empty"));
        assert_eq!(reference("12345"), Err("must not be made only of digits"));
        assert_eq!(reference("CUS_abc"), Err("must not start with CUS_"));
        assert_eq!(reference("cus_abc"), Err("must not start with CUS_"));
        assert_eq!(reference("Cus_"), Err("must not start with CUS_"));
        assert_eq!(
            reference(&"a".repeat(101)),
            Err("must be at most 100 characters")
        );
        for bad in [" ref", "ref ", "a b", "a/b", "ref#1", "réf", "a\n"] {
            assert_eq!(
                reference(bad),
                Err("may contain only letters, digits, hyphens, underscores and periods"),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn dates_of_birth() {
        let d = |y, m, dd| NaiveDate::from_ymd_opt(y, m, dd).unwrap();
        assert_eq!(dob("1990-05-17", today()), Ok(d(1990, 5, 17)));
        assert_eq!(dob(" 1990-05-17 ", today()), Ok(d(1990, 5, 17)));
        assert_eq!(dob("1900-01-01", today()), Ok(d(1900, 1, 1)));
        assert_eq!(dob("2000-02-29", today()), Ok(d(2000, 2, 29)));
        assert_eq!(dob("2025-06-14", today()), Ok(d(2025, 6, 14)));
        assert_eq!(
            dob("2025-06-15", today()),
            Err("must be a date in the past")
        );
        assert_eq!(
            dob("2030-01-01", today()),
            Err("must be a date in the past")
        );
        assert_eq!(
            dob("1899-12-31", today()),
            Err("must not be before 1900-01-01")
        );
        for bad in [
            "",
            "1990-5-17",
            "1990-05-1",
            "90-05-17",
            "1990/05/17",
            "17-05-1990",
            "1990-02-30",
            "1900-02-29",
            "1990-13-01",
            "1990-00-10",
            "1990-01-00",
            "+1990-05-17",
            "19900517",
            "1990-05-17T00:00:00",
            "１990-05-17",
        ] {
            assert!(dob(bad, today()).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn shapes() {
        assert_eq!(bank_code("058"), Ok("058".to_owned()));
        assert_eq!(bank_code("090267"), Ok("090267".to_owned()));
        for bad in ["", "58", "0580", "05800", "0580000", "05a", " 0 58"] {
            assert!(bank_code(bad).is_err(), "{bad:?}");
        }
        assert_eq!(account_number("0123456785"), Ok("0123456785".to_owned()));
        for bad in ["", "012345678", "01234567855", "012345678x"] {
            assert!(account_number(bad).is_err(), "{bad:?}");
        }
        let sid = "0".repeat(29) + "1";
        assert_eq!(session_id(&sid), Ok(sid.clone()));
        assert!(session_id(&"1".repeat(29)).is_err());
        assert!(session_id(&"1".repeat(31)).is_err());
        assert!(session_id(&("1".repeat(29) + "a")).is_err());
        assert_eq!(idempotency_key("abc-123_!~"), Ok("abc-123_!~".to_owned()));
        assert!(idempotency_key(&"k".repeat(255)).is_ok());
        for bad in [
            String::new(),
            "k".repeat(256),
            "a b".into(),
            "a\tb".into(),
            "é".into(),
            " a".into(),
            "a\x7f".into(),
        ] {
            assert!(idempotency_key(&bad).is_err(), "{bad:?}");
        }
    }

    /// Runs every validator on `s`; checks none panics and every accepted
    /// output validates to itself.
    fn check_all(s: &str) -> Result<(), TestCaseError> {
        type V = fn(&str) -> Result<String, Rule>;
        let validators: [V; 13] = [
            person_name,
            company_name,
            rc_number,
            email,
            phone,
            bvn,
            nin,
            reference,
            bank_code,
            account_number,
            session_id,
            idempotency_key,
            |s| dob(s, today()).map(|d| d.format("%Y-%m-%d").to_string()),
        ];
        for (i, v) in validators.iter().enumerate() {
            if let Ok(out) = v(s) {
                prop_assert_eq!(v(&out), Ok(out.clone()), "validator #{} on {:?}", i, s);
            }
        }
        let _ = mask_identity(s);
        Ok(())
    }

    proptest! {
        #[test]
        fn never_panics_on_any_string(s in any::<String>()) {
            check_all(&s)?;
        }

        #[test]
        fn never_panics_on_near_miss_strings(
            s in "[ \t0-9a-zA-Z+()@._'&,/\\-\u{0300}\u{0301}\u{1ECC}\u{1EB9}é]{0,40}"
        ) {
            check_all(&s)?;
        }

        #[test]
        fn valid_person_names_accepted(
            s in "[ ]{0,2}(([a-zA-Z\u{1ECC}\u{1ECD}\u{1EB9}\u{1E63}éü张][\u{0300}\u{0301}]?){1,10})([ '\\-.]{1,2}([a-zA-Z\u{1ECD}][\u{0300}]?){1,10}){0,3}[ ]{0,2}"
        ) {
            let out = person_name(&s);
            prop_assert!(out.is_ok(), "{:?} -> {:?}", s, out);
            let out = out.unwrap();
            prop_assert_eq!(person_name(&out), Ok(out.clone()));
        }

        #[test]
        fn valid_company_names_accepted(
            s in "[a-zA-Z0-9\u{1ECC}][\u{0300}]?([ &',.()/\\-]{0,2}[a-zA-Z0-9é]{1,10}){0,5}"
        ) {
            let out = company_name(&s);
            prop_assert!(out.is_ok(), "{:?} -> {:?}", s, out);
            let out = out.unwrap();
            prop_assert_eq!(company_name(&out), Ok(out.clone()));
        }

        #[test]
        fn valid_rc_numbers_accepted(p in "(|[rR][cC]|[bB][nN]|[iI][tT]|[lL][pP])", sep in "(| |-)", d in "[0-9]{1,10}") {
            let sep = if p.is_empty() { "" } else { sep.as_str() };
            let out = rc_number(&format!("{p}{sep}{d}"));
            prop_assert_eq!(out, Ok(format!("{}{}", p.to_ascii_uppercase(), d)));
        }

        #[test]
        fn valid_emails_accepted(
            local in "[a-zA-Z0-9_+%\\-]{1,20}(\\.[a-zA-Z0-9!#~]{1,10}){0,2}",
            domain in "[a-zA-Z0-9]{1,20}(-[a-zA-Z0-9]{1,5})?(\\.[a-zA-Z0-9]{1,10}){0,2}\\.[a-zA-Z]{2,6}"
        ) {
            let out = email(&format!(" {local}@{domain} "));
            prop_assert_eq!(out, Ok(format!("{local}@{}", domain.to_ascii_lowercase())));
        }

        #[test]
        fn valid_phones_accepted(p in "(\\+234|234|0)", first in "[1-9]", rest in "[0-9]{9}", sep in "[ \\-]?") {
            let input = format!("{p}{sep}{first}{}{sep}{}", &rest[..2], &rest[2..]);
            prop_assert_eq!(phone(&input), Ok(format!("+234{first}{rest}")));
        }

        #[test]
        fn valid_digit_shapes_accepted(
            b in "[0-9]{11}", bc in "([0-9]{3}|[0-9]{6})", an in "[0-9]{10}", sid in "[0-9]{30}"
        ) {
            prop_assert_eq!(bvn(&b), Ok(b.clone()));
            prop_assert_eq!(nin(&b), Ok(b.clone()));
            prop_assert_eq!(mask_identity(&b), format!("********{}", &b[8..]));
            prop_assert_eq!(bank_code(&bc), Ok(bc.clone()));
            prop_assert_eq!(account_number(&an), Ok(an.clone()));
            prop_assert_eq!(session_id(&sid), Ok(sid.clone()));
        }

        #[test]
        fn valid_references_accepted(s in "[a-zA-Z._\\-][a-zA-Z0-9._\\-]{0,99}") {
            prop_assume!(!s.to_ascii_uppercase().starts_with("CUS_"));
            prop_assert_eq!(reference(&s), Ok(s.clone()));
        }

        #[test]
        fn valid_idempotency_keys_accepted(s in "[!-~]{1,255}") {
            prop_assert_eq!(idempotency_key(&s), Ok(s.clone()));
        }

        #[test]
        fn valid_dobs_accepted(days in 0i64..45_000) {
            let start = NaiveDate::from_ymd_opt(1900, 1, 1).unwrap();
            let d = start + chrono::Duration::days(days);
            let text = d.format("%Y-%m-%d").to_string();
            if d < today() {
                prop_assert_eq!(dob(&text, today()), Ok(d));
            } else {
                prop_assert_eq!(dob(&text, today()), Err("must be a date in the past"));
            }
        }
    }
}

/// Folds text for case-insensitive search in any script: NFC, then Unicode
/// lowercase, then NFC again (lowercasing can decompose).
pub fn search_fold(s: &str) -> String {
    let lowered: String = s.nfc().collect::<String>().to_lowercase();
    lowered.nfc().collect()
}

/// The folded search key of a customer: its searchable fields joined by
/// U+001F, a character no search term contains.
pub fn customer_search_key(fields: &[Option<&str>]) -> String {
    fields
        .iter()
        .map(|f| search_fold(f.unwrap_or("")))
        .collect::<Vec<_>>()
        .join("\u{1f}")
}

#[cfg(test)]
mod search_tests {
    #[test]
    fn folding_crosses_scripts_and_forms() {
        let stored = super::search_fold("\u{1ECC}\u{300}l\u{E0}j\u{ED}d\u{E9}");
        assert!(stored.contains(&super::search_fold("\u{1ECD}\u{300}l\u{E0}j\u{ED}d\u{E9}")));
        assert!(stored.contains(&super::search_fold("L\u{C0}J\u{CD}")));
        assert!(
            stored.contains(&super::search_fold("O\u{323}\u{300}l")),
            "decomposed input matches"
        );
        assert_eq!(
            super::customer_search_key(&[Some("A"), None, Some("b")]),
            "a\u{1f}\u{1f}b"
        );
    }
}
