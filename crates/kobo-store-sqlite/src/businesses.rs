//! Businesses, their API keys, house ledger accounts and collection wallets.

use kobo_core::Mode;
use kobo_store::*;
use sqlx::sqlite::SqliteRow;
use sqlx::{Row, Sqlite, SqlitePool, Transaction};

use crate::error::map;
use crate::time::{now_text, parse};

const HOUSE_ACCOUNTS: [&str; 4] = ["settlement", "suspense", "fee_revenue", "vat_payable"];

pub(crate) async fn create(
    pool: &SqlitePool,
    name: &str,
    keys: &[NewApiKey],
) -> StoreResult<Business> {
    let now = now_text();
    let mut tx = crate::write::begin(pool).await?;
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO business (name, created_at) VALUES (?, ?) RETURNING business_id",
    )
    .bind(name)
    .bind(&now)
    .fetch_one(&mut *tx)
    .await
    .map_err(map)?;
    insert_keys(&mut tx, id, keys).await?;
    for mode in [Mode::Test, Mode::Live] {
        for kind in HOUSE_ACCOUNTS {
            new_ledger_account(
                &mut tx,
                Scope {
                    business_id: id,
                    mode,
                },
                kind,
            )
            .await?;
        }
        insert_collection_wallet(
            &mut tx,
            Scope {
                business_id: id,
                mode,
            },
            "Default collection wallet",
            true,
        )
        .await?;
    }
    tx.commit().await.map_err(map)?;
    Ok(Business {
        id,
        name: name.to_string(),
        created_at: parse(&now)?,
    })
}

pub(crate) async fn list(pool: &SqlitePool) -> StoreResult<Vec<Business>> {
    let rows =
        sqlx::query("SELECT business_id, name, created_at FROM business ORDER BY business_id")
            .fetch_all(pool)
            .await
            .map_err(map)?;
    rows.iter()
        .map(|r| {
            Ok(Business {
                id: r.get("business_id"),
                name: r.get("name"),
                created_at: parse(r.get("created_at"))?,
            })
        })
        .collect()
}

pub(crate) async fn replace_keys(
    pool: &SqlitePool,
    business_id: i64,
    mode: Mode,
    keys: &[NewApiKey],
) -> StoreResult<()> {
    let mut tx = crate::write::begin(pool).await?;
    let exists: Option<i64> =
        sqlx::query_scalar("SELECT business_id FROM business WHERE business_id = ?")
            .bind(business_id)
            .fetch_optional(&mut *tx)
            .await
            .map_err(map)?;
    if exists.is_none() {
        return Err(StoreError::NotFound);
    }
    sqlx::query("DELETE FROM api_key WHERE business_id = ? AND mode = ?")
        .bind(business_id)
        .bind(mode.as_str())
        .execute(&mut *tx)
        .await
        .map_err(map)?;
    insert_keys(&mut tx, business_id, keys).await?;
    tx.commit().await.map_err(map)
}

async fn insert_keys(
    tx: &mut Transaction<'_, Sqlite>,
    business_id: i64,
    keys: &[NewApiKey],
) -> StoreResult<()> {
    for key in keys {
        sqlx::query(
            "INSERT INTO api_key (business_id, mode, kind, key_hash, hint, created_at) VALUES (?, ?, ?, ?, ?, ?)",
        )
        .bind(business_id)
        .bind(key.mode.as_str())
        .bind(key.kind.as_str())
        .bind(&key.hash)
        .bind(&key.hint)
        .bind(now_text())
        .execute(&mut **tx)
        .await
        .map_err(map)?;
    }
    Ok(())
}

pub(crate) async fn find_key(pool: &SqlitePool, key_hash: &str) -> StoreResult<Option<ApiKey>> {
    let row =
        sqlx::query("SELECT business_id, mode, kind, key_hash FROM api_key WHERE key_hash = ?")
            .bind(key_hash)
            .fetch_optional(pool)
            .await
            .map_err(map)?;
    Ok(row.map(|r| ApiKey {
        business_id: r.get("business_id"),
        mode: Mode::parse(r.get("mode")).unwrap_or(Mode::Test),
        kind: if r.get::<&str, _>("kind") == "public" {
            kobo_core::keys::KeyKind::Public
        } else {
            kobo_core::keys::KeyKind::Private
        },
        hash: r.get("key_hash"),
    }))
}

