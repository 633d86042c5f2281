"""Run the evaluation sets through the real graph, on a scratch database that is dropped afterwards.

The scratch database ``sbeval_<random>`` is created on the configured server (DATABASE_URL's, or
the embedded one in DATA_DIR), migrated and filled with the deterministic seed, made the process's
database for the run, and dropped at the end: the user's own store is never read or written.

Every routing request runs in a new thread of one ordinary (non-scenario) customer. Every
end-to-end case runs in a new thread of its customer, its turns in order; nothing is approved by
staff, so a thread paused for staff stays paused (a customer's own "yes" in a turn confirms, as it
would in a conversation). Every case starts from the seeded store, as its writer saw it: before it
runs, its customer's rows are put back as seeded (`restore_customer`), so what an earlier case did (a
ticket, an unsubscription, a confirmed cancellation, a refund left waiting for staff) does not change
what the next one sees. Cases
of one customer run one after another in file order; different customers, and the routing requests,
run concurrently up to a bound.
"""

from __future__ import annotations

import asyncio
import logging
import os
import time
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from switchboard.agents.context import Context
from switchboard.agents.evaluation.cases import E2ECase, RoutingCase
from switchboard.agents.evaluation.scoring import (
    failed_turn,
    live_actions,
    predicted_label,
    route_correct,
    score_turn,
)
from switchboard.config.errors import Conflict, InputError, SwitchboardError

if TYPE_CHECKING:
    from switchboard.api import AskResult, Switchboard

log = logging.getLogger("switchboard.eval")

Progress = Callable[[str], None]


def _reset_settings() -> None:
    from switchboard.config import database
    from switchboard.config.settings import get_settings

    get_settings.cache_clear()
    database._targets.clear()


@contextmanager
def scratch_store() -> Iterator[str]:
    """A fresh, seeded ``sbeval_<random>`` database on the configured server, active as DATABASE_URL
    for the duration; dropped (and the previous settings restored) on exit."""
    import psycopg
    from psycopg import sql
    from psycopg.conninfo import make_conninfo

    from switchboard.config.database import connect, database_target
    from switchboard.tools.store.seed import ensure_seeded

    server = database_target().url
    name = f"sbeval_{uuid.uuid4().hex[:10]}"
    with connect() as admin:
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    saved = {k: os.environ.get(k) for k in ("DATABASE_URL", "LANGSMITH_TRACING")}
    os.environ.update({"DATABASE_URL": make_conninfo(server, dbname=name), "LANGSMITH_TRACING": "false"})
    _reset_settings()
    try:
        with connect() as conn:
            ensure_seeded(conn)
        yield name
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
        _reset_settings()
        with psycopg.connect(server, autocommit=True) as admin:
            admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


def _customers() -> tuple[dict[str, str], str]:
    """Scenario names -> customer ids, and the ordinary customer the routing requests run for."""
    from switchboard.config.database import connect
    from switchboard.tools.store.seed import list_scenarios

    with connect() as conn:
        scenarios = {s["name"]: s["customer_id"] for s in list_scenarios(conn)}
        planted = set(scenarios.values())
        rows = conn.execute("select id from store.customers where status = 'active' order by id").fetchall()
        known = {r["id"] for r in conn.execute("select id from store.customers").fetchall()}
    ordinary = next(r["id"] for r in rows if r["id"] not in planted)
    return scenarios | {cid: cid for cid in known}, ordinary


def _seeded_rows() -> dict[str, list[tuple[Any, ...]]]:
    """Every row the scratch store was seeded with (the generator is deterministic for its seed info)."""
    from switchboard.config.database import connect
    from switchboard.tools.store.seed import generate, seed_info

    with connect() as conn:
        info = seed_info(conn)
    if info is None:
        raise InputError("the evaluation store is not seeded")
    return generate(info["seed"], info["customers"], info["reference_now"])


def _restore(customer: str, rows: dict[str, list[tuple[Any, ...]]]) -> None:
    from switchboard.config.database import connect
    from switchboard.tools.store.seed import restore_customer

    with connect() as conn:
        restore_customer(conn, customer, rows)
        # What an earlier case left waiting for a decision (a refund for staff) was never seen by the next
        # case's writer: superseded, as a deleted thread's are, so no case finds another's request.
        conn.execute(
            "update store.approvals set status = 'superseded', reason = 'the next evaluation case starts from"
            " the seeded store' where customer_id = %s and status = 'pending'",
            (customer,),
        )
        conn.commit()


async def _ask(sb: Switchboard, text: str, customer: str, thread: str, context: Context) -> AskResult:
    ctx = Context(**{k: getattr(context, k) for k in Context.__dataclass_fields__})
    return await sb.ask(text, customer_id=customer, thread_id=thread, context=ctx)


def _error_text(exc: BaseException) -> str:
    if isinstance(exc, Conflict) and "waiting for an approval" in str(exc):
        return "not run: the thread waits for an approval (nothing is approved during an evaluation)"
    if isinstance(exc, SwitchboardError):
        return str(exc)
    return f"{type(exc).__name__}: {exc}"


