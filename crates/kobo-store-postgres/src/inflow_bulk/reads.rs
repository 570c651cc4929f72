//! The reads of a set-based inflow batch: the lock that also finds every
//! account, the named accounts with their fee schedules, the session ids
//! already stored, and the one-time accounts.

use super::*;

/// Locks every ledger account the batch may post to, in one statement that
/// also finds them: each named account's wallet and collection wallet, and
/// the house accounts of its business in the door's mode (ascending id, as
/// every batch locks). Answers the balances and keeps the house accounts it
/// met in `cache`. Unknown account numbers touch nothing (they are refused
/// later, one by one).
pub(crate) async fn lock_batch(
    conn: &mut PgConnection,
    cache: &mut Cache,
    batch: &[InflowRequest],
) -> StoreResult<HashMap<i64, Locked>> {
    let numbers: Vec<&str> = batch.iter().map(|r| r.account_number.as_str()).collect();
    let modes: Vec<&str> = batch.iter().map(|r| r.door.mode().as_str()).collect();
    let rows = sqlx::query(
        "SELECT a.ledger_account_id, a.business_id, a.mode, a.kind, a.balance
         FROM ledger_account a
         WHERE a.ledger_account_id IN (
            SELECT c.ledger_account_id FROM virtual_account v
            JOIN customer c ON c.customer_id = v.customer_id
            WHERE v.account_number = ANY($1)
            UNION ALL
            SELECT w.ledger_account_id FROM virtual_account v
            JOIN customer c ON c.customer_id = v.customer_id
            JOIN collection_wallet w ON w.collection_wallet_id = c.collection_wallet_id
            WHERE v.account_number = ANY($1)
            UNION ALL
            SELECT h.ledger_account_id FROM UNNEST($1::text[], $2::text[]) AS r(number, mode)
            JOIN virtual_account v ON v.account_number = r.number
            JOIN ledger_account h ON h.business_id = v.business_id AND h.mode = r.mode
            WHERE h.kind = ANY($3))
         ORDER BY a.ledger_account_id FOR UPDATE OF a",
    )
    .bind(&numbers)
    .bind(&modes)
    .bind(&HOUSE_KINDS[..])
    .fetch_all(&mut *conn)
    .await
    .map_err(map)?;
    let mut houses = Vec::new();
    let mut locked = HashMap::with_capacity(rows.len());
    for r in &rows {
        let id: i64 = r.get("ledger_account_id");
        let business_id: i64 = r.get("business_id");
        let mode: String = r.get("mode");
        let kind: &str = r.get("kind");
        if HOUSE_KINDS.contains(&kind) {
            houses.push((business_id, mode.clone(), kind.to_string(), id));
        }
        let balance = Kobo(r.get("balance"));
        locked.insert(
            id,
            Locked {
                business_id,
                mode,
                balance,
            },
        );
    }
    cache.put_houses(&houses);
    Ok(locked)
}

/// The accounts the batch names, by account number (read after the lock),
/// with their businesses' fee schedules in both modes, kept in `cache`.
pub(super) async fn read_targets(
    conn: &mut PgConnection,
    cache: &mut Cache,
    batch: &[InflowRequest],
) -> StoreResult<HashMap<String, PgRow>> {
    let numbers: Vec<&str> = batch.iter().map(|r| r.account_number.as_str()).collect();
    let select = TARGET.replacen(
        "SELECT ",
        "SELECT ft.basis_points AS test_basis_points, ft.flat_kobo AS test_flat_kobo,
            ft.cap_kobo AS test_cap_kobo, fl.basis_points AS live_basis_points,
            fl.flat_kobo AS live_flat_kobo, fl.cap_kobo AS live_cap_kobo, ",
        1,
    );
    let rows = sqlx::query(&format!(
        "{select}
         LEFT JOIN fee_schedule ft ON ft.business_id = v.business_id AND ft.mode = 'test'
         LEFT JOIN fee_schedule fl ON fl.business_id = v.business_id AND fl.mode = 'live'
         WHERE v.account_number = ANY($1)"
    ))
    .bind(&numbers)
    .fetch_all(&mut *conn)
    .await
    .map_err(map)?;
    for r in &rows {
        let business_id: i64 = r.get("business_id");
        for mode in [Mode::Test, Mode::Live] {
            let column = |name: &str| format!("{}_{name}", mode.as_str());
            let fee = r
                .get::<Option<i64>, _>(column("basis_points").as_str())
                .map(|basis_points| FeeSchedule {
                    basis_points: basis_points as u32,
                    flat: Kobo(r.get(column("flat_kobo").as_str())),
                    cap: r
                        .get::<Option<i64>, _>(column("cap_kobo").as_str())
                        .map(Kobo),
                })
                .unwrap_or_default();
            cache.put_fee(Scope { business_id, mode }, fee);
        }
    }
    Ok(rows
        .into_iter()
        .map(|r| (r.get::<String, _>("account_number"), r))
        .collect())
}

/// The inflows already stored under the batch's session ids.
pub(super) async fn read_sessions(
    conn: &mut PgConnection,
    batch: &[InflowRequest],
) -> StoreResult<HashMap<(String, String), Seen>> {
    let scopes: Vec<String> = batch.iter().map(|r| dedupe_scope(r.door)).collect();
    let sessions: Vec<&str> = batch.iter().map(|r| r.session_id.as_str()).collect();
    // One unique-index probe per key (a lateral subquery with LIMIT is never
    // turned into a hash join over the whole, ever-growing, inflow table).
    let select = SELECT.replacen("SELECT ", "SELECT i.dedupe_scope, ", 1);
    let rows = sqlx::query(&format!(
        "SELECT s.* FROM UNNEST($1::text[], $2::text[]) AS k(scope, session)
         CROSS JOIN LATERAL ({select} WHERE i.dedupe_scope = k.scope AND i.session_id = k.session
            LIMIT 1) AS s"
    ))
    .bind(&scopes)
    .bind(&sessions)
    .fetch_all(&mut *conn)
    .await
    .map_err(map)?;
    Ok(rows
        .into_iter()
        .map(|r| {
            let key = (r.get("dedupe_scope"), r.get("session_id"));
            (key, Seen::Stored { row: r, bumps: 0 })
        })
        .collect())
}

/// Locks the one-time accounts among the targets (ascending id) and reads them.
pub(super) async fn lock_one_times(
    conn: &mut PgConnection,
    targets: &HashMap<String, PgRow>,
) -> StoreResult<HashMap<i64, OneTime>> {
    let mut ids: Vec<i64> = targets
        .values()
        .filter(|t| t.get::<&str, _>("kind") == "one_time")
        .map(|t| t.get("virtual_account_id"))
        .collect();
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    ids.sort_unstable();
    let rows = sqlx::query(
        "SELECT virtual_account_id, amount_kobo, amount_paid_kobo, status, expires_at
         FROM one_time_account WHERE virtual_account_id = ANY($1)
         ORDER BY virtual_account_id FOR UPDATE",
    )
    .bind(&ids)
    .fetch_all(&mut *conn)
    .await
    .map_err(map)?;
    Ok(rows
        .iter()
        .map(|r| {
            let row = OneTime {
                amount: r.get("amount_kobo"),
                paid: r.get("amount_paid_kobo"),
                status: r.get("status"),
                expires_at: r.get("expires_at"),
                changed: false,
            };
            (r.get("virtual_account_id"), row)
        })
        .collect())
}