/// Opens a ledger account with a zero balance.
pub(crate) async fn new_ledger_account(
    tx: &mut Transaction<'_, Sqlite>,
    scope: Scope,
    kind: &str,
) -> StoreResult<i64> {
    sqlx::query_scalar(
        "INSERT INTO ledger_account (business_id, mode, kind, balance, created_at)
         VALUES (?, ?, ?, 0, ?) RETURNING ledger_account_id",
    )
    .bind(scope.business_id)
    .bind(scope.mode.as_str())
    .bind(kind)
    .bind(now_text())
    .fetch_one(&mut **tx)
    .await
    .map_err(map)
}

async fn insert_collection_wallet(
    tx: &mut Transaction<'_, Sqlite>,
    scope: Scope,
    name: &str,
    is_default: bool,
) -> StoreResult<i64> {
    let account = new_ledger_account(tx, scope, "collection_wallet").await?;
    sqlx::query_scalar(
        "INSERT INTO collection_wallet (business_id, mode, code, name, is_default, ledger_account_id, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING collection_wallet_id",
    )
    .bind(scope.business_id)
    .bind(scope.mode.as_str())
    .bind(kobo_core::ids::collection_wallet_code(scope.mode))
    .bind(name)
    .bind(is_default)
    .bind(account)
    .bind(now_text())
    .fetch_one(&mut **tx)
    .await
    .map_err(map)
}

const WALLET_SELECT: &str =
    "SELECT w.collection_wallet_id, w.code, w.name, w.is_default, a.balance, w.created_at
     FROM collection_wallet w JOIN ledger_account a ON a.ledger_account_id = w.ledger_account_id";

fn wallet_from_row(r: &SqliteRow) -> StoreResult<CollectionWallet> {
    Ok(CollectionWallet {
        id: r.get("collection_wallet_id"),
        code: r.get("code"),
        name: r.get("name"),
        is_default: r.get("is_default"),
        balance: kobo_core::Kobo(r.get("balance")),
        created_at: parse(r.get("created_at"))?,
    })
}

pub(crate) async fn list_collection_wallets(
    pool: &SqlitePool,
    scope: Scope,
) -> StoreResult<Vec<CollectionWallet>> {
    let rows = sqlx::query(&format!(
        "{WALLET_SELECT} WHERE w.business_id = ? AND w.mode = ? ORDER BY w.collection_wallet_id"
    ))
    .bind(scope.business_id)
    .bind(scope.mode.as_str())
    .fetch_all(pool)
    .await
    .map_err(map)?;
    rows.iter().map(wallet_from_row).collect()
}

pub(crate) async fn create_collection_wallet(
    pool: &SqlitePool,
    scope: Scope,
    name: &str,
) -> StoreResult<CollectionWallet> {
    let mut tx = crate::write::begin(pool).await?;
    let id = insert_collection_wallet(&mut tx, scope, name, false).await?;
    let row = sqlx::query(&format!("{WALLET_SELECT} WHERE w.collection_wallet_id = ?"))
        .bind(id)
        .fetch_one(&mut *tx)
        .await
        .map_err(map)?;
    tx.commit().await.map_err(map)?;
    wallet_from_row(&row)
}

pub(crate) async fn find_collection_wallet(
    pool: &SqlitePool,
    scope: Scope,
    code: &str,
) -> StoreResult<Option<CollectionWallet>> {
    let row = sqlx::query(&format!(
        "{WALLET_SELECT} WHERE w.business_id = ? AND w.mode = ? AND w.code = ?"
    ))
    .bind(scope.business_id)
    .bind(scope.mode.as_str())
    .bind(code)
    .fetch_optional(pool)
    .await
    .map_err(map)?;
    row.as_ref().map(wallet_from_row).transpose()
}

pub(crate) async fn set_fee_schedule(
    pool: &SqlitePool,
    business_id: i64,
    mode: Mode,
    fee: FeeSchedule,
) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO fee_schedule (business_id, mode, basis_points, flat_kobo, cap_kobo) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (business_id, mode) DO UPDATE SET basis_points = excluded.basis_points,
            flat_kobo = excluded.flat_kobo, cap_kobo = excluded.cap_kobo",
    )
    .bind(business_id)
    .bind(mode.as_str())
    .bind(fee.basis_points as i64)
    .bind(fee.flat.0)
    .bind(fee.cap.map(|c| c.0))
    .execute(pool)
    .await
    .map_err(|e| match map(e) {
        StoreError::Internal(msg) if msg.contains("FOREIGN KEY") => StoreError::NotFound,
        other => other,
    })?;
    Ok(())
}
