//! `kobo config check`: prints the effective configuration, secrets redacted.

use std::process::ExitCode;

use serde_json::json;

use crate::cli::{ConfigCommand, Global};
use crate::commands::serve::server_config;

pub fn run(global: &Global, cmd: ConfigCommand) -> anyhow::Result<ExitCode> {
    let ConfigCommand::Check { serve } = cmd;
    let config = server_config(&serve)?;
    let redacted = |present: bool| {
        if present {
            "<set, redacted>"
        } else {
            "<not set>"
        }
    };
    let out = json!({
        "config_file": std::env::var("KOBO_CONFIG").ok(),
        "listen": serve.listen,
        "database": redact_url(&global.database_url()),
        "data_dir": global.data_dir.display().to_string(),
        "encryption_key": if std::env::var("KOBO_ENCRYPTION_KEY").is_ok() {
            "<from KOBO_ENCRYPTION_KEY, redacted>".to_string()
        } else {
            format!("<key file {}>", global.data_dir.join("encryption.key").display())
        },
        "provider_secret": redacted(config.provider_secret.is_some()),
        "bank_name": config.issuer.bank_name,
        "bank_code": config.issuer.institution_code,
        "provider_name": config.issuer.provider,
        "virtual_account_cap": config.issuer.max_per_customer,
        "request_timeout_ms": config.limits.request_timeout.as_millis() as u64,
        "max_in_flight": config.limits.max_in_flight,
        "rate_limit_per_second": config.limits.rate_per_second,
        "rate_limit_burst": config.limits.burst,
        "sweep_interval_secs": serve.sweep_interval_secs,
        "webhooks_allow_private": config.webhooks.allow_private,
        "webhooks_retry_schedule_secs": config.webhooks.schedule.iter().map(|d| d.as_secs_f64()).collect::<Vec<_>>(),
    });
    println!("{}", serde_json::to_string_pretty(&out)?);
    Ok(ExitCode::SUCCESS)
}

/// Hides a password in a database URL.
fn redact_url(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            let userinfo = &url[scheme + 3..at];
            match userinfo.split_once(':') {
                Some((user, _)) => format!("{}{user}:<redacted>{}", &url[..scheme + 3], &url[at..]),
                None => url.to_string(),
            }
        }
        _ => url.to_string(),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn passwords_are_hidden() {
        assert_eq!(
            super::redact_url("postgres://kobo:hunter2@db:5432/kobo"),
            "postgres://kobo:<redacted>@db:5432/kobo"
        );
        assert_eq!(
            super::redact_url("sqlite://kobo-data/kobo.db"),
            "sqlite://kobo-data/kobo.db"
        );
    }
}
