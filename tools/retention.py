"""Retention: what the checkpoint tables keep, thread deletion, and erasure of a customer's personal data.

LangGraph's Postgres saver stores a checkpoint per step (`checkpoints`), each channel value once per
version (`checkpoint_blobs`, keyed (thread, namespace, channel, version) and shared by every checkpoint
that has that version), the pending writes of each checkpoint (`checkpoint_writes`), and a namespace per
subgraph call (`billing:<task id>`). Its `prune(strategy="keep_latest")` compacts a thread to the latest
checkpoint of each namespace. The policy here is that, plus time: a thread keeps

- the latest checkpoint of every namespace, with its pending writes (a paused approval's interrupt and the
  finished branches' results) and the sends of its parent where it needs them;
- every checkpoint younger than RETENTION_CHECKPOINT_DAYS (time travel, forks and replays in that window);
- the blobs any kept checkpoint references, and the subgraph calls whose root checkpoint is kept;

and loses the rest. It runs the saver's own statements (`langgraph.checkpoint.postgres.base`) with the
kept set widened to the recent checkpoints, in one REPEATABLE READ transaction per thread, so a run that
appends to the thread meanwhile is safe. Threads idle for RETENTION_IDLE_THREAD_DAYS are deleted, unless
an approval waits on them. What each turn did stays in `store.turns` (tools/turns.py), which is permanent.
"""

from __future__ import annotations

import json
import logging
import time
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import psycopg
from langgraph.checkpoint.postgres import base as saver_sql

from switchboard.config.errors import Conflict, NotFound
from switchboard.config.settings import Settings, get_settings
from switchboard.tools.db import store_connection

log = logging.getLogger(__name__)

RECENT_SQL = """
SELECT checkpoint_ns, checkpoint_id FROM checkpoints
WHERE thread_id = %s AND (checkpoint ->> 'ts')::timestamptz >= %s
"""

CANDIDATES_SQL = """
SELECT thread_id FROM checkpoints
GROUP BY thread_id
HAVING count(*) > count(DISTINCT checkpoint_ns) AND min((checkpoint ->> 'ts')::timestamptz) < %s
ORDER BY thread_id
LIMIT %s
"""

IDLE_SQL = """
SELECT c.thread_id FROM checkpoints c
WHERE c.checkpoint_ns = ''
GROUP BY c.thread_id
HAVING max((c.checkpoint ->> 'ts')::timestamptz) < %s
   AND NOT EXISTS (SELECT 1 FROM store.approvals a WHERE a.thread_id = c.thread_id AND a.status = 'pending')
ORDER BY c.thread_id
LIMIT %s
"""

SIZE_SQL = """
SELECT
    (SELECT count(*) FROM checkpoints WHERE thread_id = %(t)s) AS checkpoints,
    (SELECT count(*) FROM checkpoint_blobs WHERE thread_id = %(t)s) AS blobs,
    (SELECT count(*) FROM checkpoint_writes WHERE thread_id = %(t)s) AS writes,
    (SELECT coalesce(sum(pg_column_size(c.*)), 0) FROM checkpoints c WHERE thread_id = %(t)s)
    + (SELECT coalesce(sum(pg_column_size(b.*)), 0) FROM checkpoint_blobs b WHERE thread_id = %(t)s)
    + (SELECT coalesce(sum(pg_column_size(w.*)), 0) FROM checkpoint_writes w WHERE thread_id = %(t)s) AS bytes
"""

THREAD_LOCK_SQL = "SELECT pg_try_advisory_xact_lock(hashtextextended(%s, 0)) AS locked"


def thread_lock_key(thread_id: str) -> str:
    return f"switchboard-thread:{thread_id}"  # the run lock of switchboard.api.Switchboard.thread_lock


