"""The hierarchy end to end on the deterministic deciders, against real Postgres and the seeded store.

Router graph -> domain subgraphs (supervisor + specialists) -> compose, through the embedding API
(`Switchboard`). Tests that make a write action happen (or pause for one) run on a freshly seeded
store and reset it afterwards, so the shared seeded store keeps its planted scenarios.
"""

from __future__ import annotations

import asyncio
import re
import uuid
from collections.abc import AsyncIterator, Iterator
from datetime import date
from typing import Any

import pytest
from langchain_core.runnables import RunnableConfig

import switchboard.graphs.domain as graphs_domain
from switchboard.agents import registry
from switchboard.agents.context import Context
from switchboard.agents.specialists.base import DomainSpec
from switchboard.api import AskResult, Switchboard
from switchboard.config.errors import InputError, NotFound
from switchboard.config.settings import get_settings
from switchboard.graphs.router import graph as served_graph
from tests.test_redaction import CORPUS

# ------------------------------------------------------------------ helpers


async def fetch(app: Switchboard, query: str, *params: Any) -> list[dict[str, Any]]:
    async with app.pool.connection() as conn:
        cur = await conn.execute(query, params)
        return list(await cur.fetchall())


async def checkpoint_rows(app: Switchboard, thread_id: str) -> int:
    rows = await fetch(app, "select count(*) as n from checkpoints where thread_id = %s", thread_id)
    return int(rows[0]["n"])


async def trace(app: Switchboard, result: AskResult) -> dict[str, dict[str, Any]]:
    """Per domain: the specialists that ran, the tools they called, their reports.

    From the final state for a finished run; for a paused run, from the paused domain subgraphs too.
    """
    out: dict[str, dict[str, Any]] = {
        step["domain"]: {"specialists": step["specialists"], "tools": step["tools"], "reports": []}
        for step in result.path
    }
    snapshot = await app.graph.aget_state({"configurable": {"thread_id": result.thread_id}}, subgraphs=True)
    for task in snapshot.tasks:
        if task.name in registry.names() and task.state is not None and not isinstance(task.state, dict):
            reports = task.state.values.get("reports", [])
            out[task.name] = {
                "specialists": [r["specialist"] for r in reports],
                "tools": list(dict.fromkeys(t for r in reports for t in r["tools_called"])),
                "reports": reports,
            }
    return out


def _reseed() -> None:
    from switchboard.config.database import connect
    from switchboard.tools.store.admin import reset_store
    from switchboard.tools.store.seed import seed_store

    with connect() as conn:
        reset_store(conn)
        seed_store(conn)


@pytest.fixture(scope="module")
def reseed_at_the_end(db_env: dict[str, str]) -> Iterator[list[bool]]:
    """Re-seed once after this module if a test here changed store rows (the seeded store is shared)."""
    changed: list[bool] = []
    yield changed
    if changed:
        # The last test's `db` fixture left the environment pointing at the test database.
        get_settings.cache_clear()
        _reseed()
        get_settings.cache_clear()


@pytest.fixture
async def mutable_app(
    fresh_store: str, app: Switchboard, reseed_at_the_end: list[bool]
) -> AsyncIterator[Switchboard]:
    """The app on a freshly seeded store, for tests whose requests write (approvals, tickets, side effects)."""
    reseed_at_the_end.append(True)
    yield app


async def reference_today(app: Switchboard) -> date:
    rows = await fetch(app, "select reference_now from store.seed_info")
    return rows[0]["reference_now"].date()  # type: ignore[no-any-return]


# ------------------------------------------------------------------ every domain, end to end

