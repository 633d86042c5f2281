"""The outbox worker: ancillary work, done outside the request (DESIGN: choreograph the rest).

It claims unhandled outbox events with `FOR UPDATE SKIP LOCKED` (several workers can run side by side),
turns each into a customer notification where one is due (`notice_for`: the action's catalogue notice,
such as a refund issued, a reset link, a ticket opened) and marks the event handled, all in one
transaction per event. `store.notifications` is the sink: a deployment forwards its rows to a mail
gateway. Analytics events (`turn.completed`) need no message; they are marked handled.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Mapping
from typing import Any

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


async def process_once(batch: int = 100) -> dict[str, int]:
    """Handle up to `batch` events; returns counts of events handled and notifications written."""
    handled = sent = 0
    for _ in range(batch):
        async with store_connection() as conn, conn.transaction():
            cur = await conn.execute(
                "select o.id, o.topic, o.payload, o.customer_id, c.name, c.email from store.outbox o"
                " left join store.customers c on c.id = o.customer_id"
                " where o.handled_at is null order by o.id limit 1 for update of o skip locked"
            )
            event = await cur.fetchone()
            if event is None:
                break
            note = notice_for(event) if event["email"] else None
            if note is not None:
                cur = await conn.execute(
                    "insert into store.notifications (event_id, customer_id, channel, to_address, subject, body)"
                    " values (%s, %s, 'email', %s, %s, %s) on conflict (event_id) do nothing",
                    (event["id"], event["customer_id"], event["email"], note.subject[:200], note.body),
                )
                sent += cur.rowcount
            await conn.execute("update store.outbox set handled_at = now() where id = %s", (event["id"],))
            handled += 1
    return {"handled": handled, "notifications": sent}


async def run_worker(interval: float = 2.0, stop: asyncio.Event | None = None) -> None:
    """Poll the outbox until stopped."""
    stop = stop or asyncio.Event()
    while not stop.is_set():
        counts = await process_once()
        if counts["handled"]:
            log.info("outbox: %(handled)d event(s) handled, %(notifications)d notification(s)", counts)
        with contextlib.suppress(TimeoutError):  # the interval passed without a stop
            await asyncio.wait_for(stop.wait(), timeout=interval)
