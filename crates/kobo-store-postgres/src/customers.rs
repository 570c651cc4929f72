//! Customers: resolve an identifier, partial update (which keeps the folded
//! search key, `search_text`, in step); creating them is `customer_create`.

use chrono::NaiveDate;
use kobo_core::{Kobo, Mode};
use kobo_store::*;
use sqlx::postgres::PgRow;
use sqlx::{PgPool, Row};

use crate::error::map;
use crate::time::{now_text, parse};

pub(crate) const SELECT: &str =
    "SELECT c.customer_id, c.code, c.mode, c.reference, c.first_name, c.last_name,
        c.company_name, c.rc_number, c.email, c.phone, c.dob, c.bvn_masked, c.nin_masked,
        c.customer_type, c.status, w.code AS collection_wallet_code, c.wallet_slug,
        a.balance, c.created_at, c.updated_at
     FROM customer c
     JOIN ledger_account a ON a.ledger_account_id = c.ledger_account_id
     LEFT JOIN collection_wallet w ON w.collection_wallet_id = c.collection_wallet_id";

pub(crate) async fn get(pool: &PgPool, scope: Scope, id: i64) -> StoreResult<Customer> {
    find(pool, scope, &CustomerLookup::Id(id))
        .await?
        .ok_or(StoreError::NotFound)
}

pub(crate) async fn find(
    pool: &PgPool,
    scope: Scope,
    lookup: &CustomerLookup,
) -> StoreResult<Option<Customer>> {
    let column = match lookup {
        CustomerLookup::Id(_) => "c.customer_id",
        CustomerLookup::Code(_) => "c.code",
        CustomerLookup::Reference(_) => "c.reference",
        CustomerLookup::Email(_) => "c.email_lower",
    };
    let sql = format!("{SELECT} WHERE c.business_id = $1 AND c.mode = $2 AND {column} = $3");
    let query = sqlx::query(&sql)
        .bind(scope.business_id)
        .bind(scope.mode.as_str());
    let query = match lookup {
        CustomerLookup::Id(id) => query.bind(*id),
        CustomerLookup::Code(code) => query.bind(code.clone()),
        CustomerLookup::Reference(r) => query.bind(r.clone()),
        CustomerLookup::Email(e) => query.bind(e.to_lowercase()),
    };
    let row = query.fetch_optional(pool).await.map_err(map)?;
    row.as_ref().map(from_row).transpose()
}

pub(crate) async fn update(
    pool: &PgPool,
    scope: Scope,
    id: i64,
    p: &CustomerPatch,
) -> StoreResult<()> {
    let (set_wallet, wallet) = match p.collection_wallet_id {
        Some(w) => (true, w),
        None => (false, None),
    };
    let mut tx = pool.begin().await.map_err(map)?;
    let done = sqlx::query(
        "UPDATE customer SET
            reference = COALESCE($1, reference),
            first_name = COALESCE($2, first_name),
            last_name = COALESCE($3, last_name),
            company_name = COALESCE($4, company_name),
            rc_number = COALESCE($5, rc_number),
            email = COALESCE($6, email),
            email_lower = COALESCE($7, email_lower),
            phone = COALESCE($8, phone),
            dob = COALESCE($9, dob),
            bvn_ciphertext = COALESCE($10, bvn_ciphertext),
            bvn_hash = COALESCE($11, bvn_hash),
            bvn_masked = COALESCE($12, bvn_masked),
            nin_ciphertext = COALESCE($13, nin_ciphertext),
            nin_hash = COALESCE($14, nin_hash),
            nin_masked = COALESCE($15, nin_masked),
            customer_type = COALESCE($16, customer_type),
            collection_wallet_id = CASE WHEN $17 THEN $18 ELSE collection_wallet_id END,
            status = COALESCE($19, status),
            updated_at = $20
         WHERE customer_id = $21 AND business_id = $22 AND mode = $23",
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
    // The search key follows the merged fields; the row is locked by the
    // update above until this transaction ends.
    let row = sqlx::query(
        "SELECT first_name, last_name, company_name, email, phone, reference FROM customer
         WHERE customer_id = $1",
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
    sqlx::query("UPDATE customer SET search_text = $1 WHERE customer_id = $2")
        .bind(key)
        .bind(id)
        .execute(&mut *tx)
        .await
        .map_err(map)?;
    crate::events::record(&mut tx, scope, "customer.updated", id, Some(id)).await?;
    tx.commit().await.map_err(map)
}

pub(crate) fn from_row(r: &PgRow) -> StoreResult<Customer> {
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
