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
