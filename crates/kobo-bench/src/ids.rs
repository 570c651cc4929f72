//! Unique values for one run: NIP session ids (30 digits), counters for
//! customer references and emails, and journal uuids.

use std::sync::atomic::{AtomicU64, Ordering};

use rand::Rng;

/// Hands out 30-digit session ids unique within the run (a 10-digit run
/// nonce, then a 20-digit counter), and serial numbers for other unique fields.
pub struct Sessions {
    nonce: u64,
    next: AtomicU64,
}

impl Sessions {
    pub fn new(nonce: u64) -> Sessions {
        Sessions {
            nonce: nonce % 10_000_000_000,
            next: AtomicU64::new(1),
        }
    }

    pub fn serial(&self) -> u64 {
        self.next.fetch_add(1, Ordering::Relaxed)
    }

    pub fn session_id(&self) -> String {
        format!("{:010}{:020}", self.nonce, self.serial())
    }
}

/// A random version-4-shaped uuid (journals need a unique text).
pub fn uuid(rng: &mut impl Rng) -> String {
    let a: u128 = rng.gen();
    let h = format!("{a:032x}");
    format!(
        "{}-{}-4{}-8{}-{}",
        &h[0..8],
        &h[8..12],
        &h[13..16],
        &h[17..20],
        &h[20..32]
    )
}

/// A random amount of kobo between ₦100 and ₦500,000.
pub fn amount(rng: &mut impl Rng) -> i64 {
    rng.gen_range(10_000..=50_000_000)
}