async def run_routing(
    sb: Switchboard, cases: Sequence[RoutingCase], customer: str, context: Context, limit: asyncio.Semaphore
) -> list[dict[str, Any]]:
    async def one(case: RoutingCase) -> dict[str, Any]:
        expected = "+".join(case.domains) if case.kind in ("single", "multi") else case.kind
        row: dict[str, Any] = {
            "id": case.id,
            "kind": case.kind,
            "lang": case.lang,
            "split": case.split,
            "text": case.text,
            "expected": expected,
        }
        async with limit:
            try:
                result = await _ask(sb, case.text, customer, f"eval-{uuid.uuid4()}", context)
            except Exception as exc:  # one broken case is a wrong answer, not a broken evaluation
                log.warning("routing case %s failed: %s", case.id, exc)
                return row | {"correct": False, "predicted": "error", "error": _error_text(exc)}
        return row | {
            "correct": route_correct(case, result.domains, result.route),
            "predicted": predicted_label(result.domains, result.route),
            "answer": result.answer,
        }

    return list(await asyncio.gather(*(one(c) for c in cases)))


async def run_e2e(
    sb: Switchboard,
    cases: Sequence[E2ECase],
    customers: dict[str, str],
    context: Context,
    limit: asyncio.Semaphore,
) -> list[dict[str, Any]]:
    by_customer: dict[str, list[E2ECase]] = defaultdict(list)
    for case in cases:
        by_customer[customers[case.customer]].append(case)

    seeded = _seeded_rows()

    async def one(case: E2ECase, customer: str) -> dict[str, Any]:
        # Every case starts from the seeded store, as its writer saw it: what an earlier case of the same
        # customer did (an unsubscription, a claim, a confirmed cancellation) is taken back first.
        await asyncio.to_thread(_restore, customer, seeded)
        thread = f"eval-{uuid.uuid4()}"
        turns: list[dict[str, Any]] = []
        for turn in case.turns:
            try:
                result = await _ask(sb, turn.text, customer, thread, context)
            except Exception as exc:
                paused = isinstance(exc, Conflict)  # expected: nothing is approved during an evaluation
                log.log(logging.INFO if paused else logging.WARNING, "e2e case %s: %s", case.id, exc)
                turns.append(failed_turn(_error_text(exc)))
                continue
            scored = score_turn(turn.expect, result.domains, result.answer, live_actions(result.path))
            turns.append(scored | {"answer": result.answer, "status": result.status})
        full = all(t[name] for t in turns for name in ("routing", "facts", "forbidden", "action"))
        return {
            "id": case.id,
            "kind": case.kind,
            "lang": case.lang,
            "split": case.split,
            "customer": customer,
            "fully_correct": full,
            "turns": turns,
        }

    async def group(items: list[E2ECase], customer: str) -> list[dict[str, Any]]:
        async with limit:
            return [await one(case, customer) for case in items]

    done = await asyncio.gather(*(group(items, cid) for cid, items in by_customer.items()))
    by_id = {row["id"]: row for rows in done for row in rows}
    return [by_id[case.id] for case in cases]  # file order


async def _run(
    routing: Sequence[RoutingCase],
    e2e: Sequence[E2ECase],
    context: Context,
    concurrency: int,
    say: Progress,
) -> dict[str, Any]:
    from switchboard.api import Switchboard
    from switchboard.config.settings import get_settings

    customers, ordinary = _customers()
    unknown = sorted({c.customer for c in e2e if c.customer not in customers})
    if unknown:
        ids = [c.id for c in e2e if c.customer in unknown][:3]
        raise InputError(
            f"unknown customer(s) {', '.join(unknown)} (cases {', '.join(ids)}): "
            "give a customer id of the seeded store or a planted scenario's name"
        )
    limit = asyncio.Semaphore(concurrency)
    settings = get_settings().model_copy(
        update={"db_pool_max_size": max(get_settings().db_pool_max_size, concurrency + 2)}
    )
    async with Switchboard.open(settings) as sb:
        started = time.perf_counter()
        routed, answered = await asyncio.gather(
            run_routing(sb, routing, ordinary, context, limit),
            run_e2e(sb, e2e, customers, context, limit),
        )
        say(
            f"ran {len(routing)} routing and {len(e2e)} end-to-end cases in {time.perf_counter() - started:.0f}s"
        )
    return {"routing": routed, "e2e": answered, "routing_customer": ordinary}


def run_sets(
    routing: Sequence[RoutingCase],
    e2e: Sequence[E2ECase],
    context: Context,
    *,
    concurrency: int = 8,
    say: Progress = lambda _: None,
) -> dict[str, Any]:
    """Per-case results of both sets, run on a scratch database (see the module docstring)."""
    if concurrency < 1:
        raise InputError("concurrency must be at least 1")
    started = time.perf_counter()
    with scratch_store() as name:
        say(f"scratch database {name} seeded in {time.perf_counter() - started:.0f}s")
        return asyncio.run(_run(routing, e2e, context, concurrency, say))
