"""The outbox worker: ancillary work, done outside the request (DESIGN: choreograph the rest).

Each outbox event is one job on the task queue (tools/queue.py: retries, backoff, dead letters, several
workers). `handle_event` turns an event into a customer notification where one is due (`notice_for`: the
action's catalogue notice, such as a refund issued, a reset link, a ticket opened) and marks the event
handled, in one transaction, so handling is idempotent: a retry, a second worker or a worker killed after
the commit finds the event handled and does nothing. `store.notifications` is the sink: a deployment
forwards its rows to a mail gateway. Analytics events (`turn.completed`) need no message.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from switchboard.config.settings import get_settings
from switchboard.observability.events import handling_event
from switchboard.tools.actions import crashpoint
from switchboard.tools.catalogue import Notification, lookup
from switchboard.tools.db import store_connection

log = logging.getLogger(__name__)


def notice_for(event: Mapping[str, Any]) -> Notification | None:
    """The message an outbox event warrants, or None: an `action.<name>` event gets its catalogue entry's
    notice (its customer's name from `event["name"]`); analytics events (`turn.completed`) need none."""
    topic = str(event["topic"])
    if not topic.startswith("action."):
        return None
    entry = lookup(topic.removeprefix("action."))
    if entry is None:
        log.warning("outbox event %s names no catalogue action; no notice sent", topic)
        return None
    payload: Mapping[str, Any] = event.get("payload") or {}
    args = entry.parse(payload.get("args") or {})
    if isinstance(args, str):
        log.warning("outbox event %s: %s; no notice sent", topic, args)
        return None
    return entry.notice(args, str(payload.get("detail") or ""), event.get("name") or "there")


async def deliver(conn: Any, event: dict[str, Any], note: Notification) -> int:
    """Hand a notice to the sink, in the event's transaction; 0 when this event already has one."""
    cur = await conn.execute(
        "insert into store.notifications (event_id, customer_id, channel, to_address, subject, body)"
        " values (%s, %s, 'email', %s, %s, %s) on conflict (event_id) do nothing",
        (event["id"], event["customer_id"], event["email"], note.subject[:200], note.body),
    )
    return int(cur.rowcount)


# What this process handled (for `switchboard worker --once`).
handled_here = {"handled": 0, "notifications": 0}


async def handle_event(event_id: int) -> str:
    """Handle one outbox event, exactly once in effect; returns what happened."""
    try:
        async with store_connection() as conn, conn.transaction():
            cur = await conn.execute(
                "select o.id, o.topic, o.payload, o.customer_id, o.thread_id, o.created_at, o.handled_at,"
                " c.name, c.email, c.status"
                " from store.outbox o left join store.customers c on c.id = o.customer_id"
                " where o.id = %s for update of o",
                (event_id,),
            )
            event = await cur.fetchone()
            if event is None:
                return "missing"  # the store was reset since
            if event["handled_at"] is not None:
                return "already handled"
            with handling_event(event):  # a span linked to the publishing request, a log line, metrics
                note = notice_for(event) if event["email"] else None
                sent = await deliver(conn, event, note) if note is not None else 0
                if event["topic"] == "action.close_account" and event["customer_id"]:
                    from switchboard.tools.queue import schedule_erasure

                    await schedule_erasure(
                        conn, event["customer_id"], get_settings().erase_closed_after_hours
                    )
                await conn.execute(
                    "update store.outbox set handled_at = now(), attempts = attempts + 1, last_error = null"
                    " where id = %s",
                    (event_id,),
                )
            crashpoint("worker_before_commit")
        crashpoint("worker_after_commit")
    except Exception as exc:
        await _record_failure(event_id, exc)
        raise
    handled_here["handled"] += 1
    handled_here["notifications"] += sent
    return "notified" if sent else "handled"


async def _record_failure(event_id: int, exc: BaseException) -> None:
    error = f"{type(exc).__name__}: {str(exc).strip().splitlines()[0] if str(exc).strip() else ''}"[:500]
    log.warning("outbox: event %s failed: %s", event_id, error)
    try:
        async with store_connection() as conn:
            await conn.execute(
                "update store.outbox set attempts = attempts + 1, last_error = %s where id = %s",
                (error, event_id),
            )
    except Exception:  # the database itself is gone: the queue retries the event anyway
        log.exception("outbox: could not record the failure of event %s", event_id)
