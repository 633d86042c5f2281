"""The task queue the worker runs on: procrastinate, on the database Switchboard already has.

Why procrastinate (README: side work): retries with exponential backoff kept in the database, a failed
job stays in its table with status `failed` (our dead letter) until someone retries it, `lock` and
`queueing_lock` for work that must not run twice at once, periodic tasks deduplicated across workers,
async workers with heartbeats (several per machine, several machines), a job deferred on the caller's own
connection (so in the caller's transaction), and its schema as a plain SQL file our migrations ship.

Its tables live in schema `queue` (migration 0006): connections that talk to it put `queue` first on their
search_path; the store's own connections do that for one transaction when they enqueue.

Tasks:
- `switchboard.handle_event(event_id)`: one outbox event (tools/worker.py); retried with backoff, dead after
  OUTBOX_MAX_ATTEMPTS tries.
- `switchboard.maintain` (every minute): re-runs events of workers that died (no heartbeat) and enqueues
  outbox events that have no live job (published before the queue existed, or a job removed by hand).
- `switchboard.prune` (RETENTION_SCHEDULE): the retention policy (tools/retention.py).
- `switchboard.erase_customer(customer_id)`: erasure after an account is closed.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING, Any

import psycopg

from switchboard.config.database import database_target
from switchboard.config.settings import Settings, get_settings

if TYPE_CHECKING:
    import procrastinate  # loaded by the first enqueue: a turn without events never needs it

log = logging.getLogger(__name__)

SEARCH_PATH = "queue, public"
HANDLE_EVENT = "switchboard.handle_event"
OUTBOX_QUEUE = "outbox"
ERASE_CUSTOMER = "switchboard.erase_customer"
# Job states procrastinate can still run: an event whose job is in none of them needs a new one.
LIVE = ("todo", "doing")

_apps: dict[str, procrastinate.App] = {}


def queue_app(settings: Settings | None = None) -> procrastinate.App:
    """The procrastinate app for this database (one per URL; tasks registered on it)."""
    settings = settings or get_settings()
    url = database_target(settings).url
    app = _apps.get(url)
    if app is None:
        import procrastinate

        connector = procrastinate.PsycopgConnector(
            conninfo=url,
            min_size=1,
            max_size=max(2, settings.worker_concurrency + 2),
            kwargs={
                "connect_timeout": settings.db_connect_timeout,
                "options": f"-c search_path={SEARCH_PATH.replace(' ', '')}",
            },
        )
        app = procrastinate.App(connector=connector)
        _register_tasks(app, settings)
        _apps[url] = app
    return app


def _register_tasks(app: procrastinate.App, settings: Settings) -> None:
    # Imported here: both import this module to enqueue.
    import procrastinate

    from switchboard.tools import retention, worker

    retry = procrastinate.RetryStrategy(
        max_attempts=settings.outbox_max_attempts - 1,  # procrastinate counts retries, not tries
        exponential_wait=settings.outbox_retry_backoff,
    )

    @app.task(name=HANDLE_EVENT, queue=OUTBOX_QUEUE, retry=retry)
    async def handle_event(event_id: int) -> str:
        return await worker.handle_event(event_id)

    @app.task(name=ERASE_CUSTOMER, queue="maintenance", retry=retry)
    async def erase_customer(customer_id: str) -> dict[str, Any]:
        return await retention.erase_customer(customer_id, reason="account closed", requested_by="worker")

    @app.periodic(cron="* * * * *", periodic_id="maintain")
    @app.task(name="switchboard.maintain", queue="maintenance", queueing_lock="maintain")
    async def maintain(timestamp: int) -> dict[str, int]:
        return {"requeued": await requeue_stalled(app, settings), "reconciled": await reconcile_outbox(app)}

    @app.periodic(cron=settings.retention_schedule, periodic_id="prune")
    @app.task(name="switchboard.prune", queue="maintenance", queueing_lock="prune", lock="prune")
    async def prune(timestamp: int) -> dict[str, Any]:
        return (await retention.prune()).to_dict()


@asynccontextmanager
async def unprepared(conn: psycopg.AsyncConnection[Any]) -> AsyncIterator[None]:
    """The queue's statements are never server-side prepared: a prepared statement keeps the type ids of
    the queue's composite types, and after `db reset` (which recreates schema `queue`) every long-lived
    connection that had prepared one fails with "cache lookup failed for type". Parsing them costs
    nothing next to the turn."""
    saved = conn.prepare_threshold
    conn.prepare_threshold = None
    try:
        yield
    finally:
        conn.prepare_threshold = saved


async def set_search_path(conn: psycopg.AsyncConnection[Any]) -> None:
    """For the rest of this transaction, the queue's tables are found (the caller is in a transaction)."""
    await conn.execute(f"set local search_path to {SEARCH_PATH}")


