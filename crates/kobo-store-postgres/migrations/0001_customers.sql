-- Businesses, their keys, collection wallets, customers and idempotency keys.
-- Money is BIGINT kobo everywhere. Times are RFC 3339 UTC text with
-- microseconds, the same text the SQLite engine stores (see src/time.rs).
-- Unique constraints are named: src/error.rs maps a violation to the request
-- field by constraint name.

CREATE TABLE business (
    business_id BIGSERIAL PRIMARY KEY,
    name        TEXT NOT NULL,
    created_at  TEXT NOT NULL
);

CREATE TABLE api_key (
    api_key_id  BIGSERIAL PRIMARY KEY,
    business_id BIGINT NOT NULL REFERENCES business(business_id),
    mode        TEXT NOT NULL CHECK (mode IN ('test', 'live')),
    kind        TEXT NOT NULL CHECK (kind IN ('private', 'public')),
    key_hash    TEXT NOT NULL CONSTRAINT api_key_hash UNIQUE,
    hint        TEXT NOT NULL,
    created_at  TEXT NOT NULL
);
CREATE INDEX api_key_business ON api_key (business_id, mode);

-- One ledger account per wallet and per house account. `balance` is the sum
-- of the account's entries (credit positive) and changes only with them,
-- under a row lock (`SELECT … FOR UPDATE`, in account-id order).
CREATE TABLE ledger_account (
    ledger_account_id BIGSERIAL PRIMARY KEY,
    business_id       BIGINT NOT NULL REFERENCES business(business_id),
    mode              TEXT NOT NULL CHECK (mode IN ('test', 'live')),
    kind              TEXT NOT NULL CHECK (kind IN ('customer_wallet', 'collection_wallet',
                          'settlement', 'suspense', 'fee_revenue', 'vat_payable')),
    balance           BIGINT NOT NULL DEFAULT 0,
    created_at        TEXT NOT NULL
);
CREATE UNIQUE INDEX ledger_account_house ON ledger_account (business_id, mode, kind)
    WHERE kind IN ('settlement', 'suspense', 'fee_revenue', 'vat_payable');

CREATE TABLE collection_wallet (
    collection_wallet_id BIGSERIAL PRIMARY KEY,
    business_id          BIGINT NOT NULL REFERENCES business(business_id),
    mode                 TEXT NOT NULL CHECK (mode IN ('test', 'live')),
    code                 TEXT NOT NULL CONSTRAINT collection_wallet_code UNIQUE,
    name                 TEXT NOT NULL,
    is_default           BOOLEAN NOT NULL DEFAULT FALSE,
    ledger_account_id    BIGINT NOT NULL CONSTRAINT collection_wallet_account UNIQUE
                             REFERENCES ledger_account(ledger_account_id),
    created_at           TEXT NOT NULL
);
CREATE INDEX collection_wallet_business ON collection_wallet (business_id, mode);

CREATE TABLE customer (
    customer_id          BIGSERIAL PRIMARY KEY,
    business_id          BIGINT NOT NULL REFERENCES business(business_id),
    mode                 TEXT NOT NULL CHECK (mode IN ('test', 'live')),
    code                 TEXT NOT NULL CONSTRAINT customer_code UNIQUE,
    reference            TEXT NOT NULL,
    first_name           TEXT,
    last_name            TEXT,
    company_name         TEXT,
    rc_number            TEXT,
    email                TEXT NOT NULL,
    email_lower          TEXT NOT NULL,
    phone                TEXT,
    dob                  TEXT,
    bvn_ciphertext       TEXT,
    bvn_hash             TEXT,
    bvn_masked           TEXT,
    nin_ciphertext       TEXT,
    nin_hash             TEXT,
    nin_masked           TEXT,
    customer_type        TEXT NOT NULL CHECK (customer_type IN ('wallet', 'collection')),
    status               TEXT NOT NULL CHECK (status IN ('ACTIVE', 'INACTIVE')),
    collection_wallet_id BIGINT REFERENCES collection_wallet(collection_wallet_id),
    wallet_slug          TEXT NOT NULL CONSTRAINT customer_wallet_slug UNIQUE,
    ledger_account_id    BIGINT NOT NULL CONSTRAINT customer_wallet_account UNIQUE
                             REFERENCES ledger_account(ledger_account_id),
    created_at           TEXT NOT NULL,
    updated_at           TEXT NOT NULL
);
CREATE UNIQUE INDEX customer_reference ON customer (business_id, mode, reference);
CREATE UNIQUE INDEX customer_email ON customer (business_id, mode, email_lower);
CREATE UNIQUE INDEX customer_bvn ON customer (business_id, mode, bvn_hash) WHERE bvn_hash IS NOT NULL;
CREATE UNIQUE INDEX customer_nin ON customer (business_id, mode, nin_hash) WHERE nin_hash IS NOT NULL;
CREATE INDEX customer_list ON customer (business_id, mode, customer_id);

-- Number of customers per business and mode, so an unfiltered list never counts rows.
CREATE TABLE customer_count (
    business_id BIGINT NOT NULL,
    mode        TEXT NOT NULL,
    total       BIGINT NOT NULL,
    PRIMARY KEY (business_id, mode)
);

CREATE TABLE idempotency_key (
    business_id     BIGINT NOT NULL,
    mode            TEXT NOT NULL,
    idem_key        TEXT NOT NULL,
    request_hash    TEXT NOT NULL,
    response_status BIGINT,
    response_body   BYTEA,
    created_at      TEXT NOT NULL,
    CONSTRAINT idempotency_key_pkey PRIMARY KEY (business_id, mode, idem_key)
);
