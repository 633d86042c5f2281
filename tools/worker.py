"""The outbox worker: ancillary work, done outside the request (DESIGN: choreograph the rest).

It claims unhandled outbox events with `FOR UPDATE SKIP LOCKED` (several workers can run side by side),
turns each into a customer notification where one is due (a refund issued, a reset link, a ticket
opened...) and marks the event handled, all in one transaction per event. `store.notifications` is the
sink: a deployment forwards its rows to a mail gateway. Analytics events (`turn.completed`) need no
message; they are marked handled.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass
from typing import Any

from switchboard.tools.db import store_connection

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Notification:
    subject: str
    body: str


def render(topic: str, payload: dict[str, Any], name: str) -> Notification | None:
    """The message an event warrants, or None."""
    args: dict[str, Any] = payload.get("args") or {}
    detail = str(payload.get("detail") or "")
    hello = f"Hello {name},\n\n"
    bye = "\n\nYour Switchboard customer care"
    if topic == "action.issue_refund":
        return Notification(
            f"Your refund of {args.get('amount')} EUR is on its way",
            f"{hello}we refunded {args.get('amount')} EUR for order {args.get('order_id')} "
            f"({args.get('reason')}). It appears on your statement within 3-5 working days. {detail}{bye}",
        )
    if topic == "action.cancel_order":
        return Notification(
            f"Order {args.get('order_id')} is cancelled",
            f"{hello}order {args.get('order_id')} is cancelled and its payments refunded. {detail}{bye}",
        )
    if topic == "action.send_password_reset":
        return Notification(
            "Reset your password",
            f"{hello}use the link in this message within 24 hours to set a new password; it also unlocks "
            f"your login. If you did not ask for this, ignore this e-mail.{bye}",
        )
    if topic == "action.change_account_email":
        return Notification(
            "Confirm your new e-mail address",
            f"{hello}please confirm {args.get('new_email')} as your login e-mail.{bye}",
        )
    if topic == "action.change_delivery_address":
        return Notification(
            f"New delivery address for order {args.get('order_id')}",
            f"{hello}order {args.get('order_id')} will be delivered to {args.get('address')}.{bye}",
        )
    if topic in ("action.escalate_to_human", "action.open_lost_parcel_claim", "action.start_return"):
        what = {
            "action.escalate_to_human": "A member of our care team will contact you within one working day",
            "action.open_lost_parcel_claim": "We opened a claim with the carrier for your lost parcel",
            "action.start_return": "Your return is registered; a return label follows",
        }[topic]
        return Notification(
            f"{what.split(';')[0]}", f"{hello}{what}. Reference: {detail or 'see your account'}.{bye}"
        )
    if topic == "action.close_account":
        return Notification(
            "Your account is closed", f"{hello}your account is now closed, as you asked.{bye}"
        )
    return None  # turn.completed (analytics) and unsubscribes need no message


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
            note = (
                render(event["topic"], event["payload"], event["name"] or "there") if event["email"] else None
            )
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
