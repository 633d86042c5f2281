-- 0004_notifications: what the outbox worker sends. One row per outbox event that warrants a message;
-- the unique event_id makes handling idempotent (a worker that crashes and retries sends nothing twice).
-- A deployment forwards these rows to its mail or push gateway; here the table is the sink.
CREATE TABLE store.notifications (
    id           bigserial PRIMARY KEY,
    event_id     bigint NOT NULL UNIQUE REFERENCES store.outbox (id),
    customer_id  text NOT NULL REFERENCES store.customers (id),
    channel      text NOT NULL CHECK (channel IN ('email')),
    to_address   text NOT NULL,
    subject      text NOT NULL CHECK (length(subject) BETWEEN 1 AND 200),
    body         text NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX notifications_customer ON store.notifications (customer_id, created_at);