@dataclass
class PruneReport:
    dry_run: bool
    cutoff: str | None
    threads_pruned: int = 0
    threads_deleted: int = 0
    threads_busy: int = 0
    checkpoints: int = 0
    blobs: int = 0
    writes: int = 0
    bytes: int = 0
    seconds: float = 0.0
    pruned: list[str] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)

    def add(self, before: dict[str, Any], after: dict[str, Any]) -> None:
        for key in ("checkpoints", "blobs", "writes", "bytes"):
            setattr(self, key, getattr(self, key) + int(before[key]) - int(after[key]))

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _keep_recent(thread_id: str, cutoff: datetime) -> saver_sql._Statements:
    """The saver's keep_latest statements for one thread, keeping every checkpoint since `cutoff` too."""
    yield saver_sql.PRUNE_SNAPSHOT_SQL, (), False
    heads = yield saver_sql.PRUNE_HEADS_SQL, (thread_id,) * 4, True
    yield from saver_sql._refuse_delta_threads([thread_id])
    recent = yield RECENT_SQL, (thread_id, cutoff), True
    kept: dict[str, list[str]] = {
        h["checkpoint_ns"]: [i for i in (h["head"], h["sends_parent"]) if i] for h in heads
    }
    for r in recent:
        ids = kept.setdefault(r["checkpoint_ns"], [])
        if r["checkpoint_id"] not in ids:
            ids.append(r["checkpoint_id"])
    # A subgraph call ("domain:<task id>") goes with the root checkpoint it started from, once that is saved.
    calls = {
        h["checkpoint_ns"]
        for h in heads
        if ":" in h["checkpoint_ns"] and h["root_saved"] and h["root"] not in kept.get("", ())
    }
    if calls:
        for sql in saver_sql.PRUNE_SUBGRAPH_CALLS_SQL:
            yield sql, (thread_id, list(calls)), False
    for ns, ids in kept.items():
        if ns in calls:
            continue
        unkept = yield saver_sql.PRUNE_UNKEPT_SQL, (thread_id, ns, ids), True
        if unkept:
            deleted = [r["checkpoint_id"] for r in unkept]
            yield saver_sql.PRUNE_WRITES_SQL, (thread_id, ns, deleted), False
        freed = yield saver_sql.PRUNE_CHECKPOINTS_SQL, (thread_id, ns, ids), True
        yield saver_sql.PRUNE_PARENTS_SQL, (thread_id, ns, ids, ids), False
        if freed:
            referenced = yield saver_sql.PRUNE_REFERENCED_BLOBS_SQL, (thread_id, ns), True
            for channel, versions in saver_sql._garbage_blobs(freed, referenced).items():
                yield saver_sql.PRUNE_BLOBS_SQL, (thread_id, ns, channel, versions), False


class _Rollback(Exception):
    """Ends a dry run's transaction: everything was counted, nothing is kept."""


async def _size(conn: Any, thread_id: str) -> dict[str, Any]:
    cur = await conn.execute(SIZE_SQL, {"t": thread_id}, prepare=False)
    return dict(await cur.fetchone() or {})


async def _locked(conn: Any, thread_id: str) -> bool:
    cur = await conn.execute(THREAD_LOCK_SQL, (thread_lock_key(thread_id),))
    row = await cur.fetchone()
    return bool(row and row["locked"])


async def prune(
    settings: Settings | None = None, *, dry_run: bool = False, batch: int = 1000, now: datetime | None = None
) -> PruneReport:
    """Apply the retention policy to every thread (up to `batch` threads of each kind per call)."""
    settings = settings or get_settings()
    now = now or datetime.now(UTC)
    days = settings.retention_checkpoint_days
    cutoff = now - timedelta(days=days) if days is not None else None
    report = PruneReport(dry_run=dry_run, cutoff=cutoff.isoformat() if cutoff else None)
    started = time.perf_counter()
    if cutoff is not None:
        async with store_connection() as conn:
            cur = await conn.execute(CANDIDATES_SQL, (cutoff, batch))
            candidates = [r["thread_id"] for r in await cur.fetchall()]
        for thread_id in candidates:
            await _prune_one(thread_id, cutoff, report)
    if settings.retention_idle_thread_days:
        idle_cutoff = now - timedelta(days=settings.retention_idle_thread_days)
        async with store_connection() as conn:
            cur = await conn.execute(IDLE_SQL, (idle_cutoff, batch))
            idle = [r["thread_id"] for r in await cur.fetchall()]
        for thread_id in idle:
            try:
                counts = await delete_thread(
                    thread_id,
                    reason="idle",
                    requested_by="retention",
                    kind="idle_thread",
                    dry_run=dry_run,
                    keep_turns=True,
                )
            except Conflict:
                report.threads_busy += 1
                continue
            report.threads_deleted += 1
            report.deleted.append(thread_id)
            report.checkpoints += counts["checkpoints"]
            report.blobs += counts["checkpoint_blobs"]
            report.writes += counts["checkpoint_writes"]
    report.seconds = round(time.perf_counter() - started, 3)
    if not dry_run and (report.threads_pruned or report.threads_deleted):
        log.info(
            "retention: %d thread(s) pruned, %d deleted, %d checkpoint(s) removed",
            report.threads_pruned,
            report.threads_deleted,
            report.checkpoints,
        )
    return report


