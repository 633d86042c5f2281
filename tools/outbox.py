"""The outbox: events for work outside the request (notifications, analytics), handled by a worker.

Events are keyed (thread, turn, topic) so a retried or resumed turn never publishes twice.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from switchboard.tools.db import store_connection


def turn_events(state: Mapping[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """The events one finished turn publishes: always `turn.completed`, plus one per action done."""
    results = state.get("domain_results") or []
    events: list[tuple[str, dict[str, Any]]] = [
        (
            "turn.completed",
            {"domains": list(state.get("domains") or []), "turn": state.get("turn", 0)},
        )
    ]
    for result in results:
        for outcome in result.get("actions", []):
            if outcome.get("status") == "done":
                events.append(
                    (
                        f"action.{outcome['action']}",
                        {"args": outcome.get("args", {}), "detail": outcome.get("detail", "")},
                    )
                )
    return events


async def publish_turn_events(thread_id: str, customer_id: str, state: Mapping[str, Any]) -> int:
    """Write this turn's events; returns how many were new."""
    turn = state.get("turn", 0)
    written = 0
    async with store_connection() as conn, conn.transaction():
        for index, (topic, payload) in enumerate(turn_events(state)):
            cur = await conn.execute(
                "insert into store.outbox (topic, dedupe_key, thread_id, customer_id, payload)"
                " values (%s, %s, %s, %s, %s) on conflict (dedupe_key) do nothing",
                (
                    topic,
                    f"{thread_id}:{turn}:{index}:{topic}",
                    thread_id,
                    customer_id or None,
                    json.dumps(payload),
                ),
            )
            written += cur.rowcount
    return written


async def pending_events(limit: int = 100) -> list[dict[str, Any]]:
    async with store_connection() as conn:
        cur = await conn.execute(
            "select id, topic, thread_id, customer_id, payload, created_at from store.outbox"
            " where handled_at is null order by id limit %s",
            (limit,),
        )
        return list(await cur.fetchall())


async def mark_handled(event_ids: list[int]) -> None:
    async with store_connection() as conn:
        await conn.execute("update store.outbox set handled_at = now() where id = any(%s)", (event_ids,))
