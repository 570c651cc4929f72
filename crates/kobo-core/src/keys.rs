//! API keys: generation, parsing of the mode they carry, and hashing.
//!
//! A private key is `PRV_DP_DEMO_` (test) or `PRV_DP_` (live) followed by 40
//! random alphanumeric characters (≈ 238 bits). Only the SHA-256 of a key is
//! stored; lookup is by that hash and the final comparison is constant-time.

use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use crate::Mode;

const RANDOM_LEN: usize = 40;

/// Whether a key is the secret (private) or the publishable (public) half.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KeyKind {
    Private,
    Public,
}

impl KeyKind {
    /// The text stored in the database.
    pub fn as_str(self) -> &'static str {
        match self {
            KeyKind::Private => "private",
            KeyKind::Public => "public",
        }
    }
}

/// A freshly generated key pair for one mode. Shown once, never stored.
#[derive(Clone, Debug)]
pub struct KeyPair {
    pub mode: Mode,
    pub private_key: String,
    pub public_key: String,
}

/// Makes a new key pair for `mode`.
pub fn generate_pair(mode: Mode) -> KeyPair {
    let infix = match mode {
        Mode::Test => "DP_DEMO_",
        Mode::Live => "DP_",
    };
    KeyPair {
        mode,
        private_key: format!("PRV_{infix}{}", crate::ids::random_alphanumeric(RANDOM_LEN)),
        public_key: format!("PUB_{infix}{}", crate::ids::random_alphanumeric(RANDOM_LEN)),
    }
}

/// Reads the kind and mode from a key's prefix; `None` when it has no known prefix.
pub fn classify(key: &str) -> Option<(KeyKind, Mode)> {
    let (kind, rest) = if let Some(rest) = key.strip_prefix("PRV_") {
        (KeyKind::Private, rest)
    } else if let Some(rest) = key.strip_prefix("PUB_") {
        (KeyKind::Public, rest)
    } else {
        return None;
    };
    if rest.starts_with("DP_DEMO_") {
        Some((kind, Mode::Test))
    } else if rest.starts_with("DP_") {
        Some((kind, Mode::Live))
    } else {
        None
    }
}

/// The hex SHA-256 of a key: what the database stores and is searched by.
pub fn hash(key: &str) -> String {
    hex::encode(Sha256::digest(key.as_bytes()))
}

/// Constant-time equality of two stored hashes.
pub fn hashes_equal(a: &str, b: &str) -> bool {
    a.as_bytes().ct_eq(b.as_bytes()).into()
}

/// A form of the key safe to show in logs and listings: prefix and last 4 characters.
pub fn redact(key: &str) -> String {
    // Counted in characters: slicing bytes would panic inside a multi-byte one.
    let cut = key.char_indices().rev().nth(3).map_or(0, |(i, _)| i);
    let prefix_end = key.rfind('_').map(|i| i + 1).unwrap_or(0).min(cut);
    format!("{}…{}", &key[..prefix_end], &key[cut..])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pairs_carry_their_mode() {
        let t = generate_pair(Mode::Test);
        assert!(t.private_key.starts_with("PRV_DP_DEMO_"));
        assert!(t.public_key.starts_with("PUB_DP_DEMO_"));
        assert_eq!(
            classify(&t.private_key),
            Some((KeyKind::Private, Mode::Test))
        );
        let l = generate_pair(Mode::Live);
        assert_eq!(
            classify(&l.private_key),
            Some((KeyKind::Private, Mode::Live))
        );
        assert_eq!(classify(&l.public_key), Some((KeyKind::Public, Mode::Live)));
        assert_eq!(classify("sk_test_x"), None);
        assert_eq!(classify("PRV_XX_1"), None);
    }

    #[test]
    fn hash_is_stable_and_redaction_hides_the_secret() {
        let k = generate_pair(Mode::Live).private_key;
        assert_eq!(hash(&k), hash(&k));
        assert!(hashes_equal(&hash(&k), &hash(&k)));
        assert!(!hashes_equal(&hash(&k), &hash("other")));
        let r = redact(&k);
        assert!(r.starts_with("PRV_DP_") && r.len() < k.len());
        assert_eq!(redact(""), "…");
        assert_eq!(redact("\u{feff}_\0"), "…\u{feff}_\0");
        assert_eq!(redact("PRV_DP_ééééé"), "PRV_DP_…éééé");
    }
}
