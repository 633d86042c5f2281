"""The outbox: events for work outside the request (notifications, analytics), handled by the worker.

Events are keyed (thread, turn, topic) so a retried or resumed turn never publishes twice. Each new event
gets its queue job in the same transaction (tools/queue.py): a crash between the two cannot happen.
The write action itself committed earlier, with its ledger row (tools/actions.py); if the process dies
before the turn publishes, the resumed run replays the action from the ledger and publishes then.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from switchboard.config.settings import get_settings
from switchboard.observability.events import with_trace_context
from switchboard.tools.db import store_connection
from switchboard.tools.queue import enqueue_events

# An event's state, from its row and its job: what `switchboard outbox` shows and counts.
EVENT_STATE = """
    case
        when o.handled_at is not null then 'handled'
        when j.status = 'failed' then 'dead'
        when j.status = 'doing' then 'running'
        when j.status = 'todo' and j.attempts > 0 then 'retrying'
        when j.status = 'todo' then 'pending'
        else 'unqueued'
    end
"""
STATES = ("pending", "retrying", "running", "dead", "unqueued", "handled")


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
            if outcome.get("status") == "done" and not outcome.get("replayed"):  # replayed: told already
                events.append(
                    (
                        f"action.{outcome['action']}",
                        {"args": outcome.get("args", {}), "detail": outcome.get("detail", "")},
                    )
                )
    return events


def outbox_rows(thread_id: str, state: Mapping[str, Any]) -> list[tuple[str, str, str]]:
    """This turn's events as outbox rows: (topic, dedupe key, payload as JSON with the trace context)."""
    turn = state.get("turn", 0)
    return [
        (topic, f"{thread_id}:{turn}:{index}:{topic}", json.dumps(with_trace_context(payload)))
        for index, (topic, payload) in enumerate(turn_events(state))
    ]


async def publish(conn: Any, thread_id: str, customer_id: str, state: Mapping[str, Any]) -> list[int]:
    """Write this turn's events and enqueue the new ones, in `conn`'s open transaction; returns their ids."""
    new: list[int] = []
    for topic, key, payload in outbox_rows(thread_id, state):
        cur = await conn.execute(
            "insert into store.outbox (topic, dedupe_key, thread_id, customer_id, payload)"
            " values (%s, %s, %s, %s, %s) on conflict (dedupe_key) do nothing returning id",
            (topic, key, thread_id, customer_id or None, payload),
        )
        row = await cur.fetchone()
        if row is not None:
            new.append(int(row["id"]))
    await enqueue_events(conn, new)
    return new


async def publish_turn_events(thread_id: str, customer_id: str, state: Mapping[str, Any]) -> int:
    """Write this turn's events in a transaction of their own; returns how many were new."""
    async with store_connection() as conn, conn.transaction():
        return len(await publish(conn, thread_id, customer_id, state))


async def events(state: str | None = None, limit: int = 100) -> list[dict[str, Any]]:
    """Events, oldest first; by default every one not handled yet (dead letters included)."""
    where = f"({EVENT_STATE}) = %(state)s" if state else "o.handled_at is null"
    async with store_connection() as conn:
        cur = await conn.execute(
            f"select o.id, o.topic, o.thread_id, o.customer_id, o.payload, o.created_at, o.handled_at,"
            f" o.attempts, o.last_error, o.job_id, ({EVENT_STATE}) as state, j.scheduled_at as next_try_at"
            f" from store.outbox o left join queue.procrastinate_jobs j on j.id = o.job_id"
            f" where {where} order by o.id limit %(limit)s",
            {"state": state, "limit": limit},
        )
        return list(await cur.fetchall())


async def status() -> dict[str, Any]:
    """Counts by state, the lag (age of the oldest unhandled event) and whether it calls for an alert."""
    settings = get_settings()
    async with store_connection() as conn:
        cur = await conn.execute(
            f"select ({EVENT_STATE}) as state, count(*) as n,"
            f" extract(epoch from now() - min(o.created_at) filter (where o.handled_at is null)) as lag"
            f" from store.outbox o left join queue.procrastinate_jobs j on j.id = o.job_id group by 1"
        )
        rows = await cur.fetchall()
        cur = await conn.execute(
            "select count(*) as n from queue.procrastinate_workers"
            " where last_heartbeat > now() - make_interval(secs => %s)",
            (settings.worker_stalled_timeout,),
        )
        workers = (await cur.fetchone() or {"n": 0})["n"]
    counts = dict.fromkeys(STATES, 0) | {r["state"]: int(r["n"]) for r in rows}
    lag = max((float(r["lag"]) for r in rows if r["lag"] is not None), default=0.0)
    alerts = []
    if lag > settings.outbox_lag_alert_minutes * 60:
        alerts.append(f"the oldest unhandled event has waited {lag / 60:.0f} min (OUTBOX_LAG_ALERT_MINUTES)")
    if counts["dead"]:
        alerts.append(
            f"{counts['dead']} dead event(s): see `switchboard outbox --state dead`, retry with `outbox retry ID`"
        )
    return {
        "counts": counts,
        "unhandled": sum(n for s, n in counts.items() if s != "handled"),
        "lag_seconds": round(lag, 3),
        "workers_alive": int(workers),
        "alerts": alerts,
    }
