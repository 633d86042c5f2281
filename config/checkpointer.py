"""Checkpointer factories: LangGraph's Postgres savers on the project's pools, set up once.

`checkpointer` is the async context manager that `langgraph.json` names, so the dev server keeps
its threads in the same database as the CLI, the notebooks and the service.
"""

from __future__ import annotations

import random
import threading
from collections import OrderedDict
from collections.abc import AsyncIterator, Iterator, Sequence
from contextlib import asynccontextmanager, contextmanager
from typing import Any, cast

from langchain_core.runnables import RunnableConfig
from langgraph.checkpoint.base import (
    WRITES_IDX_MAP,
    ChannelVersions,
    Checkpoint,
    CheckpointMetadata,
    get_serializable_checkpoint_metadata,
)
from langgraph.checkpoint.postgres import PostgresSaver
from langgraph.checkpoint.postgres.aio import AsyncPostgresSaver
from langgraph.checkpoint.postgres.base import SELECT_SQL, UPSERT_CHECKPOINTS_SQL
from langgraph.checkpoint.serde.types import _DeltaSnapshot
from psycopg import AsyncCursor
from psycopg.rows import DictRow, dict_row
from psycopg.types.json import Jsonb
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


# Base 62 in ASCII order, so a fixed-width number sorts as text the way it sorts as a number.
_DIGITS = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
_NUMBER, _RANDOM = 4, 6  # 62**4: 14.7 million versions of one namespace; 62**6: a random part of 35 bits


def _base62(number: int, width: int) -> str:
    out = ""
    for _ in range(width):
        number, digit = divmod(number, 62)
        out = _DIGITS[digit] + out
    return out


def _number(head: str) -> int:
    if len(head) != _NUMBER:  # LangGraph's own (32 digits) or ours before (12): decimal
        return int(head)
    number = 0
    for char in head:
        number = number * 62 + _DIGITS.index(char)
    return number


def compact_version(current: str | int | None) -> str:
    """The next channel version, as LangGraph's Postgres saver makes it but 11 characters, not 49.

    A checkpoint stores a version for every channel and, per node, every version it has seen, so the
    version's length is most of a checkpoint's size. Same shape: the number, fixed width (ordered as
    text: base 62 in ASCII order), then a random suffix (two forks of one checkpoint never share a blob's
    key). Versions written before (the stock saver's 32 digits, or our 12) are read as decimal and
    compare lower, so threads written before keep their order."""
    if current is None:
        number = 0
    elif isinstance(current, int):
        number = current
    else:
        number = _number(current.split(".")[0])
    if number + 1 >= 62**_NUMBER:
        raise OverflowError("the channel versions of this thread's namespace are exhausted")
    return f"{_base62(number + 1, _NUMBER)}.{_base62(random.getrandbits(35), _RANDOM)}"


def _metadata(config: RunnableConfig, metadata: CheckpointMetadata) -> CheckpointMetadata:
    """What a checkpoint's metadata keeps: LangGraph's own (source, step, parents) and, on the router's
    checkpoints, the run's ids from the config (run, request, trace, customer, surface). A domain's
    checkpoints carry LangGraph's own only: `parents` names the router checkpoint they belong to, and
    every reader of the run's ids (explain, cost, retention, erasure) reads the router's."""
    if config["configurable"].get("checkpoint_ns"):
        return get_serializable_checkpoint_metadata({}, metadata)
    return get_serializable_checkpoint_metadata(config, metadata)


# Ids that say where a run came from, the same on each of its checkpoints: the run's input checkpoint
# and its first step's keep them (explain, whose turn starts at the first step, and `runs` read them
# there), the others only what groups and scopes them (run id, customer, trace id, deciders).
_ONCE_PER_RUN = ("request_id", "surface")
_RUNS_SEEN = 4096  # runs remembered per saver (a run forgotten early only keeps its ids twice)


class _FirstOfRun:
    def __init__(self) -> None:
        self._seen: OrderedDict[str, None] = OrderedDict()
        self._lock = threading.Lock()

    def trim(self, metadata: CheckpointMetadata) -> CheckpointMetadata:
        run_id = metadata.get("run_id")
        if metadata.get("source") == "input" or not isinstance(run_id, str):
            return metadata
        if not any(k in metadata for k in _ONCE_PER_RUN):
            return metadata
        with self._lock:
            if run_id not in self._seen:
                self._seen[run_id] = None
                if len(self._seen) > _RUNS_SEEN:
                    self._seen.popitem(last=False)
                return metadata
        return cast(CheckpointMetadata, {k: v for k, v in metadata.items() if k not in _ONCE_PER_RUN})


