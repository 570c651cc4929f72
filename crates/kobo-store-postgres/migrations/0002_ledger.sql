-- The ledger, virtual accounts and inflows. Amounts are signed BIGINT kobo,
-- credit-positive (a wallet grows with positive entries; settlement goes
-- negative as money arrives from banks).

CREATE TABLE journal (
    journal_id  BIGSERIAL PRIMARY KEY,
    business_id BIGINT NOT NULL REFERENCES business(business_id),
    mode        TEXT NOT NULL CHECK (mode IN ('test', 'live')),
    uuid        TEXT NOT NULL CONSTRAINT journal_uuid UNIQUE,
    kind        TEXT NOT NULL,
    created_at  TEXT NOT NULL
);

CREATE TABLE entry (
    entry_id          BIGSERIAL PRIMARY KEY,
    journal_id        BIGINT NOT NULL REFERENCES journal(journal_id),
    ledger_account_id BIGINT NOT NULL REFERENCES ledger_account(ledger_account_id),
    amount            BIGINT NOT NULL CHECK (amount <> 0),
    balance_after     BIGINT NOT NULL,
    customer_id       BIGINT REFERENCES customer(customer_id),
    created_at        TEXT NOT NULL
);
CREATE INDEX entry_account ON entry (ledger_account_id, entry_id);
CREATE INDEX entry_journal ON entry (journal_id);
CREATE INDEX entry_customer ON entry (customer_id, entry_id) WHERE customer_id IS NOT NULL;

-- Append-only: corrections are new journals, never edits.
CREATE FUNCTION kobo_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% are append-only', TG_ARGV[0];
END;
$$;
CREATE TRIGGER entry_append_only BEFORE UPDATE OR DELETE ON entry
    FOR EACH ROW EXECUTE FUNCTION kobo_append_only('ledger entries');
CREATE TRIGGER entry_append_only_truncate BEFORE TRUNCATE ON entry
    FOR EACH STATEMENT EXECUTE FUNCTION kobo_append_only('ledger entries');
CREATE TRIGGER journal_append_only BEFORE UPDATE OR DELETE ON journal
    FOR EACH ROW EXECUTE FUNCTION kobo_append_only('journals');
CREATE TRIGGER journal_append_only_truncate BEFORE TRUNCATE ON journal
    FOR EACH STATEMENT EXECUTE FUNCTION kobo_append_only('journals');

-- Fee on inflows per business and mode; no row means no fee.
CREATE TABLE fee_schedule (
    business_id  BIGINT NOT NULL REFERENCES business(business_id),
    mode         TEXT NOT NULL CHECK (mode IN ('test', 'live')),
    basis_points BIGINT NOT NULL CHECK (basis_points BETWEEN 0 AND 10000),
    flat_kobo    BIGINT NOT NULL CHECK (flat_kobo >= 0),
    cap_kobo     BIGINT CHECK (cap_kobo >= 0),
    PRIMARY KEY (business_id, mode)
);

-- The next NUBAN serial per institution; serials are never reused. Every node
-- takes serials from this row (`INSERT … ON CONFLICT … DO UPDATE … RETURNING`,
-- which locks it until the issuing transaction ends), never from memory.
CREATE TABLE nuban_serial (
    institution_code TEXT PRIMARY KEY,
    next_serial      BIGINT NOT NULL
);

CREATE TABLE virtual_account (
    virtual_account_id BIGSERIAL PRIMARY KEY,
    business_id        BIGINT NOT NULL REFERENCES business(business_id),
    mode               TEXT NOT NULL CHECK (mode IN ('test', 'live')),
    customer_id        BIGINT NOT NULL REFERENCES customer(customer_id),
    code               TEXT NOT NULL CONSTRAINT virtual_account_code UNIQUE,
    account_number     TEXT NOT NULL CONSTRAINT virtual_account_number UNIQUE,
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
    inflow_id             BIGSERIAL PRIMARY KEY,
    dedupe_scope          TEXT NOT NULL,
    session_id            TEXT NOT NULL,
    business_id           BIGINT NOT NULL REFERENCES business(business_id),
    mode                  TEXT NOT NULL CHECK (mode IN ('test', 'live')),
    account_number        TEXT NOT NULL,
    virtual_account_id    BIGINT NOT NULL REFERENCES virtual_account(virtual_account_id),
    customer_id           BIGINT REFERENCES customer(customer_id),
    status                TEXT NOT NULL CHECK (status IN ('credited', 'suspense')),
    reason                TEXT,
    gross_kobo            BIGINT NOT NULL CHECK (gross_kobo > 0),
    fee_kobo              BIGINT NOT NULL,
    vat_kobo              BIGINT NOT NULL,
    net_kobo              BIGINT NOT NULL,
    sender_name           TEXT,
    sender_account_number TEXT,
    sender_bank_code      TEXT,
    narration             TEXT,
    paid_at               TEXT NOT NULL,
    journal_id            BIGINT NOT NULL CONSTRAINT inflow_journal UNIQUE
                              REFERENCES journal(journal_id),
    conflicts             BIGINT NOT NULL DEFAULT 0,
    created_at            TEXT NOT NULL,
    CONSTRAINT inflow_session_once UNIQUE (dedupe_scope, session_id)
);
CREATE INDEX inflow_list ON inflow (business_id, mode, status, inflow_id);
CREATE INDEX inflow_session ON inflow (business_id, mode, session_id);