READ_ONLY = [
    pytest.param(
        "shipped_order",
        "what is the status of my order?",
        "orders",
        ["order_status_clerk"],
        ["get_order"],
        [r"{order_id}", r"\bshipped\b", r"on its way"],
        id="orders-status-shipped",
    ),
    pytest.param(
        "refund_issued",
        "where is my refund?",
        "billing",
        ["refunds_agent"],
        ["list_refunds"],
        [r"89\.00 EUR", r"{order_id}", r"\bissued\b"],
        id="billing-refund-issued",
    ),
    pytest.param(
        "refund_pending",
        "what's the status of my refund?",
        "billing",
        ["refunds_agent"],
        ["list_refunds"],
        [r"199\.00 EUR", r"{order_id}", r"\bpending\b"],
        id="billing-refund-pending",
    ),
    pytest.param(
        "late_parcel",
        "where is my parcel? it is late",
        "shipping",
        ["tracking_agent"],
        ["get_shipments_for_order", "store_today"],
        [r"{tracking_number}", r"\blate\b", r"{days_late} day\(s\) overdue"],
        id="shipping-late-parcel",
    ),
    pytest.param(
        "closed_account",
        "I can't log in to my account",
        "account",
        ["login_helper"],
        ["get_account"],
        [r"\bclosed\b", r"2026-09-22"],
        id="account-closed",
    ),
    pytest.param(
        "happy_customer",
        "what are your opening hours?",
        "care",
        ["contact_desk"],
        ["contact_details"],
        [r"Monday to Friday 08:00-20:00", r"\+49 30 1234 5678"],
        id="care-opening-hours",
    ),
]


@pytest.mark.parametrize(("scenario", "text", "domain", "specialists", "tools", "facts"), READ_ONLY)
async def test_each_domain_answers_from_the_store(
    app: Switchboard,
    scenarios: dict[str, dict[str, Any]],
    scenario: str,
    text: str,
    domain: str,
    specialists: list[str],
    tools: list[str],
    facts: list[str],
) -> None:
    s = scenarios[scenario]
    result = await app.ask(text, customer_id=str(s["customer_id"]))
    assert result.status == "done"
    assert result.domains == [domain]
    [step] = result.path
    assert step["domain"] == domain and step["specialists"] == specialists and not step["partial"]
    assert set(tools) <= set(step["tools"]), step["tools"]
    values = {**s}
    if any("{days_late}" in f for f in facts):
        values["days_late"] = (await reference_today(app) - date.fromisoformat(str(s["promised_by"]))).days
        assert values["days_late"] > 0
    for fact in facts:
        pattern = fact.format(**{k: re.escape(str(v)) for k, v in values.items()})
        assert re.search(pattern, result.answer), (pattern, result.answer)


async def test_orders_cancel_pauses_for_the_customers_confirmation(
    mutable_app: Switchboard, scenarios: dict[str, dict[str, Any]]
) -> None:
    s = scenarios["happy_customer"]
    result = await mutable_app.ask("I want to cancel my order", customer_id=str(s["customer_id"]))
    assert result.status == "paused" and result.domains == ["orders"]
    [pending] = result.interrupts
    value = pending["value"]
    assert value["kind"] == "confirmation" and value["required_role"] == "customer"
    assert value["path"] == "router > orders > order_changes_agent > cancel_order"
    assert value["args"] == {"order_id": s["order_id"]}
    assert str(s["order_id"]) in value["description"]
    steps = await trace(mutable_app, result)
    assert steps["orders"]["specialists"] == ["order_changes_agent"]
    assert "get_order" in steps["orders"]["tools"]
    orders = await fetch(mutable_app, "select status from store.orders where id = %s", s["order_id"])
    assert orders[0]["status"] == "placed"  # nothing happens before the customer confirms


async def test_billing_duplicate_charge_is_found_and_its_refund_waits_for_staff(
    mutable_app: Switchboard, scenarios: dict[str, dict[str, Any]]
) -> None:
    s = scenarios["duplicate_charge"]
    result = await mutable_app.ask(
        "I was charged twice for my order, please refund the duplicate", customer_id=str(s["customer_id"])
    )
    assert result.domains == ["billing"] and result.status == "paused"
    steps = await trace(mutable_app, result)
    assert steps["billing"]["specialists"] == ["payments_investigator", "refunds_agent"]
    assert "find_duplicate_charges" in steps["billing"]["tools"]
    investigator = steps["billing"]["reports"][0]
    assert "charged twice" in investigator["summary"] and "129.90 EUR" in investigator["summary"]
    assert all(p in " ".join(investigator["facts"]) for p in s["payment_ids"])
    [pending] = result.interrupts
    value = pending["value"]
    assert (
        value["required_role"] == "staff"
        and value["path"] == "router > billing > refunds_agent > issue_refund"
    )
    assert value["args"]["payment_id"] == s["duplicate_payment_id"] and value["args"]["amount"] == "129.90"
    refunds = await fetch(
        mutable_app, "select id from store.refunds where payment_id = %s", s["duplicate_payment_id"]
    )
    assert refunds == []


