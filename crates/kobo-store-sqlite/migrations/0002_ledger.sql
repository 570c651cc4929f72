-- The ledger, virtual accounts and inflows. Amounts are signed INTEGER kobo,
-- credit-positive (a wallet grows with positive entries; settlement goes
-- negative as money arrives from banks).

CREATE TABLE journal (
    journal_id  INTEGER PRIMARY KEY,
    business_id INTEGER NOT NULL REFERENCES business(business_id),
    mode        TEXT NOT NULL CHECK (mode IN ('test', 'live')),
    uuid        TEXT NOT NULL UNIQUE,
    kind        TEXT NOT NULL,
    created_at  TEXT NOT NULL
);

CREATE TABLE entry (
    entry_id          INTEGER PRIMARY KEY,
    journal_id        INTEGER NOT NULL REFERENCES journal(journal_id),
    ledger_account_id INTEGER NOT NULL REFERENCES ledger_account(ledger_account_id),
    amount            INTEGER NOT NULL CHECK (amount <> 0),
    balance_after     INTEGER NOT NULL,
    customer_id       INTEGER REFERENCES customer(customer_id),
    created_at        TEXT NOT NULL
);
CREATE INDEX entry_account ON entry (ledger_account_id, entry_id);
CREATE INDEX entry_journal ON entry (journal_id);
CREATE INDEX entry_customer ON entry (customer_id, entry_id) WHERE customer_id IS NOT NULL;

-- Append-only: corrections are new journals, never edits.
CREATE TRIGGER entry_append_only_update BEFORE UPDATE ON entry
BEGIN SELECT RAISE(ABORT, 'ledger entries are append-only'); END;
CREATE TRIGGER entry_append_only_delete BEFORE DELETE ON entry
BEGIN SELECT RAISE(ABORT, 'ledger entries are append-only'); END;
CREATE TRIGGER journal_append_only_update BEFORE UPDATE ON journal
BEGIN SELECT RAISE(ABORT, 'journals are append-only'); END;
CREATE TRIGGER journal_append_only_delete BEFORE DELETE ON journal
BEGIN SELECT RAISE(ABORT, 'journals are append-only'); END;

-- Fee on inflows per business and mode; no row means no fee.
CREATE TABLE fee_schedule (
    business_id  INTEGER NOT NULL REFERENCES business(business_id),
    mode         TEXT NOT NULL CHECK (mode IN ('test', 'live')),
    basis_points INTEGER NOT NULL CHECK (basis_points BETWEEN 0 AND 10000),
    flat_kobo    INTEGER NOT NULL CHECK (flat_kobo >= 0),
    cap_kobo     INTEGER CHECK (cap_kobo >= 0),
    PRIMARY KEY (business_id, mode)
);

-- The next NUBAN serial per institution; serials are never reused.
CREATE TABLE nuban_serial (
    institution_code TEXT PRIMARY KEY,
    next_serial      INTEGER NOT NULL
);

CREATE TABLE virtual_account (
    virtual_account_id INTEGER PRIMARY KEY,
    business_id        INTEGER NOT NULL REFERENCES business(business_id),
    mode               TEXT NOT NULL CHECK (mode IN ('test', 'live')),
    customer_id        INTEGER NOT NULL REFERENCES customer(customer_id),
    code               TEXT NOT NULL UNIQUE,
    account_number     TEXT NOT NULL UNIQUE,
    account_name       TEXT NOT NULL,
    bank_name          TEXT NOT NULL,
    bank_code          TEXT NOT NULL,
    provider           TEXT NOT NULL,
    status             TEXT NOT NULL CHECK (status IN ('ACTIVE', 'INACTIVE')),
    reference          TEXT,
    created_at         TEXT NOT NULL
);
CREATE INDEX virtual_account_customer ON virtual_account (customer_id, virtual_account_id);

-- Every inflow that reached a kobo account, credited or held in suspense.
-- `dedupe_scope` is 'live' for the bank's door (NIP session ids are unique
-- network-wide) and 'test:<business_id>' for the sandbox.
CREATE TABLE inflow (
    inflow_id             INTEGER PRIMARY KEY,
    dedupe_scope          TEXT NOT NULL,
    session_id            TEXT NOT NULL,
    business_id           INTEGER NOT NULL REFERENCES business(business_id),
    mode                  TEXT NOT NULL CHECK (mode IN ('test', 'live')),
    account_number        TEXT NOT NULL,
    virtual_account_id    INTEGER NOT NULL REFERENCES virtual_account(virtual_account_id),
    customer_id           INTEGER REFERENCES customer(customer_id),
    status                TEXT NOT NULL CHECK (status IN ('credited', 'suspense')),
    reason                TEXT,
    gross_kobo            INTEGER NOT NULL CHECK (gross_kobo > 0),
    fee_kobo              INTEGER NOT NULL,
    vat_kobo              INTEGER NOT NULL,
    net_kobo              INTEGER NOT NULL,
    sender_name           TEXT,
    sender_account_number TEXT,
    sender_bank_code      TEXT,
    narration             TEXT,
    paid_at               TEXT NOT NULL,
    journal_id            INTEGER NOT NULL UNIQUE REFERENCES journal(journal_id),
    conflicts             INTEGER NOT NULL DEFAULT 0,
    created_at            TEXT NOT NULL,
    UNIQUE (dedupe_scope, session_id)
);
CREATE INDEX inflow_list ON inflow (business_id, mode, status, inflow_id);
CREATE INDEX inflow_session ON inflow (business_id, mode, session_id);
