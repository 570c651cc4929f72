//! What every handler can reach.

use std::sync::Arc;

use kobo_core::crypto::Vault;
use kobo_store::{AccountIssuer, Store};

use crate::http::limits::{Guards, Limits};
use crate::inflow_writer::InflowWriter;
use crate::metrics::Metrics;
use crate::webhooks::WebhookConfig;

/// Settings the HTTP layer needs (the binary fills them from flags, env and file).
#[derive(Clone, Debug)]
pub struct ServerConfig {
    /// The institution whose NUBANs kobo issues.
    pub issuer: AccountIssuer,
    /// Key of the partner bank's `X-Provider-Signature`; `None` closes the provider door.
    pub provider_secret: Option<String>,
    pub limits: Limits,
    pub webhooks: WebhookConfig,
    /// How often pending one-time accounts past their expiry are marked EXPIRED.
    pub sweep_interval: std::time::Duration,
}

impl Default for ServerConfig {
    fn default() -> Self {
        ServerConfig {
            issuer: AccountIssuer {
                institution_code: "999999".into(),
                bank_name: "Kobo Sandbox Bank".into(),
                provider: "kobo".into(),
                max_per_customer: 5,
            },
            provider_secret: None,
            limits: Limits::default(),
            webhooks: WebhookConfig::default(),
            sweep_interval: std::time::Duration::from_secs(15),
        }
    }
}

#[derive(Clone)]
pub struct AppState {
    pub store: Arc<dyn Store>,
    pub vault: Arc<Vault>,
    pub config: Arc<ServerConfig>,
    pub inflows: InflowWriter,
    pub metrics: Arc<Metrics>,
    pub guards: Arc<Guards>,
}

impl AppState {
    /// State with default settings (sandbox bank, provider door closed).
    pub fn new(store: Arc<dyn Store>, vault: Vault) -> AppState {
        AppState::with_config(store, vault, ServerConfig::default())
    }

    /// Starts the inflow writer; call inside a Tokio runtime.
    pub fn with_config(store: Arc<dyn Store>, vault: Vault, config: ServerConfig) -> AppState {
        AppState {
            inflows: InflowWriter::start(store.clone()),
            metrics: Arc::new(Metrics::default()),
            guards: Arc::new(Guards::new(&config.limits)),
            store,
            vault: Arc::new(vault),
            config: Arc::new(config),
        }
    }
}
