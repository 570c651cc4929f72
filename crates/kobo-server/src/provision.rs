//! Making businesses and keys, for the CLI and for tests. Keys are returned
//! once; the store keeps only their hashes and a redacted hint.

use kobo_core::keys::{self, KeyKind, KeyPair};
use kobo_core::Mode;
use kobo_store::{Business, NewApiKey, Store, StoreResult};

/// A new business with fresh test and live key pairs.
pub struct Provisioned {
    pub business: Business,
    pub test: KeyPair,
    pub live: KeyPair,
}

/// Creates a business with a test and a live key pair.
pub async fn create_business(store: &dyn Store, name: &str) -> StoreResult<Provisioned> {
    let test = keys::generate_pair(Mode::Test);
    let live = keys::generate_pair(Mode::Live);
    let mut all = hashed(&test);
    all.extend(hashed(&live));
    let business = store.create_business(name, &all).await?;
    Ok(Provisioned {
        business,
        test,
        live,
    })
}

/// Replaces one mode's key pair; the old keys stop working at once.
pub async fn rotate_keys(store: &dyn Store, business_id: i64, mode: Mode) -> StoreResult<KeyPair> {
    let pair = keys::generate_pair(mode);
    store
        .replace_keys(business_id, mode, &hashed(&pair))
        .await?;
    Ok(pair)
}

fn hashed(pair: &KeyPair) -> Vec<NewApiKey> {
    [
        (KeyKind::Private, &pair.private_key),
        (KeyKind::Public, &pair.public_key),
    ]
    .into_iter()
    .map(|(kind, key)| NewApiKey {
        mode: pair.mode,
        kind,
        hash: keys::hash(key),
        hint: keys::redact(key),
    })
    .collect()
}
