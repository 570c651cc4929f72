//! Permanent virtual accounts: NUBAN serials from a counter row that only
//! ever grows (so a number is never issued twice, across restarts and
//! parallel requests), capped per customer, refused to inactive customers.

use kobo_core::Mode;
use kobo_store::*;
use sqlx::sqlite::SqliteRow;
use sqlx::{Row, SqliteConnection, SqlitePool};

use crate::error::map;
use crate::time::{now_text, parse};

/// First serial handed out for an institution (numbers look like real ones).
const FIRST_SERIAL: i64 = 100_000_000;
const MAX_SERIAL: i64 = 999_999_999;

pub(crate) async fn create(
    pool: &SqlitePool,
    scope: Scope,
    customer_id: i64,
    reference: Option<String>,
    issuer: &AccountIssuer,
) -> StoreResult<VirtualAccount> {
    let mut tx = crate::write::begin(pool).await?;
    let id = issue(
        &mut tx,
        scope,
        customer_id,
        reference,
        issuer,
        Kind::Permanent,
    )
    .await?;
    crate::events::record(
        &mut tx,
        scope,
        "virtual_account.created",
        id,
        Some(customer_id),
    )
    .await?;
    let row = sqlx::query(&format!("{SELECT} WHERE virtual_account_id = ?"))
        .bind(id)
        .fetch_one(&mut *tx)
        .await
        .map_err(map)?;
    tx.commit().await.map_err(map)?;
    from_row(&row)
}

#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Permanent,
    OneTime,
}

/// Checks the owner, allocates the next serial and inserts the account;
/// returns its id. Runs inside the caller's (write) transaction.
pub(crate) async fn issue(
    conn: &mut SqliteConnection,
    scope: Scope,
    customer_id: i64,
    reference: Option<String>,
    issuer: &AccountIssuer,
    kind: Kind,
) -> StoreResult<i64> {
    let owner = sqlx::query(
        "SELECT c.status, c.first_name, c.last_name, c.company_name, b.name AS business_name,
                (SELECT COUNT(*) FROM virtual_account v
                 WHERE v.customer_id = c.customer_id AND v.kind = 'permanent') AS held
         FROM customer c JOIN business b ON b.business_id = c.business_id
         WHERE c.customer_id = ? AND c.business_id = ? AND c.mode = ?",
    )
    .bind(customer_id)
    .bind(scope.business_id)
    .bind(scope.mode.as_str())
    .fetch_optional(&mut *conn)
    .await
    .map_err(map)?
    .ok_or(StoreError::NotFound)?;
    if owner.get::<&str, _>("status") != "ACTIVE" {
        return Err(StoreError::Refused(Refusal::CustomerInactive));
    }
    if kind == Kind::Permanent && owner.get::<i64, _>("held") >= issuer.max_per_customer as i64 {
        return Err(StoreError::Refused(Refusal::VirtualAccountLimit {
            max: issuer.max_per_customer,
        }));
    }
    let serial: i64 = sqlx::query_scalar(
        "INSERT INTO nuban_serial (institution_code, next_serial) VALUES (?, ?)
         ON CONFLICT (institution_code) DO UPDATE SET next_serial = next_serial + 1
         RETURNING next_serial - 1",
    )
    .bind(&issuer.institution_code)
    .bind(FIRST_SERIAL + 1)
    .fetch_one(&mut *conn)
    .await
    .map_err(map)?;
    if serial > MAX_SERIAL {
        return Err(StoreError::Internal(
            "NUBAN serials for this institution are exhausted".into(),
        ));
    }
    let number = kobo_core::nuban::account_number(&issuer.institution_code, serial as u64)
        .ok_or_else(|| StoreError::Internal("bad institution code".into()))?;
    let customer_name = match owner.get::<Option<String>, _>("company_name") {
        Some(company) => company,
        None => format!(
            "{} {}",
            owner
                .get::<Option<String>, _>("first_name")
                .unwrap_or_default(),
            owner
                .get::<Option<String>, _>("last_name")
                .unwrap_or_default()
        )
        .trim()
        .to_string(),
    };
    let account_name: String = format!(
        "{} / {}",
        owner.get::<&str, _>("business_name"),
        customer_name
    )
    .chars()
    .take(100)
    .collect();
    sqlx::query_scalar(
        "INSERT INTO virtual_account (business_id, mode, customer_id, code, account_number, account_name,
            bank_name, bank_code, provider, status, reference, kind, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'ACTIVE', ?, ?, ?) RETURNING virtual_account_id",
    )
    .bind(scope.business_id)
    .bind(scope.mode.as_str())
    .bind(customer_id)
    .bind(kobo_core::ids::virtual_account_code())
    .bind(&number)
    .bind(&account_name)
    .bind(&issuer.bank_name)
    .bind(&issuer.institution_code)
    .bind(&issuer.provider)
    .bind(&reference)
    .bind(if kind == Kind::OneTime { "one_time" } else { "permanent" })
    .bind(now_text())
    .fetch_one(&mut *conn)
    .await
    .map_err(map)
}

