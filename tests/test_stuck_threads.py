"""No thread gets stuck: a rejected refund asked for again, a refused staff edit, and `resume`, over the API
and the CLI (HTTP: tests/test_service.py).

A later turn asking for the same action with the same arguments is a new request: a new approval (the
policy decides afresh), never a pause on the approval already decided. A staff edit the policy refuses
is refused before anything is recorded: the approval stays pending and decidable. `resume` always leaves
the thread where the customer can go on, or waiting for a pending approval anyone can still decide.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from switchboard.api import AskResult, Switchboard
from switchboard.config.database import connect
from switchboard.config.errors import InputError
from switchboard.tools.approvals import Identity
from tests.db import sql
from tests.test_approvals_cli import cli

pytestmark = pytest.mark.writes_store  # changes store rows: the store is re-seeded after it

Scenarios = dict[str, dict[str, Any]]
ALICE = Identity("staff", "alice")


def sql_do(query: str, *params: Any) -> None:
    with connect() as conn:
        conn.execute(query, params)
        conn.commit()


def approval_of(result: AskResult) -> str:
    [pending] = result.interrupts
    assert pending["value"]["action"] == "issue_refund"
    return str(pending["value"]["approval_id"])


def refund_outcome(result: AskResult) -> dict[str, Any]:
    [outcome] = [a for p in result.path for a in p["actions"] if a["action"] == "issue_refund"]
    return outcome


async def test_a_rejected_refund_asked_for_again_is_a_new_approval(
    fresh_store: str, app: Switchboard, scenarios: Scenarios
) -> None:
    s = scenarios["duplicate_charge"]
    customer = str(s["customer_id"])
    first = await app.ask("I was charged twice, please refund it", customer_id=customer)
    thread = first.thread_id
    rejected_id = approval_of(first)
    rejected = await app.decide(
        thread, actor=ALICE, decision="reject", reason="we are checking with the bank"
    )
    assert rejected.status == "done" and "checking with the bank" in rejected.answer

    again = await app.ask("I was charged twice, please refund it", customer_id=customer, thread_id=thread)
    assert again.status == "paused"
    new_id = approval_of(again)
    assert new_id != rejected_id
    assert [a["id"] for a in await app.pending_approvals() if a["thread_id"] == thread] == [new_id]
    # a new request meanwhile is answered; the refund still waits for staff, under the same approval
    meanwhile = await app.ask("has my order shipped yet?", customer_id=customer, thread_id=thread)
    assert meanwhile.status == "paused" and approval_of(meanwhile) == new_id

    done = await app.decide(thread, actor=ALICE, decision="approve")
    assert done.status == "done" and refund_outcome(done)["status"] == "done"
    assert len(sql("select id from store.refunds where payment_id = %s", s["payment_ids"][1])) == 1
    statuses = sql(
        "select id, status from store.approvals where thread_id = %s order by requested_at", thread
    )
    assert statuses == [{"id": rejected_id, "status": "rejected"}, {"id": new_id, "status": "used"}]
    # A third time: the store shows the refund, nothing pauses, nothing is refunded twice.
    third = await app.ask("I was charged twice", customer_id=customer, thread_id=thread)
    assert third.status == "done" and third.interrupts == []
    assert len(sql("select id from store.refunds where payment_id = %s", s["payment_ids"][1])) == 1


async def test_a_refused_edit_leaves_the_approval_pending_and_resume_keeps_it_decidable(
    fresh_store: str, app: Switchboard, scenarios: Scenarios
) -> None:
    s = scenarios["duplicate_charge"]
    customer = str(s["customer_id"])
    paused = await app.ask("I was charged twice, please refund it", customer_id=customer)
    thread, approval = paused.thread_id, approval_of(paused)
    with pytest.raises(InputError, match=r"not a number.*still pending"):
        await app.decide(thread, actor=ALICE, decision="edit", args={"amount": "10,00"})
    assert sql("select status from store.approvals where id = %s", approval) == [{"status": "pending"}]
    assert approval in [a["id"] for a in await app.pending_approvals()]

    resumed = await app.recover(thread)  # nothing to finish: still waiting, still decidable
    assert resumed.status == "paused" and approval_of(resumed) == approval
    rejected = await app.decide(thread, actor=ALICE, decision="reject", reason="not needed")
    assert rejected.status == "done"
    again = await app.ask("please refund the duplicate charge", customer_id=customer, thread_id=thread)
    assert again.status == "paused" and approval_of(again) != approval
    done = await app.decide(thread, actor=ALICE, decision="edit", args={"amount": "10.00"})
    assert done.status == "done" and refund_outcome(done)["status"] == "done"
    assert (
        sql("select amount from store.refunds where payment_id = %s", s["payment_ids"][1])[0]["amount"] == 10
    )


async def test_resume_frees_a_thread_whose_approval_can_no_longer_be_decided(
    fresh_store: str, app: Switchboard, scenarios: Scenarios
) -> None:
    """Expired before anyone decided: resume rejects it as expired. Its record taken away: resume asks
    for the approval again, so it is listed and decidable. Nothing is written without a decision."""
    s = scenarios["duplicate_charge"]
    customer = str(s["customer_id"])
    paused = await app.ask("I was charged twice, please refund it", customer_id=customer)
    sql_do(
        "update store.approvals set requested_at = now() - interval '4 days',"
        " expires_at = now() - interval '1 day' where id = %s",
        approval_of(paused),
    )
    freed = await app.recover(paused.thread_id)
    assert freed.status == "done" and refund_outcome(freed)["status"] == "rejected"
    assert "expired before it was decided" in freed.answer
    assert (await app.ask("thanks", customer_id=customer, thread_id=paused.thread_id)).status == "done"

    paused = await app.ask(
        "I was charged twice, please refund it", customer_id=customer
    )  # a new turn: a new approval
    sql_do("delete from store.approvals where id = %s", approval_of(paused))
    assert [a for a in await app.pending_approvals() if a["thread_id"] == paused.thread_id] == []
    asked_again = await app.recover(paused.thread_id)
    assert asked_again.status == "paused"
    listed = [a for a in await app.pending_approvals() if a["thread_id"] == paused.thread_id]
    assert [a["id"] for a in listed] == [approval_of(asked_again)]
    done = await app.decide(paused.thread_id, actor=ALICE, decision="reject", reason="no")
    assert done.status == "done"
    assert sql("select id from store.refunds where payment_id = %s", s["payment_ids"][1]) == []


@pytest.mark.slow
async def test_over_the_cli_a_rejected_refund_asked_again_and_a_refused_edit_never_stick(
    fresh_store: str, scenarios: Scenarios, tmp_path: Path
) -> None:
    s = scenarios["duplicate_charge"]
    customer = str(s["customer_id"])
    first = (
        await cli(
            "ask", "I was charged twice, please refund it", "--customer", customer, "--json", cwd=tmp_path
        )
    ).json()
    thread = first["thread_id"]
    assert first["status"] == "paused"
    (
        await cli("reject", thread, "--as", "staff:alice", "--reason", "checking", "--json", cwd=tmp_path)
    ).json()

    again = await cli(
        "ask", "refund the double charge", "--customer", customer, "--thread", thread, "--json", cwd=tmp_path
    )
    assert again.json()["status"] == "paused"
    new_id = again.json()["interrupts"][0]["value"]["approval_id"]
    listed = (await cli("approvals", "--json", cwd=tmp_path)).json()
    assert new_id in [a["id"] for a in listed]

    refused = await cli("approve", thread, "--as", "staff:alice", "--set", "amount=10,00", cwd=tmp_path)
    assert "still pending" in refused.one_error_line()
    resumed = (await cli("resume", thread, "--json", cwd=tmp_path)).json()
    assert resumed["status"] == "paused"
    assert resumed["interrupts"][0]["value"]["approval_id"] == new_id
    done = (await cli("approve", thread, "--as", "staff:alice", "--json", cwd=tmp_path)).json()
    assert done["status"] == "done"
    assert len(sql("select id from store.refunds where payment_id = %s", s["payment_ids"][1])) == 1
