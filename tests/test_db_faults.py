"""The service under database faults, on a PostgreSQL of this module's own (never the shared server).

A `switchboard serve` process runs on its own server (tests/own_postgres.py) with short bounds
(DB_POOL_TIMEOUT, DB_CONNECT_TIMEOUT, REQUEST_TIMEOUT) while clients keep it busy; the server is then
stopped, started again, and frozen (SIGSTOP on every process). What must hold: with the database away
every request gets a clear 503 within its bounds, never a hang; the moment it is back every request
succeeds (a restart must not cost one failed request per stale pooled connection). Also here, because
it needs a live service: a chunked body over the limit is refused while it is read, before any key.

The httpx timeouts below are not measurements: they are the line past which a request counts as hung.
"""

from __future__ import annotations

import asyncio
import os
import socket
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.own_postgres import OwnPostgres
from tests.test_service import Server, _spawn, _stop, _wait_ready

pytestmark = pytest.mark.slow

BOUNDS = {
    "DB_POOL_TIMEOUT": "2",
    "DB_CONNECT_TIMEOUT": "2",
    "DB_STATEMENT_TIMEOUT": "10",
    "REQUEST_TIMEOUT": "8",
}
HUNG = 25.0  # a request not answered by then is hung (every bound above is far shorter)
CONCURRENCY = 12


@pytest.fixture(scope="module")
def faulty(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[OwnPostgres, Server, str, str]]:
    """Our own PostgreSQL, migrated and seeded, a service on it, and a customer's key."""
    from tests.conftest import _prepare, _reset_caches, activate

    saved = {k: os.environ.get(k) for k in ("DATABASE_URL", "DATA_DIR", *BOUNDS)}
    root = Path(tmp_path_factory.mktemp("service"))
    # Not under pytest's folder: the server runs as another user and needs every parent to be passable.
    with OwnPostgres(Path(tempfile.mkdtemp(prefix="sbpg-", dir="/tmp"))) as pg:
        activate("external", {"DATABASE_URL": pg.url(), **BOUNDS})
        server = None
        try:
            _prepare(fresh=True)
            from switchboard.config.database import connect
            from switchboard.tools import apikeys
            from switchboard.tools.store.seed import list_scenarios

            with connect() as conn:
                customer = str(
                    next(s for s in list_scenarios(conn) if s["name"] == "late_parcel")["customer_id"]
                )
                key = str(apikeys.create(conn, f"customer:{customer}")["secret"])
            server = _spawn(root, 0)
            _wait_ready(server)
            yield pg, server, key, customer
        finally:
            if server is not None:
                _stop(server.process)
            for name, value in saved.items():
                if value is None:
                    os.environ.pop(name, None)
                else:
                    os.environ[name] = value
            _reset_caches()


async def _load(server: Server, key: str, rounds: int = 1) -> list[httpx.Response | BaseException]:
    """CONCURRENCY clients at once: health, reads (key check, thread list) and a full run each."""
    headers = {"Authorization": f"Bearer {key}"}
    async with httpx.AsyncClient(base_url=server.url, headers=headers, timeout=HUNG) as client:

        async def one(i: int) -> httpx.Response:
            if i % 3 == 0:
                return await client.get("/health")
            if i % 3 == 1:
                return await client.get("/threads", params={"limit": 5})
            created = await client.post("/threads")
            if created.status_code != 201:
                return created
            thread_id = created.json()["thread_id"]
            return await client.post(
                f"/threads/{thread_id}/messages", json={"message": "where is my parcel?"}
            )

        results: list[httpx.Response | BaseException] = []
        for _ in range(rounds):
            results += await asyncio.gather(*(one(i) for i in range(CONCURRENCY)), return_exceptions=True)
        return results


def _statuses(results: list[Any]) -> list[Any]:
    return [r.status_code if isinstance(r, httpx.Response) else type(r).__name__ for r in results]


def _all_unavailable(results: list[Any], server: Server) -> None:
    statuses = _statuses(results)
    assert statuses == [503] * len(results), f"{statuses}\n{server.output(3000)}"
    for response in results:
        error = response.json()["error"]
        assert "database" in error, error


async def test_database_stopped_and_started_again_under_load(
    faulty: tuple[OwnPostgres, Server, str, str],
) -> None:
    pg, server, key, _ = faulty
    warm = await _load(server, key, rounds=2)  # several pooled connections in every pool, all soon stale
    assert set(_statuses(warm)) == {200}, _statuses(warm)

    pg.stop()
    try:
        _all_unavailable(await _load(server, key), server)  # each 503 within the pool's wait, not 30 s
    finally:
        pg.start()

    after = await _load(server, key, rounds=3)  # at once: no request pays for a connection the restart broke
    assert set(_statuses(after)) == {200}, f"{_statuses(after)}\n{server.output(3000)}"


async def test_a_frozen_database_cannot_hang_a_request(faulty: tuple[OwnPostgres, Server, str, str]) -> None:
    pg, server, key, _ = faulty
    assert set(_statuses(await _load(server, key))) == {200}
    with pg.frozen():  # connections stay open, nothing answers: only the service's own bounds end a wait
        frozen = await _load(server, key)
    _all_unavailable(frozen, server)
    after = await _load(server, key, rounds=2)
    assert set(_statuses(after)) == {200}, f"{_statuses(after)}\n{server.output(3000)}"


def test_a_chunked_body_over_the_limit_is_refused_while_it_is_read(
    faulty: tuple[OwnPostgres, Server, str, str],
) -> None:
    """No Content-Length, no key, and a body that never ends: the limit must answer, not the end of it."""
    from switchboard.service import MAX_BODY_BYTES

    _, server, _, _ = faulty
    host, port = server.url.removeprefix("http://").split(":")
    chunk = b"x" * (MAX_BODY_BYTES + 1)
    with socket.create_connection((host, int(port)), timeout=HUNG) as sock:
        sock.sendall(
            b"POST /threads/t-chunked/messages HTTP/1.1\r\nHost: test\r\nContent-Type: application/json\r\n"
            b"Transfer-Encoding: chunked\r\n\r\n" + f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n"
        )  # ... and no terminating chunk: a server that reads to the end waits for ever
        response = b""
        while b"\r\n\r\n" not in response:
            data = sock.recv(65536)
            if not data:
                break
            response += data
    status_line = response.split(b"\r\n", 1)[0].decode()
    assert status_line.startswith("HTTP/1.1 413"), (status_line, server.output(2000))
    with httpx.Client(base_url=server.url, timeout=HUNG) as client:
        big = client.post(
            "/threads/t-chunked/messages",
            content=(b"y" * 65536 for _ in range(MAX_BODY_BYTES // 65536 + 2)),  # chunked: no length
            headers={"Content-Type": "application/json"},
        )
    assert big.status_code == 413 and "too large" in big.json()["error"], big.text
