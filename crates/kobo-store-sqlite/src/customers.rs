//! Customers: insert, resolve an identifier, partial update, list.

use chrono::NaiveDate;
use kobo_core::{Kobo, Mode};
use kobo_store::*;
use rusqlite::types::Value;
use rusqlite::{params, params_from_iter, Connection, OptionalExtension, Row};

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
/// Runs inside the caller's write transaction.
pub(crate) fn create(conn: &Connection, scope: Scope, new: &NewCustomer) -> StoreResult<i64> {
    let now = now_text();
    let account = new_ledger_account(conn, scope, "customer_wallet")?;
    let search_text = new.search_key();
    let id: i64 = conn
        .prepare_cached(
            "INSERT INTO customer (business_id, mode, code, reference, first_name, last_name, company_name,
                rc_number, email, email_lower, phone, dob, bvn_ciphertext, bvn_hash, bvn_masked,
                nin_ciphertext, nin_hash, nin_masked, customer_type, status, collection_wallet_id,
                wallet_slug, ledger_account_id, created_at, updated_at, search_text)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'ACTIVE', ?, ?, ?, ?, ?, ?)
             RETURNING customer_id",
        )
        .map_err(map)?
        .query_row(
            params![
                scope.business_id,
                scope.mode.as_str(),
                new.code,
                new.reference,
                new.first_name,
                new.last_name,
                new.company_name,
                new.rc_number,
                new.email,
                new.email.to_lowercase(),
                new.phone,
                new.dob.map(|d| d.to_string()),
                new.bvn.as_ref().map(|s| &s.ciphertext),
                new.bvn.as_ref().map(|s| &s.hash),
                new.bvn.as_ref().map(|s| &s.masked),
                new.nin.as_ref().map(|s| &s.ciphertext),
                new.nin.as_ref().map(|s| &s.hash),
                new.nin.as_ref().map(|s| &s.masked),
                new.customer_type.as_str(),
                new.collection_wallet_id,
                new.wallet_slug,
                account,
                now,
                now,
                search_text,
            ],
            |r| r.get(0),
        )
        .map_err(map)?;
    crate::events::record(conn, scope, "customer.created", id, Some(id))?;
    conn.prepare_cached(
        "INSERT INTO customer_count (business_id, mode, total) VALUES (?, ?, 1)
         ON CONFLICT (business_id, mode) DO UPDATE SET total = total + 1",
    )
    .map_err(map)?
    .execute(params![scope.business_id, scope.mode.as_str()])
    .map_err(map)?;
    Ok(id)
}

pub(crate) fn get(conn: &Connection, scope: Scope, id: i64) -> StoreResult<Customer> {
    find(conn, scope, &CustomerLookup::Id(id))?.ok_or(StoreError::NotFound)
}

pub(crate) fn find(
    conn: &Connection,
    scope: Scope,
    lookup: &CustomerLookup,
) -> StoreResult<Option<Customer>> {
    let (column, value) = match lookup {
        CustomerLookup::Id(id) => ("c.customer_id", Value::Integer(*id)),
        CustomerLookup::Code(code) => ("c.code", Value::Text(code.clone())),
        CustomerLookup::Reference(r) => ("c.reference", Value::Text(r.clone())),
        CustomerLookup::Email(e) => ("c.email_lower", Value::Text(e.to_lowercase())),
    };
    // One text per lookup kind, so the cache holds at most four.
    let sql = format!("{SELECT} WHERE c.business_id = ? AND c.mode = ? AND {column} = ?");
    let mut stmt = conn.prepare_cached(&sql).map_err(map)?;
    let mut rows = stmt
        .query(params![scope.business_id, scope.mode.as_str(), value])
        .map_err(map)?;
    rows.next().map_err(map)?.map(from_row).transpose()
}

