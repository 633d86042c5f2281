-- 0005_threads: who owns a conversation thread. One row per thread, written when the thread starts on
-- any surface (the embedding API, the CLI, the HTTP service, a LangGraph server run), so ownership is
-- Switchboard's own record, not something read out of LangGraph's checkpoint tables.
CREATE TABLE store.threads (
    thread_id    text PRIMARY KEY CHECK (length(thread_id) BETWEEN 1 AND 200),
    customer_id  text NOT NULL REFERENCES store.customers (id),
    created_at   timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX threads_customer ON store.threads (customer_id, updated_at DESC);
