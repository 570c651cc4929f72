//! Permanent virtual accounts: NUBAN serials from a counter row that only
//! ever grows (so a number is never issued twice, across restarts and
//! parallel requests), capped per customer, refused to inactive customers.

use kobo_core::Mode;
use kobo_store::*;
use rusqlite::{params, Connection, OptionalExtension, Row};

use crate::error::map;
use crate::time::{now_text, parse};

/// First serial handed out for an institution (numbers look like real ones).
const FIRST_SERIAL: i64 = 100_000_000;
const MAX_SERIAL: i64 = 999_999_999;

/// Issues a permanent account and records the event.
/// Runs inside the caller's write transaction.
pub(crate) fn create(
    conn: &Connection,
    scope: Scope,
    customer_id: i64,
    reference: Option<String>,
    issuer: &AccountIssuer,
) -> StoreResult<VirtualAccount> {
    let id = issue(conn, scope, customer_id, reference, issuer, Kind::Permanent)?;
    crate::events::record(
        conn,
        scope,
        "virtual_account.created",
        id,
        Some(customer_id),
    )?;
    let mut stmt = conn
        .prepare_cached(&format!("{SELECT} WHERE virtual_account_id = ?"))
        .map_err(map)?;
    let mut rows = stmt.query(params![id]).map_err(map)?;
    match rows.next().map_err(map)? {
        Some(row) => from_row(row),
        None => Err(map(rusqlite::Error::QueryReturnedNoRows)),
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Permanent,
    OneTime,
}

/// The customer an account is issued to, as `issue` checks it.
struct Owner {
    status: String,
    first_name: Option<String>,
    last_name: Option<String>,
    company_name: Option<String>,
    business_name: String,
    held: i64,
}

impl Owner {
    /// "Business / Customer", cut to 100 characters.
    fn account_name(&self) -> String {
        let customer_name = match &self.company_name {
            Some(company) => company.clone(),
            None => format!(
                "{} {}",
                self.first_name.as_deref().unwrap_or_default(),
                self.last_name.as_deref().unwrap_or_default()
            )
            .trim()
            .to_string(),
        };
        format!("{} / {}", self.business_name, customer_name)
            .chars()
            .take(100)
            .collect()
    }
}

/// Checks the owner, allocates the next serial and inserts the account;
/// returns its id. Runs inside the caller's write transaction.
pub(crate) fn issue(
    conn: &Connection,
    scope: Scope,
    customer_id: i64,
    reference: Option<String>,
    issuer: &AccountIssuer,
    kind: Kind,
) -> StoreResult<i64> {
    let owner = owner(conn, scope, customer_id)?.ok_or(StoreError::NotFound)?;
    if owner.status != "ACTIVE" {
        return Err(StoreError::Refused(Refusal::CustomerInactive));
    }
    if kind == Kind::Permanent && owner.held >= i64::from(issuer.max_per_customer) {
        return Err(StoreError::Refused(Refusal::VirtualAccountLimit {
            max: issuer.max_per_customer,
        }));
    }
    let serial = next_serial(conn, &issuer.institution_code)?;
    let number = kobo_core::nuban::account_number(&issuer.institution_code, serial as u64)
        .ok_or_else(|| StoreError::Internal("bad institution code".into()))?;
    conn.prepare_cached(
        "INSERT INTO virtual_account (business_id, mode, customer_id, code, account_number, account_name,
            bank_name, bank_code, provider, status, reference, kind, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'ACTIVE', ?, ?, ?) RETURNING virtual_account_id",
    )
    .map_err(map)?
    .query_row(
        params![
            scope.business_id,
            scope.mode.as_str(),
            customer_id,
            kobo_core::ids::virtual_account_code(),
            number,
            owner.account_name(),
            issuer.bank_name,
            issuer.institution_code,
            issuer.provider,
            reference,
            if kind == Kind::OneTime { "one_time" } else { "permanent" },
            now_text(),
        ],
        |r| r.get(0),
    )
    .map_err(map)
}

fn owner(conn: &Connection, scope: Scope, customer_id: i64) -> StoreResult<Option<Owner>> {
    conn.prepare_cached(
        "SELECT c.status, c.first_name, c.last_name, c.company_name, b.name AS business_name,
                (SELECT COUNT(*) FROM virtual_account v
                 WHERE v.customer_id = c.customer_id AND v.kind = 'permanent') AS held
         FROM customer c JOIN business b ON b.business_id = c.business_id
         WHERE c.customer_id = ? AND c.business_id = ? AND c.mode = ?",
    )
    .map_err(map)?
    .query_row(
        params![customer_id, scope.business_id, scope.mode.as_str()],
        |r| {
            Ok(Owner {
                status: r.get("status")?,
                first_name: r.get("first_name")?,
                last_name: r.get("last_name")?,
                company_name: r.get("company_name")?,
                business_name: r.get("business_name")?,
                held: r.get("held")?,
            })
        },
    )
    .optional()
    .map_err(map)
}

