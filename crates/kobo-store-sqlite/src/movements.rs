//! A customer's movements: entries attributed to the customer (its own wallet,
//! or its collection wallet), newest first, with the inflow behind each.

use chrono::{Duration, NaiveDate, NaiveTime};
use kobo_core::Kobo;
use kobo_store::*;
use rusqlite::types::Value;
use rusqlite::{params, params_from_iter, Connection, Row};

use crate::error::map;
use crate::time::{parse, to_text};

/// The UTC instant a Lagos (UTC+1) day starts.
fn lagos_day_start(d: NaiveDate) -> String {
    to_text(d.and_time(NaiveTime::MIN).and_utc() - Duration::hours(1))
}

/// One entry row, before its inflow is attached.
struct EntryRow {
    entry_id: i64,
    journal_uuid: String,
    amount: i64,
    balance_after: i64,
    created_at: String,
    inflow_id: Option<i64>,
}

impl EntryRow {
    fn read(r: &Row<'_>) -> rusqlite::Result<EntryRow> {
        Ok(EntryRow {
            entry_id: r.get("entry_id")?,
            journal_uuid: r.get("uuid")?,
            amount: r.get("amount")?,
            balance_after: r.get("balance_after")?,
            created_at: r.get("created_at")?,
            inflow_id: r.get("inflow_id")?,
        })
    }

    fn into_movement(self, inflows: &[Inflow]) -> StoreResult<Movement> {
        Ok(Movement {
            entry_id: self.entry_id,
            journal_uuid: self.journal_uuid,
            amount: Kobo(self.amount),
            balance_after: Kobo(self.balance_after),
            created_at: parse(&self.created_at)?,
            inflow: self
                .inflow_id
                .and_then(|id| inflows.iter().find(|i| i.id == id).cloned()),
        })
    }
}

pub(crate) fn list(
    conn: &Connection,
    _scope: Scope,
    customer: &Customer,
    q: &MovementQuery,
) -> StoreResult<(Vec<Movement>, u64)> {
    let from = q.from.map(lagos_day_start);
    let until = q.to.and_then(|d| d.succ_opt()).map(lagos_day_start);
    let direction = q.deposits.map(|d| if d { 1 } else { -1 });
    // The customer was found within `scope`, and customer ids are unique, so
    // the entry table alone selects the page.
    let unfiltered = from.is_none() && until.is_none() && direction.is_none();
    // Unfiltered, the customer's (customer_id, entry_id) index alone finds the
    // page, skipped rows included (an OFFSET page walks only the index); the
    // journal and inflow are joined for the page's rows only.
    let filter = if unfiltered {
        "e.customer_id = ?1"
    } else {
        "e.customer_id = ?1
        AND (?2 IS NULL OR e.created_at >= ?2) AND (?3 IS NULL OR e.created_at < ?3)
        AND (?4 IS NULL OR (?4 = 1 AND e.amount > 0) OR (?4 = -1 AND e.amount < 0))"
    };
    let sql = format!(
        "SELECT e.entry_id, j.uuid, e.amount, e.balance_after, e.created_at, i.inflow_id
         FROM entry e JOIN journal j ON j.journal_id = e.journal_id
         LEFT JOIN inflow i ON i.journal_id = e.journal_id
         WHERE e.entry_id IN (
             SELECT e.entry_id FROM entry e
             WHERE {filter} AND e.entry_id {cmp} COALESCE(?5, {edge})
             ORDER BY e.entry_id {order} LIMIT ?6 OFFSET ?7)
         ORDER BY e.entry_id {order}",
        cmp = if q.ascending { ">" } else { "<" },
        // A plain range (not `?5 IS NULL OR …`), so the index walks straight
        // to the cursor at any depth.
        edge = if q.ascending {
            "-1"
        } else {
            "9223372036854775807"
        },
        order = if q.ascending { "ASC" } else { "DESC" },
    );
    let optional_text = |s: &Option<String>| s.clone().map_or(Value::Null, Value::Text);
    let mut args = vec![
        Value::Integer(customer.id),
        optional_text(&from),
        optional_text(&until),
        direction.map_or(Value::Null, Value::Integer),
    ];
    let filter_args = args.len();
    args.extend([
        q.starting_after.map_or(Value::Null, Value::Integer),
        Value::Integer(i64::from(q.limit)),
        Value::Integer(q.offset as i64),
    ]);
    // Four texts only (filtered or not, ascending or not), so it is cached.
    let rows = conn
        .prepare_cached(&sql)
        .map_err(map)?
        .query_map(params_from_iter(&args), EntryRow::read)
        .map_err(map)?
        .collect::<rusqlite::Result<Vec<_>>>()
        .map_err(map)?;
    let inflow_ids: Vec<i64> = rows.iter().filter_map(|r| r.inflow_id).collect();
    let inflows = inflows_by_id(conn, &inflow_ids)?;
    let items = rows
        .into_iter()
        .map(|r| r.into_movement(&inflows))
        .collect::<StoreResult<Vec<_>>>()?;
    if !q.with_total {
        return Ok((items, 0));
    }
    let total: i64 = if unfiltered {
        // The kept count (migration 0007).
        conn.prepare_cached(
            "SELECT COALESCE((SELECT entries FROM customer_entry_count WHERE customer_id = ?), 0)",
        )
        .map_err(map)?
        .query_row(params![customer.id], |r| r.get(0))
        .map_err(map)?
    } else {
        conn.prepare_cached(&format!("SELECT COUNT(*) FROM entry e WHERE {filter}"))
            .map_err(map)?
            .query_row(params_from_iter(&args[..filter_args]), |r| r.get(0))
            .map_err(map)?
    };
    Ok((items, total.max(0) as u64))
}

