"""Write actions and the idempotent side-effect ledger.

`perform()` runs one authorised write action exactly once. In ONE transaction it: takes a lock on the
action's ledger key, returns the recorded result if the key is already in the ledger (a retry, a resume
or a recovery after a crash), consumes the approval (used once), runs the action's steps, and writes
the ledger row. A crash before the commit leaves nothing; a crash after it leaves a ledger row that the
next attempt finds. A step that fails half way has the completed steps compensated, and the ledger row
(status `compensated`) says which.
"""

from __future__ import annotations

import hashlib
import json
import os
import signal
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import psycopg
from psycopg.rows import DictRow

from switchboard.config.errors import Conflict

Conn = psycopg.AsyncConnection[DictRow]

CRASH_ENV = "SWITCHBOARD_CRASH_AT"


def crashpoint(name: str) -> None:
    """Fault injection for the crash tests: SIGKILL this process at a named point when asked to."""
    if os.environ.get(CRASH_ENV) == name:
        os.kill(os.getpid(), signal.SIGKILL)


def canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), default=str)


def args_hash(action: str, args: dict[str, Any]) -> str:
    return hashlib.sha256(canonical([action, args]).encode()).hexdigest()


def ledger_key(thread_id: str, action: str, args: dict[str, Any]) -> str:
    return hashlib.sha256(canonical([thread_id, action, args]).encode()).hexdigest()


class ApprovalRefused(Conflict):
    """The approval presented does not authorise this action (expired, used, forged, wrong arguments)."""


class StepFailed(Exception):
    """A step of a write action could not be done (the store refused it)."""


@dataclass
class ActionResult:
    status: str  # "done" or "compensated"
    detail: str
    result: dict[str, Any] = field(default_factory=dict)
    steps: list[dict[str, Any]] = field(default_factory=list)
    replayed: bool = False  # True when the ledger already had it: nothing was done this time


@dataclass
class Step:
    name: str
    do: Callable[[], Awaitable[dict[str, Any]]]
    undo: Callable[[dict[str, Any]], Awaitable[None]] | None = None


async def _one(conn: Conn, query: str, params: tuple[Any, ...]) -> dict[str, Any] | None:
    cur = await conn.execute(query, params)
    return await cur.fetchone()


# ---------------------------------------------------------------------------------------- the steps


