"""The outbox worker on the task queue: each event handled once, retries with backoff, dead letters that
`switchboard outbox` lists and `outbox retry ID` revives, several workers at once."""

from __future__ import annotations

import asyncio
import json
import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from switchboard.api import Switchboard
from switchboard.config.settings import get_settings
from switchboard.tools import queue, worker
from switchboard.tools.approvals import Identity
from switchboard.tools.queue import run_worker
from tests.cli import PROJECT_ROOT, ok_json, run_switchboard


async def _rows(app: Switchboard, query: str, *params: object) -> list[dict[str, Any]]:
    async with app.pool.connection() as conn:
        cur = await conn.execute(query, params)
        return list(await cur.fetchall())


async def drain() -> None:
    """One worker in this process, until nothing is due."""
    await run_worker(once=True, install_signal_handlers=False)


@pytest.fixture
def quick_retries(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Three tries, no backoff wait (the backoff itself is procrastinate's, configured from settings)."""
    monkeypatch.setenv("OUTBOX_MAX_ATTEMPTS", "3")
    monkeypatch.setenv("OUTBOX_RETRY_BACKOFF", "0")
    get_settings.cache_clear()
    queue._apps.clear()
    yield
    get_settings.cache_clear()
    queue._apps.clear()


async def test_an_approved_refund_becomes_one_notification(
    fresh_store: str, app: Switchboard, scenarios
) -> None:  # type: ignore[no-untyped-def]
    s = scenarios["duplicate_charge"]
    customer = str(s["customer_id"])
    paused = await app.ask("I was charged twice, please refund me", customer_id=customer)
    done = await app.decide(paused.thread_id, actor=Identity("staff", "alice"), decision="approve")
    assert done.status == "done"
    events = await _rows(
        app, "select topic, job_id from store.outbox where thread_id = %s order by id", paused.thread_id
    )
    assert {"action.issue_refund", "turn.completed"} <= {e["topic"] for e in events}
    assert all(e["job_id"] for e in events)  # enqueued in the transaction that wrote them

    await drain()
    [note] = await _rows(
        app,
        "select n.to_address, n.subject, n.body, c.email from store.notifications n"
        " join store.customers c on c.id = n.customer_id where n.customer_id = %s",
        customer,
    )
    assert note["to_address"] == note["email"]
    assert "129.90 EUR" in str(note["subject"]) and str(s["order_id"]) in str(note["body"])
    assert await _rows(app, "select id from store.outbox where handled_at is null") == []
    # Handling again (a retry, a second worker, a stalled job re-run) changes nothing.
    event = (await _rows(app, "select id from store.outbox where topic = 'action.issue_refund'"))[0]["id"]
    assert await worker.handle_event(event) == "already handled"
    assert len(await _rows(app, "select id from store.notifications where customer_id = %s", customer)) == 1


async def test_an_intermittent_failure_is_retried_then_succeeds(
    fresh_store: str, app: Switchboard, scenarios, quick_retries: None, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    customer = str(scenarios["locked_login"]["customer_id"])
    await app.ask("my account is locked, I can't log in: please send me a reset link", customer_id=customer)
    calls: list[int] = []
    real = worker.deliver

    async def flaky(conn: Any, event: dict[str, Any], note: worker.Notification) -> int:
        calls.append(event["id"])
        if len(calls) < 3:
            raise ConnectionError("mail gateway timed out")
        return await real(conn, event, note)

    monkeypatch.setattr(worker, "deliver", flaky)
    await drain()
    [event] = await _rows(
        app,
        "select id, attempts, last_error, handled_at from store.outbox where topic = 'action.send_password_reset'",
    )
    assert calls == [event["id"]] * 3  # two failures, then the third try
    assert event["handled_at"] is not None and event["attempts"] == 3 and event["last_error"] is None
    assert len(await _rows(app, "select id from store.notifications where event_id = %s", event["id"])) == 1


async def test_an_event_that_keeps_failing_is_dead_until_retried(
    fresh_store: str,
    app: Switchboard,
    scenarios,
    quick_retries: None,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:  # type: ignore[no-untyped-def]
    customer = str(scenarios["locked_login"]["customer_id"])
    await app.ask("my account is locked, I can't log in: please send me a reset link", customer_id=customer)

    async def broken(conn: Any, event: dict[str, Any], note: worker.Notification) -> int:
        raise ConnectionError("mail gateway refused the message")

    monkeypatch.setattr(worker, "deliver", broken)
    await drain()
    listing = ok_json(run_switchboard(["outbox", "--state", "dead", "--json"], tmp_path))
    [dead] = listing["events"]
    assert dead["topic"] == "action.send_password_reset" and dead["attempts"] == 3
    assert "mail gateway refused" in dead["last_error"]
    assert listing["status"]["counts"]["dead"] == 1 and listing["status"]["counts"]["handled"] >= 1
    assert any("dead event" in a for a in listing["status"]["alerts"])
    assert listing["status"]["lag_seconds"] > 0

    monkeypatch.undo()  # the gateway is back
    retried = ok_json(run_switchboard(["outbox", "retry", str(dead["id"]), "--json"], tmp_path))
    assert retried["state"] == "pending"
    await drain()
    status = ok_json(run_switchboard(["outbox", "--json"], tmp_path))
    assert status["events"] == [] and status["status"]["counts"]["dead"] == 0
    assert len(await _rows(app, "select id from store.notifications where event_id = %s", dead["id"])) == 1
    again = run_switchboard(["outbox", "retry", str(dead["id"])], tmp_path)
    assert again.returncode == 2 and "handled already" in again.stderr


@pytest.mark.slow
async def test_several_worker_processes_handle_each_event_once(
    fresh_store: str, app: Switchboard, scenarios, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    customer = str(scenarios["locked_login"]["customer_id"])
    for _ in range(8):  # each turn sends a reset link: an action event and a turn event
        await app.ask(
            "my account is locked, I can't log in: please send me a reset link", customer_id=customer
        )
    [pending] = await _rows(app, "select count(*) as n from store.outbox where handled_at is null")
    procs = [
        await asyncio.create_subprocess_exec(
            sys.executable,
            *("-m", "switchboard", "worker", "--once", "--json", "--concurrency", "2"),
            cwd=tmp_path,
            env={**os.environ, "PYTHONPATH": str(PROJECT_ROOT)},
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        for _ in range(3)
    ]
    outputs = await asyncio.wait_for(asyncio.gather(*(p.communicate() for p in procs)), timeout=120)
    assert all(p.returncode == 0 for p in procs), [o[1] for o in outputs]
    handled = [json.loads(o[0])["handled"] for o in outputs]
    assert sum(handled) == pending["n"]  # every event once, by one of the workers
    notes = await _rows(app, "select event_id from store.notifications where customer_id = %s", customer)
    assert len(notes) == len({n["event_id"] for n in notes}) == 8
    assert await _rows(app, "select id from store.outbox where handled_at is null") == []


async def test_worker_and_outbox_commands(seeded: str, app: Switchboard, scenarios, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    await app.ask("what are your opening hours?", customer_id=str(scenarios["happy_customer"]["customer_id"]))
    listing = ok_json(run_switchboard(["outbox", "--json"], tmp_path))
    assert any(e["topic"] == "turn.completed" and e["state"] == "pending" for e in listing["events"])
    assert listing["status"]["counts"]["pending"] >= 1
    counts = ok_json(run_switchboard(["worker", "--once", "--json"], tmp_path))
    assert counts["handled"] >= 1
    listing = ok_json(run_switchboard(["outbox", "--json"], tmp_path))
    assert listing["events"] == [] and listing["status"]["lag_seconds"] == 0
    bad = run_switchboard(["outbox", "--state", "lost"], tmp_path)
    assert bad.returncode == 2 and "--state must be one of" in bad.stderr


async def test_an_outbox_event_without_a_job_is_reconciled(
    fresh_store: str, app: Switchboard, scenarios
) -> None:  # type: ignore[no-untyped-def]
    """An event whose job is gone (published before the queue existed, or removed by hand) is enqueued
    again by the worker's maintenance, and handled once."""
    await app.ask("what are your opening hours?", customer_id=str(scenarios["happy_customer"]["customer_id"]))
    async with app.pool.connection() as conn:
        await conn.execute("delete from queue.procrastinate_jobs")
    assert await queue.reconcile_outbox(queue.queue_app()) >= 1
    assert await queue.reconcile_outbox(queue.queue_app()) == 0  # a live job now: nothing to do
    await drain()
    assert await _rows(app, "select id from store.outbox where handled_at is null") == []


def test_the_queue_schema_is_the_installed_procrastinate_schema() -> None:
    """Migration 0006 carries procrastinate's schema.sql verbatim: a procrastinate upgrade that changes it
    fails here until its delta migrations are added as a new store migration."""
    import procrastinate

    shipped = (Path(procrastinate.__file__).parent / "sql" / "schema.sql").read_text()
    migration = (PROJECT_ROOT / "tools/store/migrations/0006_task_queue.sql").read_text()
    inner = migration.split("-- >>> procrastinate sql/schema.sql\n", 1)[1].split("-- <<< procrastinate", 1)[0]
    assert inner.strip() == shipped.strip(), "procrastinate's schema changed: add its delta as a migration"


async def test_events_are_enqueued_as_procrastinates_deferrer_enqueues_them(
    seeded: str, app: Switchboard
) -> None:
    """`enqueue_events` calls procrastinate's defer function itself (no procrastinate import on the way
    of a turn): its jobs are the jobs the task's own deferrer makes, and each outbox row points at its."""
    from switchboard.tools.outbox import publish

    thread_id = f"enqueue-{os.getpid()}"
    done = {"action": "cancel_order", "status": "done", "args": {"order_id": "ORD-1"}, "detail": ""}
    state = {"turn": 7, "domains": ["orders"], "domain_results": [{"actions": [done]}], "answer": "ok"}
    # Rolled back at the end: nothing of this stays for the worker (or the other tests) to find.
    async with app.pool.connection() as conn, conn.transaction(force_rollback=True):
        ids = await publish(conn, thread_id, "CUST-0001", state)
        cur = await conn.execute(
            "select o.id, o.job_id, j.queue_name, j.task_name, j.priority, j.lock, j.queueing_lock, j.args,"
            " j.scheduled_at, j.status, j.attempts from store.outbox o join queue.procrastinate_jobs j"
            " on j.id = o.job_id where o.thread_id = %s order by o.id",
            (thread_id,),
        )
        ours = list(await cur.fetchall())
        await queue.set_search_path(conn)
        deferrer = queue.queue_app().configure_task(queue.HANDLE_EVENT, connection=conn)
        reference = await deferrer.batch_defer_async(*({"event_id": int(i)} for i in ids))
        cur = await conn.execute(
            "select queue_name, task_name, priority, lock, queueing_lock, args, scheduled_at, status, attempts"
            " from queue.procrastinate_jobs where id = any(%s) order by id",
            (reference,),
        )
        theirs = list(await cur.fetchall())
    assert len(ids) == 2 and [r["id"] for r in ours] == ids
    assert [{k: v for k, v in r.items() if k not in ("id", "job_id")} for r in ours] == theirs
    assert [r["args"] for r in ours] == [{"event_id": i} for i in ids]
