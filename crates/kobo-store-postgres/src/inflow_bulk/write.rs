//! The one statement that writes a set-based inflow batch.

use super::*;

/// Writes the batch in one statement and answers the new inflows' ids.
///
/// The statement first takes the ids of the new journals, entries and
/// inflows from their sequences and sorts each list, so the k-th row queued
/// gets the k-th smallest id: entry ids order each account's running
/// balances, as one-by-one posting does. Every other row names the rows it
/// refers to by their place in those lists.
pub(super) async fn write(
    conn: &mut PgConnection,
    w: &Writes,
    balances: &HashMap<i64, Locked>,
    one_times: &HashMap<i64, OneTime>,
) -> StoreResult<Vec<i64>> {
    let mut balance_ids: Vec<i64> = w.entries.iter().map(|e| e.account_id).collect();
    balance_ids.sort_unstable();
    balance_ids.dedup();
    let balance_values: Vec<i64> = balance_ids
        .iter()
        .map(|id| balances[id].balance.0)
        .collect();
    let mut changed: Vec<(i64, &OneTime)> = one_times
        .iter()
        .filter(|(_, o)| o.changed)
        .map(|(id, o)| (*id, o))
        .collect();
    changed.sort_unstable_by_key(|(id, _)| *id);
    let bump_ids: Vec<i64> = w.bumps.keys().copied().collect();
    let bump_counts: Vec<i64> = w.bumps.values().copied().collect();
    // 1-based places in the id lists, as SQL arrays count.
    let place = |k: usize| k as i32 + 1;

    let (j, e, i) = (&w.journals, &w.entries, &w.inflows);
    let sql = format!(
        "WITH ids AS MATERIALIZED (
            SELECT ARRAY(SELECT nextval('journal_journal_id_seq')
                         FROM generate_series(1, $1::int) ORDER BY 1) AS j,
                   ARRAY(SELECT nextval('entry_entry_id_seq')
                         FROM generate_series(1, $2::int) ORDER BY 1) AS e,
                   ARRAY(SELECT nextval('inflow_inflow_id_seq')
                         FROM generate_series(1, $3::int) ORDER BY 1) AS i
         ), journals AS (
            INSERT INTO journal (journal_id, business_id, mode, uuid, kind, created_at)
            SELECT (SELECT j FROM ids)[x.ord], x.b, x.m, x.u, 'inflow', x.n
            FROM UNNEST($4::bigint[], $5::text[], $6::text[], $7::text[]) WITH ORDINALITY
                AS x(b, m, u, n, ord)
         ), entries AS (
            INSERT INTO entry (entry_id, journal_id, ledger_account_id, amount, balance_after,
                customer_id, created_at)
            SELECT (SELECT e FROM ids)[x.ord], (SELECT j FROM ids)[x.jk], x.a, x.amount, x.after,
                x.c, x.n
            FROM UNNEST($8::int[], $9::bigint[], $10::bigint[], $11::bigint[], $12::bigint[],
                $13::text[]) WITH ORDINALITY AS x(jk, a, amount, after, c, n, ord)
         ), balances AS (
            UPDATE ledger_account a SET balance = x.balance
            FROM UNNEST($14::bigint[], $15::bigint[]) AS x(id, balance)
            WHERE a.ledger_account_id = x.id
         ), inflows AS (
            INSERT INTO inflow (inflow_id, dedupe_scope, session_id, business_id, mode,
                account_number, virtual_account_id, customer_id, status, reason, gross_kobo,
                fee_kobo, vat_kobo, net_kobo, sender_name, sender_account_number, sender_bank_code,
                narration, paid_at, journal_id, created_at, flag, refund_due, conflicts)
            SELECT (SELECT i FROM ids)[x.ord], x.scope, x.session, x.b, x.m, x.number, x.va, x.c,
                x.status, x.reason, x.gross, x.fee, x.vat, x.net, x.sender, x.sender_account,
                x.sender_bank, x.narration, x.paid_at, (SELECT j FROM ids)[x.jk], x.n, x.flag,
                x.refund_due, x.conflicts
            FROM UNNEST($16::text[], $17::text[], $18::bigint[], $19::text[], $20::text[],
                $21::bigint[], $22::bigint[], $23::text[], $24::text[], $25::bigint[], $26::bigint[],
                $27::bigint[], $28::bigint[], $29::text[], $30::text[], $31::text[], $32::text[],
                $33::text[], $34::int[], $35::text[], $36::text[], $37::boolean[], $38::bigint[])
                WITH ORDINALITY AS x(scope, session, b, m, number, va, c, status, reason, gross,
                fee, vat, net, sender, sender_account, sender_bank, narration, paid_at, jk, n, flag,
                refund_due, conflicts, ord)
         ), conflicts AS (
            UPDATE inflow SET conflicts = inflow.conflicts + x.k
            FROM UNNEST($39::bigint[], $40::bigint[]) AS x(id, k)
            WHERE inflow.inflow_id = x.id
         ), one_times AS (
            UPDATE one_time_account SET amount_paid_kobo = x.paid, status = x.status
            FROM UNNEST($41::bigint[], $42::bigint[], $43::text[]) AS x(id, paid, status)
            WHERE one_time_account.virtual_account_id = x.id
         ), {events}
         SELECT i FROM ids",
        events = events::cte(44, "SELECT i FROM ids"),
    );
    let query = sqlx::query(&sql)
        .bind(j.len() as i32)
        .bind(e.len() as i32)
        .bind(i.len() as i32)
        // journals
        .bind(j.iter().map(|x| x.scope.business_id).collect::<Vec<_>>())
        .bind(j.iter().map(|x| x.scope.mode.as_str()).collect::<Vec<_>>())
        .bind(
            j.iter()
                .map(|_| kobo_core::ids::uuid_v4())
                .collect::<Vec<_>>(),
        )
        .bind(j.iter().map(|x| x.now.as_str()).collect::<Vec<_>>())
        // entries
        .bind(e.iter().map(|x| place(x.journal)).collect::<Vec<_>>())
        .bind(e.iter().map(|x| x.account_id).collect::<Vec<_>>())
        .bind(e.iter().map(|x| x.amount).collect::<Vec<_>>())
        .bind(e.iter().map(|x| x.after).collect::<Vec<_>>())
        .bind(e.iter().map(|x| x.customer_id).collect::<Vec<_>>())
        .bind(e.iter().map(|x| x.now.as_str()).collect::<Vec<_>>())
        // balances
        .bind(&balance_ids)
        .bind(&balance_values)
        // inflows
        .bind(i.iter().map(|x| x.scope_key.as_str()).collect::<Vec<_>>())
        .bind(
            i.iter()
                .map(|x| x.inflow.session_id.as_str())
                .collect::<Vec<_>>(),
        )
        .bind(i.iter().map(|x| x.scope.business_id).collect::<Vec<_>>())
        .bind(i.iter().map(|x| x.inflow.mode.as_str()).collect::<Vec<_>>())
        .bind(
            i.iter()
                .map(|x| x.inflow.account_number.as_str())
                .collect::<Vec<_>>(),
        )
        .bind(i.iter().map(|x| x.virtual_account_id).collect::<Vec<_>>())
        .bind(i.iter().map(|x| x.inflow.customer_id).collect::<Vec<_>>())
        .bind(
            i.iter()
                .map(|x| x.inflow.status.as_str())
                .collect::<Vec<_>>(),
        )
        .bind(
            i.iter()
                .map(|x| x.inflow.reason.as_deref())
                .collect::<Vec<_>>(),
        )
        .bind(i.iter().map(|x| x.split.gross.0).collect::<Vec<_>>())
        .bind(i.iter().map(|x| x.split.fee.0).collect::<Vec<_>>())
        .bind(i.iter().map(|x| x.split.vat.0).collect::<Vec<_>>())
        .bind(i.iter().map(|x| x.split.net.0).collect::<Vec<_>>())
        .bind(
            i.iter()
                .map(|x| x.inflow.sender_name.as_deref())
                .collect::<Vec<_>>(),
        )
        .bind(
            i.iter()
                .map(|x| x.inflow.sender_account_number.as_deref())
                .collect::<Vec<_>>(),
        )
        .bind(
            i.iter()
                .map(|x| x.inflow.sender_bank_code.as_deref())
                .collect::<Vec<_>>(),
        )
        .bind(
            i.iter()
                .map(|x| x.inflow.narration.as_deref())
                .collect::<Vec<_>>(),
        )
        .bind(i.iter().map(|x| x.paid_at.as_str()).collect::<Vec<_>>())
        .bind(i.iter().map(|x| place(x.journal)).collect::<Vec<_>>())
        .bind(i.iter().map(|x| x.now.as_str()).collect::<Vec<_>>())
        .bind(
            i.iter()
                .map(|x| x.inflow.flag.as_deref())
                .collect::<Vec<_>>(),
        )
        .bind(i.iter().map(|x| x.inflow.refund_due).collect::<Vec<_>>())
        .bind(i.iter().map(|x| x.inflow.conflicts).collect::<Vec<_>>())
        // conflicts on inflows stored before the batch
        .bind(&bump_ids)
        .bind(&bump_counts)
        // one-time accounts
        .bind(changed.iter().map(|(id, _)| *id).collect::<Vec<_>>())
        .bind(changed.iter().map(|(_, o)| o.paid).collect::<Vec<_>>())
        .bind(
            changed
                .iter()
                .map(|(_, o)| o.status.as_str())
                .collect::<Vec<_>>(),
        );
    let ids: Vec<i64> = events::bind(query, &w.events)
        .fetch_one(&mut *conn)
        .await
        .map_err(map)?
        .get(0);
    if ids.len() != i.len() {
        return Err(StoreError::Internal(
            "the batch's inflow ids came back short".into(),
        ));
    }
    Ok(ids)
}
