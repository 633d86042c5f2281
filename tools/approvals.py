"""Approval records: who decided what, when, for exactly which arguments, until when, used once.

A pending row is written when a run pauses on a write action; `decide()` records a person's decision
after checking their role and the request's expiry; `tools.actions.perform()` consumes an approved
row in the same transaction as the store change. The graph reads decisions from here, never from the
resume payload, so a forged resume cannot authorise anything.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, Literal

import psycopg
from psycopg.rows import DictRow

from switchboard.config.errors import Conflict, Forbidden, InputError, NotFound
from switchboard.tools import policy
from switchboard.tools.actions import args_hash, canonical, ledger_key

Conn = psycopg.AsyncConnection[DictRow]
Role = Literal["customer", "staff"]

_COLUMNS = (
    "id, thread_id, customer_id, action, args, args_hash, path, description, required_role, status,"
    " requested_at, expires_at, decided_by, decided_role, decided_at, decided_args, reason, used_at,"
    " (expires_at <= now()) as expired"
)


@dataclass(frozen=True)
class Identity:
    role: Role
    id: str

    @classmethod
    def parse(cls, text: str) -> Identity:
        """'staff:alice' or 'customer:CUST-0001'."""
        role, _, ident = (text or "").partition(":")
        if role not in ("customer", "staff") or not ident.strip():
            raise InputError(
                f"identity {text!r} must be ROLE:ID with ROLE customer or staff, e.g. staff:alice"
            )
        return cls(role, ident.strip())  # type: ignore[arg-type]

    def __str__(self) -> str:
        return f"{self.role}:{self.id}"


def approval_id(thread_id: str, action: str, args: dict[str, Any], turn: int | None = None) -> str:
    """Deterministic: the same paused action of the same turn always has the same approval id (re-runs
    do not duplicate); the same request in a later turn is a new approval, never the decided one."""
    return "APR-" + hashlib.sha256(ledger_key(thread_id, action, args, turn).encode()).hexdigest()[:16]


async def request(
    conn: Conn,
    *,
    thread_id: str,
    customer_id: str,
    action: str,
    args: dict[str, Any],
    path: str,
    description: str,
    required_role: Role,
    ttl_hours: int,
    turn: int | None = None,
) -> dict[str, Any]:
    """The pending approval for this action (created on first call; later calls return the same row)."""
    ident = approval_id(thread_id, action, args, turn)
    await conn.execute(
        "insert into store.approvals (id, thread_id, customer_id, action, args, args_hash, path, description,"
        " required_role, expires_at) values (%s, %s, %s, %s, %s, %s, %s, %s, %s, now() + %s)"
        " on conflict (id) do nothing",
        (
            ident,
            thread_id,
            customer_id,
            action,
            canonical(args),
            args_hash(action, args),
            path,
            description,
            required_role,
            timedelta(hours=ttl_hours),
        ),
    )
    row = await get(conn, ident)
    assert row is not None
    return row


async def get(conn: Conn, ident: str) -> dict[str, Any] | None:
    cur = await conn.execute(f"select {_COLUMNS} from store.approvals where id = %s", (ident,))
    return await cur.fetchone()


async def pending(
    conn: Conn, customer_id: str | None = None, thread_id: str | None = None
) -> list[dict[str, Any]]:
    cur = await conn.execute(
        f"select {_COLUMNS} from store.approvals where status = 'pending'"
        " and (%(c)s::text is null or customer_id = %(c)s) and (%(t)s::text is null or thread_id = %(t)s)"
        " order by requested_at, id",
        {"c": customer_id, "t": thread_id},
    )
    return list(await cur.fetchall())


async def for_thread(conn: Conn, thread_id: str) -> list[dict[str, Any]]:
    """Every approval of one thread, decided or not, in the order they were requested."""
    cur = await conn.execute(
        f"select {_COLUMNS} from store.approvals where thread_id = %s order by requested_at, id", (thread_id,)
    )
    return list(await cur.fetchall())


def check_role(row: dict[str, Any], actor: Identity, decision: str) -> None:
    if row["required_role"] == "staff" and actor.role != "staff":
        raise Forbidden(f"approval {row['id']} needs a staff member; {actor} may not {decision} it")
    if row["required_role"] == "customer":
        if actor.role == "customer" and actor.id != row["customer_id"]:
            raise Forbidden(f"approval {row['id']} is for customer {row['customer_id']}, not {actor.id}")
        if actor.role == "staff" and decision != "reject":
            raise Forbidden(
                f"approval {row['id']} needs the customer's own confirmation; staff may only reject it"
            )


async def decide(
    conn: Conn,
    ident: str,
    *,
    actor: Identity,
    decision: Literal["approve", "reject", "edit"],
    args: dict[str, Any] | None = None,
    reason: str | None = None,
) -> dict[str, Any]:
    """Record a person's decision on a pending approval. Raises a clear error and changes nothing otherwise."""
    async with conn.transaction():
        cur = await conn.execute(f"select {_COLUMNS} from store.approvals where id = %s for update", (ident,))
        row = await cur.fetchone()
        if row is None:
            raise NotFound(f"approval {ident} does not exist")
        # An approval that expired before it could be used (a crash, a long outage) may still be
        # rejected, so the paused run can finish instead of staying stuck.
        stale = row["status"] == "approved" and row["expired"] and row["used_at"] is None
        if row["status"] != "pending" and not (stale and decision == "reject"):
            raise Conflict(f"approval {ident} is already {row['status']}")
        check_role(row, actor, decision)
        if row["expired"] and decision != "reject":
            raise Conflict(
                f"approval {ident} expired at {row['expires_at']:%Y-%m-%d %H:%M} UTC; it can only be rejected"
            )
        if decision == "reject":
            if not (reason or "").strip():
                raise InputError("a rejection needs a reason")
            status, decided_args = "rejected", row["args"]
        elif decision == "edit":
            if not isinstance(args, dict) or not args:
                raise InputError("an edit needs the changed arguments")
            unknown = sorted(set(args) - set(row["args"]))
            if unknown:
                raise InputError(
                    f"an edit can only change {', '.join(sorted(row['args']))}, not {', '.join(unknown)}"
                )
            status, decided_args = "approved", {**row["args"], **args}
            # An edit the policy would refuse is refused here, before anything is recorded: the approval
            # stays pending and decidable (recorded, it would be approved for arguments never performed).
            verdict = await policy.evaluate(conn, row["customer_id"], row["action"], decided_args)
            if verdict.verdict == "refused":
                raise InputError(f"the edit is refused: {verdict.reason}; approval {ident} is still pending")
            if verdict.role == "staff" and actor.role != "staff":
                raise Forbidden(
                    f"the edited {row['action']} needs staff approval; approval {ident} is still pending"
                )
        else:
            status, decided_args = "approved", row["args"]
        await conn.execute(
            "update store.approvals set status = %s, decided_by = %s, decided_role = %s, decided_at = now(),"
            " decided_args = %s, decided_args_hash = %s, reason = %s where id = %s",
            (
                status,
                actor.id,
                actor.role,
                canonical(decided_args),
                args_hash(row["action"], decided_args),
                reason,
                ident,
            ),
        )
    decided = await get(conn, ident)
    assert decided is not None
    return decided


async def current(conn: Conn, ident: str) -> dict[str, Any] | None:
    """The approval as it stands now: one that expired before it was used is rejected first (`expire`)."""
    row = await get(conn, ident)
    if row is not None and row["expired"] and row["used_at"] is None:
        row = await expire(conn, ident)
    return row


async def expire(conn: Conn, ident: str) -> dict[str, Any] | None:
    """Reject an approval that expired before it was used (pending, or approved but never performed), so
    the run waiting on it can finish: an expired approval can never authorise anything. The row as it is
    after (unchanged when it was decided or used in the meantime)."""
    await conn.execute(
        "update store.approvals set status = 'rejected', decided_by = coalesce(decided_by, 'switchboard'),"
        " decided_at = now(), decided_args = coalesce(decided_args, args),"
        " decided_args_hash = coalesce(decided_args_hash, args_hash),"
        " reason = 'the request expired before it was ' || case when status = 'pending' then 'decided'"
        " else 'carried out' end"
        " where id = %s and expires_at <= now() and status in ('pending', 'approved') and used_at is null",
        (ident,),
    )
    return await get(conn, ident)