# A turn's events enqueued in one statement: procrastinate's own defer function (migration 0006 ships
# it), given the rows its deferrer gives it for `handle_event` (queue, task, priority 0, no locks, not
# scheduled; a test compares the jobs with the deferrer's), and the outbox rows pointed at their jobs.
# Every turn publishes an event, and this spares a command the import of procrastinate (a twentieth of
# `ask`'s start-up) and a round trip.
def _enqueue_sql(events: str) -> str:
    """One `handle_event` job per event of the `events` query (`id`, `n`: the order to defer them in),
    and each event's outbox row pointed at its job. The queue's functions carry their own search_path
    (migration 0006), so their schema-qualified names need no `set local search_path` first."""
    return f"""
with events as ({events}), jobs as (
    select job_id, n from unnest(queue.procrastinate_defer_jobs_v1(array(
        select row(
            '{OUTBOX_QUEUE}'::varchar, '{HANDLE_EVENT}'::varchar, 0, null::text, null::text,
            jsonb_build_object('event_id', id), null::timestamptz
        )::queue.procrastinate_job_to_defer_v1
        from events order by n
    ))) with ordinality as j(job_id, n)
), linked as (
    update store.outbox o set job_id = jobs.job_id from events join jobs using (n)
    where o.id = events.id returning o.id
)
select job_id from jobs order by n
"""


_ENQUEUE_SQL = _enqueue_sql("select id, n from unnest(%(ids)s::bigint[]) with ordinality as e(id, n)")
# The events of these dedupe keys that have no job yet: a turn's events, written by the statement before
# in the same transaction (tools/turns.py sends both in one round trip, so it cannot pass their ids).
ENQUEUE_KEYS_SQL = _enqueue_sql(
    "select id, row_number() over (order by id) as n from store.outbox"
    " where dedupe_key = any(%(keys)s::text[]) and job_id is null and handled_at is null"
)


async def enqueue_events(conn: psycopg.AsyncConnection[Any], event_ids: Sequence[int]) -> list[int]:
    """One `handle_event` job per outbox event, on `conn`, in its open transaction; returns job ids.

    The outbox rows and their jobs commit (or roll back) together: an event is never lost between the
    two, and never enqueued twice.
    """
    if not event_ids:
        return []
    from psycopg.rows import dict_row

    async with unprepared(conn), conn.cursor(row_factory=dict_row) as cur:
        await cur.execute(_ENQUEUE_SQL, {"ids": [int(i) for i in event_ids]})
        return [int(row["job_id"]) for row in await cur.fetchall()]


async def schedule_erasure(conn: psycopg.AsyncConnection[Any], customer_id: str, after_hours: int) -> int:
    await set_search_path(conn)
    deferrer = queue_app().configure_task(
        ERASE_CUSTOMER,
        connection=conn,
        schedule_in={"hours": after_hours},
        queueing_lock=f"erase:{customer_id}",
    )
    from procrastinate import exceptions as queue_errors

    try:
        async with unprepared(conn):
            return await deferrer.defer_async(customer_id=customer_id)
    except queue_errors.AlreadyEnqueued:
        return 0


async def requeue_stalled(app: procrastinate.App, settings: Settings) -> int:
    """Events a dead worker was handling (no heartbeat for WORKER_STALLED_TIMEOUT) go back to the queue."""
    timeout = float(settings.worker_stalled_timeout)
    await app.job_manager.prune_stalled_workers(timeout)
    stalled = list(await app.job_manager.get_stalled_jobs(seconds_since_heartbeat=timeout))
    for job in stalled:
        log.warning(
            "queue: job %s (%s) was running on a worker that died; running it again", job.id, job.task_name
        )
        await app.job_manager.retry_job(job)
    return len(stalled)


