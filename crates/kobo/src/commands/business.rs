//! `kobo business create|rotate-keys|list`. Keys are printed once; only their
//! hashes are stored.

use std::process::ExitCode;

use kobo_core::keys::KeyPair;
use kobo_server::provision;
use serde_json::json;

use crate::cli::{BusinessCommand, Global};
use crate::config;

pub async fn run(global: &Global, cmd: BusinessCommand) -> anyhow::Result<ExitCode> {
    let store = config::open_store(global).await?;
    store.migrate().await?;
    match cmd {
        BusinessCommand::Create { name, json } => {
            let name = name.trim();
            if name.is_empty() || name.chars().count() > 150 {
                anyhow::bail!("--name must be 1 to 150 characters");
            }
            let made = provision::create_business(store.as_ref(), name).await?;
            let (business_id, test, live) = (made.business.id, made.test, made.live);
            let out = json!({
                "id": business_id,
                "name": name,
                "test": pair_json(&test),
                "live": pair_json(&live),
            });
            if json {
                println!("{out}");
            } else {
                println!("Created business {business_id} ({name}). Keep these keys; they are not shown again.");
                print_pair(&test);
                print_pair(&live);
            }
        }
        BusinessCommand::RotateKeys {
            business,
            mode,
            json,
        } => {
            let pair = provision::rotate_keys(store.as_ref(), business, mode.into())
                .await
                .map_err(|e| match e {
                    kobo_store::StoreError::NotFound => {
                        anyhow::anyhow!("no business with id {business}")
                    }
                    other => other.into(),
                })?;
            if json {
                println!(
                    "{}",
                    json!({"id": business, "mode": pair.mode.as_str(), "keys": pair_json(&pair)})
                );
            } else {
                println!(
                    "New {} keys for business {business}; the old ones no longer work.",
                    pair.mode
                );
                print_pair(&pair);
            }
        }
        BusinessCommand::SetFee {
            business,
            mode,
            basis_points,
            flat_kobo,
            cap_kobo,
        } => {
            if basis_points > 10_000 || flat_kobo < 0 || cap_kobo.is_some_and(|c| c < 0) {
                anyhow::bail!("--basis-points must be 0..=10000 and amounts must not be negative");
            }
            let fee = kobo_store::FeeSchedule {
                basis_points,
                flat: kobo_core::Kobo(flat_kobo),
                cap: cap_kobo.map(kobo_core::Kobo),
            };
            store
                .set_fee_schedule(business, mode.into(), fee)
                .await
                .map_err(|e| match e {
                    kobo_store::StoreError::NotFound => {
                        anyhow::anyhow!("no business with id {business}")
                    }
                    other => other.into(),
                })?;
            println!(
                "fee set for business {business} ({} mode)",
                kobo_core::Mode::from(mode)
            );
        }
        BusinessCommand::SetWebhook {
            business,
            mode,
            url,
        } => {
            let url = url.trim();
            let url = if url.is_empty() {
                None
            } else {
                let checked = kobo_server::webhooks::address::check_url(url, true)
                    .map_err(|why| anyhow::anyhow!("--url {why}"))?;
                Some(checked.to_string())
            };
            let scope = kobo_store::Scope {
                business_id: business,
                mode: mode.into(),
            };
            let secret = kobo_server::webhooks::signing::new_secret();
            let endpoint =
                store
                    .set_webhook_url(scope, url, &secret)
                    .await
                    .map_err(|e| match e {
                        kobo_store::StoreError::Internal(msg) if msg.contains("FOREIGN KEY") => {
                            anyhow::anyhow!("no business with id {business}")
                        }
                        other => other.into(),
                    })?;
            match endpoint.url {
                Some(u) => println!(
                    "{} webhooks of business {business} go to {u}",
                    endpoint.mode
                ),
                None => println!("{} webhooks of business {business} are off", endpoint.mode),
            }
        }
        BusinessCommand::List => {
            for b in store.list_businesses().await? {
                println!("{}\t{}\t{}", b.id, b.name, b.created_at.to_rfc3339());
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

pub fn pair_json(pair: &KeyPair) -> serde_json::Value {
    json!({"private_key": pair.private_key, "public_key": pair.public_key})
}

fn print_pair(pair: &KeyPair) {
    println!("  {} private key: {}", pair.mode, pair.private_key);
    println!("  {} public key:  {}", pair.mode, pair.public_key);
}