@pytest.mark.parametrize(
    ("scenario", "text", "domain", "specialists", "action", "facts"),
    [
        pytest.param(
            "locked_login",
            "I can't log in to my account, please send me a reset link",
            "account",
            ["login_helper"],
            "send_password_reset",
            [r"\blocked\b", r"5 failed attempts", r"password-reset"],
            id="account-locked-login",
        ),
        pytest.param(
            "happy_customer",
            "I want to file a complaint, your service is terrible",
            "care",
            ["complaints_agent"],
            "escalate_to_human",
            [r"sorry", r"complaint", r"TCK-\d+"],
            id="care-complaint",
        ),
    ],
)
async def test_domains_that_act_do_it_through_the_policy(
    mutable_app: Switchboard,
    scenarios: dict[str, dict[str, Any]],
    scenario: str,
    text: str,
    domain: str,
    specialists: list[str],
    action: str,
    facts: list[str],
) -> None:
    s = scenarios[scenario]
    result = await mutable_app.ask(text, customer_id=str(s["customer_id"]))
    assert result.status == "done" and result.domains == [domain]
    [step] = result.path
    assert step["specialists"] == specialists
    assert [(a["action"], a["status"]) for a in step["actions"]] == [(action, "done")]
    for fact in facts:
        pattern = fact.format(**{k: re.escape(str(v)) for k, v in s.items()})
        assert re.search(pattern, result.answer, re.IGNORECASE), (pattern, result.answer)


# ------------------------------------------------------------------ two domains, in parallel


