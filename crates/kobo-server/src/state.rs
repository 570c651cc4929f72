//! What every handler can reach.

use std::sync::Arc;

use kobo_core::crypto::Vault;
use kobo_store::Store;

#[derive(Clone)]
pub struct AppState {
    pub store: Arc<dyn Store>,
    pub vault: Arc<Vault>,
}

impl AppState {
    pub fn new(store: Arc<dyn Store>, vault: Vault) -> AppState {
        AppState {
            store,
            vault: Arc::new(vault),
        }
    }
}