async def _prune_one(thread_id: str, cutoff: datetime, report: PruneReport) -> None:
    async with store_connection() as conn:
        try:
            async with conn.transaction():
                await conn.execute(saver_sql.PRUNE_SNAPSHOT_SQL)
                if not await _locked(conn, thread_id):  # a run is in flight: next time
                    report.threads_busy += 1
                    return
                before = await _size(conn, thread_id)
                statements = _keep_recent(thread_id, cutoff)
                next(statements)  # the snapshot: already set
                async with conn.cursor() as cur:
                    await saver_sql._aexecute(cur, _resume(statements))
                after = await _size(conn, thread_id)
                report.add(before, after)
                if before != after:
                    report.threads_pruned += 1
                    report.pruned.append(thread_id)
                if report.dry_run:
                    raise _Rollback
        except _Rollback:
            pass
        except (psycopg.errors.SerializationFailure, psycopg.errors.DeadlockDetected):
            report.threads_busy += 1


def _resume(statements: saver_sql._Statements) -> saver_sql._Statements:
    """A statement generator whose first statement was taken already, as `_aexecute` expects one."""
    try:
        sql, params, fetch = statements.send([])
    except StopIteration:
        return
    while True:
        rows = yield sql, params, fetch
        try:
            sql, params, fetch = statements.send(rows)
        except StopIteration:
            return


# ---------------------------------------------------------------------------------------- deletion


async def _delete_checkpoints(conn: Any, thread_ids: list[str]) -> dict[str, int]:
    counts = {}
    for table, sql in zip(
        ("checkpoints", "checkpoint_blobs", "checkpoint_writes"),
        saver_sql.PRUNE_DELETE_THREADS_SQL,
        strict=True,
    ):
        cur = await conn.execute(sql, (thread_ids,))
        counts[table] = cur.rowcount
    return counts


async def _audit(
    conn: Any,
    kind: str,
    subject: str,
    reason: str,
    requested_by: str,
    counts: dict[str, int],
    threads: list[str],
) -> int:
    cur = await conn.execute(
        "insert into store.erasures (kind, subject, reason, requested_by, counts, threads)"
        " values (%s, %s, %s, %s, %s, %s) returning id",
        (kind, subject, reason, requested_by, json.dumps(counts), json.dumps(threads)),
    )
    row = await cur.fetchone()
    return int(row["id"]) if row else 0


async def delete_thread(
    thread_id: str,
    *,
    reason: str = "on request",
    requested_by: str = "operator",
    kind: str = "thread",
    dry_run: bool = False,
    keep_turns: bool = False,
) -> dict[str, Any]:
    """Delete a thread: its checkpoints, and its turn records unless `keep_turns` (retention keeps them);
    pending approvals on it are superseded.

    The ledger, approvals, outbox and notifications stay (they record what was done). One transaction,
    refused (Conflict) while a run of the thread is in flight; leaves an audit row.
    """
    async with store_connection() as conn:
        try:
            async with conn.transaction():
                if not await _locked(conn, thread_id):
                    raise Conflict(f"thread {thread_id} is busy with a run; try again when it has answered")
                counts = await _delete_checkpoints(conn, [thread_id])
                counts["turns"] = counts["ownership"] = 0
                if not keep_turns:  # retention keeps the records and who owns them
                    cur = await conn.execute("delete from store.turns where thread_id = %s", (thread_id,))
                    counts["turns"] = cur.rowcount
                    cur = await conn.execute("delete from store.threads where thread_id = %s", (thread_id,))
                    counts["ownership"] = cur.rowcount
                if not any(counts.values()):
                    raise NotFound(f"thread {thread_id} does not exist")
                cur = await conn.execute(
                    "update store.approvals set status = 'superseded', reason = 'thread deleted'"
                    " where thread_id = %s and status = 'pending'",
                    (thread_id,),
                )
                counts["approvals_superseded"] = cur.rowcount
                audit = await _audit(conn, kind, thread_id, reason, requested_by, counts, [thread_id])
                result = {
                    "thread_id": thread_id,
                    "dry_run": dry_run,
                    "audit_id": None if dry_run else audit,
                    **counts,
                }
                if dry_run:
                    raise _Rollback
        except _Rollback:
            pass
    return result


# ---------------------------------------------------------------------------------------- erasure

ERASED = "[erased]"

