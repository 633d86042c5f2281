"""A turn a crash interrupted is finished by `resume` (API, CLI, HTTP) or by the thread's next message.

The states are the ones a SIGKILL leaves (tests/test_crash.py kills real processes at random moments):
made here by deleting what a killed process never wrote from LangGraph's own checkpoint tables, so each
case is exact and fast. The worst one: with the default "async" durability, only the turn's input
checkpoint (step -1) with `__start__`'s writes; LangGraph then reports `next == ()`.
"""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import pytest

from switchboard.api import Switchboard, thread_config
from switchboard.config.database import connect
from tests.db import sql
from tests.test_approvals_cli import cli

pytestmark = pytest.mark.writes_store  # changes store rows: the store is re-seeded after it

Scenarios = dict[str, dict[str, Any]]


def tickets(customer: str, message: str) -> list[str]:
    rows = sql("select id from store.support_tickets where customer_id = %s and body = %s", customer, message)
    return [r["id"] for r in rows]


def lose_the_rest_of_the_last_turn(thread_id: str) -> None:
    """What a process killed a few ms into its run leaves: the last turn's input checkpoint and the
    `__start__` task's writes, nothing after them (in any namespace)."""
    [start] = sql(
        "select checkpoint_id from checkpoints where thread_id = %s and checkpoint_ns = ''"
        " and metadata->>'source' = 'input' order by checkpoint_id desc limit 1",
        thread_id,
    )
    with connect() as conn:
        for table in ("checkpoint_writes", "checkpoints"):
            conn.execute(
                f"delete from {table} where thread_id = %s and checkpoint_id > %s",
                (thread_id, start["checkpoint_id"]),
            )
        conn.commit()


async def ask_for_a_person(app: Switchboard, customer: str, thread_id: str | None = None) -> tuple[str, str]:
    message = f"I want to talk to a human, reference {uuid.uuid4().hex[:8]}"
    done = await app.ask(message, customer_id=customer, thread_id=thread_id)
    assert done.status == "done" and len(tickets(customer, message)) == 1
    return done.thread_id, message


async def test_a_turn_left_with_only_its_input_checkpoint_is_finished_by_resume(
    seeded: str, app: Switchboard, scenarios: Scenarios
) -> None:
    customer = str(scenarios["happy_customer"]["customer_id"])
    thread_id, message = await ask_for_a_person(app, customer)
    lose_the_rest_of_the_last_turn(thread_id)
    snapshot = await app.graph.aget_state(thread_config(thread_id))
    assert snapshot.next == () and [t.name for t in snapshot.tasks] == ["__start__"]  # the lost-turn state

    resumed = await app.recover(thread_id)
    [ticket] = tickets(customer, message)  # the ledger replayed it: still one
    assert resumed.status == "done" and ticket in resumed.answer, resumed.answer
    state = await app.state(thread_id)
    assert state["next"] == [] and state["values"]["answered"] == state["values"]["turn"] == 1
    assert (await app.recover(thread_id)).answer == resumed.answer


async def test_a_new_message_first_finishes_the_unfinished_turn(
    seeded: str, app: Switchboard, scenarios: Scenarios
) -> None:
    customer = str(scenarios["happy_customer"]["customer_id"])
    first = await app.ask("what are your opening hours?", customer_id=customer)
    thread_id, message = await ask_for_a_person(app, customer, first.thread_id)
    lose_the_rest_of_the_last_turn(thread_id)

    later = await app.ask("thank you", customer_id=customer, thread_id=thread_id)
    assert later.status == "done"
    [ticket] = tickets(customer, message)
    values = (await app.state(thread_id))["values"]
    assert values["turn"] == values["answered"] == 3
    assert [t["message"] for t in values["turns"]] == ["what are your opening hours?", message, "thank you"]
    assert ticket in values["turns"][1]["answer"]


async def test_a_turn_whose_answer_was_lost_is_answered_by_resume(
    seeded: str, app: Switchboard, scenarios: Scenarios
) -> None:
    """The turn counter's backstop: a turn counted as started, no task left, no answer."""
    customer = str(scenarios["happy_customer"]["customer_id"])
    thread_id, message = await ask_for_a_person(app, customer)
    await app.graph.aupdate_state(
        app.config(thread_id, customer), {"answer": "", "answered": 0}, as_node="compose"
    )
    snapshot = await app.graph.aget_state(thread_config(thread_id))
    assert snapshot.next == () and snapshot.tasks == () and snapshot.values["answer"] == ""

    resumed = await app.recover(thread_id)
    [ticket] = tickets(customer, message)
    assert resumed.status == "done" and ticket in resumed.answer
    assert (await app.state(thread_id))["values"]["answered"] == 1


@pytest.mark.slow
async def test_cli_resume_finishes_a_lost_turn(
    seeded: str, app: Switchboard, scenarios: Scenarios, tmp_path: Path
) -> None:
    customer = str(scenarios["happy_customer"]["customer_id"])
    thread_id, message = await ask_for_a_person(app, customer)
    lose_the_rest_of_the_last_turn(thread_id)
    done = (await cli("resume", thread_id, "--json", cwd=tmp_path)).json()
    [ticket] = tickets(customer, message)
    assert done["status"] == "done" and ticket in done["answer"]
