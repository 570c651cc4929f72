//! Businesses, their API keys, house ledger accounts and collection wallets.

use kobo_core::Mode;
use kobo_store::*;
use rusqlite::{params, Connection, OptionalExtension, Row};

use crate::error::map;
use crate::time::{now_text, parse};

const HOUSE_ACCOUNTS: [&str; 4] = ["settlement", "suspense", "fee_revenue", "vat_payable"];

pub(crate) fn create(conn: &Connection, name: &str, keys: &[NewApiKey]) -> StoreResult<Business> {
    let now = now_text();
    let id: i64 = conn
        .prepare_cached(
            "INSERT INTO business (name, created_at) VALUES (?, ?) RETURNING business_id",
        )
        .map_err(map)?
        .query_row(params![name, &now], |r| r.get(0))
        .map_err(map)?;
    insert_keys(conn, id, keys)?;
    for mode in [Mode::Test, Mode::Live] {
        let scope = Scope {
            business_id: id,
            mode,
        };
        for kind in HOUSE_ACCOUNTS {
            new_ledger_account(conn, scope, kind)?;
        }
        insert_collection_wallet(conn, scope, "Default collection wallet", true)?;
    }
    Ok(Business {
        id,
        name: name.to_string(),
        created_at: parse(&now)?,
    })
}

pub(crate) fn list(conn: &Connection) -> StoreResult<Vec<Business>> {
    let mut stmt = conn
        .prepare_cached("SELECT business_id, name, created_at FROM business ORDER BY business_id")
        .map_err(map)?;
    let mut rows = stmt.query([]).map_err(map)?;
    let mut businesses = Vec::new();
    while let Some(r) = rows.next().map_err(map)? {
        businesses.push(Business {
            id: r.get(0).map_err(map)?,
            name: r.get("name").map_err(map)?,
            created_at: parse(&r.get::<_, String>("created_at").map_err(map)?)?,
        });
    }
    Ok(businesses)
}

pub(crate) fn replace_keys(
    conn: &Connection,
    business_id: i64,
    mode: Mode,
    keys: &[NewApiKey],
) -> StoreResult<()> {
    let exists: Option<i64> = conn
        .prepare_cached("SELECT business_id FROM business WHERE business_id = ?")
        .map_err(map)?
        .query_row(params![business_id], |r| r.get(0))
        .optional()
        .map_err(map)?;
    if exists.is_none() {
        return Err(StoreError::NotFound);
    }
    conn.prepare_cached("DELETE FROM api_key WHERE business_id = ? AND mode = ?")
        .map_err(map)?
        .execute(params![business_id, mode.as_str()])
        .map_err(map)?;
    insert_keys(conn, business_id, keys)
}

fn insert_keys(conn: &Connection, business_id: i64, keys: &[NewApiKey]) -> StoreResult<()> {
    let mut stmt = conn
        .prepare_cached(
            "INSERT INTO api_key (business_id, mode, kind, key_hash, hint, created_at) VALUES (?, ?, ?, ?, ?, ?)",
        )
        .map_err(map)?;
    for key in keys {
        stmt.execute(params![
            business_id,
            key.mode.as_str(),
            key.kind.as_str(),
            &key.hash,
            &key.hint,
            now_text(),
        ])
        .map_err(map)?;
    }
    Ok(())
}

pub(crate) fn find_key(conn: &Connection, key_hash: &str) -> StoreResult<Option<ApiKey>> {
    conn.prepare_cached("SELECT business_id, mode, kind, key_hash FROM api_key WHERE key_hash = ?")
        .map_err(map)?
        .query_row(params![key_hash], |r| {
            Ok(ApiKey {
                business_id: r.get(0)?,
                mode: Mode::parse(&r.get::<_, String>(1)?).unwrap_or(Mode::Test),
                kind: if r.get::<_, String>(2)? == "public" {
                    kobo_core::keys::KeyKind::Public
                } else {
                    kobo_core::keys::KeyKind::Private
                },
                hash: r.get(3)?,
            })
        })
        .optional()
        .map_err(map)
}

/// Opens a ledger account with a zero balance.
pub(crate) fn new_ledger_account(conn: &Connection, scope: Scope, kind: &str) -> StoreResult<i64> {
    conn.prepare_cached(
        "INSERT INTO ledger_account (business_id, mode, kind, balance, created_at)
         VALUES (?, ?, ?, 0, ?) RETURNING ledger_account_id",
    )
    .map_err(map)?
    .query_row(
        params![scope.business_id, scope.mode.as_str(), kind, now_text()],
        |r| r.get(0),
    )
    .map_err(map)
}

