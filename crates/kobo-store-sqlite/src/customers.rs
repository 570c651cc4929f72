//! Customers: insert, resolve an identifier, partial update, list.

use chrono::NaiveDate;
use kobo_core::{Kobo, Mode};
use kobo_store::*;
use sqlx::sqlite::SqliteRow;
use sqlx::{Row, SqlitePool};

use crate::businesses::new_ledger_account;
use crate::error::map;
use crate::time::{now_text, parse};

const SELECT: &str = "SELECT c.customer_id, c.code, c.mode, c.reference, c.first_name, c.last_name,
        c.company_name, c.rc_number, c.email, c.phone, c.dob, c.bvn_masked, c.nin_masked,
        c.customer_type, c.status, w.code AS collection_wallet_code, c.wallet_slug,
        a.balance, c.created_at, c.updated_at
     FROM customer c
     JOIN ledger_account a ON a.ledger_account_id = c.ledger_account_id
     LEFT JOIN collection_wallet w ON w.collection_wallet_id = c.collection_wallet_id";

/// Inserts the customer, its wallet account and bumps the count; returns the id.
pub(crate) async fn create(pool: &SqlitePool, scope: Scope, new: &NewCustomer) -> StoreResult<i64> {
    let now = now_text();
    let mut tx = crate::write::begin(pool).await?;
    let account = new_ledger_account(&mut tx, scope, "customer_wallet").await?;
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO customer (business_id, mode, code, reference, first_name, last_name, company_name,
            rc_number, email, email_lower, phone, dob, bvn_ciphertext, bvn_hash, bvn_masked,
            nin_ciphertext, nin_hash, nin_masked, customer_type, status, collection_wallet_id,
            wallet_slug, ledger_account_id, created_at, updated_at, search_text)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'ACTIVE', ?, ?, ?, ?, ?, ?)
         RETURNING customer_id",
    )
    .bind(scope.business_id)
    .bind(scope.mode.as_str())
    .bind(&new.code)
    .bind(&new.reference)
    .bind(&new.first_name)
    .bind(&new.last_name)
    .bind(&new.company_name)
    .bind(&new.rc_number)
    .bind(&new.email)
    .bind(new.email.to_lowercase())
    .bind(&new.phone)
    .bind(new.dob.map(|d| d.to_string()))
    .bind(new.bvn.as_ref().map(|s| &s.ciphertext))
    .bind(new.bvn.as_ref().map(|s| &s.hash))
    .bind(new.bvn.as_ref().map(|s| &s.masked))
    .bind(new.nin.as_ref().map(|s| &s.ciphertext))
    .bind(new.nin.as_ref().map(|s| &s.hash))
    .bind(new.nin.as_ref().map(|s| &s.masked))
    .bind(new.customer_type.as_str())
    .bind(new.collection_wallet_id)
    .bind(&new.wallet_slug)
    .bind(account)
    .bind(&now)
    .bind(&now)
    .bind(kobo_core::validate::customer_search_key(&[
        new.first_name.as_deref(),
        new.last_name.as_deref(),
        new.company_name.as_deref(),
        Some(&new.email),
        new.phone.as_deref(),
        Some(&new.reference),
    ]))
    .fetch_one(&mut *tx)
    .await
    .map_err(map)?;
    crate::events::record(&mut tx, scope, "customer.created", id, Some(id)).await?;
    sqlx::query(
        "INSERT INTO customer_count (business_id, mode, total) VALUES (?, ?, 1)
         ON CONFLICT (business_id, mode) DO UPDATE SET total = total + 1",
    )
    .bind(scope.business_id)
    .bind(scope.mode.as_str())
    .execute(&mut *tx)
    .await
    .map_err(map)?;
    tx.commit().await.map_err(map)?;
    Ok(id)
}

pub(crate) async fn get(pool: &SqlitePool, scope: Scope, id: i64) -> StoreResult<Customer> {
    find(pool, scope, &CustomerLookup::Id(id))
        .await?
        .ok_or(StoreError::NotFound)
}

