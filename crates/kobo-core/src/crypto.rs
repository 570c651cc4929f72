//! Encryption of BVNs and NINs at rest (AES-256-GCM) and the keyed hash used
//! to check their uniqueness without storing them in the clear.

use aes_gcm::aead::{Aead, KeyInit};
use aes_gcm::{Aes256Gcm, Nonce};
use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine;
use hmac::{Hmac, Mac};
use rand::RngCore;
use sha2::Sha256;

/// Why a key or a ciphertext could not be used.
#[derive(Debug, thiserror::Error)]
pub enum CryptoError {
    #[error("the encryption key must be base64 of exactly 32 bytes")]
    BadKey,
    #[error("a stored value could not be decrypted (wrong key or corrupted data)")]
    Decrypt,
}

/// The service's secret for personal identifiers.
#[derive(Clone)]
pub struct Vault {
    cipher: Aes256Gcm,
    hash_key: [u8; 32],
}

impl std::fmt::Debug for Vault {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Vault(<redacted>)")
    }
}

impl Vault {
    /// Builds a vault from base64 of 32 bytes (the `KOBO_ENCRYPTION_KEY` format).
    pub fn from_base64(text: &str) -> Result<Vault, CryptoError> {
        let bytes = B64.decode(text.trim()).map_err(|_| CryptoError::BadKey)?;
        let key: [u8; 32] = bytes.try_into().map_err(|_| CryptoError::BadKey)?;
        Ok(Vault::from_bytes(&key))
    }

    /// Builds a vault from raw key bytes. The hash key is derived, so one secret serves both.
    pub fn from_bytes(key: &[u8; 32]) -> Vault {
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(key).expect("any key length");
        mac.update(b"kobo identity hash key v1");
        let hash_key: [u8; 32] = mac.finalize().into_bytes().into();
        Vault {
            cipher: Aes256Gcm::new(key.into()),
            hash_key,
        }
    }

    /// A new random key, base64, for a key file or `KOBO_ENCRYPTION_KEY`.
    pub fn generate_key_base64() -> String {
        let mut key = [0u8; 32];
        rand::thread_rng().fill_bytes(&mut key);
        B64.encode(key)
    }

    /// Encrypts `plain`; the output is base64 of nonce ‖ ciphertext.
    pub fn encrypt(&self, plain: &str) -> String {
        let mut nonce = [0u8; 12];
        rand::thread_rng().fill_bytes(&mut nonce);
        let sealed = self
            .cipher
            .encrypt(Nonce::from_slice(&nonce), plain.as_bytes())
            .expect("AES-GCM encryption of a short value cannot fail");
        let mut out = nonce.to_vec();
        out.extend_from_slice(&sealed);
        B64.encode(out)
    }

    /// Reverses [`Vault::encrypt`].
    pub fn decrypt(&self, sealed: &str) -> Result<String, CryptoError> {
        let bytes = B64.decode(sealed).map_err(|_| CryptoError::Decrypt)?;
        if bytes.len() < 12 {
            return Err(CryptoError::Decrypt);
        }
        let (nonce, body) = bytes.split_at(12);
        let plain = self
            .cipher
            .decrypt(Nonce::from_slice(nonce), body)
            .map_err(|_| CryptoError::Decrypt)?;
        String::from_utf8(plain).map_err(|_| CryptoError::Decrypt)
    }

    /// Keyed hash (HMAC-SHA256, hex) of an identifier, namespaced by `kind`
    /// ("bvn" or "nin") so equal digits of different kinds do not collide.
    pub fn keyed_hash(&self, kind: &str, value: &str) -> String {
        let mut mac =
            <Hmac<Sha256> as Mac>::new_from_slice(&self.hash_key).expect("any key length");
        mac.update(kind.as_bytes());
        mac.update(b":");
        mac.update(value.as_bytes());
        hex::encode(mac.finalize().into_bytes())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_tamper_detection() {
        let v = Vault::from_base64(&Vault::generate_key_base64()).unwrap();
        let sealed = v.encrypt("12345678901");
        assert!(!sealed.contains("12345678901"));
        assert_eq!(v.decrypt(&sealed).unwrap(), "12345678901");
        assert_ne!(v.encrypt("12345678901"), sealed, "nonces differ");
        let other = Vault::from_base64(&Vault::generate_key_base64()).unwrap();
        assert!(other.decrypt(&sealed).is_err());
        assert!(v.decrypt("AAAA").is_err());
    }

    #[test]
    fn keyed_hash_is_deterministic_and_keyed() {
        let a = Vault::from_bytes(&[1; 32]);
        let b = Vault::from_bytes(&[2; 32]);
        assert_eq!(a.keyed_hash("bvn", "1"), a.keyed_hash("bvn", "1"));
        assert_ne!(a.keyed_hash("bvn", "1"), a.keyed_hash("nin", "1"));
        assert_ne!(a.keyed_hash("bvn", "1"), b.keyed_hash("bvn", "1"));
    }

    #[test]
    fn bad_keys_are_refused() {
        assert!(Vault::from_base64("short").is_err());
        assert!(Vault::from_base64(&B64.encode([0u8; 31])).is_err());
    }
}
