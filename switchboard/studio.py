"""Threads made anywhere, visible in a running LangGraph server (`langgraph dev` and Studio).

The server keeps its own list of threads (in memory for `langgraph dev`); the checkpoints are in the
project's Postgres. A thread started by the CLI, the HTTP service, a notebook or the Python API is in
Postgres only, so the server answers 404 for it until it is registered: `open_thread` creates it there
under the same id, with its owner in the metadata (the custom auth scopes reads by it), then refreshes
it. A refresh is a run without input: LangGraph resumes from the latest checkpoint, finds nothing to do
(or the same pending interrupt), writes no checkpoint, and the server recomputes the thread's status,
values and interrupts. That is also how a decision made outside the server (`switchboard approve`, the
HTTP service) reaches Studio: `switchboard open THREAD` again.
"""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from urllib.parse import quote

from switchboard.config.database import connect
from switchboard.config.errors import ConfigurationError, InputError, NotFound
from switchboard.tools import apikeys
from switchboard.tools.approvals import Identity

GRAPH_ID = "switchboard"
STUDIO_UI = "https://smith.langchain.com/studio"
SYNC_IDENTITY = Identity("staff", "switchboard-studio-sync")
REFRESH_TIMEOUT = 60.0
REGISTER_CONCURRENCY = 8


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


@contextmanager
def sync_key() -> Iterator[str]:
    """A staff key for this registration only, revoked when it is done (the CLI can mint keys anyway)."""
    with connect() as conn:
        key = apikeys.create(conn, SYNC_IDENTITY)
    try:
        yield str(key["secret"])
    finally:
        with connect() as conn:
            apikeys.revoke(conn, key["id"])


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


async def open_thread(client: Any, thread_id: str, owner: str, paused: bool, base_url: str) -> dict[str, Any]:
    """Register one Postgres thread with the server (idempotent) and bring its status up to date.

    `paused`: the thread's latest checkpoint has steps to run (an interrupt). A thread whose status there
    already says so is left alone; any other is refreshed (a new registration of a paused thread, or a
    status that a decision made elsewhere has made stale)."""
    from langgraph_sdk.errors import ConflictError

    thread_id = check_server_thread_id(thread_id)
    thread = await client.threads.create(
        thread_id=thread_id, metadata={"customer_id": owner, "graph_id": GRAPH_ID}, if_exists="do_nothing"
    )
    current = (
        thread["status"] == ("interrupted" if paused else "idle") and bool(thread.get("interrupts")) == paused
    )
    if not current:
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
    with sync_key() as secret:
        return await register(secret)


async def project_threads(limit: int) -> list[str]:
    from switchboard.api import Switchboard

    async with Switchboard.open() as sb:
        return [t["thread_id"] for t in await sb.threads(limit=limit)]
