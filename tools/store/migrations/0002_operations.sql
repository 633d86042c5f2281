-- 0002_operations: approvals, the side-effect ledger and the outbox.
-- Every write action is explained afterwards from these rows: who approved what, when, for exactly
-- which arguments (a hash), and the ledger row written in the same transaction as the store change.

-- One row per write action that needs a person's decision. Created (pending) when the run pauses,
-- decided by a staff member or the customer, used once when the action runs.
CREATE TABLE store.approvals (
    id             text PRIMARY KEY CHECK (id ~ '^APR-[0-9a-f]{16}$'),
    thread_id      text NOT NULL,
    customer_id    text NOT NULL REFERENCES store.customers (id),
    action         text NOT NULL,
    args           jsonb NOT NULL,
    args_hash      text NOT NULL CHECK (args_hash ~ '^[0-9a-f]{64}$'),
    path           text NOT NULL,
    description    text NOT NULL,
    required_role  text NOT NULL CHECK (required_role IN ('customer', 'staff')),
    status         text NOT NULL DEFAULT 'pending'
                   CHECK (status IN ('pending', 'approved', 'rejected', 'used', 'superseded')),
    requested_at   timestamptz NOT NULL DEFAULT now(),
    expires_at     timestamptz NOT NULL,
    decided_by     text,
    decided_role   text CHECK (decided_role IN ('customer', 'staff')),
    decided_at     timestamptz,
    decided_args   jsonb,          -- the arguments approved: the original ones, or an approver's edit
    decided_args_hash text CHECK (decided_args_hash ~ '^[0-9a-f]{64}$'),
    reason         text,
    used_at        timestamptz,
    CHECK (expires_at > requested_at),
    CHECK ((status = 'pending') = (decided_at IS NULL) OR status = 'superseded'),
    CHECK ((status = 'used') = (used_at IS NOT NULL))
);
CREATE INDEX approvals_pending ON store.approvals (requested_at) WHERE status = 'pending';
CREATE INDEX approvals_thread ON store.approvals (thread_id);

-- The idempotent side-effect ledger: one row per performed write action, keyed by a deterministic
-- key (thread, action, arguments) and written in the same transaction as the store change.
CREATE TABLE store.side_effects (
    key          text PRIMARY KEY CHECK (key ~ '^[0-9a-f]{64}$'),
    thread_id    text NOT NULL,
    customer_id  text NOT NULL REFERENCES store.customers (id),
    action       text NOT NULL,
    args         jsonb NOT NULL,
    approval_id  text REFERENCES store.approvals (id),
    status       text NOT NULL CHECK (status IN ('done', 'compensated')),
    result       jsonb NOT NULL DEFAULT '{}'::jsonb,
    steps        jsonb NOT NULL DEFAULT '[]'::jsonb,
    detail       text NOT NULL DEFAULT '',
    created_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX side_effects_thread ON store.side_effects (thread_id);

-- Events for work outside the request (notifications, analytics), handled by a worker.
CREATE TABLE store.outbox (
    id           bigserial PRIMARY KEY,
    topic        text NOT NULL CHECK (length(topic) BETWEEN 1 AND 100),
    dedupe_key   text NOT NULL UNIQUE,
    thread_id    text NOT NULL,
    customer_id  text,
    payload      jsonb NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    handled_at   timestamptz
);
CREATE INDEX outbox_unhandled ON store.outbox (id) WHERE handled_at IS NULL;

-- Ids for rows that write actions create (seeded rows use lower numbers).
CREATE SEQUENCE store.refund_seq START 9000001;
CREATE SEQUENCE store.ticket_seq START 9000001;