const SELECT: &str =
    "SELECT virtual_account_id, code, customer_id, mode, account_number, account_name,
        bank_name, bank_code, provider, status, reference, created_at FROM virtual_account";

pub(crate) async fn of_customers(
    pool: &SqlitePool,
    scope: Scope,
    ids: &[i64],
) -> StoreResult<Vec<VirtualAccount>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let placeholders = vec!["?"; ids.len()].join(", ");
    let sql = format!(
        "{SELECT} WHERE business_id = ? AND mode = ? AND kind = 'permanent'
         AND customer_id IN ({placeholders}) ORDER BY virtual_account_id"
    );
    let mut query = sqlx::query(&sql)
        .bind(scope.business_id)
        .bind(scope.mode.as_str());
    for id in ids {
        query = query.bind(id);
    }
    let rows = query.fetch_all(pool).await.map_err(map)?;
    rows.iter().map(from_row).collect()
}

pub(crate) async fn name_enquiry(
    pool: &SqlitePool,
    account_number: &str,
) -> StoreResult<Option<NameEnquiry>> {
    let row = sqlx::query(
        "SELECT v.account_number, v.account_name, v.bank_name, v.bank_code, v.mode, v.status,
                c.status AS customer_status,
                (o.status IS NULL OR (o.status <> 'EXPIRED' AND o.expires_at > ?)) AS payable
         FROM virtual_account v JOIN customer c ON c.customer_id = v.customer_id
         LEFT JOIN one_time_account o ON o.virtual_account_id = v.virtual_account_id
         WHERE v.account_number = ?",
    )
    .bind(now_text())
    .bind(account_number)
    .fetch_optional(pool)
    .await
    .map_err(map)?;
    Ok(row.map(|r| NameEnquiry {
        account_number: r.get("account_number"),
        account_name: r.get("account_name"),
        bank_name: r.get("bank_name"),
        bank_code: r.get("bank_code"),
        mode: Mode::parse(r.get("mode")).unwrap_or(Mode::Test),
        // An expired one-time account is not payable: refusing the name
        // enquiry stops the transfer before money moves.
        active: r.get::<&str, _>("status") == "ACTIVE"
            && r.get::<&str, _>("customer_status") == "ACTIVE"
            && r.get::<bool, _>("payable"),
    }))
}

pub(crate) fn from_row(r: &SqliteRow) -> StoreResult<VirtualAccount> {
    Ok(VirtualAccount {
        id: r.get("virtual_account_id"),
        code: r.get("code"),
        customer_id: r.get("customer_id"),
        mode: Mode::parse(r.get("mode")).ok_or_else(|| StoreError::Internal("bad mode".into()))?,
        account_number: r.get("account_number"),
        account_name: r.get("account_name"),
        bank_name: r.get("bank_name"),
        bank_code: r.get("bank_code"),
        provider: r.get("provider"),
        status: r.get("status"),
        reference: r.get("reference"),
        created_at: parse(r.get("created_at"))?,
    })
}

pub(crate) async fn find(
    pool: &SqlitePool,
    scope: Scope,
    id: i64,
) -> StoreResult<Option<VirtualAccount>> {
    let row = sqlx::query(&format!(
        "{SELECT} WHERE virtual_account_id = ? AND business_id = ? AND mode = ?"
    ))
    .bind(id)
    .bind(scope.business_id)
    .bind(scope.mode.as_str())
    .fetch_optional(pool)
    .await
    .map_err(map)?;
    row.as_ref().map(from_row).transpose()
}