pub(crate) async fn find(
    pool: &SqlitePool,
    scope: Scope,
    lookup: &CustomerLookup,
) -> StoreResult<Option<Customer>> {
    let (column, value): (&str, String) = match lookup {
        CustomerLookup::Id(id) => ("c.customer_id", id.to_string()),
        CustomerLookup::Code(code) => ("c.code", code.clone()),
        CustomerLookup::Reference(r) => ("c.reference", r.clone()),
        CustomerLookup::Email(e) => ("c.email_lower", e.to_lowercase()),
    };
    let sql = format!("{SELECT} WHERE c.business_id = ? AND c.mode = ? AND {column} = ?");
    let mut query = sqlx::query(&sql)
        .bind(scope.business_id)
        .bind(scope.mode.as_str());
    query = match lookup {
        CustomerLookup::Id(id) => query.bind(*id),
        _ => query.bind(value),
    };
    let row = query.fetch_optional(pool).await.map_err(map)?;
    row.as_ref().map(from_row).transpose()
}

pub(crate) async fn update(
    pool: &SqlitePool,
    scope: Scope,
    id: i64,
    p: &CustomerPatch,
) -> StoreResult<()> {
    let (set_wallet, wallet) = match p.collection_wallet_id {
        Some(w) => (true, w),
        None => (false, None),
    };
    let mut tx = crate::write::begin(pool).await?;
    let done = sqlx::query(
        "UPDATE customer SET
            reference = COALESCE(?, reference),
            first_name = COALESCE(?, first_name),
            last_name = COALESCE(?, last_name),
            company_name = COALESCE(?, company_name),
            rc_number = COALESCE(?, rc_number),
            email = COALESCE(?, email),
            email_lower = COALESCE(?, email_lower),
            phone = COALESCE(?, phone),
            dob = COALESCE(?, dob),
            bvn_ciphertext = COALESCE(?, bvn_ciphertext),
            bvn_hash = COALESCE(?, bvn_hash),
            bvn_masked = COALESCE(?, bvn_masked),
            nin_ciphertext = COALESCE(?, nin_ciphertext),
            nin_hash = COALESCE(?, nin_hash),
            nin_masked = COALESCE(?, nin_masked),
            customer_type = COALESCE(?, customer_type),
            collection_wallet_id = CASE WHEN ? THEN ? ELSE collection_wallet_id END,
            status = COALESCE(?, status),
            updated_at = ?
         WHERE customer_id = ? AND business_id = ? AND mode = ?",
    )
    .bind(&p.reference)
    .bind(&p.first_name)
    .bind(&p.last_name)
    .bind(&p.company_name)
    .bind(&p.rc_number)
    .bind(&p.email)
    .bind(p.email.as_ref().map(|e| e.to_lowercase()))
    .bind(&p.phone)
    .bind(p.dob.map(|d| d.to_string()))
    .bind(p.bvn.as_ref().map(|s| &s.ciphertext))
    .bind(p.bvn.as_ref().map(|s| &s.hash))
    .bind(p.bvn.as_ref().map(|s| &s.masked))
    .bind(p.nin.as_ref().map(|s| &s.ciphertext))
    .bind(p.nin.as_ref().map(|s| &s.hash))
    .bind(p.nin.as_ref().map(|s| &s.masked))
    .bind(p.customer_type.map(|t| t.as_str()))
    .bind(set_wallet)
    .bind(wallet)
    .bind(p.status.map(|s| s.as_str()))
    .bind(now_text())
    .bind(id)
    .bind(scope.business_id)
    .bind(scope.mode.as_str())
    .execute(&mut *tx)
    .await
    .map_err(map)?;
    if done.rows_affected() == 0 {
        return Err(StoreError::NotFound);
    }
    let row = sqlx::query(
        "SELECT first_name, last_name, company_name, email, phone, reference FROM customer WHERE customer_id = ?",
    )
    .bind(id)
    .fetch_one(&mut *tx)
    .await
    .map_err(map)?;
    let field = |name: &str| row.get::<Option<String>, _>(name);
    let key = kobo_core::validate::customer_search_key(&[
        field("first_name").as_deref(),
        field("last_name").as_deref(),
        field("company_name").as_deref(),
        field("email").as_deref(),
        field("phone").as_deref(),
        field("reference").as_deref(),
    ]);
    sqlx::query("UPDATE customer SET search_text = ? WHERE customer_id = ?")
        .bind(key)
        .bind(id)
        .execute(&mut *tx)
        .await
        .map_err(map)?;
    crate::events::record(&mut tx, scope, "customer.updated", id, Some(id)).await?;
    tx.commit().await.map_err(map)
}