async def reconcile_outbox(app: procrastinate.App) -> int:
    """Enqueue every unhandled outbox event without a live job; returns how many."""
    from switchboard.tools.db import store_connection

    async with store_connection() as conn, conn.transaction():
        cur = await conn.execute(
            "select o.id from store.outbox o left join queue.procrastinate_jobs j on j.id = o.job_id"
            " where o.handled_at is null and (j.id is null or (j.status::text <> all(%s) and j.status <> 'failed'))"
            " order by o.id for update of o skip locked",
            (list(LIVE),),
        )
        ids = [r["id"] for r in await cur.fetchall()]
        await enqueue_events(conn, ids)
    return len(ids)


async def retry_dead_event(event_id: int) -> int:
    """A dead-lettered event gets a new job with a fresh round of tries; returns the job id."""
    from switchboard.config.errors import Conflict, NotFound
    from switchboard.tools.db import store_connection

    async with store_connection() as conn, conn.transaction():
        cur = await conn.execute(
            "select o.id, o.handled_at, j.status::text as job_status from store.outbox o"
            " left join queue.procrastinate_jobs j on j.id = o.job_id where o.id = %s for update of o",
            (event_id,),
        )
        row = await cur.fetchone()
        if row is None:
            raise NotFound(f"outbox event {event_id} does not exist")
        if row["handled_at"] is not None:
            raise Conflict(f"outbox event {event_id} was handled already; nothing to retry")
        if row["job_status"] in LIVE:
            raise Conflict(f"outbox event {event_id} is not dead: its job is {row['job_status']}")
        await conn.execute("update store.outbox set attempts = 0 where id = %s", (event_id,))
        [job_id] = await enqueue_events(conn, [event_id])
    return job_id


async def _due_jobs(app: procrastinate.App) -> int:
    row = await app.connector.execute_query_one_async(
        "select count(*) as n from procrastinate_jobs where status = 'todo'"
        " and (scheduled_at is null or scheduled_at <= now())"
    )
    return int(row["n"])


async def run_worker(
    *,
    once: bool = False,
    concurrency: int | None = None,
    settings: Settings | None = None,
    install_signal_handlers: bool = True,
) -> None:
    """Run a worker until stopped (SIGINT/SIGTERM), or until nothing is due (`once`).

    Several can run at once, on one machine or many: each job is fetched by exactly one of them
    (`FOR UPDATE SKIP LOCKED` inside procrastinate). When the database goes away (a restart, a failover)
    procrastinate's worker stops; this loop starts it again once the database is back, so a restart
    loses nothing.
    """
    from procrastinate import exceptions as queue_errors

    settings = settings or get_settings()
    options: dict[str, Any] = {
        "concurrency": concurrency or settings.worker_concurrency,
        "delete_jobs": "successful",  # failed jobs stay: they are the dead letters
        "stalled_worker_timeout": float(settings.worker_stalled_timeout),
        "update_heartbeat_interval": max(1.0, settings.worker_stalled_timeout / 3),
        "fetch_job_polling_interval": 2.0,
        "install_signal_handlers": False,
    }
    if once:
        app = queue_app(settings)
        async with app.open_async():
            await requeue_stalled(app, settings)
            await reconcile_outbox(app)
            # A retry that comes due while the worker winds down is due now too.
            while True:
                await app.run_worker_async(wait=False, listen_notify=False, **options)
                if not await _due_jobs(app):
                    return
    stop = asyncio.Event()
    if install_signal_handlers:
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
    pause = 1.0
    while not stop.is_set():
        app = queue_app(settings)
        try:
            async with app.open_async():
                await requeue_stalled(app, settings)
                await reconcile_outbox(app)
                pause = 1.0
                work = asyncio.create_task(app.run_worker_async(wait=True, listen_notify=True, **options))
                stopping = asyncio.create_task(stop.wait())
                await asyncio.wait({work, stopping}, return_when=asyncio.FIRST_COMPLETED)
                if stop.is_set():  # a graceful stop: procrastinate finishes the running jobs
                    work.cancel()
                    with contextlib.suppress(asyncio.CancelledError):
                        await work
                    return
                stopping.cancel()
                work.result()  # raises what stopped it, if anything
                log.warning("queue: the worker stopped by itself (lost the database?); starting it again")
        except (queue_errors.ConnectorException, psycopg.OperationalError, OSError) as exc:
            log.warning("queue: database unavailable (%s); trying again in %.0f s", _first_line(exc), pause)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=pause)
        pause = min(pause * 2, 30.0)


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip() or str(exc.__cause__ or "").strip()
    return text.splitlines()[0] if text else type(exc).__name__
