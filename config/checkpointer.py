"""Checkpointer factories: LangGraph's Postgres savers on the project's pools, set up once.

`checkpointer` is the async context manager that `langgraph.json` names, so the dev server keeps
its threads in the same database as the CLI, the notebooks and the service.
"""

from __future__ import annotations

import threading
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from typing import Any

from langgraph.checkpoint.postgres import PostgresSaver
from langgraph.checkpoint.postgres.aio import AsyncPostgresSaver
from psycopg_pool import AsyncConnectionPool, ConnectionPool

from config.database import async_pool, database_target, sync_pool
from config.settings import Settings, get_settings

_setup_lock = threading.Lock()
_set_up: set[str] = set()


def _needs_setup(url: str) -> bool:
    with _setup_lock:
        return url not in _set_up


def _mark_set_up(url: str) -> None:
    with _setup_lock:
        _set_up.add(url)


def sync_checkpointer_on(pool: ConnectionPool[Any], settings: Settings | None = None) -> PostgresSaver:
    """A `PostgresSaver` on an existing pool; creates its tables on first use in this process."""
    saver = PostgresSaver(pool)  # type: ignore[arg-type]
    url = database_target(settings or get_settings()).url
    if _needs_setup(url):
        saver.setup()  # idempotent: LangGraph's own migrations table
        _mark_set_up(url)
    return saver


async def async_checkpointer_on(
    pool: AsyncConnectionPool[Any],
    settings: Settings | None = None,
) -> AsyncPostgresSaver:
    """An `AsyncPostgresSaver` on an existing async pool; creates its tables on first use."""
    saver = AsyncPostgresSaver(pool)  # type: ignore[arg-type]
    url = database_target(settings or get_settings()).url
    if _needs_setup(url):
        await saver.setup()
        _mark_set_up(url)
    return saver


@contextmanager
def sync_checkpointer(settings: Settings | None = None) -> Iterator[PostgresSaver]:
    with sync_pool(settings) as pool:
        yield sync_checkpointer_on(pool, settings)


@asynccontextmanager
async def async_checkpointer(settings: Settings | None = None) -> AsyncIterator[AsyncPostgresSaver]:
    async with async_pool(settings) as pool:
        yield await async_checkpointer_on(pool, settings)


@asynccontextmanager
async def checkpointer() -> AsyncIterator[AsyncPostgresSaver]:
    """For `langgraph.json` (`"checkpointer": {"path": "./config/checkpointer.py:checkpointer"}`)."""
    async with async_checkpointer() as saver:
        yield saver
