-- 0003_api_keys: API keys of the HTTP service (`switchboard keys`, `switchboard serve`).
-- A key is shown once when created; only the SHA-256 hash of its secret is stored, so a copy of the
-- database cannot be used to call the service. A key acts for one identity: a customer (who must exist)
-- or a staff member. Revoking keeps the row (who had access, until when).
CREATE TABLE store.api_keys (
    id           text PRIMARY KEY CHECK (id ~ '^key_[0-9a-f]{16}$'),
    secret_hash  text NOT NULL UNIQUE CHECK (secret_hash ~ '^[0-9a-f]{64}$'),
    role         text NOT NULL CHECK (role IN ('customer', 'staff')),
    subject      text NOT NULL CHECK (length(subject) BETWEEN 1 AND 100),
    customer_id  text REFERENCES store.customers (id),
    created_at   timestamptz NOT NULL DEFAULT now(),
    revoked_at   timestamptz,
    -- a customer key names an existing customer (the foreign key); a staff key names no customer
    CHECK ((role = 'customer') = (customer_id IS NOT NULL)),
    CHECK (role <> 'customer' OR customer_id = subject),
    CHECK (revoked_at IS NULL OR revoked_at >= created_at)
);
CREATE INDEX api_keys_subject ON store.api_keys (role, subject);
