"""The one connection factory: which PostgreSQL to use, and pooled sync/async connections to it.

`DATABASE_URL` set: that server. Unset: an embedded PostgreSQL in the data folder (see `embedded.py`).
Connections carry what `langgraph-checkpoint-postgres` requires: autocommit and dict rows, with a
configurable `prepare_threshold` (None behind a transaction-mode pooler).

Every wait on the database is bounded: opening a connection (DB_CONNECT_TIMEOUT), waiting for a pooled
one (DB_POOL_TIMEOUT, then PoolTimeout: the service's 503) and one statement (DB_STATEMENT_TIMEOUT,
enforced by the server). A pooled connection is checked when it is handed out, so one that a server
restart broke is replaced instead of failing a request (a round trip, or a local look at its socket when
it was in use a moment ago: DB_RECHECK_AFTER); the first broken one found sends every idle connection of
its pool through the same check at once.
"""

from __future__ import annotations

import asyncio
import select
import threading
import time
import weakref
from collections.abc import Awaitable, Callable
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass
from typing import Any, AsyncIterator, Iterator

import psycopg
from psycopg.conninfo import conninfo_to_dict
from psycopg.rows import DictRow, dict_row
from psycopg_pool import AsyncConnectionPool, ConnectionPool

from switchboard.config.errors import ConfigurationError
from switchboard.config.settings import Settings, get_settings


@dataclass(frozen=True)
class DatabaseTarget:
    url: str
    embedded: bool

    @property
    def display(self) -> str:
        """The URL without a password, for people."""
        params = conninfo_to_dict(self.url)
        host = params.get("host") or "localhost"
        port = params.get("port") or "5432"
        where = host if str(host).startswith("/") else f"{host}:{port}"
        kind = "embedded" if self.embedded else "external"
        return f"{kind} postgresql {params.get('user') or ''}@{where}/{params.get('dbname') or ''}"


_lock = threading.Lock()
_targets: dict[str | None, DatabaseTarget] = {}


def validate_database_url(url: str) -> str:
    """Check a DATABASE_URL's form without connecting. Raises ConfigurationError naming the problem."""
    url = url.strip()
    if not url:
        raise ConfigurationError(
            "DATABASE_URL is set but empty: unset it for the embedded database or give a URL"
        )
    if "://" in url:
        scheme = url.split("://", 1)[0].lower()
        if scheme not in ("postgresql", "postgres"):
            raise ConfigurationError(
                f"DATABASE_URL has scheme '{scheme}://': expected postgresql://user@host:port/dbname"
            )
    elif "=" not in url:
        raise ConfigurationError("DATABASE_URL is not a URL: expected postgresql://user@host:port/dbname")
    try:
        params = conninfo_to_dict(url)
    except psycopg.ProgrammingError as exc:
        raise ConfigurationError(f"DATABASE_URL is malformed: {_first_line(exc)}") from None
    port = params.get("port")
    if port is not None and not str(port).isdigit():
        raise ConfigurationError(f"DATABASE_URL has an invalid port '{port}'")
    return url


def database_target(settings: Settings | None = None) -> DatabaseTarget:
    """Which database to use; starts the embedded server when no DATABASE_URL is set."""
    settings = settings or get_settings()
    key = settings.database_url
    with _lock:
        if key in _targets:
            return _targets[key]
        if settings.database_url is not None:
            target = DatabaseTarget(validate_database_url(settings.database_url), embedded=False)
        else:
            from switchboard.config.embedded import embedded_server_url

            url = embedded_server_url(settings.data_dir, idle_stop=settings.embedded_idle_stop)
            target = DatabaseTarget(url, embedded=True)
        _targets[key] = target
        return target


def connection_kwargs(settings: Settings | None = None) -> dict[str, Any]:
    settings = settings or get_settings()
    kwargs: dict[str, Any] = {
        "autocommit": True,
        "row_factory": dict_row,
        "prepare_threshold": settings.db_prepare_threshold,
        "connect_timeout": settings.db_connect_timeout,
    }
    if settings.db_statement_timeout:
        kwargs["options"] = f"-c statement_timeout={round(settings.db_statement_timeout * 1000)}"
    return kwargs


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def _unreachable(target: DatabaseTarget, exc: BaseException) -> ConfigurationError:
    setting = "the embedded database (DATA_DIR)" if target.embedded else "DATABASE_URL"
    return ConfigurationError(f"{setting}: cannot connect to {target.display}: {_first_line(exc)}")


def connect(settings: Settings | None = None) -> psycopg.Connection[DictRow]:
    """One plain connection (autocommit, dict rows). Prefer the pools in long-lived code."""
    settings = settings or get_settings()
    target = database_target(settings)
    try:
        return psycopg.Connection.connect(target.url, **connection_kwargs(settings))
    except psycopg.OperationalError as exc:
        raise _unreachable(target, exc) from None


async def aconnect(settings: Settings | None = None) -> psycopg.AsyncConnection[DictRow]:
    settings = settings or get_settings()
    target = database_target(settings)
    try:
        return await psycopg.AsyncConnection.connect(target.url, **connection_kwargs(settings))
    except psycopg.OperationalError as exc:
        raise _unreachable(target, exc) from None


