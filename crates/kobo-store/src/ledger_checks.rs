//! The invariants `kobo ledger verify` checks, as SQL both engines run
//! unchanged (each in one read snapshot): a description and a query returning
//! one text column per violation, at most 50.

/// Each check: a description and a query returning one text column per violation.
pub const LEDGER_CHECKS: &[(&str, &str)] = &[
    (
        "journal does not sum to zero",
        "SELECT 'journal ' || journal_id || ' sums to ' || SUM(amount) FROM entry
         GROUP BY journal_id HAVING SUM(amount) <> 0 LIMIT 50",
    ),
    (
        "journal has fewer than two entries",
        "SELECT 'journal ' || j.journal_id FROM journal j LEFT JOIN entry e ON e.journal_id = j.journal_id
         GROUP BY j.journal_id HAVING COUNT(e.entry_id) < 2 LIMIT 50",
    ),
    (
        "balance differs from the sum of its entries",
        "SELECT 'account ' || a.ledger_account_id || ' balance ' || a.balance || ' but entries sum to '
                || COALESCE(SUM(e.amount), 0)
         FROM ledger_account a LEFT JOIN entry e ON e.ledger_account_id = a.ledger_account_id
         GROUP BY a.ledger_account_id HAVING a.balance <> COALESCE(SUM(e.amount), 0) LIMIT 50",
    ),
    (
        "running balance broken",
        "SELECT 'entry ' || entry_id || ' says ' || balance_after || ', running sum is ' || running FROM (
            SELECT entry_id, balance_after,
                   SUM(amount) OVER (PARTITION BY ledger_account_id ORDER BY entry_id) AS running
            FROM entry) AS r WHERE running <> balance_after LIMIT 50",
    ),
    (
        "entry crosses business or mode",
        "SELECT 'entry ' || e.entry_id FROM entry e
         JOIN journal j ON j.journal_id = e.journal_id
         JOIN ledger_account a ON a.ledger_account_id = e.ledger_account_id
         WHERE a.business_id <> j.business_id OR a.mode <> j.mode LIMIT 50",
    ),
    (
        "session id applied twice",
        "SELECT 'session ' || session_id || ' in ' || dedupe_scope || ' applied ' || COUNT(*) || ' times'
         FROM inflow GROUP BY dedupe_scope, session_id HAVING COUNT(*) > 1 LIMIT 50",
    ),
    (
        "inflow split does not add up",
        "SELECT 'inflow ' || inflow_id FROM inflow
         WHERE gross_kobo <> fee_kobo + vat_kobo + net_kobo OR fee_kobo < 0 OR vat_kobo < 0 OR net_kobo < 0
         LIMIT 50",
    ),
    (
        "inflow does not match its journal",
        "SELECT 'inflow ' || i.inflow_id FROM inflow i
         WHERE (SELECT COALESCE(SUM(e.amount), 0) FROM entry e
                JOIN ledger_account a ON a.ledger_account_id = e.ledger_account_id
                WHERE e.journal_id = i.journal_id AND a.kind = 'settlement') <> -i.gross_kobo
         LIMIT 50",
    ),
    (
        "customer's kept entry count is wrong",
        "SELECT 'customer ' || c.customer_id || ' counts ' || COALESCE(k.entries, 0)
                || ' entries but has ' || COALESCE(n.entries, 0)
         FROM customer c
         LEFT JOIN customer_entry_count k ON k.customer_id = c.customer_id
         LEFT JOIN (SELECT customer_id, COUNT(*) AS entries FROM entry
                    WHERE customer_id IS NOT NULL GROUP BY customer_id) n
                ON n.customer_id = c.customer_id
         WHERE COALESCE(k.entries, 0) <> COALESCE(n.entries, 0) LIMIT 50",
    ),
];
