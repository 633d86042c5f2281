"""Async access to the store for graph nodes: one pool per event loop, from the connection factory.

Graph nodes run in the CLI, the dev server, notebooks and the service; none of them hands the
graph a pool, so the nodes share this process-wide one (pools are bound to their event loop).
"""

from __future__ import annotations

import asyncio
import functools
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import psycopg
from psycopg.rows import DictRow
from psycopg_pool import AsyncConnectionPool

from switchboard.config.database import database_target, new_async_pool
from switchboard.config.settings import get_settings
from switchboard.observability import tracing
from switchboard.observability.metrics import track_pool

_TABLE = re.compile(r"\b(?:from|into|update|join)\s+([a-z_][\w.]*)", re.IGNORECASE)


class TracedCursor(psycopg.AsyncCursor[DictRow]):
    """A cursor whose queries are spans (OpenTelemetry database conventions)."""

    async def execute(self, query: Any, params: Any = None, **kwargs: Any) -> Any:
        text = (
            query
            if isinstance(query, str)
            else query.as_string(self)
            if hasattr(query, "as_string")
            else str(query)
        )
        name, attributes = _query_span(text)
        if not name:  # a session setting or transaction control: not a query of the store
            return await super().execute(query, params, **kwargs)
        with tracing.span(name, attributes, kind="client"):
            return await super().execute(query, params, **kwargs)


# Statements that read or write nothing of the store (`set local search_path` before an enqueue, say):
# no span of their own, since a span costs more than the statement and tells nothing.
_NOT_QUERIES = frozenset({"SET", "RESET", "BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE", "SHOW"})


@functools.lru_cache(maxsize=512)
def _query_span(text: str) -> tuple[str, dict[str, Any]]:
    """A query's span name and attributes, worked out once per statement (the SQL is a constant); no
    name for a statement that is not a query (`_NOT_QUERIES`)."""
    operation = text.lstrip().split(None, 1)[0].upper() if text.strip() else "QUERY"
    if operation in _NOT_QUERIES:
        return "", {}
    table = _TABLE.search(text)
    attributes = {
        "db.system.name": "postgresql",
        "db.operation.name": operation,
        "db.collection.name": table.group(1) if table else None,
        "db.query.text": " ".join(text.split())[:1000],  # placeholders only, never the values
    }
    return (f"{operation} {table.group(1)}" if table else operation), attributes


_pools: dict[tuple[int, str], AsyncConnectionPool[psycopg.AsyncConnection[DictRow]]] = {}


async def store_pool() -> AsyncConnectionPool[psycopg.AsyncConnection[DictRow]]:
    settings = get_settings()
    url = database_target(settings).url
    key = (id(asyncio.get_running_loop()), url)
    pool = _pools.get(key)
    if pool is None or pool.closed:
        pool = new_async_pool(settings, "switchboard-store")
        _pools[key] = pool
        track_pool(pool)
        await pool.open(wait=True, timeout=settings.db_connect_timeout)
    return pool


@asynccontextmanager
async def store_connection() -> AsyncIterator[psycopg.AsyncConnection[DictRow]]:
    """A pooled connection (autocommit, dict rows) to the store."""
    pool = await store_pool()
    async with pool.connection() as conn:
        # Traced: every query is a span (its SQL with placeholders: never the values); off: psycopg's own.
        conn.cursor_factory = TracedCursor if tracing.enabled() else psycopg.AsyncCursor
        yield conn


async def close_store_pools() -> None:
    """Close this loop's pools (call before the event loop ends)."""
    loop_id = id(asyncio.get_running_loop())
    for key in [k for k in _pools if k[0] == loop_id]:
        await _pools.pop(key).close()