pub(crate) async fn list(
    pool: &SqlitePool,
    scope: Scope,
    q: &CustomerQuery,
) -> StoreResult<CustomerPage> {
    // Matched against the folded search key, so case and Unicode form do not matter.
    let search = q
        .search
        .as_ref()
        .map(|s| format!("%{}%", escape_like(&kobo_core::validate::search_fold(s))));
    let filter = "c.business_id = ?1 AND c.mode = ?2
        AND (?3 IS NULL OR c.customer_type = ?3)
        AND (?4 IS NULL OR c.status = ?4)
        AND (?5 IS NULL OR c.search_text LIKE ?5 ESCAPE '\\')";
    let sql = format!(
        "{SELECT} WHERE {filter} AND c.customer_id < COALESCE(?6, 9223372036854775807)
         ORDER BY c.customer_id DESC LIMIT ?7 OFFSET ?8"
    );
    let rows = sqlx::query(&sql)
        .bind(scope.business_id)
        .bind(scope.mode.as_str())
        .bind(q.customer_type.map(|t| t.as_str()))
        .bind(q.status.map(|s| s.as_str()))
        .bind(&search)
        .bind(q.starting_after)
        .bind(q.limit as i64)
        .bind(q.offset as i64)
        .fetch_all(pool)
        .await
        .map_err(map)?;
    let items = rows.iter().map(from_row).collect::<StoreResult<Vec<_>>>()?;
    let unfiltered = q.customer_type.is_none() && q.status.is_none() && search.is_none();
    let total: i64 = if unfiltered {
        sqlx::query_scalar("SELECT total FROM customer_count WHERE business_id = ? AND mode = ?")
            .bind(scope.business_id)
            .bind(scope.mode.as_str())
            .fetch_optional(pool)
            .await
            .map_err(map)?
            .unwrap_or(0)
    } else {
        sqlx::query_scalar(&format!("SELECT COUNT(*) FROM customer c WHERE {filter}"))
            .bind(scope.business_id)
            .bind(scope.mode.as_str())
            .bind(q.customer_type.map(|t| t.as_str()))
            .bind(q.status.map(|s| s.as_str()))
            .bind(&search)
            .fetch_one(pool)
            .await
            .map_err(map)?
    };
    Ok(CustomerPage {
        items,
        total: total.max(0) as u64,
    })
}

fn escape_like(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_")
}

fn from_row(r: &SqliteRow) -> StoreResult<Customer> {
    let bad = |what: &str| StoreError::Internal(format!("bad stored {what}"));
    Ok(Customer {
        id: r.get("customer_id"),
        code: r.get("code"),
        mode: Mode::parse(r.get("mode")).ok_or_else(|| bad("mode"))?,
        reference: r.get("reference"),
        first_name: r.get("first_name"),
        last_name: r.get("last_name"),
        company_name: r.get("company_name"),
        rc_number: r.get("rc_number"),
        email: r.get("email"),
        phone: r.get("phone"),
        dob: r
            .get::<Option<&str>, _>("dob")
            .map(|d| d.parse::<NaiveDate>().map_err(|_| bad("dob")))
            .transpose()?,
        bvn_masked: r.get("bvn_masked"),
        nin_masked: r.get("nin_masked"),
        customer_type: CustomerType::parse(r.get("customer_type")).ok_or_else(|| bad("type"))?,
        status: CustomerStatus::parse(r.get("status")).ok_or_else(|| bad("status"))?,
        collection_wallet_code: r.get("collection_wallet_code"),
        wallet_slug: r.get("wallet_slug"),
        wallet_balance: Kobo(r.get("balance")),
        created_at: parse(r.get("created_at"))?,
        updated_at: parse(r.get("updated_at"))?,
    })
}
