"""Retention: pruned threads resume and continue exactly as unpruned ones do (paused approvals, subgraph
state, forks); turn records outlive the checkpoints; thread deletion and customer erasure, audited."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from switchboard.api import Switchboard
from switchboard.config.database import connect
from switchboard.config.settings import get_settings
from switchboard.tools import queue, retention
from switchboard.tools.approvals import Identity
from switchboard.tools.queue import run_worker
from tests.cli import ok_json, one_error_line, run_switchboard
from tests.conftest import _prepare

ALICE = Identity("staff", "alice")


@pytest.fixture
def keep_nothing_old(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """RETENTION_CHECKPOINT_DAYS=0: every intermediate checkpoint is old enough to go."""
    monkeypatch.setenv("RETENTION_CHECKPOINT_DAYS", "0")
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


@pytest.fixture
def reseeded_after(fresh_store: str) -> Iterator[str]:
    """A fresh store, and a fresh one again afterwards: an erased customer must not leak into other tests."""
    yield fresh_store
    _prepare(fresh=True)


def _sql(query: str, *params: object) -> list[dict[str, Any]]:
    with connect() as conn:
        return list(conn.execute(query, params).fetchall())


def _rows_of(thread_id: str) -> dict[str, int]:
    return {
        table: _sql(f"select count(*) as n from {table} where thread_id = %s", thread_id)[0]["n"]
        for table in ("checkpoints", "checkpoint_blobs", "checkpoint_writes")
    }


def _same(text: str) -> str:
    """Ids that differ between two otherwise identical runs (approval ids)."""
    return re.sub(r"APR-[0-9a-f]{16}", "APR-…", text)


async def _snapshot(app: Switchboard, thread_id: str) -> dict[str, Any]:
    """What a resume or a next turn reads: the latest state of every namespace, pending tasks, interrupts."""
    state = await app.graph.aget_state({"configurable": {"thread_id": thread_id}}, subgraphs=True)
    values = {k: v for k, v in state.values.items() if k != "started_at"}
    return {
        "values": values,
        "next": state.next,
        "interrupts": [(i.id, i.value) for i in state.interrupts],
        "tasks": [
            (t.name, t.interrupts and [i.id for i in t.interrupts], getattr(t.state, "values", None))
            for t in state.tasks
        ],
    }


# What the run did to the store: the refund it issued and the address it changed.
STORE_EFFECTS = (
    "select r.id, r.amount, r.status, o.shipping_address from store.refunds r join store.orders o"
    " on o.id = r.order_id where r.id like 'RF-9%%' order by r.id"
)
TWO_THINGS = (
    "I was charged twice, please refund it, and please deliver my order to 12 Baker Street, 10115 Berlin"
)


async def _play(app: Switchboard, scenarios: dict[str, Any], thread: str, prune: bool) -> list[str]:
    """A thread with subgraph state, two approvals waiting in two domains at once, a resume of one then
    the other, a follow-up, a fork and a turn after it.

    With `prune`, the thread is pruned at the moments that are hardest to get right: while both approvals
    wait (each interrupt lives in its domain's subgraph namespace and the pending writes), after one of
    them is resumed (one branch finished, one still paused), and right after a fork (the latest
    checkpoint is on a branch). Returns what each step said.
    """
    s = scenarios["duplicate_charge"]  # open order: its address can still change (the customer confirms)
    customer = str(s["customer_id"])
    said: list[str] = []

    def note(result: Any) -> None:
        said.append(_same(f"{result.status}|{result.domains}|{result.answer}|{result.path}"))

    async def pruned_here() -> None:
        if not prune:
            return
        before = await _snapshot(app, thread)
        counted = await retention.prune(dry_run=True)
        assert thread in counted.pruned and counted.checkpoints > 0
        assert _rows_of(thread)["checkpoints"] > 2  # a dry run removes nothing
        report = await retention.prune()
        assert thread in report.pruned and report.checkpoints == counted.checkpoints
        assert await _snapshot(app, thread) == before  # a resume reads exactly what it read before
        assert (await retention.prune()).checkpoints == 0  # nothing more to prune

    def waiting(result: Any, action: str) -> str:
        [found] = [i["id"] for i in result.interrupts if i["value"]["action"] == action]
        return str(found)

    note(await app.ask(f"where is my order {s['order_id']}?", customer_id=customer, thread_id=thread))
    paused = await app.ask(TWO_THINGS, customer_id=customer, thread_id=thread)
    assert paused.status == "paused" and len(paused.interrupts) == 2
    note(paused)
    await pruned_here()
    half = await app.decide(
        thread, actor=ALICE, decision="approve", interrupt_id=waiting(paused, "issue_refund")
    )
    assert half.status == "paused" and len(half.interrupts) == 1
    note(half)
    await pruned_here()
    note(
        await app.decide(
            thread,
            actor=Identity("customer", customer),
            decision="approve",
            interrupt_id=waiting(half, "change_delivery_address"),
        )
    )
    note(await app.ask("and the invoice for it?", customer_id=customer, thread_id=thread))
    # A fork: back to the latest turn's start, routed to billing alone (as notebook 02 does).
    config = {"configurable": {"thread_id": thread}}
    history = [h async for h in app.graph.aget_state_history(config)]
    after_intake = next(h for h in history if h.next == ("route",))
    route = dict(after_intake.values.get("route") or {})
    route.update(domains=["billing"], domain_requests={"billing": "the invoice for my order"})
    fork = await app.graph.aupdate_state(
        after_intake.config, {"route": route, "domains": ["billing"]}, as_node="route"
    )
    await app.graph.ainvoke(None, {**fork, "metadata": {"customer_id": customer}}, context=None)
    note(await app.result(thread))
    await pruned_here()
    note(await app.ask(f"when will order {s['order_id']} arrive?", customer_id=customer, thread_id=thread))
    return said


async def test_a_pruned_thread_resumes_and_continues_exactly_as_before(
    fresh_store: str, app: Switchboard, scenarios, keep_nothing_old: None
) -> None:  # type: ignore[no-untyped-def]
    control = await _play(app, scenarios, "retention-control", prune=False)
    control_store = _sql(STORE_EFFECTS)
    full = _rows_of("retention-control")  # before the pruned run's prunes, which prune every thread
    _prepare(fresh=True)  # the same store again, for the same run on a thread that is pruned
    pruned = await _play(app, scenarios, "retention-pruned", prune=True)
    assert pruned == control
    assert _sql(STORE_EFFECTS) == control_store
    assert control_store and "Baker Street" in control_store[0]["shipping_address"]
    # What the pruned thread keeps: one checkpoint per namespace that is still needed, far fewer rows.
    kept = _rows_of("retention-pruned")
    assert (
        kept["checkpoints"] < full["checkpoints"] / 2 and kept["checkpoint_blobs"] < full["checkpoint_blobs"]
    )
    # The turn records are complete however little the checkpoints keep.
    turns = await app.turns("retention-pruned")
    assert [t["turn"] for t in turns] == sorted({t["turn"] for t in turns}) and len(turns) >= 4
    refund = next(
        t for t in turns if any(a["action"] == "issue_refund" for d in t["domains"] for a in d["actions"])
    )
    actions = {a["action"]: a for d in refund["domains"] for a in d["actions"]}
    deciders = {
        "issue_refund": "alice",
        "change_delivery_address": str(scenarios["duplicate_charge"]["customer_id"]),
    }
    for name, decided_by in deciders.items():
        assert actions[name]["verdict"] == "done" and actions[name]["approval"]["decided_by"] == decided_by
    assert refund["route"]["domains"] == ["billing", "shipping"]
    assert all(d["specialists"] and d["tools"] for d in refund["domains"])
    assert refund["usage"] is not None and refund["started_at"] is not None and refund["duration_ms"] > 0


async def test_young_checkpoints_are_kept_and_dry_run_changes_nothing(
    seeded: str, app: Switchboard, scenarios, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    customer = str(scenarios["happy_customer"]["customer_id"])
    result = await app.ask("what are your opening hours?", customer_id=customer)
    await app.ask("and your phone number?", customer_id=customer, thread_id=result.thread_id)
    before = _rows_of(result.thread_id)
    report = ok_json(run_switchboard(["threads", "prune", "--dry-run", "--json"], tmp_path))
    assert report["dry_run"] is True and result.thread_id not in report["pruned"]  # younger than 30 days
    assert _rows_of(result.thread_id) == before
    assert "--dry-run" in one_error_line(run_switchboard(["threads", "prune"], tmp_path))


async def test_idle_threads_go_but_not_while_an_approval_waits(
    fresh_store: str, app: Switchboard, scenarios, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("RETENTION_IDLE_THREAD_DAYS", "1")
    get_settings.cache_clear()
    customer = str(scenarios["happy_customer"]["customer_id"])
    idle = await app.ask("what are your opening hours?", customer_id=customer)
    waiting = await app.ask(
        "I was charged twice, please refund me", customer_id=str(scenarios["duplicate_charge"]["customer_id"])
    )
    assert waiting.status == "paused"
    from datetime import UTC, datetime, timedelta

    report = await retention.prune(now=datetime.now(UTC) + timedelta(days=2))
    get_settings.cache_clear()
    assert idle.thread_id in report.deleted and waiting.thread_id not in report.deleted
    assert _rows_of(idle.thread_id)["checkpoints"] == 0
    assert _rows_of(waiting.thread_id)["checkpoints"] > 0
    [audit] = _sql("select kind, reason, counts from store.erasures where subject = %s", idle.thread_id)
    assert audit["kind"] == "idle_thread" and audit["counts"]["checkpoints"] > 0
    # What the idle thread did is still told, from its turn record.
    [turn] = await app.turns(idle.thread_id)
    assert turn["answer"] == idle.answer and turn["route"]["domains"] == idle.domains


async def test_threads_delete(seeded: str, app: Switchboard, scenarios, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    customer = str(scenarios["happy_customer"]["customer_id"])
    result = await app.ask("what are your opening hours?", customer_id=customer)
    refused = one_error_line(run_switchboard(["threads", "delete", result.thread_id], tmp_path))
    assert "--yes" in refused and _rows_of(result.thread_id)["checkpoints"] > 0
    deleted = ok_json(run_switchboard(["threads", "delete", result.thread_id, "--yes", "--json"], tmp_path))
    assert deleted["checkpoints"] > 0 and deleted["turns"] == 1 and deleted["audit_id"]
    assert _rows_of(result.thread_id) == {"checkpoints": 0, "checkpoint_blobs": 0, "checkpoint_writes": 0}
    assert _sql("select 1 from store.turns where thread_id = %s", result.thread_id) == []
    assert "does not exist" in one_error_line(
        run_switchboard(["threads", "delete", result.thread_id, "--yes"], tmp_path)
    )


def _everywhere(text: str) -> list[str]:
    """Tables (checkpoints, store, queue) in which `text` still appears, in any column (bytea included:
    the saver's msgpack keeps strings as UTF-8)."""
    found = []
    with connect() as conn:
        columns = conn.execute(
            "select c.table_schema, c.table_name, c.column_name, c.data_type from information_schema.columns c"
            " join information_schema.tables t using (table_schema, table_name)"
            " where c.table_schema in ('public', 'store', 'queue') and t.table_type = 'BASE TABLE'"
        ).fetchall()
        for col in columns:
            table = f'"{col["table_schema"]}"."{col["table_name"]}"'
            column = f'"{col["column_name"]}"'
            if col["data_type"] == "bytea":
                test = f"position(convert_to(%s, 'UTF8') in {column}) > 0"
            else:
                test = f"position(%s in {column}::text) > 0"
            if (
                conn.execute(f"select 1 from {table} where {test} limit 1", (text,)).fetchone()
                and table not in found
            ):
                found.append(table)
    return found


async def test_closing_an_account_erases_the_customer_everywhere(
    reseeded_after: str, app: Switchboard, scenarios, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("ERASE_CLOSED_AFTER_HOURS", "0")
    get_settings.cache_clear()
    queue._apps.clear()
    [quiet] = _sql(
        "select c.id, c.name, c.email from store.customers c where c.status = 'active' and not exists"
        " (select 1 from store.orders o where o.customer_id = c.id and o.status in"
        " ('placed', 'paid', 'processing', 'shipped')) and not exists (select 1 from store.scenarios s"
        " where s.customer_id = c.id) order by c.id limit 1"
    )
    customer = quiet["id"]
    first = await app.ask("what are your opening hours?", customer_id=customer)
    paused = await app.ask("please close my account", customer_id=customer)
    assert paused.status == "paused"
    done = await app.decide(paused.thread_id, actor=Identity("customer", customer), decision="approve")
    assert done.status == "done"
    assert _everywhere(quiet["email"])  # the notice is about to go to it
    await run_worker(once=True, install_signal_handlers=False)  # the notice, then the erasure it schedules
    get_settings.cache_clear()
    queue._apps.clear()

    [audit] = _sql(
        "select kind, reason, requested_by, counts, threads from store.erasures where subject = %s", customer
    )
    assert (audit["kind"], audit["reason"], audit["requested_by"]) == ("customer", "account closed", "worker")
    assert {first.thread_id, paused.thread_id} <= set(audit["threads"])
    for thread in audit["threads"]:
        assert _rows_of(thread) == {"checkpoints": 0, "checkpoint_blobs": 0, "checkpoint_writes": 0}
    assert _everywhere(quiet["email"]) == [] and _everywhere(quiet["name"]) == []
    turns = _sql("select request, answer, erased_at from store.turns where customer_id = %s", customer)
    assert len(turns) >= 2 and all(t["request"] == "[erased]" and t["erased_at"] for t in turns)
    notes = _sql("select subject from store.notifications where customer_id = %s", customer)
    assert notes and all(n["subject"] == "[erased]" for n in notes)
    # The ledger still says the account was closed, once, by the customer's confirmation.
    [ledger] = _sql("select action, status from store.side_effects where customer_id = %s", customer)
    assert (ledger["action"], ledger["status"]) == ("close_account", "done")


async def test_customers_erase_on_request(
    reseeded_after: str, app: Switchboard, scenarios, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    s = scenarios["duplicate_charge"]
    customer = str(s["customer_id"])
    [person] = _sql("select name, email from store.customers where id = %s", customer)
    paused = await app.ask("I was charged twice, please refund me", customer_id=customer)
    assert "--yes" in one_error_line(run_switchboard(["customers", "erase", customer], tmp_path))
    assert "does not exist" in one_error_line(
        run_switchboard(["customers", "erase", "CUST-99999", "--yes"], tmp_path)
    )
    erased = ok_json(run_switchboard(["customers", "erase", customer, "--yes", "--json"], tmp_path))
    assert paused.thread_id in erased["threads"] and erased["counts"]["checkpoints"] > 0
    assert erased["counts"]["approvals"] >= 1
    assert _everywhere(person["email"]) == [] and _everywhere(person["name"]) == []
    [approval] = _sql("select status, args from store.approvals where thread_id = %s", paused.thread_id)
    assert approval["status"] == "superseded" and approval["args"] == {}
    [audit] = _sql("select requested_by, reason from store.erasures where subject = %s", customer)
    assert (audit["requested_by"], audit["reason"]) == ("cli", "on request")
