"""Store writes more than one action performs: a refund as the payment provider records it, a ticket."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from switchboard.tools.catalogue.base import Conn, StepFailed, one


async def refund_payment(
    conn: Conn, customer_id: str, payment_id: str, amount: Decimal, reason: str
) -> dict[str, Any]:
    """The payment provider's refund, as the store records it: an issued refund row."""
    payment = await one(
        conn,
        "select id, order_id, amount, status from store.payments where id = %s and customer_id = %s for update",
        (payment_id, customer_id),
    )
    if payment is None or payment["status"] != "captured":
        raise StepFailed(f"payment {payment_id} is not a captured payment of this customer")
    row = await one(
        conn,
        "insert into store.refunds (id, payment_id, order_id, customer_id, amount, status, reason, created_at,"
        " issued_at) values ('RF-' || nextval('store.refund_seq'), %s, %s, %s, %s, 'issued', %s, now(), now())"
        " returning id",
        (payment_id, payment["order_id"], customer_id, amount, reason[:500]),
    )
    if amount == payment["amount"]:
        await conn.execute(
            "update store.payments set status = 'refunded', updated_at = now() where id = %s", (payment_id,)
        )
    assert row is not None
    return {"refund_id": row["id"], "payment_id": payment_id, "amount": str(amount)}


async def open_ticket(
    conn: Conn,
    customer_id: str,
    subject: str,
    body: str,
    order_id: str | None = None,
    priority: str = "normal",
) -> dict[str, Any]:
    row = await one(
        conn,
        "insert into store.support_tickets (id, customer_id, order_id, subject, body, status, priority)"
        " values ('TCK-' || nextval('store.ticket_seq'), %s, %s, %s, %s, 'open', %s) returning id",
        (customer_id, order_id, subject[:200], body[:10000] or subject, priority),
    )
    assert row is not None
    return {"ticket_id": row["id"]}
