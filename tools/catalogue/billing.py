"""Billing write actions: issue a refund."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from switchboard.config.settings import get_settings
from switchboard.tools.catalogue import writes
from switchboard.tools.catalogue.base import (
    ActionArgs,
    Conn,
    Notification,
    PolicyDecision,
    Step,
    Text,
    WriteAction,
    customer_order,
    letter,
    one,
    refused,
)


class IssueRefundArgs(ActionArgs):
    payment_id: Text
    order_id: Text
    amount: Text  # a decimal string, e.g. "129.90": checked by the rule, so the refusal says why
    reason: Text


async def refund_basis(conn: Conn, customer_id: str, payment: dict[str, Any]) -> str | None:
    """What the store shows that makes this captured payment refundable, in words; None when nothing does.

    Decided from rows only, whatever the amount and whoever proposed it: the proposal's reason is prose."""
    order = await customer_order(conn, customer_id, payment["order_id"])
    if order is None:
        return None
    if order["status"] == "returned":
        return "the return was received"
    if order["status"] == "cancelled":
        return "the order was cancelled"
    # A duplicate: an earlier captured charge of the same amount on the same order within a day, and the
    # order's captured charges together exceed its total (a split payment is not a duplicate).
    duplicate = await one(
        conn,
        "select q.id from store.payments q where q.customer_id = %s and q.order_id = %s and q.amount = %s"
        " and q.status = 'captured' and q.id <> %s and (q.created_at, q.id) < (%s, %s)"
        " and q.created_at >= %s::timestamptz - interval '24 hours'"
        " and (select sum(amount) from store.payments where order_id = %s and status = 'captured') > %s",
        (
            customer_id,
            order["id"],
            payment["amount"],
            payment["id"],
            payment["created_at"],
            payment["id"],
            payment["created_at"],
            order["id"],
            order["total"],
        ),
    )
    if duplicate is not None:
        return f"a duplicate of payment {duplicate['id']}"
    # A claim is opened only under open_lost_parcel_claim's rule (the carrier reports the parcel lost, or it
    # is long overdue): an open one for a parcel still not delivered is an accepted claim.
    claim = await one(
        conn,
        "select t.id from store.support_tickets t where t.customer_id = %s and t.order_id = %s"
        " and t.subject like 'Lost parcel claim %%' and t.status = 'open'"
        " and not exists (select 1 from store.shipments s where s.order_id = t.order_id and s.status = 'delivered')",
        (customer_id, order["id"]),
    )
    if claim is not None:
        return f"lost-parcel claim {claim['id']}"
    return None


async def _may_refund(conn: Conn, customer_id: str, args: IssueRefundArgs) -> PolicyDecision:
    try:
        amount = Decimal(args.amount)
        # NaN and infinities raise on comparison or quantize; so does an exponent past the precision.
        exact = amount.is_finite() and amount == amount.quantize(Decimal("0.01"))
    except InvalidOperation:
        return refused(f"refund amount {args.amount!r} is not a number")
    if not amount.is_finite():
        return refused(f"refund amount {args.amount!r} is not a number")
    if amount <= 0 or not exact:
        return refused(f"refund amount {args.amount} must be positive with at most two decimals")
    payment = await one(
        conn,
        "select id, order_id, amount, status, created_at from store.payments where id = %s and customer_id = %s",
        (args.payment_id, customer_id),
    )
    if payment is None:
        return refused(f"payment {args.payment_id} is not on this account")
    if payment["order_id"] != args.order_id:
        return refused(f"payment {payment['id']} does not belong to order {args.order_id}")
    if payment["status"] != "captured":
        return refused(
            f"payment {payment['id']} is {payment['status']}; only captured payments can be refunded"
        )
    if amount > payment["amount"]:
        return refused(f"refund {amount} EUR exceeds the charge of {payment['amount']} EUR")
    earlier = await one(
        conn,
        "select id, status from store.refunds where payment_id = %s and status in ('pending', 'issued') limit 1",
        (payment["id"],),
    )
    if earlier is not None:
        return refused(f"payment {payment['id']} already has refund {earlier['id']} ({earlier['status']})")
    basis = await refund_basis(conn, customer_id, payment)
    if basis is None:
        return refused(
            f"nothing on order {payment['order_id']} is a reason to refund payment {payment['id']}: a refund"
            " needs a duplicate charge, a received return, a cancelled order or an accepted lost-parcel claim"
        )
    description = f"Refund {amount} EUR of payment {payment['id']} (order {payment['order_id']}, {basis}): {args.reason}"
    limit = Decimal(get_settings().refund_auto_limit)
    if amount > limit:
        return PolicyDecision("approve", f"refunds over {limit} EUR need staff approval", description)
    return PolicyDecision(
        "confirm", f"refunds up to {limit} EUR need the customer's confirmation", description
    )


def _refund_steps(conn: Conn, customer_id: str, args: IssueRefundArgs) -> list[Step]:
    async def refund() -> dict[str, Any]:
        return await writes.refund_payment(
            conn, customer_id, args.payment_id, Decimal(args.amount), args.reason
        )

    return [Step("refund_payment", refund)]


def _refund_notice(args: IssueRefundArgs, detail: str, name: str) -> Notification:
    return Notification(
        f"Your refund of {args.amount} EUR is on its way",
        letter(
            name,
            f"we refunded {args.amount} EUR for order {args.order_id} ({args.reason}). It appears on your "
            f"statement within 3-5 working days. {detail}",
        ),
    )


issue_refund = WriteAction("issue_refund", IssueRefundArgs, _may_refund, _refund_steps, _refund_notice)
