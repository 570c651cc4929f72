//! `kobo serve`: migrate, make a sandbox business on first start, listen, and
//! drain in-flight requests on Ctrl-C or SIGTERM.

use std::process::ExitCode;

use anyhow::Context;
use std::time::Duration;

use kobo_server::http::limits::Limits;
use kobo_server::state::ServerConfig;
use kobo_server::webhooks::WebhookConfig;
use kobo_server::AppState;
use kobo_store::AccountIssuer;
use serde_json::json;

use crate::cli::{Global, ServeArgs};
use crate::commands::business;
use crate::config;

pub async fn run(global: &Global, args: ServeArgs) -> anyhow::Result<ExitCode> {
    let store = config::open_store(global).await?;
    store.migrate().await.context("migrations failed")?;
    let vault = config::vault(global)?;
    let embedded = global.database_url().starts_with("sqlite://");
    let no_business = store.list_businesses().await?.is_empty();
    if no_business && !embedded {
        // Several nodes may start at once on a shared database: none of them
        // invents a business (each would make its own). Create one explicitly.
        println!("No business yet: create one with `kobo business create --name NAME --json`.");
    }
    if no_business && embedded {
        let made = kobo_server::provision::create_business(store.as_ref(), "Sandbox").await?;
        let (id, test, live) = (made.business.id, made.test, made.live);
        let path = global.data_dir.join("sandbox-keys.json");
        let text = serde_json::to_string_pretty(&json!({
            "id": id, "name": "Sandbox",
            "test": business::pair_json(&test), "live": business::pair_json(&live),
        }))?;
        config::write_private_file(&path, &text)?;
        println!(
            "Created a sandbox business; its keys are in {} (readable only by you).",
            path.display()
        );
    }
    let listener = tokio::net::TcpListener::bind(&args.listen)
        .await
        .with_context(|| format!("cannot listen on {}", args.listen))?;
    let address = listener.local_addr()?;
    println!("kobo listening on http://{address}");
    tracing::info!(%address, "listening");
    let config = server_config(&args)?;
    if config.provider_secret.is_none() {
        tracing::warn!(
            "KOBO_PROVIDER_SECRET is not set: the provider door (bank inflows) is closed"
        );
    }
    let state = AppState::with_config(store.clone(), vault, config);
    kobo_server::serve(listener, state, shutdown_signal()).await?;
    tracing::info!("drained; stopping");
    Ok(ExitCode::SUCCESS)
}

pub fn server_config(args: &ServeArgs) -> anyhow::Result<ServerConfig> {
    let code = kobo_core::validate::bank_code(&args.bank_code)
        .map_err(|why| anyhow::anyhow!("--bank-code {why}"))?;
    if args.bank_name.trim().is_empty() || args.provider_name.trim().is_empty() {
        anyhow::bail!("--bank-name and --provider-name must not be empty");
    }
    Ok(ServerConfig {
        issuer: AccountIssuer {
            institution_code: code,
            bank_name: args.bank_name.trim().to_string(),
            provider: args.provider_name.trim().to_string(),
            max_per_customer: args.virtual_account_cap,
        },
        provider_secret: args.provider_secret.clone().filter(|s| !s.is_empty()),
        webhooks: webhook_config(args)?,
        sweep_interval: Duration::from_secs(args.sweep_interval_secs.max(1)),
        limits: Limits {
            request_timeout: Duration::from_millis(args.request_timeout_ms.max(1)),
            max_in_flight: args.max_in_flight.max(1),
            rate_per_second: args.rate_limit_per_second,
            burst: args.rate_limit_burst,
            ..Limits::default()
        },
    })
}

fn webhook_config(args: &ServeArgs) -> anyhow::Result<WebhookConfig> {
    let mut config = WebhookConfig {
        allow_private: args.webhooks_allow_private,
        lease: Duration::from_secs(args.webhooks_lease_secs),
        ..WebhookConfig::default()
    };
    if let Some(text) = &args.webhooks_retry_schedule {
        config.schedule = kobo_server::webhooks::schedule::parse(text)
            .map_err(|why| anyhow::anyhow!("KOBO_WEBHOOKS_RETRY_SCHEDULE: {why}"))?;
    }
    Ok(config)
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = terminate => {},
    }
    tracing::info!("shutdown requested; finishing in-flight requests");
}
