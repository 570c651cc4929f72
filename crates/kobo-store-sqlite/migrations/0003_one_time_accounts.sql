-- One-time (pay-with-transfer) accounts: a virtual account of kind
-- 'one_time' plus its expected amount, what was paid, and its expiry.
-- Inflows can be flagged (over-payment, payment after approval) and marked
-- for refund (money that reached an expired account).

ALTER TABLE virtual_account ADD COLUMN kind TEXT NOT NULL DEFAULT 'permanent'
    CHECK (kind IN ('permanent', 'one_time'));

CREATE TABLE one_time_account (
    virtual_account_id INTEGER PRIMARY KEY REFERENCES virtual_account(virtual_account_id),
    business_id        INTEGER NOT NULL,
    mode               TEXT NOT NULL,
    reference          TEXT NOT NULL,
    amount_kobo        INTEGER NOT NULL CHECK (amount_kobo > 0),
    amount_paid_kobo   INTEGER NOT NULL DEFAULT 0 CHECK (amount_paid_kobo >= 0),
    status             TEXT NOT NULL CHECK (status IN ('PENDING', 'APPROVED', 'EXPIRED')),
    expires_at         TEXT NOT NULL,
    created_at         TEXT NOT NULL,
    UNIQUE (business_id, mode, reference)
);
CREATE INDEX one_time_account_expiry ON one_time_account (status, expires_at);

ALTER TABLE inflow ADD COLUMN flag TEXT;
ALTER TABLE inflow ADD COLUMN refund_due INTEGER NOT NULL DEFAULT 0;
