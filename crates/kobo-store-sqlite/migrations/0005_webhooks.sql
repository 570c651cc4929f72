-- The webhook outbox. Events are written in the same transaction as the
-- change that causes them; a worker leases due events (`locked_until`), sends
-- them, and records every attempt.

CREATE TABLE webhook_endpoint (
    business_id INTEGER NOT NULL REFERENCES business(business_id),
    mode        TEXT NOT NULL CHECK (mode IN ('test', 'live')),
    url         TEXT,
    secret      TEXT NOT NULL,
    updated_at  TEXT NOT NULL,
    PRIMARY KEY (business_id, mode)
);

CREATE TABLE webhook_event (
    webhook_event_id INTEGER PRIMARY KEY,
    public_id        TEXT NOT NULL UNIQUE,
    business_id      INTEGER NOT NULL REFERENCES business(business_id),
    mode             TEXT NOT NULL CHECK (mode IN ('test', 'live')),
    event_type       TEXT NOT NULL,
    subject_id       INTEGER NOT NULL,
    customer_id      INTEGER,
    payload          TEXT,
    status           TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'delivered', 'failed')),
    attempts         INTEGER NOT NULL DEFAULT 0,
    next_attempt_at  TEXT NOT NULL,
    locked_until     TEXT,
    created_at       TEXT NOT NULL,
    delivered_at     TEXT
);
CREATE INDEX webhook_event_due ON webhook_event (status, next_attempt_at);
CREATE INDEX webhook_event_customer ON webhook_event (customer_id, status, webhook_event_id);
CREATE INDEX webhook_event_list ON webhook_event (business_id, mode, status, webhook_event_id);

CREATE TABLE webhook_attempt (
    webhook_attempt_id INTEGER PRIMARY KEY,
    webhook_event_id   INTEGER NOT NULL REFERENCES webhook_event(webhook_event_id),
    attempted_at       TEXT NOT NULL,
    url                TEXT,
    http_status        INTEGER,
    latency_ms         INTEGER NOT NULL,
    response_excerpt   TEXT,
    error              TEXT
);
CREATE INDEX webhook_attempt_event ON webhook_attempt (webhook_event_id, webhook_attempt_id);
CREATE INDEX webhook_event_unrendered ON webhook_event (webhook_event_id) WHERE payload IS NULL;