def check_connection(settings: Settings | None = None) -> None:
    """Fail fast, with one clear line, when the database cannot be reached."""
    with connect(settings) as conn:
        conn.execute("select 1")


def pool_kwargs(settings: Settings) -> dict[str, Any]:
    """Pool options every pool of the project shares (sizes, connection options; opened by the caller)."""
    kwargs = connection_kwargs(settings)
    return {
        "min_size": settings.db_pool_min_size,
        "max_size": settings.db_pool_max_size,
        "kwargs": kwargs,
        "open": False,
        "timeout": settings.db_pool_timeout,
        # A connection lost in an outage is given up after this instead of being retried with a growing
        # backoff for minutes: the pool then grows on demand, so it reconnects as soon as the server is back.
        "reconnect_timeout": float(max(settings.db_pool_timeout, settings.db_connect_timeout)),
    }


AsyncPool = AsyncConnectionPool[psycopg.AsyncConnection[DictRow]]
_sweeps: set[asyncio.Task[None]] = set()


AsyncConn = psycopg.AsyncConnection[DictRow]


def _quiet(conn: AsyncConn) -> bool:
    """Nothing is waiting on an idle connection's socket. A server that ended the session (a restart, a
    crash, an administrator's terminate) leaves an error message or an end of file there; a session in
    good order has nothing to say between statements. A local look, no round trip."""
    pgconn = conn.pgconn
    if pgconn.status != psycopg.pq.ConnStatus.OK:
        return False
    if pgconn.transaction_status != psycopg.pq.TransactionStatus.IDLE:
        return False
    try:
        readable, _, _ = select.select([pgconn.socket], [], [], 0)
    except (OSError, ValueError, psycopg.OperationalError):  # a closed socket, or one select cannot watch
        return False
    return not readable


def _checked_on_checkout(
    settings: Settings, pool: Callable[[], AsyncPool | None]
) -> tuple[Callable[[AsyncConn], Awaitable[None]], Callable[[AsyncConn], Awaitable[None]]]:
    """The pool's `check` and `reset`. A connection handed out again within DB_RECHECK_AFTER seconds of
    its return, with a quiet socket, goes out as it is: the server answered it a moment ago, and a
    session the server ended since is not quiet. Any other is checked with a round trip, bounded; a
    broken connection sends the pool's idle ones through the same check at once (after a server restart
    they are all broken), not one request each. (A request's work checks out a connection a few dozen
    times, each checkpoint and store query once: a round trip each was a third of its statements.)"""
    returned: weakref.WeakKeyDictionary[AsyncConn, float] = weakref.WeakKeyDictionary()

    async def reset(conn: AsyncConn) -> None:
        returned[conn] = time.monotonic()

    async def check(conn: AsyncConn) -> None:
        last = returned.pop(conn, None)
        if last is not None and time.monotonic() - last < settings.db_recheck_after and _quiet(conn):
            return
        try:
            async with asyncio.timeout(settings.db_connect_timeout):
                await AsyncConnectionPool.check_connection(conn)
        except psycopg.OperationalError:
            owner = pool()
            if owner is not None and not any(t.get_name() == owner.name for t in _sweeps):
                sweep = asyncio.create_task(owner.check(), name=owner.name)
                _sweeps.add(sweep)
                sweep.add_done_callback(_sweeps.discard)
            raise

    return check, reset


def new_async_pool(settings: Settings, name: str) -> AsyncPool:
    """An async pool on the configured database (not opened yet): every async pool is made here."""
    made: list[AsyncPool] = []
    check, reset = _checked_on_checkout(settings, lambda: made[0] if made else None)
    pool: AsyncPool = AsyncConnectionPool(
        database_target(settings).url, name=name, check=check, reset=reset, **pool_kwargs(settings)
    )
    made.append(pool)
    return pool


@contextmanager
def sync_pool(settings: Settings | None = None) -> Iterator[ConnectionPool[psycopg.Connection[DictRow]]]:
    """An opened, checked sync pool; closed on exit."""
    settings = settings or get_settings()
    check_connection(settings)
    target = database_target(settings)
    pool: ConnectionPool[psycopg.Connection[DictRow]] = ConnectionPool(
        target.url, name="switchboard-sync", check=ConnectionPool.check_connection, **pool_kwargs(settings)
    )
    pool.open(wait=True, timeout=settings.db_connect_timeout)
    try:
        yield pool
    finally:
        pool.close()


@asynccontextmanager
async def async_pool(
    settings: Settings | None = None, name: str = "switchboard-async", *, checked: bool = True
) -> AsyncIterator[AsyncConnectionPool[psycopg.AsyncConnection[DictRow]]]:
    """An opened async pool, closed on exit. `checked`: one connection first, so that an unreachable
    server is one clear error rather than the pool's timeout (off for a second pool on a server
    just checked: a connection costs the server a process)."""
    settings = settings or get_settings()
    if checked:
        conn = await aconnect(settings)
        await conn.close()
    pool = new_async_pool(settings, name)
    await pool.open(wait=True, timeout=settings.db_connect_timeout)
    try:
        yield pool
    finally:
        await pool.close()
