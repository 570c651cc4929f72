//! NUBAN (Nigeria Uniform Bank Account Number) check digits, 2020 revision.
//!
//! An account number is a 9-digit serial followed by one check digit. The check
//! is computed over 15 digits: a 6-digit institution code (a bank's 3-digit
//! code is padded as "000" + code) then the serial, with weights 3,7,3
//! repeated; check = (10 - sum mod 10) mod 10. For a 3-digit bank code this
//! equals the original 12-digit scheme, since the padding zeros add nothing.

/// Largest 9-digit serial.
const MAX_SERIAL: u64 = 999_999_999;

/// The 6 institution-code digits, or `None` unless `code` is 3 or 6 ASCII digits.
fn institution_digits(code: &str) -> Option<[u8; 6]> {
    let b = code.as_bytes();
    if !(b.len() == 3 || b.len() == 6) || !b.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let mut out = [0u8; 6];
    let offset = 6 - b.len();
    for (i, c) in b.iter().enumerate() {
        out[offset + i] = c - b'0';
    }
    Some(out)
}

/// Check digit over the 6 institution digits then the 9 serial digits.
fn check_over(inst: [u8; 6], serial: [u8; 9]) -> u8 {
    const WEIGHTS: [u32; 3] = [3, 7, 3];
    let sum: u32 = inst
        .iter()
        .chain(serial.iter())
        .enumerate()
        .map(|(i, d)| u32::from(*d) * WEIGHTS[i % 3])
        .sum();
    // Both operands are < 10, so the result fits in a u8.
    ((10 - sum % 10) % 10) as u8
}

fn serial_digits(mut serial: u64) -> [u8; 9] {
    let mut out = [0u8; 9];
    for d in out.iter_mut().rev() {
        *d = (serial % 10) as u8;
        serial /= 10;
    }
    out
}

/// institution_code: 3 or 6 ASCII digits (panics are not allowed: return None for a bad code or a serial > 999_999_999).
pub fn check_digit(institution_code: &str, serial: u64) -> Option<u8> {
    if serial > MAX_SERIAL {
        return None;
    }
    let inst = institution_digits(institution_code)?;
    Some(check_over(inst, serial_digits(serial)))
}

/// The 10-digit account number for this serial (zero-padded serial + check digit).
pub fn account_number(institution_code: &str, serial: u64) -> Option<String> {
    let check = check_digit(institution_code, serial)?;
    Some(format!("{serial:09}{check}"))
}

/// True when `account_number` is 10 digits and its check digit is right for the institution.
pub fn is_valid(institution_code: &str, account_number: &str) -> bool {
    let b = account_number.as_bytes();
    if b.len() != 10 || !b.iter().all(u8::is_ascii_digit) {
        return false;
    }
    let Some(inst) = institution_digits(institution_code) else {
        return false;
    };
    let mut serial = [0u8; 9];
    for (d, c) in serial.iter_mut().zip(b) {
        *d = c - b'0';
    }
    check_over(inst, serial) == b[9] - b'0'
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn gtbank_example_by_hand() {
        // GTBank "058" -> institution "000058"; serial "012345678".
        // digits:  0 0 0 0 5 8 | 0 1 2 3 4 5 6 7 8
        // weights: 3 7 3 3 7 3 | 3 7 3 3 7 3 3 7 3
        // products: 0 0 0 0 35 24 | 0 7 6 9 28 15 18 49 24
        // sum = 59 + 156 = 215; 215 mod 10 = 5; (10 - 5) mod 10 = 5.
        assert_eq!(check_digit("058", 12_345_678), Some(5));
        assert_eq!(
            account_number("058", 12_345_678).as_deref(),
            Some("0123456785")
        );
        assert!(is_valid("058", "0123456785"));
        assert!(!is_valid("058", "0123456784"));
    }

    #[test]
    fn cbn_example() {
        // The CBN NUBAN standard's worked example: bank 011, serial 000001457.
        // 0 0 0 0 1 1 | 0 0 0 0 0 1 4 5 7 with weights 3 7 3 repeated:
        // 7 + 3 + 3 + 12 + 35 + 21 = 81; (10 - 1) mod 10 = 9.
        assert_eq!(account_number("011", 1457).as_deref(), Some("0000014579"));
    }

    #[test]
    fn three_and_six_digit_codes_agree() {
        for serial in [0, 1, 12_345_678, 999_999_999, 123_456_789] {
            assert_eq!(check_digit("058", serial), check_digit("000058", serial));
            assert_eq!(
                account_number("058", serial),
                account_number("000058", serial)
            );
        }
        assert!(is_valid("000058", "0123456785"));
    }

    #[test]
    fn six_digit_institution() {
        // 9 + 5 digits, e.g. a microfinance bank "090267", serial 000000001:
        // 0*3 + 9*7 + 0*3 + 2*3 + 6*7 + 7*3 = 63 + 6 + 42 + 21 = 132;
        // serial: 1 at position 14 (weight 3) = 3; total 135 -> check 5.
        assert_eq!(account_number("090267", 1).as_deref(), Some("0000000015"));
    }

    #[test]
    fn bad_inputs() {
        assert_eq!(check_digit("058", 1_000_000_000), None);
        assert_eq!(check_digit("058", u64::MAX), None);
        assert_eq!(check_digit("58", 1), None);
        assert_eq!(check_digit("0058", 1), None);
        assert_eq!(check_digit("05a", 1), None);
        assert_eq!(check_digit("", 1), None);
        assert_eq!(check_digit("٠٥٨", 1), None);
        assert_eq!(account_number("1234567", 1), None);
        assert!(!is_valid("58", "0123456785"));
        assert!(!is_valid("058", "123456785"));
        assert!(!is_valid("058", "01234567850"));
        assert!(!is_valid("058", "012345678a"));
        assert!(!is_valid("058", " 0123456785"));
        assert!(!is_valid("058", ""));
    }

    proptest! {
        #[test]
        fn generated_numbers_are_valid(code in "([0-9]{3}|[0-9]{6})", serial in 0u64..=MAX_SERIAL) {
            let acct = account_number(&code, serial).unwrap();
            prop_assert_eq!(acct.len(), 10);
            prop_assert!(is_valid(&code, &acct));
            if code.len() == 3 {
                prop_assert_eq!(account_number(&format!("000{code}"), serial), Some(acct));
            }
        }

        #[test]
        fn one_digit_change_is_detected(
            code in "([0-9]{3}|[0-9]{6})",
            serial in 0u64..=MAX_SERIAL,
            pos in 0usize..10,
            delta in 1u8..=9,
        ) {
            let acct = account_number(&code, serial).unwrap();
            let mut bytes = acct.into_bytes();
            bytes[pos] = b'0' + (bytes[pos] - b'0' + delta) % 10;
            let changed = String::from_utf8(bytes).unwrap();
            prop_assert!(!is_valid(&code, &changed), "{} {}", code, changed);
        }

        #[test]
        fn never_panics(code in "\\PC{0,8}", acct in "\\PC{0,12}", serial in any::<u64>()) {
            let _ = check_digit(&code, serial);
            let _ = account_number(&code, serial);
            let _ = is_valid(&code, &acct);
        }
    }
}
