"""The outbox worker: notifications from events, each event handled once, even with two workers."""

from __future__ import annotations

import asyncio
from pathlib import Path

from switchboard.api import Switchboard
from switchboard.tools.approvals import Identity
from switchboard.tools.worker import process_once
from tests.cli import ok_json, run_switchboard


async def _rows(app: Switchboard, query: str, *params: object) -> list[dict[str, object]]:
    async with app.pool.connection() as conn:
        cur = await conn.execute(query, params)
        return list(await cur.fetchall())


async def test_an_approved_refund_becomes_one_notification(
    fresh_store: str, app: Switchboard, scenarios
) -> None:  # type: ignore[no-untyped-def]
    s = scenarios["duplicate_charge"]
    customer = str(s["customer_id"])
    paused = await app.ask("I was charged twice, please refund me", customer_id=customer)
    done = await app.decide(paused.thread_id, actor=Identity("staff", "alice"), decision="approve")
    assert done.status == "done"
    topics = [
        r["topic"]
        for r in await _rows(
            app, "select topic from store.outbox where thread_id = %s order by id", paused.thread_id
        )
    ]
    assert "action.issue_refund" in topics and "turn.completed" in topics

    first = await process_once()
    assert first["handled"] >= 2 and first["notifications"] >= 1
    [note] = await _rows(
        app,
        "select n.to_address, n.subject, n.body, c.email from store.notifications n"
        " join store.customers c on c.id = n.customer_id where n.customer_id = %s",
        customer,
    )
    assert note["to_address"] == note["email"]
    assert "129.90 EUR" in str(note["subject"]) and str(s["order_id"]) in str(note["body"])
    assert await process_once() == {"handled": 0, "notifications": 0}  # nothing is handled twice
    assert await _rows(app, "select id from store.outbox where handled_at is null") == []


async def test_two_workers_never_handle_an_event_twice(fresh_store: str, app: Switchboard, scenarios) -> None:  # type: ignore[no-untyped-def]
    customer = str(scenarios["locked_login"]["customer_id"])
    for _ in range(6):  # each turn sends a reset link: an action event and a turn event
        await app.ask("my account is locked, I can't log in", customer_id=customer)
    pending = await _rows(app, "select count(*) as n from store.outbox where handled_at is null")
    a, b = await asyncio.gather(process_once(batch=50), process_once(batch=50))
    assert a["handled"] + b["handled"] == pending[0]["n"]
    notes = await _rows(app, "select event_id from store.notifications where customer_id = %s", customer)
    assert len(notes) == len({n["event_id"] for n in notes}) >= 1


async def test_worker_and_outbox_commands(seeded: str, app: Switchboard, scenarios, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    await app.ask("what are your opening hours?", customer_id=str(scenarios["happy_customer"]["customer_id"]))
    pending = ok_json(run_switchboard(["outbox", "--json"], tmp_path))
    assert any(e["topic"] == "turn.completed" for e in pending)
    counts = ok_json(run_switchboard(["worker", "--once", "--json"], tmp_path))
    assert counts["handled"] >= 1
    assert ok_json(run_switchboard(["outbox", "--json"], tmp_path)) == []
