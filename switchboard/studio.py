"""Threads made anywhere, visible in a running LangGraph server (`langgraph dev` and Studio).

The server keeps its own list of threads (in memory for `langgraph dev`); the checkpoints are in the
project's Postgres. A thread started by the CLI, the HTTP service, a notebook or the Python API is in
Postgres only, so the server answers 404 for it until it is registered: `open_thread` creates it there
under the same id, with its owner in the metadata (the custom auth scopes reads by it), then refreshes
it. A refresh is a run without input: LangGraph resumes from the latest checkpoint, finds nothing to do
(or the same pending interrupt), writes no checkpoint, and the server recomputes the thread's status,
values and interrupts.

A decision made outside the server (`switchboard approve`, the HTTP service, `Switchboard.decide` and
`recover`) changes the thread in Postgres after the server last looked at it. `refresh_registered` is
called when such a decision's run has finished: when a server answers at STUDIO_URL and has the
thread, it refreshes it there the same way, so its status is current without a new `switchboard open`.
It never fails the decision (an unreachable server, a thread it does not have, a refusal: nothing to do).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta
from typing import Any
from urllib.parse import quote, urlsplit

from switchboard.config.database import connect
from switchboard.config.errors import ConfigurationError, InputError, NotFound
from switchboard.tools import apikeys
from switchboard.tools.approvals import Identity

GRAPH_ID = "switchboard"
STUDIO_UI = "https://smith.langchain.com/studio"
SYNC_IDENTITY = Identity("staff", "switchboard-studio-sync")
REFRESH_TIMEOUT = 60.0
log = logging.getLogger(__name__)
REGISTER_CONCURRENCY = 8
SYNC_KEY_STALE = timedelta(hours=1)  # no registration holds its key this long
SYNC_TIMEOUT = 20.0  # a decision waits this long at most for the server's refresh


def studio_link(base_url: str, thread_id: str | None = None) -> str:
    """The Studio page of a server (and of one of its threads)."""
    path = f"{STUDIO_UI}/thread/{thread_id}" if thread_id else f"{STUDIO_UI}/"
    return f"{path}?baseUrl={quote(base_url.rstrip('/'), safe=':/')}"


def check_server_thread_id(thread_id: str) -> str:
    try:
        return str(uuid.UUID(thread_id))
    except ValueError:
        raise InputError(
            f"thread {thread_id} cannot be opened in a LangGraph server: it keeps threads with UUID ids"
            " only (threads started without --thread get one)"
        ) from None


def _mint_sync_key() -> tuple[str, str]:
    with connect() as conn:
        apikeys.delete_for(conn, SYNC_IDENTITY, stale_after=SYNC_KEY_STALE)
        key = apikeys.create(conn, SYNC_IDENTITY)
    return str(key["id"]), str(key["secret"])


def _drop_sync_key(key_id: str) -> None:
    with connect() as conn:
        apikeys.delete(conn, key_id)


@asynccontextmanager
async def sync_key() -> AsyncIterator[str]:
    """A staff key for this call only, deleted when it is done (the CLI can mint keys anyway), so
    `switchboard keys list` does not fill up with them. Keys of this identity that an earlier call left
    behind (revoked by an older version, or a process killed mid-call) are deleted first."""
    key_id, secret = await asyncio.to_thread(_mint_sync_key)
    try:
        yield secret
    finally:
        await asyncio.to_thread(_drop_sync_key, key_id)


def server_client(url: str, api_key: str) -> Any:
    from langgraph_sdk import get_client

    return get_client(url=url, api_key=api_key, timeout=30)


async def _reachable(client: Any, url: str) -> None:
    import httpx

    try:
        await client.http.get("/ok")
    except (httpx.ConnectError, httpx.ConnectTimeout) as exc:
        raise ConfigurationError(
            f"no LangGraph server answers at {url}: start it with `switchboard studio` (or set STUDIO_URL): {exc}"
        ) from None


async def open_thread(
    client: Any, thread_id: str, owner: str, paused: bool, base_url: str, *, force: bool = False
) -> dict[str, Any]:
    """Register one Postgres thread with the server (idempotent) and bring its status up to date.

    `paused`: the thread's latest checkpoint has steps to run (an interrupt). A thread whose status there
    already says so is left alone (unless `force`: a decision has just changed it, and a thread paused
    again may wait on another interrupt); any other is refreshed (a new registration of a paused thread,
    or a status that a decision made elsewhere has made stale)."""
    from langgraph_sdk.errors import ConflictError

    thread_id = check_server_thread_id(thread_id)
    thread = await client.threads.create(
        thread_id=thread_id, metadata={"customer_id": owner, "graph_id": GRAPH_ID}, if_exists="do_nothing"
    )
    current = (
        thread["status"] == ("interrupted" if paused else "idle") and bool(thread.get("interrupts")) == paused
    )
    if force or not current:
        with contextlib.suppress(ConflictError):  # a run in flight there refreshes the thread when it ends
            await asyncio.wait_for(
                client.runs.wait(thread_id, GRAPH_ID, input=None, raise_error=False), REFRESH_TIMEOUT
            )
        thread = await client.threads.get(thread_id)
    return {
        "thread_id": thread_id,
        "customer_id": owner,
        "status": thread["status"],
        "interrupts": sorted(thread.get("interrupts") or {}),
        "url": studio_link(base_url, thread_id),
    }


async def open_threads(
    thread_ids: list[str], url: str, api_key: str | None = None, *, skip_foreign_ids: bool = False
) -> list[dict[str, Any]]:
    """Register Postgres threads with the server at `url`; each result has the thread's Studio link.

    `skip_foreign_ids`: leave out threads whose ids the server cannot hold (non-UUID), instead of failing.
    """
    from switchboard.api import Switchboard

    async with Switchboard.open() as sb:
        found: dict[str, tuple[str, bool]] = {}  # thread id -> (owner, paused)
        for thread_id in thread_ids:
            owner = await sb.thread_owner(thread_id)
            if owner is None:
                raise NotFound(f"thread {thread_id} does not exist")
            if skip_foreign_ids:
                try:
                    check_server_thread_id(thread_id)
                except InputError:
                    continue
            snapshot = await sb.graph.aget_state({"configurable": {"thread_id": thread_id}})
            found[thread_id] = (owner, bool(snapshot.next))

    async def register(secret: str) -> list[dict[str, Any]]:
        client = server_client(url, secret)
        await _reachable(client, url)
        gate = asyncio.Semaphore(REGISTER_CONCURRENCY)

        async def one(thread_id: str, owner: str, paused: bool) -> dict[str, Any]:
            async with gate:
                return await open_thread(client, thread_id, owner, paused, url)

        return list(await asyncio.gather(*(one(t, *found[t]) for t in found)))

    if api_key:
        return await register(api_key)
    async with sync_key() as secret:
        return await register(secret)


async def project_threads(limit: int) -> list[str]:
    from switchboard.api import Switchboard

    async with Switchboard.open() as sb:
        return [t["thread_id"] for t in await sb.threads(limit=limit)]


async def _answers(url: str) -> bool:
    """Whether a server answers at `url`. A port nobody listens on says no at once, before an HTTP
    client is built (that costs tens of milliseconds, on every decision when no server runs)."""
    parts = urlsplit(url)
    try:
        async with asyncio.timeout(2.0):
            _, writer = await asyncio.open_connection(
                parts.hostname, parts.port or (443 if parts.scheme == "https" else 80)
            )
        writer.close()
    except (OSError, TimeoutError, ValueError):
        return False
    import httpx

    try:
        async with httpx.AsyncClient(timeout=2.0) as http:
            return (await http.get(f"{url.rstrip('/')}/ok")).status_code == 200
    except httpx.HTTPError:
        return False


async def refresh_registered(
    thread_id: str, owner: str, paused: bool, url: str, api_key: str | None = None
) -> dict[str, Any] | None:
    """After a decision made outside the server: refresh the thread there if the server at `url` has
    it (registered by `switchboard open`/`studio`, or started there). The row `open_thread` returns, or
    None when there was nothing to refresh. Never raises: the decision is made and recorded already."""
    try:
        check_server_thread_id(thread_id)
    except InputError:
        return None  # the server cannot hold it
    if not await _answers(url):
        return None

    async def refresh(secret: str) -> dict[str, Any] | None:
        from langgraph_sdk.errors import NotFoundError

        client = server_client(url, secret)
        try:
            await client.threads.get(thread_id)
        except NotFoundError:
            return None  # not shown there: nothing to keep current
        return await open_thread(client, thread_id, owner, paused, url, force=True)

    try:
        async with asyncio.timeout(SYNC_TIMEOUT):
            if api_key:
                return await refresh(api_key)
            async with sync_key() as secret:
                return await refresh(secret)
    except Exception as exc:  # the server's refresh is a courtesy to Studio, never the decision's failure
        log.warning(
            "thread %s: the LangGraph server at %s was not refreshed (%s: %s); `switchboard open %s` does it",
            thread_id,
            url,
            type(exc).__name__,
            str(exc).splitlines()[0] if str(exc) else "",
            thread_id,
        )
        return None
