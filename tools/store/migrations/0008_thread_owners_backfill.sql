-- 0008_thread_owners_backfill: threads that started before 0005 have no row in store.threads, so every
-- surface answered "does not exist" for a conversation the customer can still see in LangGraph's own
-- tables. Their owner is the customer_id that every Switchboard run has written into its checkpoints'
-- metadata; a thread whose checkpoints name more than one customer, or a customer the store does not
-- have, is left without an owner (staff can still read it through the checkpointer).
DO $$
BEGIN
    IF to_regclass('public.checkpoints') IS NOT NULL THEN
        INSERT INTO store.threads (thread_id, customer_id)
        SELECT c.thread_id, min(c.metadata ->> 'customer_id')
        FROM public.checkpoints c
        WHERE c.checkpoint_ns = ''
          AND c.metadata ? 'customer_id'
          AND length(c.thread_id) BETWEEN 1 AND 200
        GROUP BY c.thread_id
        HAVING count(DISTINCT c.metadata ->> 'customer_id') = 1
           AND min(c.metadata ->> 'customer_id') IN (SELECT id FROM store.customers)
        ON CONFLICT (thread_id) DO NOTHING;
    END IF;
END
$$;
