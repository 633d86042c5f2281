-- 0007_turns_and_erasure: what outlives the checkpoints, and what the queue needs from the outbox.

-- One compact, permanent row per finished turn, written in the transaction that publishes the turn's
-- events: `history --turns` and `explain` answer from it after the checkpoints are pruned.
CREATE TABLE store.turns (
    thread_id    text NOT NULL,
    turn         integer NOT NULL CHECK (turn >= 0),
    customer_id  text,
    request      text NOT NULL,
    route        jsonb NOT NULL,      -- domains, decider, confidence, rationale, flags
    domains      jsonb NOT NULL,      -- per domain: specialists, tools, facts, actions (verdict, decider), usage
    answer       text NOT NULL,
    usage        jsonb NOT NULL,      -- model calls and tokens of the whole turn
    started_at   timestamptz,
    finished_at  timestamptz NOT NULL DEFAULT now(),
    erased_at    timestamptz,         -- personal data removed (the row stays, emptied)
    PRIMARY KEY (thread_id, turn)
);
CREATE INDEX turns_customer ON store.turns (customer_id, finished_at);

-- The outbox row points at the queue job that handles it; attempts and the last error are the
-- handler's own account (the queue keeps its job's status).
ALTER TABLE store.outbox
    ADD COLUMN job_id      bigint,
    ADD COLUMN attempts    integer NOT NULL DEFAULT 0,
    ADD COLUMN last_error  text;
CREATE INDEX outbox_job ON store.outbox (job_id);
CREATE INDEX outbox_customer ON store.outbox (customer_id);

-- Audit of deletions and erasures: what was removed, for whom, by whom, when (never personal data).
CREATE TABLE store.erasures (
    id           bigserial PRIMARY KEY,
    kind         text NOT NULL CHECK (kind IN ('customer', 'thread', 'idle_thread')),
    subject      text NOT NULL,       -- the customer id or the thread id
    reason       text NOT NULL,
    requested_by text NOT NULL,
    counts       jsonb NOT NULL,      -- rows removed or emptied, by table
    threads      jsonb NOT NULL DEFAULT '[]'::jsonb,
    erased_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX erasures_subject ON store.erasures (subject);
