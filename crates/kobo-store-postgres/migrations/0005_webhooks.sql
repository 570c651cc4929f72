-- The webhook outbox. Events are written in the same transaction as the
-- change that causes them; workers on any node lease due events
-- (`locked_until`, claimed with `FOR UPDATE SKIP LOCKED` so two nodes never
-- take the same event), send them, and record every attempt.

CREATE TABLE webhook_endpoint (
    business_id BIGINT NOT NULL REFERENCES business(business_id),
    mode        TEXT NOT NULL CHECK (mode IN ('test', 'live')),
    url         TEXT,
    secret      TEXT NOT NULL,
    updated_at  TEXT NOT NULL,
    PRIMARY KEY (business_id, mode)
);

CREATE TABLE webhook_event (
    webhook_event_id BIGSERIAL PRIMARY KEY,
    public_id        TEXT NOT NULL CONSTRAINT webhook_event_public_id UNIQUE,
    business_id      BIGINT NOT NULL REFERENCES business(business_id),
    mode             TEXT NOT NULL CHECK (mode IN ('test', 'live')),
    event_type       TEXT NOT NULL,
    subject_id       BIGINT NOT NULL,
    customer_id      BIGINT,
    payload          TEXT,
    status           TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'delivered', 'failed')),
    attempts         BIGINT NOT NULL DEFAULT 0,
    next_attempt_at  TEXT NOT NULL,
    locked_until     TEXT,
    created_at       TEXT NOT NULL,
    delivered_at     TEXT
);
CREATE INDEX webhook_event_due ON webhook_event (status, next_attempt_at);
CREATE INDEX webhook_event_customer ON webhook_event (customer_id, status, webhook_event_id);
CREATE INDEX webhook_event_list ON webhook_event (business_id, mode, status, webhook_event_id);

CREATE TABLE webhook_attempt (
    webhook_attempt_id BIGSERIAL PRIMARY KEY,
    webhook_event_id   BIGINT NOT NULL REFERENCES webhook_event(webhook_event_id),
    attempted_at       TEXT NOT NULL,
    url                TEXT,
    http_status        BIGINT,
    latency_ms         BIGINT NOT NULL,
    response_excerpt   TEXT,
    error              TEXT
);
CREATE INDEX webhook_attempt_event ON webhook_attempt (webhook_event_id, webhook_attempt_id);
CREATE INDEX webhook_event_unrendered ON webhook_event (webhook_event_id) WHERE payload IS NULL;