class SwitchboardPostgresSaver(PostgresSaver):
    """LangGraph's `PostgresSaver` whose checkpoint load does not slow down as a thread grows."""

    SELECT_SQL = _select_sql()

    def get_next_version(self, current: str | None, channel: None) -> str:
        return compact_version(current)


# A checkpoint's blobs and a task's writes, each as one statement over arrays: the stock saver sends one
# pipelined statement per row (executemany), a dozen calls a request with a few rows each, and psycopg's
# client-side work per pipelined row was the largest share of a request's framework time.
_INSERT_BLOBS_SQL = """
    INSERT INTO checkpoint_blobs (thread_id, checkpoint_ns, channel, version, type, blob)
    SELECT %s, %s, u.channel, u.version, u.type, u.blob
    FROM unnest(%s::text[], %s::text[], %s::text[], %s::bytea[]) AS u(channel, version, type, blob)
    ON CONFLICT (thread_id, checkpoint_ns, channel, version) DO NOTHING
"""
# A checkpoint and its new blobs in one statement (the blobs' insert as a data-modifying CTE).
_PUT_WITH_BLOBS_SQL = f"""
    WITH blobs AS ({_INSERT_BLOBS_SQL.strip()})
    {UPSERT_CHECKPOINTS_SQL.strip().rstrip(";")}
"""
_WRITES_SQL = """
    INSERT INTO checkpoint_writes (thread_id, checkpoint_ns, checkpoint_id, task_id, task_path, idx, channel, type, blob)
    SELECT %s, %s, %s, %s, %s, u.idx, u.channel, u.type, u.blob
    FROM unnest(%s::int[], %s::text[], %s::text[], %s::bytea[]) AS u(idx, channel, type, blob)
    ON CONFLICT (thread_id, checkpoint_ns, checkpoint_id, task_id, idx) DO {}
"""
_UPSERT_WRITES_SQL = _WRITES_SQL.format(
    "UPDATE SET channel = EXCLUDED.channel, type = EXCLUDED.type, blob = EXCLUDED.blob"
)
_INSERT_WRITES_SQL = _WRITES_SQL.format("NOTHING")


def _columns(rows: Sequence[tuple[Any, ...]], start: int) -> list[list[Any]]:
    """Rows of the stock saver's parameters, from column `start` on, as one list per column."""
    return [list(column) for column in zip(*(row[start:] for row in rows), strict=True)]


