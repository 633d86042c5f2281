"""Undo what some runs wrote, and nothing else: the demo's and the notebooks' own earlier runs.

The tour and the approvals notebook name their threads with a prefix of their own (`demo-`,
`notebook-approvals-`). Run again, they take back only what threads with that prefix did: their write
actions from the ledger (a refund's row, and its payment back to captured; a ticket), their approvals,
outbox events (and their queued jobs), notifications, turn records, and the threads' checkpoints and
ownership records. API keys, other customers' data, other threads and approvals are not touched; a store
is never wiped to run a demo twice.
"""

from __future__ import annotations

import json
from typing import Any

import psycopg
from psycopg.rows import dict_row

from switchboard.config.errors import InputError

UNDO_LOCK_KEY = 0x5B0_DE70  # serialises two demos or notebooks undoing at the same time

# What each write action left in the store, by the keys of its ledger result.
_UNDOABLE = {"issue_refund", "escalate_to_human", "start_return", "open_lost_parcel_claim"}


def _like(prefix: str) -> str:
    if not prefix or len(prefix) < 3:
        raise InputError("a thread prefix of at least 3 characters is needed to undo runs")
    return prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def undo_runs(conn: psycopg.Connection[Any], thread_prefix: str) -> dict[str, int]:
    """Take back everything threads whose id starts with `thread_prefix` wrote; return what was removed.

    One transaction: all of it or nothing. Refuses (InputError) when those threads did a write action
    that cannot be taken back exactly (a cancellation, an address or e-mail change), leaving all as it is.
    """
    pattern = _like(thread_prefix)
    counts = {"threads": 0, "refunds": 0, "tickets": 0, "approvals": 0, "events": 0, "notifications": 0}
    with conn.transaction(), conn.cursor(row_factory=dict_row) as cur:
        cur.execute("select pg_advisory_xact_lock(%s)", (UNDO_LOCK_KEY,))
        cur.execute(
            "select action, status, result from store.side_effects where thread_id like %s", (pattern,)
        )
        effects = cur.fetchall()
        other = sorted({e["action"] for e in effects if e["status"] == "done"} - _UNDOABLE)
        if other:
            raise InputError(
                f"threads {thread_prefix}* did {', '.join(other)}, which cannot be undone exactly:"
                " re-seed the store instead (switchboard db seed --replace --yes)"
            )
        refunds: list[str] = []
        tickets: list[str] = []
        for effect in effects:
            result = effect["result"] if isinstance(effect["result"], dict) else json.loads(effect["result"])
            if result.get("refund_id"):
                refunds.append(str(result["refund_id"]))
            refunds.extend(str(r["refund_id"]) for r in result.get("refunds", []) if r.get("refund_id"))
            if result.get("ticket_id"):
                tickets.append(str(result["ticket_id"]))
        # A refunded payment was captured before (refund_payment refuses any other); it is again.
        cur.execute(
            "update store.payments p set status = 'captured', updated_at = now() from store.refunds r"
            " where r.id = any(%s) and p.id = r.payment_id and p.status = 'refunded'",
            (refunds,),
        )
        cur.execute("delete from store.refunds where id = any(%s)", (refunds,))
        counts["refunds"] = cur.rowcount
        cur.execute("delete from store.support_tickets where id = any(%s)", (tickets,))
        counts["tickets"] = cur.rowcount
        cur.execute(
            "delete from store.notifications where event_id in"
            " (select id from store.outbox where thread_id like %s)",
            (pattern,),
        )
        counts["notifications"] = cur.rowcount
        # Their queue jobs not run yet, and their turn records (a re-run writes its own).
        cur.execute(
            "delete from queue.procrastinate_jobs where status = 'todo' and id in"
            " (select job_id from store.outbox where thread_id like %s)",
            (pattern,),
        )
        cur.execute("delete from store.turns where thread_id like %s", (pattern,))
        cur.execute("delete from store.outbox where thread_id like %s", (pattern,))
        counts["events"] = cur.rowcount
        cur.execute("delete from store.side_effects where thread_id like %s", (pattern,))
        cur.execute("delete from store.approvals where thread_id like %s", (pattern,))
        counts["approvals"] = cur.rowcount
        # their ownership records
        cur.execute("delete from store.threads where thread_id like %s", (pattern,))
        cur.execute("select to_regclass('checkpoints') is not null as present")
        row = cur.fetchone()
        if row and row["present"]:
            cur.execute(
                "select count(distinct thread_id) as n from checkpoints where thread_id like %s",
                (pattern,),
            )
            found = cur.fetchone()
            counts["threads"] = int(found["n"]) if found else 0
            for table in ("checkpoint_writes", "checkpoint_blobs", "checkpoints"):
                cur.execute(f"delete from {table} where thread_id like %s", (pattern,))
    return counts
