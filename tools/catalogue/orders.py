"""Order write actions: cancel an order, start a return."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from switchboard.tools.catalogue import writes
from switchboard.tools.catalogue.base import (
    OPEN_ORDER,
    ActionArgs,
    Conn,
    Notification,
    PolicyDecision,
    Step,
    StepFailed,
    Text,
    WriteAction,
    customer_order,
    letter,
    one,
    refused,
    store_today,
)

RETURN_WINDOW_DAYS = 30
DELIVERY_ALLOWANCE_DAYS = 10  # when the store has no delivery date: the window runs from placing plus this


def return_deadline(placed: date, delivered: date | None) -> date:
    """The last day a delivered order can be returned: 30 days after its delivery (or, without a delivery
    date, after it was placed plus the delivery allowance). The policy and the returns agent both use it."""
    start = delivered if delivered is not None else placed + timedelta(days=DELIVERY_ALLOWANCE_DAYS)
    return start + timedelta(days=RETURN_WINDOW_DAYS)


# ---------------------------------------------------------------------------------- cancel_order


class CancelOrderArgs(ActionArgs):
    order_id: Text


async def _may_cancel(conn: Conn, customer_id: str, args: CancelOrderArgs) -> PolicyDecision:
    order = await customer_order(conn, customer_id, args.order_id)
    if order is None:
        return refused(f"order {args.order_id} is not on this account")
    if order["status"] not in OPEN_ORDER:
        return refused(
            f"order {order['id']} is {order['status']}; only orders that have not shipped can be cancelled"
        )
    return PolicyDecision(
        "confirm",
        "cancelling is the customer's decision",
        f"Cancel order {order['id']} ({order['total']} EUR): captured payments are refunded, an authorisation"
        " not yet taken is released",
    )


def _cancel_steps(conn: Conn, customer_id: str, args: CancelOrderArgs) -> list[Step]:
    order_id = args.order_id

    async def cancel() -> dict[str, Any]:
        row = await one(
            conn,
            "update store.orders o set status = 'cancelled', cancelled_at = now(), updated_at = now()"
            " from (select status from store.orders where id = %s and customer_id = %s for update) old"
            " where o.id = %s and o.status in ('placed', 'paid', 'processing') returning old.status as previous",
            (order_id, customer_id, order_id),
        )
        if row is None:
            raise StepFailed(f"order {order_id} can no longer be cancelled")
        return {"order_id": order_id, "previous_status": row["previous"]}

    async def uncancel(done: dict[str, Any]) -> None:
        await conn.execute(
            "update store.orders set status = %s, cancelled_at = null, updated_at = now() where id = %s",
            (done["previous_status"], order_id),
        )

    async def refund_all() -> dict[str, Any]:
        cur = await conn.execute(
            "select id, amount from store.payments where order_id = %s and customer_id = %s and status = 'captured'"
            " order by created_at",
            (order_id, customer_id),
        )
        refunds = [
            await writes.refund_payment(
                conn, customer_id, p["id"], p["amount"], f"order {order_id} cancelled"
            )
            for p in await cur.fetchall()
        ]
        # An authorisation that was never captured is released, not refunded: the customer is not
        # charged (as the store shows for an order cancelled before its payment was taken).
        cur = await conn.execute(
            "update store.payments set status = 'voided', updated_at = now()"
            " where order_id = %s and customer_id = %s and status = 'authorised' returning id",
            (order_id, customer_id),
        )
        voided = [r["id"] for r in await cur.fetchall()]
        await conn.execute(
            "update store.invoices set status = 'void' where order_id = %s and status = 'open'", (order_id,)
        )
        return {"refunds": refunds, "voided": voided}

    return [Step("cancel_order", cancel, uncancel), Step("refund_payments", refund_all)]


def _cancel_notice(args: CancelOrderArgs, detail: str, name: str) -> Notification:
    return Notification(
        f"Order {args.order_id} is cancelled",
        letter(name, f"order {args.order_id} is cancelled; what was paid is refunded. {detail}"),
    )


cancel_order = WriteAction("cancel_order", CancelOrderArgs, _may_cancel, _cancel_steps, _cancel_notice)


# ---------------------------------------------------------------------------------- start_return


class StartReturnArgs(ActionArgs):
    order_id: Text
    reason: Text


async def _may_return(conn: Conn, customer_id: str, args: StartReturnArgs) -> PolicyDecision:
    order = await customer_order(conn, customer_id, args.order_id)
    if order is None:
        return refused(f"order {args.order_id} is not on this account")
    if order["status"] != "delivered":
        return refused(f"order {order['id']} is {order['status']}; only delivered orders can be returned")
    delivered = await one(
        conn,
        "select max(delivered_at) as at from store.shipments where customer_id = %s and order_id = %s",
        (customer_id, order["id"]),
    )
    today = await store_today(conn)
    last = return_deadline(
        order["placed_at"].date(), delivered["at"].date() if delivered and delivered["at"] else None
    )
    if today > last:
        return refused(
            f"order {order['id']} is outside the {RETURN_WINDOW_DAYS}-day return window after delivery "
            f"(it ended on {last.isoformat()})"
        )
    earlier = await one(
        conn,
        "select id from store.support_tickets where customer_id = %s and order_id = %s"
        " and subject like 'Return requested for %%' and status = 'open'",
        (customer_id, order["id"]),
    )
    if earlier is not None:
        return refused(f"a return of order {order['id']} is already registered ({earlier['id']})")
    return PolicyDecision(
        "confirm", "a return is the customer's decision", f"Start a return of order {order['id']}"
    )


def _return_steps(conn: Conn, customer_id: str, args: StartReturnArgs) -> list[Step]:
    async def open_return() -> dict[str, Any]:
        return await writes.open_ticket(
            conn, customer_id, f"Return requested for {args.order_id}", args.reason, args.order_id
        )

    return [Step("open_return", open_return)]


def _return_notice(args: StartReturnArgs, detail: str, name: str) -> Notification:
    return Notification(
        "Your return is registered",
        letter(
            name,
            f"Your return is registered; a return label follows. Reference: {detail or 'see your account'}.",
        ),
    )


start_return = WriteAction("start_return", StartReturnArgs, _may_return, _return_steps, _return_notice)