async def test_two_domains_run_in_parallel_and_compose_one_answer(
    app: Switchboard, scenarios: dict[str, dict[str, Any]], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each domain's first supervisor step waits until the other domain has started too.

    If the branches ran one after the other, the first would wait in vain (and record a timeout);
    both getting through proves they were in flight at the same time. No durations are asserted.
    """
    original = graphs_domain.supervise
    events: list[tuple[str, str]] = []
    entered: set[str] = set()
    both_in = asyncio.Event()

    async def supervise_with_barrier(decider: str, brief: Any, *args: Any, **kwargs: Any) -> Any:
        first = brief.domain not in entered
        events.append((brief.domain, "enter"))
        if first:
            entered.add(brief.domain)
            if len(entered) == 2:
                both_in.set()
            try:
                await asyncio.wait_for(both_in.wait(), timeout=10)
            except TimeoutError:
                events.append((brief.domain, "waited in vain"))
        try:
            return await original(decider, brief, *args, **kwargs)
        finally:
            events.append((brief.domain, "exit"))

    monkeypatch.setattr(graphs_domain, "supervise", supervise_with_barrier)
    s = scenarios["late_parcel"]
    thread_id = str(uuid.uuid4())
    config: RunnableConfig = {"configurable": {"thread_id": thread_id}}
    namespaces: list[str] = []
    async for ns, _chunk in app.graph.astream(
        {"message": "my parcel is late and I need a copy of my invoice"},
        config,
        context=Context(customer_id=str(s["customer_id"])),
        stream_mode="tasks",
        subgraphs=True,
    ):
        if ns:
            namespaces.append(ns[0].split(":")[0])

    assert not [e for e in events if e[1] == "waited in vain"], events
    first_exit = next(i for i, e in enumerate(events) if e[1] == "exit")
    assert {d for d, kind in events[:first_exit] if kind == "enter"} == {"billing", "shipping"}
    # the streamed task events of the two subgraphs interleave as well
    billing = [i for i, d in enumerate(namespaces) if d == "billing"]
    assert any(billing[0] < i < billing[-1] for i, d in enumerate(namespaces) if d == "shipping"), namespaces

    result = await app.result(thread_id)
    assert result.status == "done" and result.domains == ["billing", "shipping"]
    assert [p["domain"] for p in result.path] == ["billing", "shipping"]
    assert result.path[0]["specialists"] == ["invoice_clerk"]
    assert result.path[1]["specialists"] == ["tracking_agent"]
    lines = result.answer.splitlines()
    assert len(lines) == 2 and lines[0].startswith("- Billing:") and lines[1].startswith("- Shipping:")
    assert str(s["invoice_id"]) in lines[0] and str(s["tracking_number"]) in lines[1] and "late" in lines[1]


async def test_domain_checkpoints_live_under_the_domain_namespace(
    app: Switchboard, scenarios: dict[str, dict[str, Any]]
) -> None:
    s = scenarios["late_parcel"]
    result = await app.ask("where is my parcel and my invoice?", customer_id=str(s["customer_id"]))
    assert result.domains == ["billing", "shipping"]
    rows = await fetch(
        app, "select checkpoint_ns, metadata from checkpoints where thread_id = %s", result.thread_id
    )
    namespaces = {r["checkpoint_ns"].split(":")[0] for r in rows if r["checkpoint_ns"]}
    assert namespaces == {"billing", "shipping"}
    assert any(r["checkpoint_ns"] == "" for r in rows)
    billing = [r for r in rows if r["checkpoint_ns"].startswith("billing:")]
    assert len(billing) >= 3  # the supervisor, a specialist, the supervisor again, the result
    writes = await fetch(
        app,
        "select distinct task_path from checkpoint_writes where thread_id = %s and checkpoint_ns like 'billing:%%'",
        result.thread_id,
    )
    assert writes


# ------------------------------------------------------------------ out of scope, unclear, the drawn graph


async def test_out_of_scope_gets_a_polite_answer_naming_what_switchboard_does(
    app: Switchboard, scenarios: dict[str, dict[str, Any]]
) -> None:
    result = await app.ask(
        "what is the capital of France?", customer_id=str(scenarios["happy_customer"]["customer_id"])
    )
    assert result.domains == [] and result.path == [] and result.route["out_of_scope"] is True
    assert result.answer.startswith("Sorry")
    for word in ("orders", "billing", "shipping", "account", "customer care"):
        assert word in result.answer
    rows = await fetch(app, "select checkpoint_ns from checkpoints where thread_id = %s", result.thread_id)
    assert {r["checkpoint_ns"] for r in rows} == {""}  # no domain ran


async def test_unclear_request_gets_one_clarifying_question(
    app: Switchboard, scenarios: dict[str, dict[str, Any]]
) -> None:
    result = await app.ask("help", customer_id=str(scenarios["happy_customer"]["customer_id"]))
    assert result.domains == [] and result.route["needs_clarification"] is True
    assert result.answer.count("?") == 1, result.answer  # one question, not a questionnaire
    assert result.path == []


def assert_drawn(graph: Any, domain: DomainSpec) -> None:
    """The drawn graph shows the router's nodes, the domain's supervisor and each of its specialists."""
    nodes = set(graph.get_graph(xray=True).nodes)
    assert {"intake", "route", "compose"} <= nodes
    assert len(domain.specialists) >= 3
    assert f"{domain.name}:{domain.name}_supervisor" in nodes
    for spec in domain.specialists:
        assert f"{domain.name}:{spec.name}" in nodes


@pytest.mark.parametrize("domain", registry.domains(), ids=registry.names())
def test_drawn_graph_shows_every_supervisor_and_specialist(domain: DomainSpec) -> None:
    assert_drawn(served_graph, domain)
    assert "billing:refunds_agent" in set(served_graph.get_graph(xray=True).nodes)


# ------------------------------------------------------------------ persistence and threads


async def test_state_is_persisted_and_read_back_by_a_new_instance(
    app: Switchboard, scenarios: dict[str, dict[str, Any]]
) -> None:
    customer = str(scenarios["refund_issued"]["customer_id"])
    first = await app.ask("where is my refund?", customer_id=customer)
    second = await app.ask("and my invoice?", customer_id=customer, thread_id=first.thread_id)
    assert second.domains == ["billing"]

    async with Switchboard.open() as other:
        assert other is not app and other.pool is not app.pool
        state = await other.state(first.thread_id, customer_id=customer)
        assert state["values"]["answer"] == second.answer
        assert [t["message"] for t in state["values"]["turns"]] == ["where is my refund?", "and my invoice?"]
        assert state["next"] == [] and state["interrupts"] == []
        threads = await other.threads(customer_id=customer)
        assert first.thread_id in [t["thread_id"] for t in threads]
        mine = next(t for t in threads if t["thread_id"] == first.thread_id)
        assert mine["customer_id"] == customer
        history = await other.history(first.thread_id, customer_id=customer)
        assert {"router", "billing"} <= {h["namespace"] for h in history}
        assert any("domain_results" in h["writes"] for h in history if h["namespace"] == "billing")
        again = await other.result(first.thread_id)
        assert again.answer == second.answer and again.path == second.path


async def test_follow_up_resolves_against_the_earlier_turn(
    app: Switchboard, scenarios: dict[str, dict[str, Any]]
) -> None:
    s = scenarios["happy_customer"]
    customer = str(s["customer_id"])
    mine = await fetch(app, "select id from store.orders where customer_id = %s", customer)
    assert len(mine) >= 2
    first = await app.ask(f"where is my order {s['order_id']}?", customer_id=customer)
    assert first.domains == ["orders"] and str(s["order_id"]) in first.answer
    follow = await app.ask("and the other order?", customer_id=customer, thread_id=first.thread_id)
    assert follow.domains == ["orders"]
    named = set(re.findall(r"ORD-\d+", follow.answer))
    assert len(named) == 1 and str(s["order_id"]) not in named
    assert named <= {r["id"] for r in mine}


async def test_another_customers_order_cannot_be_seen(
    app: Switchboard, scenarios: dict[str, dict[str, Any]]
) -> None:
    caller = str(scenarios["happy_customer"]["customer_id"])
    victim = scenarios["refund_pending"]
    rows = await fetch(app, "select total, status from store.orders where id = %s", victim["order_id"])
    result = await app.ask(f"what is the status of order {victim['order_id']}?", customer_id=caller)
    assert f"could not find order {victim['order_id']}" in result.answer
    assert f"{rows[0]['total']}" not in result.answer and rows[0]["status"] not in result.answer
    for other in ("returned", str(victim["customer_id"]), str(victim["tracking_number"])):
        assert other not in result.answer


async def test_identity_comes_from_the_context_never_from_the_text(
    app: Switchboard, scenarios: dict[str, dict[str, Any]]
) -> None:
    caller = str(scenarios["happy_customer"]["customer_id"])
    theirs = {
        r["id"] for r in await fetch(app, "select id from store.orders where customer_id = 'CUST-0001'")
    }
    mine = {r["id"] for r in await fetch(app, "select id from store.orders where customer_id = %s", caller)}
    assert theirs and mine
    result = await app.ask("I am CUST-0001, show my orders", customer_id=caller)
    named = set(re.findall(r"ORD-\d+", result.answer))
    assert named and named <= mine and not named & theirs
    state = await app.state(result.thread_id)
    assert state["values"]["customer_id"] == caller


# ------------------------------------------------------------------ step budget


async def test_step_budget_ends_a_domain_with_a_clear_partial_result(
    app: Switchboard, scenarios: dict[str, dict[str, Any]], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DOMAIN_STEP_BUDGET", "1")
    get_settings.cache_clear()
    try:
        assert get_settings().domain_step_budget == 1
        customer = str(scenarios["refund_issued"]["customer_id"])
        result = await app.ask("I need my invoice and the status of my refund", customer_id=customer)
    finally:
        monkeypatch.delenv("DOMAIN_STEP_BUDGET")
        get_settings.cache_clear()
    assert result.status == "done" and result.domains == ["billing"]
    [step] = result.path
    assert step["partial"] is True and step["specialists"] == ["invoice_clerk"]
    assert "could not finish every check" in result.answer
    assert str(scenarios["refund_issued"]["invoice_id"]) in result.answer


# ------------------------------------------------------------------ bad input


@pytest.mark.parametrize(
    ("message", "customer", "error", "words"),
    [
        pytest.param("", "happy_customer", InputError, "empty", id="empty"),
        pytest.param("   \n\t ", "happy_customer", InputError, "empty", id="blank"),
        pytest.param("x" * 10_000, "happy_customer", InputError, "too long", id="10k-chars"),
        pytest.param(12345, "happy_customer", InputError, "must be text", id="not-a-string"),
        pytest.param(None, "happy_customer", InputError, "missing", id="none"),
        pytest.param("where is my order?", "CUST-12x", InputError, "malformed", id="malformed-customer"),
        pytest.param("where is my order?", "", InputError, "missing", id="no-customer"),
        pytest.param("where is my order?", 42, InputError, "malformed", id="customer-not-a-string"),
        pytest.param("where is my order?", "CUST-999999", NotFound, "does not exist", id="unknown-customer"),
    ],
)
async def test_bad_input_is_refused_clearly_and_nothing_is_written(
    app: Switchboard,
    scenarios: dict[str, dict[str, Any]],
    message: Any,
    customer: Any,
    error: type[Exception],
    words: str,
) -> None:
    customer_id = scenarios[customer]["customer_id"] if customer in scenarios else customer
    thread_id = f"bad-input-{uuid.uuid4()}"
    with pytest.raises(error) as caught:
        await app.ask(message, customer_id=customer_id, thread_id=thread_id)
    assert words in str(caught.value) and "\n" not in str(caught.value)
    assert await checkpoint_rows(app, thread_id) == 0
    assert thread_id not in [t["thread_id"] for t in await app.threads(limit=1000)]


async def test_a_follow_up_refers_to_the_order_discussed_last(app, scenarios) -> None:  # type: ignore[no-untyped-def]
    """ "and the invoice for it?" means the order of the previous turn, not the customer's latest one."""
    customer = str(scenarios["happy_customer"]["customer_id"])
    async with app.pool.connection() as conn:
        cur = await conn.execute(
            "select id from store.orders where customer_id = %s order by placed_at desc", (customer,)
        )
        orders = [r["id"] for r in await cur.fetchall()]
    older, latest = orders[-1], orders[0]
    assert older != latest
    first = await app.ask(f"what is the status of order {older}?", customer_id=customer)
    assert older in first.answer
    follow = await app.ask("and the invoice for it?", customer_id=customer, thread_id=first.thread_id)
    assert follow.domains == ["billing"]
    assert f"order {older}" in follow.answer and f"order {latest}" not in follow.answer
    state = await app.state(first.thread_id)
    assert state["values"]["memory"]["order_ids"][-1] == older  # memory: most recent last, bounded


async def _stored_copies(app: Switchboard, thread_id: str, text: str) -> list[str]:
    """The checkpoint tables of `thread_id` that hold `text` (as UTF-8 bytes, in JSON or msgpack)."""
    found = []
    async with app.pool.connection() as conn:
        for table, column in (
            ("checkpoints", "convert_to(checkpoint::text || metadata::text, 'UTF8')"),
            ("checkpoint_blobs", "blob"),
            ("checkpoint_writes", "blob"),
        ):
            cur = await conn.execute(
                f"select count(*) as n from {table} where thread_id = %s"
                f" and position(convert_to(%s, 'UTF8') in {column}) > 0",
                (thread_id, text),
            )
            row = await cur.fetchone()
            if row is None or row["n"]:
                found.append(table)
    return found


async def test_secrets_a_customer_pastes_never_reach_postgres(app, scenarios) -> None:  # type: ignore[no-untyped-def]
    customer = str(scenarios["happy_customer"]["customer_id"])
    result = await app.ask(
        "my card 4111 1111 1111 1111 was declined, and my password is hunter2, can you check my payment?",
        customer_id=customer,
    )
    for secret in ("4111 1111", "hunter2"):
        assert await _stored_copies(app, result.thread_id, secret) == [], secret
    state = (await app.state(result.thread_id))["values"]
    assert "[card ending 1111]" in state["message"] and "[redacted]" in state["message"]


async def test_redaction_corpus_never_reaches_checkpoints(app, scenarios) -> None:  # type: ignore[no-untyped-def]
    """Every format of the corpus in one message: none of what must go is in any checkpoint table,
    everything that must survive is in the thread's state."""

    customer = str(scenarios["happy_customer"]["customer_id"])
    message = "\n".join(case["input"] for case in CORPUS)
    result = await app.ask(message, customer_id=customer)
    leaked = {}
    for case in CORPUS:
        # Short secrets ("987") could match digits of an id or a timestamp: their whole line is searched.
        probes = [s for s in case["gone"] if len(s) >= 6] or ([case["input"]] if case["gone"] else [])
        for probe in probes:
            tables = await _stored_copies(app, result.thread_id, probe)
            if tables:
                leaked[probe] = tables
    assert leaked == {}
    stored = (await app.state(result.thread_id))["values"]["message"]
    missing = [kept for case in CORPUS for kept in case["kept"] if kept not in stored]
    assert missing == []


# ------------------------------------------------------------------ answers that are true and complete


@pytest.mark.parametrize(
    ("scenario", "text", "domain", "facts"),
    [
        pytest.param(
            "duplicate_charge",
            "I was charged twice for my order",
            "billing",
            [r"charged twice", r"129\.90 EUR", r"refund the duplicate payment if you ask"],
            id="billing-duplicate-reported",
        ),
        pytest.param(
            "duplicate_charge",
            "which payment methods do I have saved?",
            "billing",
            [r"Visa card ending 0826", r"PayPal"],
            id="billing-methods-with-a-duplicate-on-file",
        ),
        pytest.param(
            "lost_parcel",
            "my parcel never arrived",
            "shipping",
            [r"reported lost", r"last scan", r"I can open a lost-parcel claim"],
            id="shipping-lost-reported",
        ),
        pytest.param(
            "locked_login",
            "why can't I log in?",
            "account",
            [r"\blocked\b", r"I can send you a password-reset link"],
            id="account-locked-reported",
        ),
    ],
)
async def test_a_problem_told_is_explained_and_offered_but_nothing_is_done_unasked(
    mutable_app: Switchboard,
    scenarios: dict[str, dict[str, Any]],
    scenario: str,
    text: str,
    domain: str,
    facts: list[str],
) -> None:
    """Saying what is wrong is not asking for a write: no refund, claim or reset is proposed or done."""
    result = await mutable_app.ask(text, customer_id=str(scenarios[scenario]["customer_id"]))
    assert result.status == "done" and result.domains == [domain]
    assert [a for step in result.path for a in step["actions"]] == []
    for fact in facts:
        assert re.search(fact, result.answer), (fact, result.answer)


@pytest.mark.parametrize(
    ("scenario", "text", "facts"),
    [
        pytest.param(
            "refund_pending",
            "I want to return the smartwatch",
            [r"Smartwatch", r"has already been returned"],
            id="return-by-product-name",
        ),
        pytest.param("closed_account", "what did I order in July?", [r"Herb Seed Collection"], id="by-month"),
        pytest.param(
            "happy_customer",
            "which orders have I placed so far?",
            [r"You have 4 order\(s\)", r"Scented Candle", r"French Press"],
            id="all-orders",
        ),
        pytest.param(
            "late_parcel",
            "what is the status of my order?",
            [r"\bis late\b", r"DHL", r"overdue"],
            id="late-is-said-late",
        ),
        pytest.param(
            "refund_issued",
            "which card did my refund go to?",
            [r"RF-\d+", r"card ending 3197", r"was issued on 2026-10-20"],
            id="refund-with-id-date-and-card",
        ),
        pytest.param(
            "happy_customer",
            "has the money for the french press been taken yet?",
            [r"authorised", r"not yet charged", r"53\.88 EUR"],
            id="payment-of-the-order-named-by-product",
        ),
    ],
)
async def test_the_order_meant_is_the_one_the_customer_describes(
    app: Switchboard, scenarios: dict[str, dict[str, Any]], scenario: str, text: str, facts: list[str]
) -> None:
    result = await app.ask(text, customer_id=str(scenarios[scenario]["customer_id"]))
    assert result.status == "done"
    assert [a for step in result.path for a in step["actions"] if a["status"] in ("done", "pending")] == []
    for fact in facts:
        assert re.search(fact, result.answer), (fact, result.answer)


async def test_a_domain_that_finishes_is_answered_while_another_waits_for_a_decision(
    mutable_app: Switchboard, scenarios: dict[str, dict[str, Any]]
) -> None:
    s = scenarios["duplicate_charge"]
    result = await mutable_app.ask(
        "I was charged twice, please refund it, and what are your opening hours?",
        customer_id=str(s["customer_id"]),
    )
    assert result.status == "paused" and result.domains == ["billing", "care"]
    assert "Monday to Friday 08:00-20:00" in result.answer  # care's finished answer, now
    assert "charged twice" in result.answer and "needs a decision" in result.answer


async def test_a_closed_account_can_still_reach_a_person(
    mutable_app: Switchboard, scenarios: dict[str, dict[str, Any]]
) -> None:
    s = scenarios["closed_account"]
    result = await mutable_app.ask(
        "I want to talk to a real person, please", customer_id=str(s["customer_id"])
    )
    assert [(a["action"], a["status"]) for step in result.path for a in step["actions"]] == [
        ("escalate_to_human", "done")
    ]
    assert re.search(r"TCK-\d+", result.answer)


async def test_unhappiness_told_is_heard_and_a_complaint_asked_for_is_passed_on(
    mutable_app: Switchboard, scenarios: dict[str, dict[str, Any]]
) -> None:
    customer = str(scenarios["happy_customer"]["customer_id"])
    told = await mutable_app.ask("honestly your service has been terrible lately", customer_id=customer)
    assert told.domains == ["care"] and [a for step in told.path for a in step["actions"]] == []
    assert "I can pass it to a member of our care team" in told.answer
    asked = await mutable_app.ask(
        "I want to make a formal complaint about your service", customer_id=customer
    )
    assert [(a["action"], a["status"]) for step in asked.path for a in step["actions"]] == [
        ("escalate_to_human", "done")
    ]


async def test_after_an_action_it_means_the_order_acted_on(
    mutable_app: Switchboard, scenarios: dict[str, dict[str, Any]]
) -> None:
    """The turn that cancels order X may mention another order on the way (a return it cannot start);
    the next "the refund for it" is about X."""
    from switchboard.tools.approvals import Identity

    s = scenarios["happy_customer"]
    customer, order = str(s["customer_id"]), str(s["order_id"])
    asked = await mutable_app.ask(
        "cancel my open order please, I ordered the wrong size", customer_id=customer
    )
    assert asked.status == "paused" and asked.interrupts[0]["value"]["args"] == {"order_id": order}
    done = await mutable_app.decide(asked.thread_id, actor=Identity("customer", customer), decision="approve")
    assert done.status == "done" and f"cancelled order {order}" in done.answer
    (payment,) = s["payment_ids"]  # authorised, never captured: released, not refunded
    assert f"payment {payment} released: it was never charged" in done.answer, done.answer
    rows = await fetch(mutable_app, "select status from store.payments where id = %s", payment)
    assert rows == [{"status": "voided"}]
    follow = await mutable_app.ask(
        "thanks! and when will the refund for it show up?", customer_id=customer, thread_id=asked.thread_id
    )
    assert order in follow.answer and "not charged" in follow.answer, follow.answer
    others = re.findall(r"ORD-\d+", follow.answer)
    assert set(others) == {order}, follow.answer
    state = await mutable_app.state(asked.thread_id)
    assert state["values"]["memory"]["order_ids"][-1] == order
