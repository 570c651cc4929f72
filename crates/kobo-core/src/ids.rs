//! Public codes: a prefix and random letters and digits.

use rand::distributions::{Alphanumeric, DistString};
use rand::Rng;

const UPPER_DIGITS: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

/// Random characters from `A-Z0-9`.
pub fn random_upper(len: usize) -> String {
    let mut rng = rand::thread_rng();
    (0..len)
        .map(|_| UPPER_DIGITS[rng.gen_range(0..UPPER_DIGITS.len())] as char)
        .collect()
}

/// Random characters from `A-Za-z0-9` (about 5.95 bits each).
pub fn random_alphanumeric(len: usize) -> String {
    Alphanumeric.sample_string(&mut rand::thread_rng(), len)
}

/// A customer code: `CUS_` and 16 characters.
pub fn customer_code() -> String {
    format!("CUS_{}", random_alphanumeric(16))
}

/// A collection wallet code: `WALLET_DEMO_…` in test mode, `WALLET_…` in live mode.
pub fn collection_wallet_code(mode: crate::Mode) -> String {
    match mode {
        crate::Mode::Test => format!("WALLET_DEMO_{}", random_upper(8)),
        crate::Mode::Live => format!("WALLET_{}", random_upper(8)),
    }
}

/// A wallet slug shown in balances.
pub fn wallet_slug() -> String {
    format!("wlt_{}", random_alphanumeric(16).to_lowercase())
}

/// A virtual account code: `VA_` and 16 characters.
pub fn virtual_account_code() -> String {
    format!("VA_{}", random_alphanumeric(16))
}

/// A random (version 4) UUID in its usual text form.
pub fn uuid_v4() -> String {
    let mut b: [u8; 16] = rand::random();
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    let h = hex::encode(b);
    format!(
        "{}-{}-{}-{}-{}",
        &h[0..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..32]
    )
}

/// A 30-digit NIP-style session id, for sandbox inflows sent without one.
pub fn session_id() -> String {
    let mut rng = rand::thread_rng();
    (0..30)
        .map(|_| char::from(b'0' + rng.gen_range(0..10)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_have_their_prefix_and_length() {
        let c = customer_code();
        assert!(c.starts_with("CUS_") && c.len() == 20);
        assert!(collection_wallet_code(crate::Mode::Test).starts_with("WALLET_DEMO_"));
        let live = collection_wallet_code(crate::Mode::Live);
        assert!(live.starts_with("WALLET_") && !live.starts_with("WALLET_DEMO_"));
        assert_ne!(customer_code(), customer_code());
    }

    #[test]
    fn uuids_and_session_ids_have_their_shape() {
        let u = uuid_v4();
        assert_eq!(u.len(), 36);
        assert_eq!(&u[14..15], "4");
        let s = session_id();
        assert!(s.len() == 30 && s.bytes().all(|b| b.is_ascii_digit()));
    }
}
