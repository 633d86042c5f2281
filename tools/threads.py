"""Thread ownership: one record per thread in `store.threads`, and the one check made against it.

A thread is claimed for the customer it starts for, on whichever surface it starts (the embedding API,
the CLI and the HTTP service claim it before the graph runs; a run on the LangGraph server claims it in
`intake`). Every later access goes through `authorize`.
"""

from __future__ import annotations

from typing import Any

import psycopg
from psycopg.rows import DictRow

from switchboard.config.errors import Conflict, Forbidden, NotFound

Conn = psycopg.AsyncConnection[DictRow]


async def owner_of(conn: Conn, thread_id: str) -> str | None:
    cur = await conn.execute("select customer_id from store.threads where thread_id = %s", (thread_id,))
    row = await cur.fetchone()
    return None if row is None else str(row["customer_id"])


async def claim(conn: Conn, thread_id: str, customer_id: str, *, new: bool = False) -> dict[str, Any]:
    """Record `customer_id` as the thread's owner if it has none; refuse a thread owned by another.

    `new`: the thread must not exist yet (Conflict otherwise)."""
    cur = await conn.execute(
        "insert into store.threads (thread_id, customer_id) values (%s, %s)"
        " on conflict (thread_id) do update set updated_at = now()"
        " where store.threads.customer_id = excluded.customer_id"
        " returning created_at, (xmax = 0) as inserted",
        (thread_id, customer_id),
    )
    row = await cur.fetchone()
    if row is None:  # the conflicting row belongs to someone else: nothing was updated
        raise Forbidden(f"thread {thread_id} belongs to another customer")
    if new and not row["inserted"]:
        raise Conflict(f"thread {thread_id} already exists")
    return row


# The claim of a message's thread, the check that its customer is known to the store, and the thread's
# run lock in one statement on the run's lock connection (one round trip where three were): the lock is
# tried only when the thread was claimed, so an unknown customer or another customer's thread writes and
# holds nothing.
_CLAIM_AND_LOCK_SQL = """
with customer as (select id from store.customers where id = %(customer)s),
claimed as (
    insert into store.threads (thread_id, customer_id) select %(thread)s, id from customer
    on conflict (thread_id) do update set updated_at = now()
    where store.threads.customer_id = excluded.customer_id
    returning created_at, (xmax = 0) as inserted
)
select exists (select 1 from customer) as known, claimed.created_at, claimed.inserted,
    case when claimed.created_at is not null
        then pg_try_advisory_lock(hashtextextended(%(lock)s, 0)) end as locked
from (select 1) as one left join claimed on true
"""


def lock_key(thread_id: str) -> str:
    """The advisory lock a thread's runs take (one run of a thread at a time, across processes)."""
    return f"switchboard-thread:{thread_id}"


async def claim_and_lock(conn: Conn, thread_id: str, customer_id: str) -> dict[str, Any]:
    """`claim` for a customer the store must know, then the thread's run lock, held by `conn`'s session
    (the caller releases it). NotFound for an unknown customer, Forbidden for another customer's thread
    (neither writes nor locks anything), Conflict for a thread busy with another run (claimed, not locked)."""
    cur = await conn.execute(
        _CLAIM_AND_LOCK_SQL, {"customer": customer_id, "thread": thread_id, "lock": lock_key(thread_id)}
    )
    row = await cur.fetchone()
    assert row is not None  # one row, whatever matched
    if not row["known"]:
        raise NotFound(f"customer {customer_id} does not exist")
    if row["created_at"] is None:
        raise Forbidden(f"thread {thread_id} belongs to another customer")
    if not row["locked"]:
        raise Conflict(f"thread {thread_id} is busy with another request; try again when it has answered")
    return row


def authorize(thread_id: str, owner: str | None, customer_id: str | None, *, reveal: bool = True) -> str:
    """The one ownership check: the thread's owner, when `customer_id` (None: staff) may use the thread.

    A thread that does not exist is NotFound; another customer's is Forbidden, or NotFound when
    `reveal` is off (the HTTP service does not confirm that a foreign thread exists)."""
    if owner is None:
        raise NotFound(f"thread {thread_id} does not exist")
    if customer_id is not None and owner != customer_id:
        if not reveal:
            raise NotFound(f"thread {thread_id} not found")
        raise Forbidden(f"thread {thread_id} belongs to another customer")
    return owner


async def list_threads(conn: Conn, customer_id: str | None, limit: int) -> list[dict[str, Any]]:
    cur = await conn.execute(
        "select thread_id, customer_id, created_at, updated_at from store.threads"
        " where %(customer)s::text is null or customer_id = %(customer)s"
        " order by updated_at desc, thread_id limit %(limit)s",
        {"customer": customer_id, "limit": limit},
    )
    return list(await cur.fetchall())