/// Applies the patch, refreshes the search key and records the event.
/// Runs inside the caller's write transaction.
pub(crate) fn update(
    conn: &Connection,
    scope: Scope,
    id: i64,
    p: &CustomerPatch,
) -> StoreResult<()> {
    let (set_wallet, wallet) = match p.collection_wallet_id {
        Some(w) => (true, w),
        None => (false, None),
    };
    let changed = conn
        .prepare_cached(
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
        .map_err(map)?
        .execute(params![
            p.reference,
            p.first_name,
            p.last_name,
            p.company_name,
            p.rc_number,
            p.email,
            p.email.as_ref().map(|e| e.to_lowercase()),
            p.phone,
            p.dob.map(|d| d.to_string()),
            p.bvn.as_ref().map(|s| &s.ciphertext),
            p.bvn.as_ref().map(|s| &s.hash),
            p.bvn.as_ref().map(|s| &s.masked),
            p.nin.as_ref().map(|s| &s.ciphertext),
            p.nin.as_ref().map(|s| &s.hash),
            p.nin.as_ref().map(|s| &s.masked),
            p.customer_type.map(|t| t.as_str()),
            set_wallet,
            wallet,
            p.status.map(|s| s.as_str()),
            now_text(),
            id,
            scope.business_id,
            scope.mode.as_str(),
        ])
        .map_err(map)?;
    if changed == 0 {
        return Err(StoreError::NotFound);
    }
    refresh_search_text(conn, id)?;
    crate::events::record(conn, scope, "customer.updated", id, Some(id))
}

/// Recomputes the folded search key from the stored (patched) fields.
fn refresh_search_text(conn: &Connection, id: i64) -> StoreResult<()> {
    let fields: Vec<Option<String>> = conn
        .prepare_cached(
            "SELECT first_name, last_name, company_name, email, phone, reference FROM customer WHERE customer_id = ?",
        )
        .map_err(map)?
        .query_row(params![id], |r| (0..6).map(|i| r.get(i)).collect())
        .map_err(map)?;
    let fields: Vec<Option<&str>> = fields.iter().map(Option::as_deref).collect();
    let key = kobo_core::validate::customer_search_key(&fields);
    conn.prepare_cached("UPDATE customer SET search_text = ? WHERE customer_id = ?")
        .map_err(map)?
        .execute(params![key, id])
        .map_err(map)?;
    Ok(())
}

pub(crate) fn list(
    conn: &Connection,
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
    let mut args: Vec<Value> = vec![
        Value::Integer(scope.business_id),
        Value::Text(scope.mode.as_str().to_owned()),
        optional_text(q.customer_type.map(|t| t.as_str())),
        optional_text(q.status.map(|s| s.as_str())),
        optional_text(search.as_deref()),
    ];
    let filter_args = args.len();
    args.extend([
        q.starting_after.map_or(Value::Null, Value::Integer),
        Value::Integer(i64::from(q.limit)),
        Value::Integer(q.offset as i64),
    ]);
    let sql = format!(
        "{SELECT} WHERE {filter} AND c.customer_id < COALESCE(?6, 9223372036854775807)
         ORDER BY c.customer_id DESC LIMIT ?7 OFFSET ?8"
    );
    let mut stmt = conn.prepare_cached(&sql).map_err(map)?;
    let mut rows = stmt.query(params_from_iter(&args)).map_err(map)?;
    let mut items = Vec::new();
    while let Some(row) = rows.next().map_err(map)? {
        items.push(from_row(row)?);
    }
    let unfiltered = q.customer_type.is_none() && q.status.is_none() && search.is_none();
    let total: i64 = if unfiltered {
        conn.prepare_cached("SELECT total FROM customer_count WHERE business_id = ? AND mode = ?")
            .map_err(map)?
            .query_row(params![scope.business_id, scope.mode.as_str()], |r| {
                r.get(0)
            })
            .optional()
            .map_err(map)?
            .unwrap_or(0)
    } else {
        conn.prepare_cached(&format!("SELECT COUNT(*) FROM customer c WHERE {filter}"))
            .map_err(map)?
            .query_row(params_from_iter(&args[..filter_args]), |r| r.get(0))
            .map_err(map)?
    };
    Ok(CustomerPage {
        items,
        total: total.max(0) as u64,
    })
}

fn optional_text(s: Option<&str>) -> Value {
    s.map_or(Value::Null, |s| Value::Text(s.to_owned()))
}

fn escape_like(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_")
}

/// Columns by position, in the order of [`SELECT`] (a name lookup per
/// column costs more than the rest of the row on this hot path).
fn from_row(r: &Row<'_>) -> StoreResult<Customer> {
    let bad = |what: &str| StoreError::Internal(format!("bad stored {what}"));
    let text = |i: usize| r.get::<_, String>(i).map_err(map);
    let optional = |i: usize| r.get::<_, Option<String>>(i).map_err(map);
    Ok(Customer {
        id: r.get(0).map_err(map)?,
        code: text(1)?,
        mode: Mode::parse(&text(2)?).ok_or_else(|| bad("mode"))?,
        reference: text(3)?,
        first_name: optional(4)?,
        last_name: optional(5)?,
        company_name: optional(6)?,
        rc_number: optional(7)?,
        email: text(8)?,
        phone: optional(9)?,
        dob: optional(10)?
            .map(|d| d.parse::<NaiveDate>().map_err(|_| bad("dob")))
            .transpose()?,
        bvn_masked: optional(11)?,
        nin_masked: optional(12)?,
        customer_type: CustomerType::parse(&text(13)?).ok_or_else(|| bad("type"))?,
        status: CustomerStatus::parse(&text(14)?).ok_or_else(|| bad("status"))?,
        collection_wallet_code: optional(15)?,
        wallet_slug: text(16)?,
        wallet_balance: Kobo(r.get(17).map_err(map)?),
        created_at: parse(&text(18)?)?,
        updated_at: parse(&text(19)?)?,
    })
}