fn inflows_by_id(conn: &Connection, ids: &[i64]) -> StoreResult<Vec<Inflow>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let placeholders = vec!["?"; ids.len()].join(", ");
    let sql = format!(
        "{} WHERE i.inflow_id IN ({placeholders})",
        crate::inflows::SELECT
    );
    // The text varies with the number of ids: not worth caching.
    let mut stmt = conn.prepare(&sql).map_err(map)?;
    let mut rows = stmt.query(params_from_iter(ids)).map_err(map)?;
    let mut inflows = Vec::with_capacity(ids.len());
    while let Some(row) = rows.next().map_err(map)? {
        inflows.push(crate::inflows::from_row(row)?);
    }
    Ok(inflows)
}

pub(crate) fn collected_through(
    conn: &Connection,
    scope: Scope,
    customer_id: i64,
) -> StoreResult<Kobo> {
    let sum: i64 = conn
        .prepare_cached(
            "SELECT COALESCE(SUM(e.amount), 0) FROM entry e
             JOIN ledger_account a ON a.ledger_account_id = e.ledger_account_id
             WHERE e.customer_id = ? AND a.kind = 'collection_wallet' AND a.business_id = ? AND a.mode = ?",
        )
        .map_err(map)?
        .query_row(
            params![customer_id, scope.business_id, scope.mode.as_str()],
            |r| r.get(0),
        )
        .map_err(map)?;
    Ok(Kobo(sum))
}

pub(crate) fn before(
    conn: &Connection,
    scope: Scope,
    customer_id: i64,
    day: NaiveDate,
) -> StoreResult<Kobo> {
    let sum: i64 = conn
        .prepare_cached(
            "SELECT COALESCE(SUM(e.amount), 0) FROM entry e JOIN journal j ON j.journal_id = e.journal_id
             WHERE e.customer_id = ? AND j.business_id = ? AND j.mode = ? AND e.created_at < ?",
        )
        .map_err(map)?
        .query_row(
            params![
                customer_id,
                scope.business_id,
                scope.mode.as_str(),
                lagos_day_start(day)
            ],
            |r| r.get(0),
        )
        .map_err(map)?;
    Ok(Kobo(sum))
}