fn insert_collection_wallet(
    conn: &Connection,
    scope: Scope,
    name: &str,
    is_default: bool,
) -> StoreResult<i64> {
    let account = new_ledger_account(conn, scope, "collection_wallet")?;
    conn.prepare_cached(
        "INSERT INTO collection_wallet (business_id, mode, code, name, is_default, ledger_account_id, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING collection_wallet_id",
    )
    .map_err(map)?
    .query_row(
        params![
            scope.business_id,
            scope.mode.as_str(),
            kobo_core::ids::collection_wallet_code(scope.mode),
            name,
            is_default,
            account,
            now_text(),
        ],
        |r| r.get(0),
    )
    .map_err(map)
}

const WALLET_SELECT: &str =
    "SELECT w.collection_wallet_id, w.code, w.name, w.is_default, a.balance, w.created_at
     FROM collection_wallet w JOIN ledger_account a ON a.ledger_account_id = w.ledger_account_id";

fn wallet_from_row(r: &Row<'_>) -> StoreResult<CollectionWallet> {
    Ok(CollectionWallet {
        id: r.get("collection_wallet_id").map_err(map)?,
        code: r.get("code").map_err(map)?,
        name: r.get("name").map_err(map)?,
        is_default: r.get("is_default").map_err(map)?,
        balance: kobo_core::Kobo(r.get("balance").map_err(map)?),
        created_at: parse(&r.get::<_, String>("created_at").map_err(map)?)?,
    })
}

/// Runs a wallet query (`WALLET_SELECT` plus `filter`) and converts its rows.
fn query_wallets(
    conn: &Connection,
    filter: &str,
    params: impl rusqlite::Params,
) -> StoreResult<Vec<CollectionWallet>> {
    let mut stmt = conn
        .prepare_cached(&format!("{WALLET_SELECT} {filter}"))
        .map_err(map)?;
    let mut rows = stmt.query(params).map_err(map)?;
    let mut wallets = Vec::new();
    while let Some(r) = rows.next().map_err(map)? {
        wallets.push(wallet_from_row(r)?);
    }
    Ok(wallets)
}

pub(crate) fn list_collection_wallets(
    conn: &Connection,
    scope: Scope,
) -> StoreResult<Vec<CollectionWallet>> {
    query_wallets(
        conn,
        "WHERE w.business_id = ? AND w.mode = ? ORDER BY w.collection_wallet_id",
        params![scope.business_id, scope.mode.as_str()],
    )
}

pub(crate) fn create_collection_wallet(
    conn: &Connection,
    scope: Scope,
    name: &str,
) -> StoreResult<CollectionWallet> {
    let id = insert_collection_wallet(conn, scope, name, false)?;
    query_wallets(conn, "WHERE w.collection_wallet_id = ?", params![id])?
        .into_iter()
        .next()
        .ok_or_else(|| StoreError::Internal("new collection wallet not found".into()))
}

pub(crate) fn find_collection_wallet(
    conn: &Connection,
    scope: Scope,
    code: &str,
) -> StoreResult<Option<CollectionWallet>> {
    Ok(query_wallets(
        conn,
        "WHERE w.business_id = ? AND w.mode = ? AND w.code = ?",
        params![scope.business_id, scope.mode.as_str(), code],
    )?
    .into_iter()
    .next())
}

pub(crate) fn set_fee_schedule(
    conn: &Connection,
    business_id: i64,
    mode: Mode,
    fee: FeeSchedule,
) -> StoreResult<()> {
    conn.prepare_cached(
        "INSERT INTO fee_schedule (business_id, mode, basis_points, flat_kobo, cap_kobo) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (business_id, mode) DO UPDATE SET basis_points = excluded.basis_points,
            flat_kobo = excluded.flat_kobo, cap_kobo = excluded.cap_kobo",
    )
    .map_err(map)?
    .execute(params![
        business_id,
        mode.as_str(),
        i64::from(fee.basis_points),
        fee.flat.0,
        fee.cap.map(|c| c.0),
    ])
    .map_err(|e| match map(e) {
        StoreError::Internal(msg) if msg.contains("FOREIGN KEY") => StoreError::NotFound,
        other => other,
    })?;
    Ok(())
}
