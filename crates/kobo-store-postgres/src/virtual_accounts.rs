//! Virtual accounts: NUBAN serials from a counter row that only ever grows
//! (so a number is never issued twice, across restarts, nodes and parallel
//! requests), capped per customer, refused to inactive customers.
//!
//! Across nodes the cap and the inactive check hold because the customer row
//! is locked first (`FOR NO KEY UPDATE`: it excludes other issuers and status
//! changes, but not inflows, whose entries only need the row to exist) and the
//! accounts already held are counted after the lock is granted.

use kobo_core::Mode;
use kobo_store::*;
use sqlx::postgres::PgRow;
use sqlx::{PgConnection, PgPool, Row};

use crate::error::map;
use crate::time::{now_text, parse};

/// First serial handed out for an institution (numbers look like real ones).
const FIRST_SERIAL: i64 = 100_000_000;
const MAX_SERIAL: i64 = 999_999_999;

pub(crate) async fn create(
    pool: &PgPool,
    scope: Scope,
    customer_id: i64,
    reference: Option<String>,
    issuer: &AccountIssuer,
) -> StoreResult<VirtualAccount> {
    let mut tx = pool.begin().await.map_err(map)?;
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
    let row = sqlx::query(&format!("{SELECT} WHERE virtual_account_id = $1"))
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
/// returns its id. Runs inside the caller's transaction.
pub(crate) async fn issue(
    conn: &mut PgConnection,
    scope: Scope,
    customer_id: i64,
    reference: Option<String>,
    issuer: &AccountIssuer,
    kind: Kind,
) -> StoreResult<i64> {
    let owner = sqlx::query(
        "SELECT c.status, c.first_name, c.last_name, c.company_name, b.name AS business_name
         FROM customer c JOIN business b ON b.business_id = c.business_id
         WHERE c.customer_id = $1 AND c.business_id = $2 AND c.mode = $3
         FOR NO KEY UPDATE OF c",
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
    if kind == Kind::Permanent {
        // A separate statement: its snapshot is taken after the lock above
        // was granted, so it sees every account a previous holder committed.
        let held: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM virtual_account WHERE customer_id = $1 AND kind = 'permanent'",
        )
        .bind(customer_id)
        .fetch_one(&mut *conn)
        .await
        .map_err(map)?;
        if held >= issuer.max_per_customer as i64 {
            return Err(StoreError::Refused(Refusal::VirtualAccountLimit {
                max: issuer.max_per_customer,
            }));
        }
    }
    let serial: i64 = sqlx::query_scalar(
        "INSERT INTO nuban_serial (institution_code, next_serial) VALUES ($1, $2)
         ON CONFLICT (institution_code) DO UPDATE SET next_serial = nuban_serial.next_serial + 1
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
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'ACTIVE', $10, $11, $12)
         RETURNING virtual_account_id",
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
    .bind(match kind {
        Kind::OneTime => "one_time",
        Kind::Permanent => "permanent",
    })
    .bind(now_text())
    .fetch_one(&mut *conn)
    .await
    .map_err(map)
}

const SELECT: &str =
    "SELECT virtual_account_id, code, customer_id, mode, account_number, account_name,
        bank_name, bank_code, provider, status, reference, created_at FROM virtual_account";

pub(crate) async fn of_customers(
    pool: &PgPool,
    scope: Scope,
    ids: &[i64],
) -> StoreResult<Vec<VirtualAccount>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let rows = sqlx::query(&format!(
        "{SELECT} WHERE business_id = $1 AND mode = $2 AND kind = 'permanent'
         AND customer_id = ANY($3) ORDER BY virtual_account_id"
    ))
    .bind(scope.business_id)
    .bind(scope.mode.as_str())
    .bind(ids)
    .fetch_all(pool)
    .await
    .map_err(map)?;
    rows.iter().map(from_row).collect()
}

pub(crate) async fn find(
    pool: &PgPool,
    scope: Scope,
    id: i64,
) -> StoreResult<Option<VirtualAccount>> {
    let row = sqlx::query(&format!(
        "{SELECT} WHERE virtual_account_id = $1 AND business_id = $2 AND mode = $3"
    ))
    .bind(id)
    .bind(scope.business_id)
    .bind(scope.mode.as_str())
    .fetch_optional(pool)
    .await
    .map_err(map)?;
    row.as_ref().map(from_row).transpose()
}

pub(crate) async fn name_enquiry(
    pool: &PgPool,
    account_number: &str,
) -> StoreResult<Option<NameEnquiry>> {
    let row = sqlx::query(
        "SELECT v.account_number, v.account_name, v.bank_name, v.bank_code, v.mode, v.status,
                c.status AS customer_status,
                (o.status IS NULL OR (o.status <> 'EXPIRED' AND o.expires_at > $2)) AS payable
         FROM virtual_account v JOIN customer c ON c.customer_id = v.customer_id
         LEFT JOIN one_time_account o ON o.virtual_account_id = v.virtual_account_id
         WHERE v.account_number = $1",
    )
    .bind(account_number)
    .bind(crate::time::now_text())
    .fetch_optional(pool)
    .await
    .map_err(map)?;
    Ok(row.map(|r| NameEnquiry {
        account_number: r.get("account_number"),
        account_name: r.get("account_name"),
        bank_name: r.get("bank_name"),
        bank_code: r.get("bank_code"),
        mode: Mode::parse(r.get("mode")).unwrap_or(Mode::Test),
        // An expired one-time account is not payable (as in the SQLite engine).
        active: r.get::<&str, _>("status") == "ACTIVE"
            && r.get::<&str, _>("customer_status") == "ACTIVE"
            && r.get::<bool, _>("payable"),
    }))
}

pub(crate) fn from_row(r: &PgRow) -> StoreResult<VirtualAccount> {
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