# (table, statement): the customer's personal data in the store, emptied or removed. Orders, payments,
# invoices, refunds, the ledger and approvals stay as business records, without the personal parts.
_ERASE_STORE = (
    (
        "customers",
        "update store.customers set name = 'erased customer', email = 'erased-' || lower(id) || '@erased.invalid',"
        " phone = null, status = 'closed' where id = %(c)s",
    ),
    (
        "accounts",
        "update store.accounts set closed_at = coalesce(closed_at, now()) where customer_id = %(c)s",
    ),
    ("addresses", "delete from store.addresses where customer_id = %(c)s"),
    (
        "payment_methods",
        "update store.payment_methods set paypal_email = 'erased@erased.invalid'"
        " where customer_id = %(c)s and paypal_email is not null",
    ),
    ("order_addresses", "update store.orders set shipping_address = '[erased]' where customer_id = %(c)s"),
    (
        "shipment_addresses",
        "update store.shipments set shipping_address = '[erased]' where customer_id = %(c)s",
    ),
    ("refunds", "update store.refunds set reason = '[erased]' where customer_id = %(c)s"),
    (
        "support_tickets",
        "update store.support_tickets set subject = '[erased]', body = '[erased]' where customer_id = %(c)s",
    ),
    (
        "product_reviews",
        "update store.product_reviews set title = '[erased]', body = '[erased]' where customer_id = %(c)s",
    ),
    (
        "approvals",
        "update store.approvals set args = '{}', description = '[erased]',"
        " decided_args = case when decided_args is null then null else '{}'::jsonb end,"
        " status = case when status = 'pending' then 'superseded' else status end"
        " where customer_id = %(c)s",
    ),
    (
        "side_effects",
        "update store.side_effects set args = '{}', result = '{}', steps = '[]', detail = '[erased]'"
        " where customer_id = %(c)s",
    ),
    (
        "notifications",
        "update store.notifications set to_address = 'erased@erased.invalid', subject = '[erased]',"
        " body = '[erased]' where customer_id = %(c)s",
    ),
    (
        "outbox",
        "update store.outbox set payload = '{}',"
        " handled_at = coalesce(handled_at, now()), last_error = case when handled_at is null"
        " then 'not sent: customer erased' else last_error end where customer_id = %(c)s or thread_id = any(%(t)s)",
    ),
    (
        "turns",
        "update store.turns set request = '[erased]', answer = '[erased]', erased_at = now(),"
        " domains = (select coalesce(jsonb_agg(jsonb_build_object("
        "   'domain', d->'domain', 'specialists', d->'specialists', 'tools', d->'tools', 'partial', d->'partial',"
        "   'usage', d->'usage', 'actions', (select coalesce(jsonb_agg(a - 'args' - 'detail'), '[]')"
        "     from jsonb_array_elements(d->'actions') a))), '[]') from jsonb_array_elements(domains) d),"
        " route = route - 'rationale'"
        " where customer_id = %(c)s or thread_id = any(%(t)s)",
    ),
)


async def customer_threads(conn: Any, customer_id: str) -> list[str]:
    cur = await conn.execute(
        "select thread_id from checkpoints where checkpoint_ns = '' and metadata->>'customer_id' = %(c)s"
        " union select thread_id from store.threads where customer_id = %(c)s"
        " union select thread_id from store.turns where customer_id = %(c)s"
        " union select thread_id from store.approvals where customer_id = %(c)s"
        " union select thread_id from store.side_effects where customer_id = %(c)s"
        " union select thread_id from store.outbox where customer_id = %(c)s order by 1",
        {"c": customer_id},
    )
    return [r["thread_id"] for r in await cur.fetchall()]


async def erase_customer(customer_id: str, *, reason: str, requested_by: str) -> dict[str, Any]:
    """Erase a customer's personal data everywhere: checkpoints (their threads are deleted), the store,
    the outbox and notifications, queued jobs and turn records; one transaction, one audit row."""
    async with store_connection() as conn, conn.transaction():
        cur = await conn.execute("select id from store.customers where id = %s for update", (customer_id,))
        if await cur.fetchone() is None:
            raise NotFound(f"customer {customer_id} does not exist")
        threads = await customer_threads(conn, customer_id)
        for thread_id in threads:
            if not await _locked(conn, thread_id):
                raise Conflict(f"thread {thread_id} of {customer_id} is busy with a run; try again shortly")
        counts = await _delete_checkpoints(conn, threads) if threads else {}
        cur = await conn.execute(
            "delete from queue.procrastinate_jobs where status = 'todo' and id in"
            " (select job_id from store.outbox where handled_at is null and"
            "  (customer_id = %(c)s or thread_id = any(%(t)s)))",
            {"c": customer_id, "t": threads},
        )
        counts["queued_jobs"] = cur.rowcount
        for table, sql in _ERASE_STORE:
            cur = await conn.execute(sql, {"c": customer_id, "t": threads})
            counts[table] = cur.rowcount
        audit = await _audit(conn, "customer", customer_id, reason, requested_by, counts, threads)
    return {"customer_id": customer_id, "audit_id": audit, "threads": threads, "counts": counts}