class SwitchboardAsyncPostgresSaver(AsyncPostgresSaver):
    """LangGraph's `AsyncPostgresSaver` whose checkpoint load does not slow down as a thread grows, and
    whose writes take one statement per call instead of one per row (the same rows: a test compares
    them with the stock saver's). Serialising is done in place, not in a worker thread: a checkpoint
    here is a few kilobytes (the history window bounds it), and the thread hop cost more than the work."""

    SELECT_SQL = _select_sql()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._first_of_run = _FirstOfRun()

    def get_next_version(self, current: str | None, channel: None) -> str:
        return compact_version(current)

    @asynccontextmanager
    async def _cursor(self, *, pipeline: bool = False) -> AsyncIterator[AsyncCursor[DictRow]]:
        """The stock saver's cursor, without its lock when it runs on a pool. The lock is there for a
        saver on one connection, which cannot be used by two coroutines at once; on a pool each call has a
        connection of its own, and the lock only made every checkpoint read and write of the process wait
        for every other (the domains of one request, and every request in flight). LangGraph orders what
        must be ordered itself: a run's checkpoints are put one after the other."""
        if self.pipe is not None or not isinstance(self.conn, AsyncConnectionPool):
            async with super()._cursor(pipeline=pipeline) as cur:
                yield cur
            return
        async with self.conn.connection() as conn:
            if pipeline and self.supports_pipeline:
                async with conn.pipeline(), conn.cursor(binary=True, row_factory=dict_row) as cur:
                    yield cur
            elif pipeline:
                async with conn.transaction(), conn.cursor(binary=True, row_factory=dict_row) as cur:
                    yield cur
            else:
                async with conn.cursor(binary=True, row_factory=dict_row) as cur:
                    yield cur

    async def aput(
        self,
        config: RunnableConfig,
        checkpoint: Checkpoint,
        metadata: CheckpointMetadata,
        new_versions: ChannelVersions,
    ) -> RunnableConfig:
        # The stock `aput`, but for the blobs' one statement and the serialising in place.
        configurable = config["configurable"].copy()
        thread_id = configurable.pop("thread_id")
        checkpoint_ns = configurable.pop("checkpoint_ns")
        checkpoint_id = configurable.pop("checkpoint_id", None)
        copy = checkpoint.copy()
        copy["channel_values"] = copy["channel_values"].copy()
        next_config: RunnableConfig = {
            "configurable": {
                "thread_id": thread_id,
                "checkpoint_ns": checkpoint_ns,
                "checkpoint_id": checkpoint["id"],
            }
        }
        blob_values = {}
        for k, v in checkpoint["channel_values"].items():
            if isinstance(v, _DeltaSnapshot):
                blob_values[k] = copy["channel_values"].pop(k)
                copy["channel_values"][k] = True
            elif v is None or isinstance(v, (str, int, float, bool)):
                pass
            else:
                blob_values[k] = copy["channel_values"].pop(k)
        row = (
            thread_id,
            checkpoint_ns,
            checkpoint["id"],
            checkpoint_id,
            Jsonb(copy),
            Jsonb(self._first_of_run.trim(_metadata(config, metadata))),
        )
        # One statement, so one round trip and no pipeline: the blobs' insert rides along as a
        # data-modifying CTE (run once and to completion, in the same implicit transaction).
        async with self._cursor() as cur:
            if blob_versions := {k: v for k, v in new_versions.items() if k in blob_values}:
                rows = self._dump_blobs(thread_id, checkpoint_ns, blob_values, blob_versions)
                await cur.execute(_PUT_WITH_BLOBS_SQL, (thread_id, checkpoint_ns, *_columns(rows, 2), *row))
            else:
                await cur.execute(self.UPSERT_CHECKPOINTS_SQL, row)
        return next_config

    async def aput_writes(
        self,
        config: RunnableConfig,
        writes: Sequence[tuple[str, Any]],
        task_id: str,
        task_path: str = "",
    ) -> None:
        # The stock `aput_writes`, but for the one statement and the serialising in place.
        if not writes:
            return
        query = _UPSERT_WRITES_SQL if all(w[0] in WRITES_IDX_MAP for w in writes) else _INSERT_WRITES_SQL
        configurable = config["configurable"]
        thread_id, checkpoint_ns = configurable["thread_id"], configurable["checkpoint_ns"]
        checkpoint_id = configurable["checkpoint_id"]
        rows = self._dump_writes(thread_id, checkpoint_ns, checkpoint_id, task_id, task_path, writes)
        async with self._cursor() as cur:  # one statement: no pipeline to open and sync
            await cur.execute(
                query, (thread_id, checkpoint_ns, checkpoint_id, task_id, task_path, *_columns(rows, 5))
            )


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


def _server_keeps_our_versions() -> None:
    """The LangGraph server wraps a custom checkpointer in an adapter (`langgraph_api._checkpointer._adapter`)
    that forwards every call to it but makes channel versions itself, 32 decimal digits, reading the current
    one as a decimal number: a thread whose versions this saver made ("0000000000A.…", base 62) then fails
    on the server ("invalid literal for int() with base 10: '000A'") as soon as a version reaches ten, and
    its versions would not compare in order with ours. The adapter asks this saver instead, so a thread
    keeps one kind of version whichever surface runs it."""
    try:
        from langgraph_api._checkpointer import _adapter
    except ImportError:  # not on the server
        return
    adapter = getattr(_adapter, "_CustomCheckpointerAdapter", None)
    if adapter is None or getattr(adapter, "_switchboard_versions", False):
        return

    def get_next_version(self: Any, current: str | None, channel: None) -> str:
        inner = getattr(self, "_inner", None)
        if inner is not None and hasattr(inner, "get_next_version"):
            return str(inner.get_next_version(current, channel))
        return compact_version(current)

    adapter.get_next_version = get_next_version
    adapter._switchboard_versions = True


@asynccontextmanager
async def checkpointer() -> AsyncIterator[AsyncPostgresSaver]:
    """For `langgraph.json` (`"checkpointer": {"path": "switchboard.config.checkpointer.checkpointer"}`: the server
    reads a module path with dots, a file path with a colon)."""
    _server_keeps_our_versions()
    async with async_checkpointer() as saver:
        yield saver
