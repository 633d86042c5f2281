"""The write-action policy: code and configuration, never a prompt.

For each proposed write action it decides, from the arguments and the store's own rows:
`allowed` (runs at once), `confirm` (the customer confirms), `approve` (staff approve) or `refused`.
A model can propose an action; only this policy authorises one. Text in the request or in store
data cannot change a verdict: the policy reads ids and amounts, never prose.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any, Literal

import psycopg
from psycopg.rows import DictRow

from switchboard.config.settings import get_settings

Verdict = Literal["allowed", "confirm", "approve", "refused"]
Role = Literal["customer", "staff"]
Conn = psycopg.AsyncConnection[DictRow]

OPEN_ORDER = ("placed", "paid", "processing")
LOST_AFTER_DAYS_LATE = 7
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[a-z]{2,}$", re.IGNORECASE)

# Which arguments each action takes (all required, strings unless noted).
ACTION_ARGS: dict[str, tuple[str, ...]] = {
    "cancel_order": ("order_id",),
    "start_return": ("order_id", "reason"),
    "issue_refund": ("payment_id", "order_id", "amount", "reason"),
    "change_delivery_address": ("order_id", "address"),
    "open_lost_parcel_claim": ("order_id", "tracking_number"),
    "close_account": (),
    "change_account_email": ("new_email",),
    "send_password_reset": (),
    "unsubscribe_newsletter": ("topic",),
    "escalate_to_human": ("subject", "summary"),
}


@dataclass(frozen=True)
class PolicyDecision:
    verdict: Verdict
    reason: str
    description: str = ""  # what would happen, in words a person can act on

    @property
    def role(self) -> Role | None:
        return {"confirm": "customer", "approve": "staff"}.get(self.verdict)  # type: ignore[return-value]


def refused(reason: str) -> PolicyDecision:
    return PolicyDecision("refused", reason)


def check_args(action: str, args: dict[str, Any]) -> str | None:
    """What is wrong with the arguments, or None."""
    if action not in ACTION_ARGS:
        return f"unknown action {action!r}"
    expected = set(ACTION_ARGS[action])
    missing = sorted(expected - set(args))
    extra = sorted(set(args) - expected)
    if missing:
        return f"{action} is missing {', '.join(missing)}"
    if extra:
        return f"{action} does not take {', '.join(extra)}"
    for name in expected:
        value = args[name]
        if not isinstance(value, str) or not value.strip() or len(value) > 500:
            return f"{action}: {name} must be non-empty text of at most 500 characters"
    return None


async def _one(conn: Conn, query: str, params: tuple[Any, ...]) -> dict[str, Any] | None:
    cur = await conn.execute(query, params)
    return await cur.fetchone()


async def _today(conn: Conn) -> date:
    row = await _one(conn, "select reference_now from store.seed_info", ())
    return row["reference_now"].date() if row else date.today()


async def evaluate(conn: Conn, customer_id: str, action: str, args: dict[str, Any]) -> PolicyDecision:
    problem = check_args(action, args)
    if problem:
        return refused(problem)
    customer = await _one(conn, "select id, status, email from store.customers where id = %s", (customer_id,))
    if customer is None:
        return refused(f"customer {customer_id} does not exist")
    if customer["status"] == "closed":
        return refused("the account is closed")
    rule = _RULES[action]
    return await rule(conn, customer_id, args)


async def _order(conn: Conn, customer_id: str, order_id: str) -> dict[str, Any] | None:
    return await _one(
        conn,
        "select id, status, total from store.orders where id = %s and customer_id = %s",
        (order_id, customer_id),
    )


async def _cancel_order(conn: Conn, customer_id: str, args: dict[str, Any]) -> PolicyDecision:
    order = await _order(conn, customer_id, args["order_id"])
    if order is None:
        return refused(f"order {args['order_id']} is not on this account")
    if order["status"] not in OPEN_ORDER:
        return refused(
            f"order {order['id']} is {order['status']}; only orders that have not shipped can be cancelled"
        )
    return PolicyDecision(
        "confirm",
        "cancelling is the customer's decision",
        f"Cancel order {order['id']} ({order['total']} EUR) and refund its captured payments",
    )


async def _start_return(conn: Conn, customer_id: str, args: dict[str, Any]) -> PolicyDecision:
    order = await _order(conn, customer_id, args["order_id"])
    if order is None:
        return refused(f"order {args['order_id']} is not on this account")
    if order["status"] != "delivered":
        return refused(f"order {order['id']} is {order['status']}; only delivered orders can be returned")
    return PolicyDecision(
        "confirm", "a return is the customer's decision", f"Start a return of order {order['id']}"
    )


async def _issue_refund(conn: Conn, customer_id: str, args: dict[str, Any]) -> PolicyDecision:
    try:
        amount = Decimal(args["amount"])
        # NaN and infinities raise on comparison or quantize; so does an exponent past the precision.
        exact = amount.is_finite() and amount == amount.quantize(Decimal("0.01"))
    except InvalidOperation:
        return refused(f"refund amount {args['amount']!r} is not a number")
    if not amount.is_finite():
        return refused(f"refund amount {args['amount']!r} is not a number")
    if amount <= 0 or not exact:
        return refused(f"refund amount {args['amount']} must be positive with at most two decimals")
    payment = await _one(
        conn,
        "select id, order_id, amount, status from store.payments where id = %s and customer_id = %s",
        (args["payment_id"], customer_id),
    )
    if payment is None:
        return refused(f"payment {args['payment_id']} is not on this account")
    if payment["order_id"] != args["order_id"]:
        return refused(f"payment {payment['id']} does not belong to order {args['order_id']}")
    if payment["status"] != "captured":
        return refused(
            f"payment {payment['id']} is {payment['status']}; only captured payments can be refunded"
        )
    if amount > payment["amount"]:
        return refused(f"refund {amount} EUR exceeds the charge of {payment['amount']} EUR")
    earlier = await _one(
        conn,
        "select id, status from store.refunds where payment_id = %s and status in ('pending', 'issued') limit 1",
        (payment["id"],),
    )
    if earlier is not None:
        return refused(f"payment {payment['id']} already has refund {earlier['id']} ({earlier['status']})")
    description = (
        f"Refund {amount} EUR of payment {payment['id']} (order {payment['order_id']}): {args['reason']}"
    )
    limit = Decimal(get_settings().refund_auto_limit)
    if amount > limit:
        return PolicyDecision("approve", f"refunds over {limit} EUR need staff approval", description)
    return PolicyDecision(
        "confirm", f"refunds up to {limit} EUR need the customer's confirmation", description
    )


async def _change_address(conn: Conn, customer_id: str, args: dict[str, Any]) -> PolicyDecision:
    order = await _order(conn, customer_id, args["order_id"])
    if order is None:
        return refused(f"order {args['order_id']} is not on this account")
    description = f"Deliver order {order['id']} to {args['address']}"
    if order["status"] in OPEN_ORDER:
        return PolicyDecision("confirm", "the customer confirms a new address", description)
    if order["status"] == "shipped":
        return PolicyDecision("approve", "redirecting a parcel in transit needs staff approval", description)
    return refused(f"order {order['id']} is {order['status']}; its address can no longer change")


async def _lost_parcel(conn: Conn, customer_id: str, args: dict[str, Any]) -> PolicyDecision:
    shipment = await _one(
        conn,
        "select s.id, s.status, s.promised_by, s.carrier from store.shipments s"
        " where s.order_id = %s and s.tracking_number = %s and s.customer_id = %s",
        (args["order_id"], args["tracking_number"], customer_id),
    )
    if shipment is None:
        return refused(f"no shipment {args['tracking_number']} of order {args['order_id']} on this account")
    open_claim = await _one(
        conn,
        "select id from store.support_tickets where customer_id = %s and order_id = %s and subject like 'Lost parcel%%'"
        " and status = 'open'",
        (customer_id, args["order_id"]),
    )
    if open_claim is not None:
        return refused(
            f"a lost-parcel claim is already open for order {args['order_id']} ({open_claim['id']})"
        )
    late = (await _today(conn) - shipment["promised_by"]).days if shipment["promised_by"] else 0
    if shipment["status"] == "lost" or (shipment["status"] != "delivered" and late >= LOST_AFTER_DAYS_LATE):
        return PolicyDecision(
            "allowed",
            "the carrier reports the parcel lost or it is long overdue",
            f"Open a lost-parcel claim with {shipment['carrier']} for order {args['order_id']}",
        )
    return refused(
        f"parcel {args['tracking_number']} is {shipment['status']} and not overdue enough for a claim"
    )


async def _close_account(conn: Conn, customer_id: str, args: dict[str, Any]) -> PolicyDecision:
    row = await _one(
        conn,
        "select count(*) as n from store.orders where customer_id = %s and status in ('placed','paid','processing',"
        "'shipped')",
        (customer_id,),
    )
    if row and row["n"]:
        return refused(f"the account has {row['n']} open order(s)")
    return PolicyDecision(
        "confirm", "closing an account is the customer's decision", f"Close account {customer_id}"
    )


async def _change_email(conn: Conn, customer_id: str, args: dict[str, Any]) -> PolicyDecision:
    new = args["new_email"].strip()
    if not _EMAIL.match(new):
        return refused(f"{new!r} is not an e-mail address")
    taken = await _one(
        conn, "select id from store.customers where lower(email) = lower(%s) and id <> %s", (new, customer_id)
    )
    if taken is not None:
        return refused("that e-mail address belongs to another account")
    return PolicyDecision(
        "confirm", "the customer confirms a new login e-mail", f"Change the account e-mail to {new}"
    )


async def _password_reset(conn: Conn, customer_id: str, args: dict[str, Any]) -> PolicyDecision:
    return PolicyDecision(
        "allowed", "a reset link goes to the account's own e-mail", "Send a password-reset link"
    )


async def _unsubscribe(conn: Conn, customer_id: str, args: dict[str, Any]) -> PolicyDecision:
    sub = await _one(
        conn,
        "select subscribed from store.newsletter_subscriptions where customer_id = %s and topic = %s",
        (customer_id, args["topic"]),
    )
    if sub is None or not sub["subscribed"]:
        return refused(f"not subscribed to {args['topic']}")
    return PolicyDecision("allowed", "unsubscribing is always allowed", f"Unsubscribe from {args['topic']}")


async def _escalate(conn: Conn, customer_id: str, args: dict[str, Any]) -> PolicyDecision:
    return PolicyDecision(
        "allowed", "a customer may always reach a person", f"Open a ticket: {args['subject']}"
    )


_RULES = {
    "cancel_order": _cancel_order,
    "start_return": _start_return,
    "issue_refund": _issue_refund,
    "change_delivery_address": _change_address,
    "open_lost_parcel_claim": _lost_parcel,
    "close_account": _close_account,
    "change_account_email": _change_email,
    "send_password_reset": _password_reset,
    "unsubscribe_newsletter": _unsubscribe,
    "escalate_to_human": _escalate,
}
