//! Signatures on every delivery:
//! - Standard Webhooks: `webhook-id`, `webhook-timestamp`, and
//!   `webhook-signature: v1,<base64 HMAC-SHA256(id.timestamp.body)>` keyed with
//!   the base64-decoded bytes after `whsec_`;
//! - `x-kobo-signature`: hex HMAC-SHA512 of the raw body keyed with the whole
//!   secret string (the scheme Nigerian integrations already verify).

use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine;
use hmac::{Hmac, Mac};
use rand::RngCore;
use sha2::{Sha256, Sha512};

/// A new secret: `whsec_` + base64 of 32 random bytes.
pub fn new_secret() -> String {
    let mut bytes = [0u8; 32];
    rand::thread_rng().fill_bytes(&mut bytes);
    format!("whsec_{}", B64.encode(bytes))
}

/// The headers to send with `body`.
pub struct Signed {
    pub webhook_id: String,
    pub timestamp: String,
    pub webhook_signature: String,
    pub kobo_signature: String,
}

pub fn sign(secret: &str, webhook_id: &str, timestamp: i64, body: &str) -> Signed {
    let key = secret
        .strip_prefix("whsec_")
        .and_then(|b| B64.decode(b).ok())
        .unwrap_or_else(|| secret.as_bytes().to_vec());
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&key).expect("any key length");
    mac.update(format!("{webhook_id}.{timestamp}.{body}").as_bytes());
    let v1 = B64.encode(mac.finalize().into_bytes());
    let mut mac512 =
        <Hmac<Sha512> as Mac>::new_from_slice(secret.as_bytes()).expect("any key length");
    mac512.update(body.as_bytes());
    Signed {
        webhook_id: webhook_id.to_string(),
        timestamp: timestamp.to_string(),
        webhook_signature: format!("v1,{v1}"),
        kobo_signature: hex::encode(mac512.finalize().into_bytes()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_have_the_standard_shape() {
        let s = new_secret();
        assert!(s.starts_with("whsec_"));
        assert_eq!(B64.decode(&s[6..]).unwrap().len(), 32);
    }

    #[test]
    fn matches_the_standard_webhooks_reference_vector() {
        // The example from the Standard Webhooks specification.
        let signed = sign(
            "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
            "msg_p5jXN8AQM9LWM0D4loKWxJek",
            1614265330,
            r#"{"test": 2432232314}"#,
        );
        assert_eq!(
            signed.webhook_signature,
            "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
        );
    }
}
