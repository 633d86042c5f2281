"""Checkpointer factories: LangGraph's Postgres savers on the project's pools, set up once.

`checkpointer` is the async context manager that `langgraph.json` names, so the dev server keeps
its threads in the same database as the CLI, the notebooks and the service.
"""

from __future__ import annotations

import random
import threading
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from typing import Any

from langgraph.checkpoint.postgres import PostgresSaver
from langgraph.checkpoint.postgres.aio import AsyncPostgresSaver
from langgraph.checkpoint.postgres.base import SELECT_SQL
from psycopg_pool import AsyncConnectionPool, ConnectionPool

from switchboard.config.database import async_pool, database_target, sync_pool
from switchboard.config.settings import Settings, get_settings

# LangGraph's checkpoint load joins the checkpoint's channel versions to `checkpoint_blobs` with a plain
# join; the planner cannot know how many blobs one thread has and hashes all of them (2,200 rows at
# turn 200), so a load grows with the thread (1.4 ms at turn 200 against 0.08 ms). The same lookup as
# a LATERAL subquery (OFFSET 0 keeps it from being flattened) is one primary-key probe per channel:
# constant time however long the thread. Same columns, same rows; tests compare it with the stock query.
_STOCK_BLOB_JOIN = """        select array_agg(array[bl.channel::bytea, bl.type::bytea, bl.blob])
        from jsonb_each_text(checkpoint -> 'channel_versions')
        inner join checkpoint_blobs bl
            on bl.thread_id = checkpoints.thread_id
            and bl.checkpoint_ns = checkpoints.checkpoint_ns
            and bl.channel = jsonb_each_text.key
            and bl.version = jsonb_each_text.value"""
_PROBE_BLOB_JOIN = """        select array_agg(array[cv.key::bytea, bl.type::bytea, bl.blob])
        from jsonb_each_text(checkpoint -> 'channel_versions') as cv
        cross join lateral (
            select b.type, b.blob from checkpoint_blobs b
            where b.thread_id = checkpoints.thread_id
                and b.checkpoint_ns = checkpoints.checkpoint_ns
                and b.channel = cv.key
                and b.version = cv.value
            offset 0
        ) as bl"""


def _select_sql() -> str:
    if _STOCK_BLOB_JOIN not in SELECT_SQL:  # a new langgraph-checkpoint-postgres: keep its own query
        return SELECT_SQL
    return SELECT_SQL.replace(_STOCK_BLOB_JOIN, _PROBE_BLOB_JOIN)


def compact_version(current: str | int | None) -> str:
    """The next channel version, as LangGraph's Postgres saver makes it but 21 characters, not 49.

    A checkpoint stores a version for every channel and, per node, every version it has seen, so the
    version's length is most of a checkpoint's size. Same shape: the number zero-padded (ordered as
    text), then a random suffix (two forks of one checkpoint never share a blob's key). A saver's own
    longer versions compare lower, so threads written before keep their order."""
    if current is None:
        number = 0
    elif isinstance(current, int):
        number = current
    else:
        number = int(current.split(".")[0])
    return f"{number + 1:012}.{random.getrandbits(32):08x}"


class SwitchboardPostgresSaver(PostgresSaver):
    """LangGraph's `PostgresSaver` whose checkpoint load does not slow down as a thread grows."""

    SELECT_SQL = _select_sql()

    def get_next_version(self, current: str | None, channel: None) -> str:
        return compact_version(current)


class SwitchboardAsyncPostgresSaver(AsyncPostgresSaver):
    """LangGraph's `AsyncPostgresSaver` whose checkpoint load does not slow down as a thread grows."""

    SELECT_SQL = _select_sql()

    def get_next_version(self, current: str | None, channel: None) -> str:
        return compact_version(current)


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
    saver = SwitchboardPostgresSaver(pool)  # type: ignore[arg-type]
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
    saver = SwitchboardAsyncPostgresSaver(pool)  # type: ignore[arg-type]
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
    """For `langgraph.json` (`"checkpointer": {"path": "switchboard.config.checkpointer.checkpointer"}`: the server
    reads a module path with dots, a file path with a colon)."""
    async with async_checkpointer() as saver:
        yield saver