async def refund_payment(
    conn: Conn, customer_id: str, payment_id: str, amount: Decimal, reason: str
) -> dict[str, Any]:
    """The payment provider's refund, as the store records it: an issued refund row."""
    payment = await _one(
        conn,
        "select id, order_id, amount, status from store.payments where id = %s and customer_id = %s for update",
        (payment_id, customer_id),
    )
    if payment is None or payment["status"] != "captured":
        raise StepFailed(f"payment {payment_id} is not a captured payment of this customer")
    row = await _one(
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
    row = await _one(
        conn,
        "insert into store.support_tickets (id, customer_id, order_id, subject, body, status, priority)"
        " values ('TCK-' || nextval('store.ticket_seq'), %s, %s, %s, %s, 'open', %s) returning id",
        (customer_id, order_id, subject[:200], body[:10000] or subject, priority),
    )
    assert row is not None
    return {"ticket_id": row["id"]}


def _steps(conn: Conn, customer_id: str, action: str, args: dict[str, Any]) -> list[Step]:
    """The store changes an action consists of, each with its compensation where it has one."""
    if action == "cancel_order":
        order_id = args["order_id"]

        async def cancel() -> dict[str, Any]:
            row = await _one(
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
                await refund_payment(conn, customer_id, p["id"], p["amount"], f"order {order_id} cancelled")
                for p in await cur.fetchall()
            ]
            await conn.execute(
                "update store.invoices set status = 'void' where order_id = %s and status = 'open'",
                (order_id,),
            )
            return {"refunds": refunds}

        return [Step("cancel_order", cancel, uncancel), Step("refund_payments", refund_all)]
    if action == "issue_refund":
        return [
            Step(
                "refund_payment",
                lambda: refund_payment(
                    conn, customer_id, args["payment_id"], Decimal(args["amount"]), args["reason"]
                ),
            )
        ]
    if action == "start_return":
        return [
            Step(
                "open_return",
                lambda: open_ticket(
                    conn,
                    customer_id,
                    f"Return requested for {args['order_id']}",
                    args["reason"],
                    args["order_id"],
                ),
            )
        ]
    if action == "change_delivery_address":

        async def readdress() -> dict[str, Any]:
            await conn.execute(
                "update store.orders set shipping_address = %s, updated_at = now() where id = %s and customer_id = %s",
                (args["address"], args["order_id"], customer_id),
            )
            await conn.execute(
                "update store.shipments set shipping_address = %s where order_id = %s and customer_id = %s"
                " and status not in ('delivered', 'lost')",
                (args["address"], args["order_id"], customer_id),
            )
            return {"order_id": args["order_id"], "address": args["address"]}

        return [Step("change_address", readdress)]
    if action == "open_lost_parcel_claim":
        return [
            Step(
                "open_claim",
                lambda: open_ticket(
                    conn,
                    customer_id,
                    f"Lost parcel claim {args['tracking_number']}",
                    f"Lost-parcel claim for order {args['order_id']}, parcel {args['tracking_number']}.",
                    args["order_id"],
                    "high",
                ),
            )
        ]
    if action == "close_account":

        async def close() -> dict[str, Any]:
            await conn.execute("update store.customers set status = 'closed' where id = %s", (customer_id,))
            await conn.execute(
                "update store.accounts set closed_at = now() where customer_id = %s", (customer_id,)
            )
            await conn.execute(
                "update store.newsletter_subscriptions set subscribed = false where customer_id = %s",
                (customer_id,),
            )
            return {"customer_id": customer_id}

        return [Step("close_account", close)]
    if action == "change_account_email":

        async def change_email() -> dict[str, Any]:
            await conn.execute(
                "update store.customers set email = %s where id = %s", (args["new_email"], customer_id)
            )
            await conn.execute(
                "update store.accounts set email_verified = false where customer_id = %s", (customer_id,)
            )
            return {"new_email": args["new_email"]}

        return [Step("change_email", change_email)]
    if action == "send_password_reset":

        async def reset() -> dict[str, Any]:
            # The e-mail itself is sent by the outbox worker (the turn's `action.send_password_reset` event).
            await conn.execute(
                "update store.accounts set failed_logins = 0 where customer_id = %s and login_state = 'active'",
                (customer_id,),
            )
            return {"reset_link": "sent by the outbox worker"}

        return [Step("request_reset", reset)]
    if action == "unsubscribe_newsletter":

        async def unsubscribe() -> dict[str, Any]:
            await conn.execute(
                "update store.newsletter_subscriptions set subscribed = false, updated_at = now()"
                " where customer_id = %s and topic = %s",
                (customer_id, args["topic"]),
            )
            return {"topic": args["topic"]}

        return [Step("unsubscribe", unsubscribe)]
    if action == "escalate_to_human":
        return [Step("open_ticket", lambda: open_ticket(conn, customer_id, args["subject"], args["summary"]))]
    raise ValueError(f"unknown action {action!r}")


# ---------------------------------------------------------------------------------------- perform


async def recorded(conn: Conn, key: str) -> ActionResult | None:
    row = await _one(
        conn, "select status, detail, result, steps from store.side_effects where key = %s", (key,)
    )
    if row is None:
        return None
    return ActionResult(row["status"], row["detail"], row["result"], row["steps"], replayed=True)


async def _consume_approval(
    conn: Conn, approval_id: str, thread_id: str, action: str, args: dict[str, Any]
) -> None:
    row = await _one(
        conn,
        "update store.approvals set status = 'used', used_at = now() where id = %s and status = 'approved'"
        " and thread_id = %s and action = %s and decided_args_hash = %s and expires_at > now() returning id",
        (approval_id, thread_id, action, args_hash(action, args)),
    )
    if row is None:
        current = await _one(
            conn, "select status, expires_at, thread_id from store.approvals where id = %s", (approval_id,)
        )
        if current is None:
            why = "does not exist"
        elif current["thread_id"] != thread_id:
            why = "belongs to another thread"
        elif current["status"] == "used":
            why = "was already used"
        elif current["status"] != "approved":
            why = f"is {current['status']}, not approved"
        else:
            why = "has expired or was given for other arguments"
        raise ApprovalRefused(f"approval {approval_id} {why}")


async def perform(
    conn: Conn,
    *,
    thread_id: str,
    customer_id: str,
    action: str,
    args: dict[str, Any],
    approval_id: str | None = None,
) -> ActionResult:
    key = ledger_key(thread_id, action, args)
    crashpoint("before_ledger")
    async with conn.transaction():
        # Serialise concurrent attempts at the same action; the loser then finds the ledger row.
        await conn.execute("select pg_advisory_xact_lock(hashtextextended(%s, 0))", (key,))
        earlier = await recorded(conn, key)
        if earlier is not None:
            return earlier
        if approval_id is not None:
            await _consume_approval(conn, approval_id, thread_id, action, args)
        done: list[tuple[Step, dict[str, Any]]] = []
        log: list[dict[str, Any]] = []
        status, detail, result = "done", "", {}
        for step in _steps(conn, customer_id, action, args):
            try:
                async with conn.transaction():  # a savepoint: a failed step leaves no partial write
                    outcome = await step.do()
            except (StepFailed, psycopg.errors.IntegrityError, psycopg.errors.CheckViolation) as exc:
                log.append({"step": step.name, "status": "failed", "error": str(exc).splitlines()[0]})
                for earlier_step, earlier_outcome in reversed(done):
                    if earlier_step.undo is not None:
                        await earlier_step.undo(earlier_outcome)
                        log.append({"step": earlier_step.name, "status": "compensated"})
                status = "compensated"
                detail = f"{step.name} failed ({str(exc).splitlines()[0]}); completed steps were undone"
                break
            done.append((step, outcome))
            log.append({"step": step.name, "status": "done", **outcome})
            result.update(outcome)
        crashpoint("after_store_change")
        await conn.execute(
            "insert into store.side_effects (key, thread_id, customer_id, action, args, approval_id, status, result,"
            " steps, detail) values (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
            (
                key,
                thread_id,
                customer_id,
                action,
                canonical(args),
                approval_id,
                status,
                canonical(result),
                canonical(log),
                detail,
            ),
        )
    crashpoint("after_commit")
    return ActionResult(status, detail, result, log)
