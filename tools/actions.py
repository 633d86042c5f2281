"""Write actions and the idempotent side-effect ledger.

`perform()` runs one authorised write action exactly once, its steps taken from its catalogue entry.
In ONE transaction it: takes a lock on the action's ledger key, returns the recorded result if the key is already in the ledger (a retry, a resume
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
from dataclasses import dataclass, field
from typing import Any

import psycopg
from psycopg.rows import DictRow

from switchboard.config.errors import Conflict
from switchboard.tools.catalogue import lookup
from switchboard.tools.catalogue.base import Step, StepFailed

__all__ = ["ActionResult", "ApprovalRefused", "Step", "StepFailed", "perform", "recorded"]

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


def ledger_key(thread_id: str, action: str, args: dict[str, Any], turn: int | None = None) -> str:
    """One key per action, arguments and turn of a thread: a re-run of the turn (a resume, a retry, a
    recovery after a crash) finds it, a later turn asking again is a new request that the policy decides
    afresh (a run paused before turns were counted keeps its turn-less key)."""
    scope: list[Any] = [thread_id] if turn is None else [thread_id, turn]
    return hashlib.sha256(canonical([*scope, action, args]).encode()).hexdigest()


class ApprovalRefused(Conflict):
    """The approval presented does not authorise this action (expired, used, forged, wrong arguments)."""


@dataclass
class ActionResult:
    status: str  # "done" or "compensated"
    detail: str
    result: dict[str, Any] = field(default_factory=dict)
    steps: list[dict[str, Any]] = field(default_factory=list)
    replayed: bool = False  # True when the ledger already had it: nothing was done this time


async def _one(conn: Conn, query: str, params: tuple[Any, ...]) -> dict[str, Any] | None:
    cur = await conn.execute(query, params)
    return await cur.fetchone()


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
    turn: int | None = None,
) -> ActionResult:
    entry = lookup(action)
    if entry is None:
        raise ValueError(f"unknown action {action!r}")
    key = ledger_key(thread_id, action, args, turn)
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
        for step in entry.steps(conn, customer_id, entry.args.model_validate(args)):
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