/// Takes the institution's next NUBAN serial (the counter only grows).
fn next_serial(conn: &Connection, institution_code: &str) -> StoreResult<i64> {
    let serial: i64 = conn
        .prepare_cached(
            "INSERT INTO nuban_serial (institution_code, next_serial) VALUES (?, ?)
             ON CONFLICT (institution_code) DO UPDATE SET next_serial = next_serial + 1
             RETURNING next_serial - 1",
        )
        .map_err(map)?
        .query_row(params![institution_code, FIRST_SERIAL + 1], |r| r.get(0))
        .map_err(map)?;
    if serial > MAX_SERIAL {
        return Err(StoreError::Internal(
            "NUBAN serials for this institution are exhausted".into(),
        ));
    }
    Ok(serial)
}

const SELECT: &str =
    "SELECT virtual_account_id, code, customer_id, mode, account_number, account_name,
        bank_name, bank_code, provider, status, reference, created_at FROM virtual_account";

pub(crate) fn of_customers(
    conn: &Connection,
    scope: Scope,
    ids: &[i64],
) -> StoreResult<Vec<VirtualAccount>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    // One customer (a fetch): a plain index lookup, already in id order.
    // Many (a list page): the ids travel as one JSON array, so the text never
    // varies and either statement is prepared once per connection.
    let (filter, ids_arg) = match ids {
        [one] => ("customer_id = ?", rusqlite::types::Value::Integer(*one)),
        _ => (
            "customer_id IN (SELECT value FROM json_each(?))",
            rusqlite::types::Value::Text(
                serde_json::to_string(ids).map_err(|e| StoreError::Internal(e.to_string()))?,
            ),
        ),
    };
    let mut stmt = conn
        .prepare_cached(&format!(
            "{SELECT} WHERE business_id = ? AND mode = ? AND kind = 'permanent'
             AND {filter} ORDER BY virtual_account_id"
        ))
        .map_err(map)?;
    let mut rows = stmt
        .query(params![scope.business_id, scope.mode.as_str(), ids_arg])
        .map_err(map)?;
    let mut accounts = Vec::with_capacity(ids.len());
    while let Some(row) = rows.next().map_err(map)? {
        accounts.push(from_row(row)?);
    }
    Ok(accounts)
}

pub(crate) fn name_enquiry(
    conn: &Connection,
    account_number: &str,
) -> StoreResult<Option<NameEnquiry>> {
    conn.prepare_cached(
        "SELECT v.account_number, v.account_name, v.bank_name, v.bank_code, v.mode, v.status,
                c.status AS customer_status,
                (o.status IS NULL OR (o.status <> 'EXPIRED' AND o.expires_at > ?)) AS payable
         FROM virtual_account v JOIN customer c ON c.customer_id = v.customer_id
         LEFT JOIN one_time_account o ON o.virtual_account_id = v.virtual_account_id
         WHERE v.account_number = ?",
    )
    .map_err(map)?
    .query_row(params![now_text(), account_number], |r| {
        let status: String = r.get("status")?;
        let customer_status: String = r.get("customer_status")?;
        let payable: bool = r.get("payable")?;
        Ok(NameEnquiry {
            account_number: r.get("account_number")?,
            account_name: r.get("account_name")?,
            bank_name: r.get("bank_name")?,
            bank_code: r.get("bank_code")?,
            mode: Mode::parse(&r.get::<_, String>("mode")?).unwrap_or(Mode::Test),
            // An expired one-time account is not payable: refusing the name
            // enquiry stops the transfer before money moves.
            active: status == "ACTIVE" && customer_status == "ACTIVE" && payable,
        })
    })
    .optional()
    .map_err(map)
}

pub(crate) fn from_row(r: &Row<'_>) -> StoreResult<VirtualAccount> {
    let text = |name: &str| r.get::<_, String>(name).map_err(map);
    Ok(VirtualAccount {
        id: r.get("virtual_account_id").map_err(map)?,
        code: text("code")?,
        customer_id: r.get("customer_id").map_err(map)?,
        mode: Mode::parse(&text("mode")?).ok_or_else(|| StoreError::Internal("bad mode".into()))?,
        account_number: text("account_number")?,
        account_name: text("account_name")?,
        bank_name: text("bank_name")?,
        bank_code: text("bank_code")?,
        provider: text("provider")?,
        status: text("status")?,
        reference: r.get("reference").map_err(map)?,
        created_at: parse(&text("created_at")?)?,
    })
}

pub(crate) fn find(
    conn: &Connection,
    scope: Scope,
    id: i64,
) -> StoreResult<Option<VirtualAccount>> {
    let mut stmt = conn
        .prepare_cached(&format!(
            "{SELECT} WHERE virtual_account_id = ? AND business_id = ? AND mode = ?"
        ))
        .map_err(map)?;
    let mut rows = stmt
        .query(params![id, scope.business_id, scope.mode.as_str()])
        .map_err(map)?;
    rows.next().map_err(map)?.map(from_row).transpose()
}
