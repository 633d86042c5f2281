"""Approvals, the side-effect ledger and compensation, through the real graph on real Postgres.

Every test pauses a real run (the duplicate-charge refund needs staff; cancelling an order needs the
customer), decides through `Switchboard.decide()` (or a raw `Command(resume=...)` for forgeries) and
reads the outcome back from the store's own rows.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
from typing import Any

import pytest
from langgraph.types import Command

import switchboard.tools.actions as tools_actions
import switchboard.tools.catalogue.writes as store_writes
from switchboard.agents.context import Context
from switchboard.api import AskResult, Switchboard
from switchboard.config.database import aconnect
from switchboard.config.errors import Conflict, Forbidden, InputError, NotFound
from switchboard.tools import approvals
from switchboard.tools.actions import StepFailed, args_hash, ledger_key, perform
from switchboard.tools.approvals import Identity
from tests.db import sql

pytestmark = pytest.mark.writes_store  # changes store rows: the store is re-seeded after it

Scenarios = dict[str, dict[str, Any]]
ALICE = Identity("staff", "alice")
CHARGED_TWICE = (
    "I was charged twice, please refund the duplicate"  # asked for: a refund is never proposed unasked
)
TWO_THINGS = (
    "I was charged twice, please refund it, and please deliver my order to 12 Baker Street, 10115 Berlin"
)


def one(query: str, *params: Any) -> dict[str, Any]:
    rows = sql(query, *params)
    assert len(rows) == 1, rows
    return rows[0]


def counts(thread_id: str, customer_id: str) -> dict[str, int]:
    return one(
        "select (select count(*) from store.refunds where customer_id = %s) as refunds,"
        " (select count(*) from store.side_effects where thread_id = %s) as ledger,"
        " (select count(*) from store.support_tickets where customer_id = %s) as tickets",
        customer_id,
        thread_id,
        customer_id,
    )


def interrupt(result: AskResult, action: str) -> dict[str, Any]:
    found = [i for i in result.interrupts if i["value"]["action"] == action]
    assert len(found) == 1, result.interrupts
    return found[0]


def actions(result: AskResult) -> dict[str, dict[str, Any]]:
    return {a["action"]: a for domain in result.path for a in domain["actions"]}


async def paused_refund(app: Switchboard, scenarios: Scenarios) -> tuple[AskResult, dict[str, Any]]:
    result = await app.ask(CHARGED_TWICE, customer_id=scenarios["duplicate_charge"]["customer_id"])
    assert result.status == "paused", result.answer
    return result, interrupt(result, "issue_refund")


# ---------------------------------------------------------------------------------------- the pause


async def test_a_refund_over_the_limit_pauses_with_path_description_and_args(
    fresh_store: str, app: Switchboard, scenarios: Scenarios
) -> None:
    s = scenarios["duplicate_charge"]
    result, pending = await paused_refund(app, scenarios)
    value = pending["value"]
    assert value["path"] == "router > billing > refunds_agent > issue_refund"
    assert value["kind"] == "approval" and value["required_role"] == "staff"
    assert value["args"] == {
        "payment_id": s["payment_ids"][1],
        "order_id": s["order_id"],
        "amount": "129.90",
        "reason": "duplicate charge",
    }
    assert value["args_hash"] == args_hash("issue_refund", value["args"])
    assert "Refund 129.90 EUR" in value["description"] and s["payment_ids"][1] in value["description"]
    assert counts(result.thread_id, s["customer_id"])["ledger"] == 0

    listed = await app.pending_approvals()
    mine = [a for a in listed if a["thread_id"] == result.thread_id]
    assert len(mine) == 1
    assert mine[0]["interrupt_id"] == pending["id"] and mine[0]["id"] == value["approval_id"]
    assert mine[0]["status"] == "pending" and not mine[0]["expired"]

    # A message that asks nothing new ("hello?") is told what it waits for, and the run stays paused,
    # without a second row. (A new request is answered meanwhile: see the test after this one.)
    still = await app.ask("hello?", customer_id=s["customer_id"], thread_id=result.thread_id)
    assert still.status == "paused" and still.answer.startswith("(Still waiting for a member of staff")
    assert "Refund 129.90 EUR" in still.answer and [i["id"] for i in still.interrupts] == [pending["id"]]
    assert one("select count(*) as n from store.approvals where thread_id = %s", result.thread_id)["n"] == 1


async def test_a_new_request_while_staff_decide_is_answered_and_the_refund_still_waits_for_them(
    fresh_store: str, app: Switchboard, scenarios: Scenarios
) -> None:
    s = scenarios["duplicate_charge"]
    customer = str(s["customer_id"])
    result, pending = await paused_refund(app, scenarios)
    approval = pending["value"]["approval_id"]

    # The customer asks something else: it is answered, nothing is refunded, and the thread waits for
    # staff again after the answer, with the same approval (one row, still pending).
    asked = await app.ask(
        "what e-mail address do you have for me?", customer_id=customer, thread_id=result.thread_id
    )
    assert asked.status == "paused" and asked.domains == ["account"], asked.answer
    assert (
        "@" in asked.answer
        and "Still waiting for a member of staff to decide: Refund 129.90 EUR" in asked.answer
    )
    assert [i["value"]["approval_id"] for i in asked.interrupts] == [approval]
    assert asked.interrupts[0]["value"]["path"] == pending["value"]["path"]
    assert asked.interrupts[0]["value"]["args_hash"] == pending["value"]["args_hash"]
    assert "issue_refund" not in actions(asked)  # this turn's own steps only
    assert counts(result.thread_id, customer)["ledger"] == 0
    assert sql("select id, status from store.approvals where thread_id = %s", result.thread_id) == [
        {"id": approval, "status": "pending"}
    ]
    # the turn that waited was finished, saying what waits, and recorded (this one is recorded when it
    # finishes: when staff decide, or when the next message goes past the approval again)
    records = await app.turns(result.thread_id, customer)
    assert [r["turn"] for r in records] == [1]
    assert "waiting for approval" in records[0]["answer"]
    listed = [a for a in await app.pending_approvals() if a["thread_id"] == result.thread_id]
    assert [(a["id"], a["interrupt_id"]) for a in listed] == [(approval, asked.interrupts[0]["id"])]
    from switchboard.observability.explain import explain_thread

    explained = await explain_thread(app, result.thread_id)  # explain shows what waits, and from when
    assert explained["held"] == [{"approval_id": approval, "from_turn": 1, "status": "waiting for staff"}]

    # Another request: the same again (no second row, nothing done).
    again = await app.ask(
        "is my order ORD-102710 shipped yet?", customer_id=customer, thread_id=result.thread_id
    )
    assert again.status == "paused" and [i["value"]["approval_id"] for i in again.interrupts] == [approval]
    assert "ORD-102710" in again.answer and "Still waiting for a member of staff" in again.answer
    assert one("select count(*) as n from store.approvals where thread_id = %s", result.thread_id)["n"] == 1
    records = await app.turns(result.thread_id, customer)
    assert [r["turn"] for r in records] == [1, 2] and "@" in records[1]["answer"]
    # Asked for again, or asked about, while it waits: it is said to wait, not proposed a second time.
    for text in ("please refund the duplicate charge", "und? ist das Geld schon zurück?"):
        told = await app.ask(text, customer_id=customer, thread_id=result.thread_id)
        assert "already requested and waiting for a member of staff" in told.answer, told.answer
        assert "I will refund" not in told.answer and "if you ask me to" not in told.answer
        assert [i["value"]["approval_id"] for i in told.interrupts] == [approval]
    assert one("select count(*) as n from store.approvals where thread_id = %s", result.thread_id)["n"] == 1

    # Staff approve it, as before: the refund is made once, its event published, the answer says so.
    done = await app.decide(result.thread_id, actor=ALICE, decision="approve")
    assert done.status == "done" and not done.interrupts
    assert actions(done)["issue_refund"]["status"] == "done" and "I have refunded 129.90 EUR" in done.answer
    assert counts(result.thread_id, customer)["ledger"] == 1
    assert len(sql("select id from store.refunds where payment_id = %s", s["payment_ids"][1])) == 1
    row = one("select * from store.approvals where id = %s", approval)
    assert row["status"] == "used" and row["decided_by"] == "alice"
    topics = [
        e["topic"] for e in sql("select topic from store.outbox where thread_id = %s", result.thread_id)
    ]
    assert topics.count("action.issue_refund") == 1
    explained = await explain_thread(app, result.thread_id)
    assert [(h["action"], h["status"], h["decided_by"]) for h in explained["held"]] == [
        ("issue_refund", "done", "staff:alice")
    ]
    with pytest.raises(Conflict, match="no pending approval"):
        await app.decide(result.thread_id, actor=ALICE, decision="approve")
    # The thread goes on as any other: nothing more waits, nothing is refunded twice.
    after = await app.ask("did the refund go through?", customer_id=customer, thread_id=result.thread_id)
    assert after.status == "done" and "129.90" in after.answer
    assert counts(result.thread_id, customer)["ledger"] == 1


async def test_a_held_refund_rejected_by_staff_is_not_made(
    fresh_store: str, app: Switchboard, scenarios: Scenarios
) -> None:
    s = scenarios["duplicate_charge"]
    customer = str(s["customer_id"])
    result, _pending = await paused_refund(app, scenarios)
    asked = await app.ask(
        "what e-mail address do you have for me?", customer_id=customer, thread_id=result.thread_id
    )
    assert asked.status == "paused"
    rejected = await app.decide(
        result.thread_id, actor=ALICE, decision="reject", reason="checking with the bank"
    )
    assert rejected.status == "done" and "did not approve" in rejected.answer
    assert "checking with the bank" in rejected.answer
    assert counts(result.thread_id, customer)["ledger"] == 0
    assert sql("select id from store.refunds where payment_id = %s", s["payment_ids"][1]) == []


# ---------------------------------------------------------------------------------------- approve


async def test_approve_runs_the_refund_once_and_records_who_and_when(
    fresh_store: str, app: Switchboard, scenarios: Scenarios
) -> None:
    s = scenarios["duplicate_charge"]
    result, pending = await paused_refund(app, scenarios)
    before = counts(result.thread_id, s["customer_id"])

    done = await app.decide(result.thread_id, actor=ALICE, decision="approve")
    assert done.status == "done" and not done.interrupts
    assert actions(done)["issue_refund"]["status"] == "done"
    assert "I have refunded" in done.answer and "I will refund" not in done.answer

    after = counts(result.thread_id, s["customer_id"])
    assert after["refunds"] == before["refunds"] + 1 and after["ledger"] == 1
    row = one("select * from store.approvals where id = %s", pending["value"]["approval_id"])
    assert row["status"] == "used" and row["decided_by"] == "alice" and row["decided_role"] == "staff"
    assert row["requested_at"] <= row["decided_at"] <= row["used_at"] < row["expires_at"]
    assert row["decided_args_hash"] == row["args_hash"] == pending["value"]["args_hash"]
    refund = one("select * from store.refunds where payment_id = %s", s["payment_ids"][1])
    assert str(refund["amount"]) == "129.90" and refund["status"] == "issued"
    assert one("select status from store.payments where id = %s", s["payment_ids"][1])["status"] == "refunded"
    events = sql("select topic, payload from store.outbox where thread_id = %s order by id", result.thread_id)
    assert [e["topic"] for e in events] == ["turn.completed", "action.issue_refund"]
    assert events[1]["payload"]["args"] == pending["value"]["args"]

    # Used once: deciding again, or recovering, does nothing more.
    with pytest.raises(Conflict, match="no pending approval"):
        await app.decide(result.thread_id, actor=ALICE, decision="approve")
    async with await aconnect() as conn:
        with pytest.raises(Conflict, match="already used"):
            await approvals.decide(conn, row["id"], actor=ALICE, decision="approve")
    again = await app.recover(result.thread_id)
    assert again.answer == done.answer
    assert counts(result.thread_id, s["customer_id"]) == after


async def test_the_done_when_story_reads_back_from_postgres(
    fresh_store: str, app: Switchboard, scenarios: Scenarios
) -> None:
    """Duplicate charge: pauses, is listed, staff approve, runs once; the whole story is in SQL."""
    s = scenarios["duplicate_charge"]
    result, pending = await paused_refund(app, scenarios)
    assert any(a["thread_id"] == result.thread_id for a in await app.pending_approvals())
    await app.decide(result.thread_id, actor=Identity("staff", "bob"), decision="approve")

    story = one(
        "select a.id as approval, a.action, a.args, a.args_hash, a.path, a.required_role, a.decided_by,"
        " a.decided_role, a.decided_at, a.used_at, a.expires_at, a.status as approval_status,"
        " e.key, e.approval_id, e.status as ledger_status, e.steps, e.created_at as performed_at,"
        " r.id as refund, r.amount, r.payment_id, r.status as refund_status"
        " from store.approvals a"
        " join store.side_effects e on e.approval_id = a.id"
        " join store.refunds r on r.id = e.result->>'refund_id'"
        " where a.thread_id = %s",
        result.thread_id,
    )
    args = pending["value"]["args"]
    assert story["approval"] == pending["value"]["approval_id"]
    assert (story["action"], story["args"], story["required_role"]) == ("issue_refund", args, "staff")
    assert (
        story["args_hash"]
        == hashlib.sha256(
            json.dumps(["issue_refund", args], sort_keys=True, separators=(",", ":")).encode()
        ).hexdigest()
    )
    assert (story["decided_by"], story["decided_role"], story["approval_status"]) == ("bob", "staff", "used")
    assert story["decided_at"] <= story["used_at"] <= story["performed_at"] < story["expires_at"]
    assert story["key"] == ledger_key(result.thread_id, "issue_refund", args, turn=1)
    assert story["ledger_status"] == "done" and story["steps"][0]["step"] == "refund_payment"
    assert (story["payment_id"], str(story["amount"]), story["refund_status"]) == (
        s["payment_ids"][1],
        "129.90",
        "issued",
    )
    assert sql("select 1 from store.refunds where payment_id = %s", s["payment_ids"][1]) == [{"?column?": 1}]


# ---------------------------------------------------------------------------------------- reject, edit


async def test_reject_with_a_reason_tells_the_customer_and_changes_nothing(
    fresh_store: str, app: Switchboard, scenarios: Scenarios
) -> None:
    s = scenarios["duplicate_charge"]
    result, pending = await paused_refund(app, scenarios)
    before = counts(result.thread_id, s["customer_id"])
    with pytest.raises(InputError, match="needs a reason"):
        await app.decide(result.thread_id, actor=ALICE, decision="reject", reason="  ")
    reason = "the bank already reversed the second charge"
    done = await app.decide(result.thread_id, actor=ALICE, decision="reject", reason=reason)
    assert done.status == "done"
    assert actions(done)["issue_refund"]["status"] == "rejected"
    assert reason in done.answer and "did not approve" in done.answer
    assert counts(result.thread_id, s["customer_id"]) == before
    row = one("select * from store.approvals where id = %s", pending["value"]["approval_id"])
    assert (row["status"], row["reason"], row["decided_by"], row["used_at"]) == (
        "rejected",
        reason,
        "alice",
        None,
    )
    topics = [
        r["topic"] for r in sql("select topic from store.outbox where thread_id = %s", result.thread_id)
    ]
    assert topics == ["turn.completed"]


async def test_edit_to_a_smaller_amount_is_rechecked_and_refunds_the_edited_amount(
    fresh_store: str, app: Switchboard, scenarios: Scenarios
) -> None:
    s = scenarios["duplicate_charge"]
    result, pending = await paused_refund(app, scenarios)
    with pytest.raises(InputError, match="can only change"):
        await app.decide(result.thread_id, actor=ALICE, decision="edit", args={"approved": "yes"})
    assert (await app.result(result.thread_id)).status == "paused"

    done = await app.decide(result.thread_id, actor=ALICE, decision="edit", args={"amount": "100.00"})
    assert done.status == "done"
    assert "I have refunded 100.00 EUR" in done.answer and "changed the amount" in done.answer
    refund = one("select amount from store.refunds where payment_id = %s", s["payment_ids"][1])
    assert str(refund["amount"]) == "100.00"
    assert one("select status from store.payments where id = %s", s["payment_ids"][1])["status"] == "captured"
    edited = {**pending["value"]["args"], "amount": "100.00"}
    row = one("select * from store.approvals where id = %s", pending["value"]["approval_id"])
    assert row["status"] == "used" and row["decided_args"] == edited
    assert row["decided_args_hash"] == args_hash("issue_refund", edited) != row["args_hash"]
    ledger = one("select * from store.side_effects where thread_id = %s", result.thread_id)
    assert ledger["key"] == ledger_key(result.thread_id, "issue_refund", edited, turn=1)
    assert ledger["args"] == edited and ledger["approval_id"] == row["id"]


async def test_an_edit_past_the_charge_is_refused_and_writes_nothing(
    fresh_store: str, app: Switchboard, scenarios: Scenarios
) -> None:
    """A refused edit records nothing: the approval stays pending, listed and decidable."""
    s = scenarios["duplicate_charge"]
    result, pending = await paused_refund(app, scenarios)
    before = counts(result.thread_id, s["customer_id"])
    with pytest.raises(InputError, match=r"exceeds the charge.*still pending"):
        await app.decide(result.thread_id, actor=ALICE, decision="edit", args={"amount": "500.00"})
    with pytest.raises(InputError, match=r"not a number.*still pending"):
        await app.decide(result.thread_id, actor=ALICE, decision="edit", args={"amount": "10,00"})
    assert counts(result.thread_id, s["customer_id"]) == before
    apr = pending["value"]["approval_id"]
    assert one("select status from store.approvals where id = %s", apr)["status"] == "pending"
    assert apr in [a["id"] for a in await app.pending_approvals()]
    done = await app.decide(result.thread_id, actor=ALICE, decision="edit", args={"amount": "100.00"})
    assert done.status == "done" and actions(done)["issue_refund"]["status"] == "done"


async def test_an_edit_to_another_customers_payment_is_refused(
    fresh_store: str, app: Switchboard, scenarios: Scenarios
) -> None:
    s, other = scenarios["duplicate_charge"], scenarios["multi_issue"]
    result, _ = await paused_refund(app, scenarios)
    before = counts(result.thread_id, s["customer_id"])
    with pytest.raises(InputError, match="not on this account"):
        await app.decide(
            result.thread_id,
            actor=ALICE,
            decision="edit",
            args={"payment_id": other["payment_ids"][1], "order_id": other["order_id"]},
        )
    assert (await app.result(result.thread_id)).status == "paused"
    assert counts(result.thread_id, s["customer_id"]) == before
    assert sql("select 1 from store.refunds where payment_id = %s", other["payment_ids"][1]) == []


# ---------------------------------------------------------------------------------------- expiry, reuse, forgery


async def test_an_expired_approval_cannot_be_approved_only_rejected(
    fresh_store: str, app: Switchboard, scenarios: Scenarios
) -> None:
    s = scenarios["duplicate_charge"]
    result, pending = await paused_refund(app, scenarios)
    apr = pending["value"]["approval_id"]
    sql(
        "update store.approvals set requested_at = now() - interval '4 days', expires_at = now() - interval '1 day'"
        " where id = %s returning id",
        apr,
    )
    listed = [a for a in await app.pending_approvals() if a["id"] == apr]
    assert listed and listed[0]["expired"]
    for decision, extra in (("approve", {}), ("edit", {"args": {"amount": "10.00"}})):
        with pytest.raises(Conflict, match="expired"):
            await app.decide(result.thread_id, actor=ALICE, decision=decision, **extra)
        assert (await app.result(result.thread_id)).status == "paused"
        assert one("select status, decided_at from store.approvals where id = %s", apr) == {
            "status": "pending",
            "decided_at": None,
        }
    assert counts(result.thread_id, s["customer_id"])["ledger"] == 0

    done = await app.decide(result.thread_id, actor=ALICE, decision="reject", reason="too late")
    assert actions(done)["issue_refund"]["status"] == "rejected" and "too late" in done.answer
    assert one("select status from store.approvals where id = %s", apr)["status"] == "rejected"


async def test_an_approval_that_expires_before_it_is_used_is_refused_at_execution(
    fresh_store: str, app: Switchboard, scenarios: Scenarios
) -> None:
    """Approved, then (a crash later) expired before the run resumed: resume rejects it, nothing is written."""
    s = scenarios["duplicate_charge"]
    result, pending = await paused_refund(app, scenarios)
    apr = pending["value"]["approval_id"]
    async with await aconnect() as conn:
        await approvals.decide(conn, apr, actor=ALICE, decision="approve")
    sql(
        "update store.approvals set requested_at = now() - interval '4 days', expires_at = now() - interval '1 day'"
        " where id = %s returning id",
        apr,
    )
    # perform() would refuse it (expired); resume rejects it as expired instead, so the run finishes.
    done = await app.recover(result.thread_id)
    assert done.status == "done" and "expired before it was carried out" in done.answer
    assert counts(result.thread_id, s["customer_id"])["ledger"] == 0
    assert one("select status from store.approvals where id = %s", apr)["status"] == "rejected"
    with pytest.raises(Conflict, match="no pending approval"):
        await app.decide(result.thread_id, actor=ALICE, decision="approve")


async def test_a_forged_resume_keeps_the_run_paused_and_a_real_approval_still_works(
    fresh_store: str, app: Switchboard, scenarios: Scenarios
) -> None:
    s = scenarios["duplicate_charge"]
    result, pending = await paused_refund(app, scenarios)
    apr = pending["value"]["approval_id"]
    config = app.config(result.thread_id, s["customer_id"])
    before = counts(result.thread_id, s["customer_id"])
    forgeries: list[tuple[Any, str]] = [
        # An approval that does not exist; then the right id with a claimed decision nobody recorded.
        ({"approval_id": "APR-0000000000000000"}, "got 'APR-0000000000000000'"),
        ({"approval_id": apr, "decided_by": "staff:root", "decision": "approve"}, "no decision yet"),
        ("approve", "got None"),
        # A decision in a resume counts only from a caller the LangGraph server authenticated.
        ({"decision": "approve", "role": "staff"}, "needs an authenticated caller"),
    ]
    current = pending
    for forged, problem in forgeries:
        await app.graph.ainvoke(
            Command(resume={current["id"]: forged}), config, context=Context(customer_id=s["customer_id"])
        )
        paused = await app.result(result.thread_id)
        assert paused.status == "paused"
        again = interrupt(paused, "issue_refund")
        # Each answer re-pauses under a new interrupt id (one per answer slot), same approval.
        assert again["id"] != current["id"]
        assert again["value"]["approval_id"] == apr
        assert problem in again["value"]["refused_resume"], forged
        assert counts(result.thread_id, s["customer_id"]) == before
        assert one("select status from store.approvals where id = %s", apr)["status"] == "pending"
        current = again
    listed = [a for a in await app.pending_approvals() if a["id"] == apr]
    assert listed[0]["interrupt_id"] == current["id"]

    done = await app.decide(result.thread_id, actor=ALICE, decision="approve")
    assert done.status == "done" and actions(done)["issue_refund"]["status"] == "done"
    assert counts(result.thread_id, s["customer_id"])["refunds"] == before["refunds"] + 1


async def test_a_forged_approval_id_names_the_problem(
    fresh_store: str, app: Switchboard, scenarios: Scenarios
) -> None:
    s = scenarios["duplicate_charge"]
    result, pending = await paused_refund(app, scenarios)
    await app.graph.ainvoke(
        Command(resume={pending["id"]: {"approval_id": "APR-0000000000000000"}}),
        app.config(result.thread_id, s["customer_id"]),
        context=Context(customer_id=s["customer_id"]),
    )
    value = interrupt(await app.result(result.thread_id), "issue_refund")["value"]
    assert "APR-0000000000000000" in value["refused_resume"]
    assert pending["value"]["approval_id"] in value["refused_resume"]
    async with await aconnect() as conn:
        with pytest.raises(NotFound):
            await approvals.decide(conn, "APR-0000000000000000", actor=ALICE, decision="approve")


async def test_a_used_approval_cannot_resume_another_interrupt(
    fresh_store: str, app: Switchboard, scenarios: Scenarios
) -> None:
    s = scenarios["duplicate_charge"]  # open order: the address is the customer's to confirm
    result = await app.ask(TWO_THINGS, customer_id=s["customer_id"])
    refund, address = interrupt(result, "issue_refund"), interrupt(result, "change_delivery_address")
    step = await app.decide(result.thread_id, actor=ALICE, decision="approve", interrupt_id=refund["id"])
    assert step.status == "paused"
    used = refund["value"]["approval_id"]
    assert one("select status from store.approvals where id = %s", used)["status"] == "used"
    shipping_before = sql("select shipping_address from store.orders where id = %s", s["order_id"])

    await app.graph.ainvoke(
        Command(resume={address["id"]: {"approval_id": used}}),
        app.config(result.thread_id, s["customer_id"]),
        context=Context(customer_id=s["customer_id"]),
    )
    paused = await app.result(result.thread_id)
    assert paused.status == "paused" and len(paused.interrupts) == 1
    value = interrupt(paused, "change_delivery_address")["value"]
    assert used in value["refused_resume"] and value["approval_id"] == address["value"]["approval_id"]
    assert sql("select shipping_address from store.orders where id = %s", s["order_id"]) == shipping_before
    assert counts(result.thread_id, s["customer_id"])["ledger"] == 1

    # The refused answer took the interrupt's slot: the approval now resumes under a new interrupt id.
    current = interrupt(paused, "change_delivery_address")["id"]
    assert current != address["id"]
    with pytest.raises(NotFound):
        await app.decide(result.thread_id, actor=ALICE, decision="approve", interrupt_id=address["id"])
    owner = Identity("customer", s["customer_id"])
    done = await app.decide(result.thread_id, actor=owner, decision="approve", interrupt_id=current)
    assert done.status == "done"
    assert one("select shipping_address from store.orders where id = %s", s["order_id"])[
        "shipping_address"
    ] == ("12 Baker Street, 10115 Berlin")
    assert counts(result.thread_id, s["customer_id"])["ledger"] == 2


# ---------------------------------------------------------------------------------------- roles


async def test_wrong_roles_are_forbidden_and_the_run_stays_paused(
    fresh_store: str, app: Switchboard, scenarios: Scenarios
) -> None:
    s, other = scenarios["duplicate_charge"], scenarios["happy_customer"]
    result, pending = await paused_refund(app, scenarios)
    apr = pending["value"]["approval_id"]
    owner = Identity("customer", s["customer_id"])
    with pytest.raises(Forbidden, match="needs a staff member"):
        await app.decide(result.thread_id, actor=owner, decision="approve")
    with pytest.raises(Forbidden, match="needs a staff member"):
        await app.decide(result.thread_id, actor=owner, decision="reject", reason="never mind")
    with pytest.raises(Forbidden, match="another customer"):
        await app.decide(
            result.thread_id, actor=Identity("customer", other["customer_id"]), decision="approve"
        )
    async with await aconnect() as conn:  # below the API too: the approval row checks the role itself
        with pytest.raises(Forbidden):
            await approvals.decide(conn, apr, actor=owner, decision="edit", args={"amount": "1.00"})
    assert (await app.result(result.thread_id)).status == "paused"
    assert one("select status, decided_by from store.approvals where id = %s", apr) == {
        "status": "pending",
        "decided_by": None,
    }
    assert counts(result.thread_id, s["customer_id"])["ledger"] == 0
    with pytest.raises(InputError, match="ROLE:ID"):
        Identity.parse("admin:root")
    with pytest.raises(InputError):
        Identity.parse("staff:")


async def test_a_customer_confirmation_is_the_customers_alone(
    fresh_store: str, app: Switchboard, scenarios: Scenarios
) -> None:
    s = scenarios["happy_customer"]
    result = await app.ask(f"Please cancel my order {s['order_id']}", customer_id=s["customer_id"])
    pending = interrupt(result, "cancel_order")
    assert pending["value"]["kind"] == "confirmation" and pending["value"]["required_role"] == "customer"
    with pytest.raises(Forbidden, match="customer's own confirmation"):
        await app.decide(result.thread_id, actor=ALICE, decision="approve")
    with pytest.raises(Forbidden, match="customer's own confirmation"):
        await app.decide(result.thread_id, actor=ALICE, decision="edit", args={"order_id": s["order_id"]})
    with pytest.raises(Forbidden):
        await app.decide(
            result.thread_id,
            actor=Identity("customer", scenarios["duplicate_charge"]["customer_id"]),
            decision="approve",
        )
    assert one("select status from store.orders where id = %s", s["order_id"])["status"] == "placed"

    done = await app.decide(
        result.thread_id, actor=Identity("customer", s["customer_id"]), decision="approve"
    )
    assert actions(done)["cancel_order"]["status"] == "done"
    assert one("select status from store.orders where id = %s", s["order_id"])["status"] == "cancelled"
    row = one("select * from store.approvals where id = %s", pending["value"]["approval_id"])
    assert (row["status"], row["decided_by"], row["decided_role"]) == ("used", s["customer_id"], "customer")


async def test_staff_may_reject_a_customer_confirmation(
    fresh_store: str, app: Switchboard, scenarios: Scenarios
) -> None:
    s = scenarios["happy_customer"]
    result = await app.ask(f"Please cancel my order {s['order_id']}", customer_id=s["customer_id"])
    done = await app.decide(result.thread_id, actor=ALICE, decision="reject", reason="fraud check pending")
    assert actions(done)["cancel_order"]["status"] == "rejected" and "fraud check pending" in done.answer
    assert one("select status from store.orders where id = %s", s["order_id"])["status"] == "placed"


# ---------------------------------------------------------------------------------------- two at once


async def test_two_approvals_in_one_run_are_resumed_one_by_one_by_interrupt_id(
    fresh_store: str, app: Switchboard, scenarios: Scenarios
) -> None:
    s = scenarios["duplicate_charge"]  # open order: the address is the customer's to confirm
    result = await app.ask(TWO_THINGS, customer_id=s["customer_id"])
    assert result.status == "paused" and len(result.interrupts) == 2
    refund, address = interrupt(result, "issue_refund"), interrupt(result, "change_delivery_address")
    assert refund["id"] != address["id"]
    assert refund["value"]["path"] == "router > billing > refunds_agent > issue_refund"
    assert address["value"]["path"] == "router > shipping > address_agent > change_delivery_address"
    assert address["value"]["args"] == {"order_id": s["order_id"], "address": "12 Baker Street, 10115 Berlin"}
    listed = {a["interrupt_id"] for a in await app.pending_approvals(customer_id=s["customer_id"])}
    assert listed == {refund["id"], address["id"]}

    with pytest.raises(InputError, match="2 pending approvals"):
        await app.decide(result.thread_id, actor=ALICE, decision="approve")
    with pytest.raises(NotFound):
        await app.decide(result.thread_id, actor=ALICE, decision="approve", interrupt_id="not-an-interrupt")

    owner = Identity("customer", s["customer_id"])
    first = await app.decide(result.thread_id, actor=owner, decision="approve", interrupt_id=address["id"])
    assert first.status == "paused"
    assert [i["id"] for i in first.interrupts] == [refund["id"]]  # the other one is still there, same id
    assert one("select shipping_address from store.orders where id = %s", s["order_id"])[
        "shipping_address"
    ] == ("12 Baker Street, 10115 Berlin")
    assert sql("select 1 from store.refunds where payment_id = %s", s["payment_ids"][1]) == []

    reason = "refunded by the card issuer already"
    done = await app.decide(
        result.thread_id,
        actor=Identity("staff", "bob"),
        decision="reject",
        reason=reason,
        interrupt_id=refund["id"],
    )
    assert done.status == "done" and not done.interrupts
    outcome = actions(done)
    assert outcome["change_delivery_address"]["status"] == "done"
    assert outcome["issue_refund"]["status"] == "rejected"
    assert reason in done.answer and "I have changed the delivery address" in done.answer
    assert counts(result.thread_id, s["customer_id"])["ledger"] == 1
    decided = {
        r["action"]: (r["status"], r["decided_by"])
        for r in sql(
            "select action, status, decided_by from store.approvals where thread_id = %s", result.thread_id
        )
    }
    assert decided == {
        "issue_refund": ("rejected", "bob"),
        "change_delivery_address": ("used", s["customer_id"]),
    }


# ---------------------------------------------------------------------------------------- the ledger


async def test_the_ledger_performs_once_under_retries_and_concurrent_attempts(
    fresh_store: str, scenarios: Scenarios
) -> None:
    s = scenarios["duplicate_charge"]
    args = {"payment_id": s["payment_ids"][1], "order_id": s["order_id"], "amount": "20.00", "reason": "test"}

    async def attempt() -> tools_actions.ActionResult:
        async with await aconnect() as conn:
            return await perform(
                conn, thread_id="ledger-test", customer_id=s["customer_id"], action="issue_refund", args=args
            )

    results = await asyncio.gather(*(attempt() for _ in range(4)))
    assert sorted(r.replayed for r in results) == [False, True, True, True]
    assert len({r.result["refund_id"] for r in results}) == 1
    assert len(sql("select id from store.refunds where payment_id = %s", s["payment_ids"][1])) == 1
    assert len(sql("select key from store.side_effects where thread_id = 'ledger-test'")) == 1
    retry = await attempt()
    assert retry.replayed and retry.result == results[0].result
    # The same action on another thread is another key (and then the policy would refuse it).
    assert ledger_key("other", "issue_refund", args) != ledger_key("ledger-test", "issue_refund", args)


@pytest.mark.parametrize(
    ("scenario", "request_text", "action"),
    [
        ("locked_login", "I can't log in, please send me a reset link", "send_password_reset"),
        ("happy_customer", "I want to talk to a real person please", "escalate_to_human"),
    ],
)
async def test_a_yes_after_an_action_was_done_replays_it_and_does_nothing_twice(
    fresh_store: str, app: Switchboard, scenarios: Scenarios, scenario: str, request_text: str, action: str
) -> None:
    # "send me a reset link" is done at once; the customer's "yes" afterwards is not a second request: the
    # ledger replays the first turn's action (one side effect, one notice) and the answer says it is done.
    customer = scenarios[scenario]["customer_id"]
    first = await app.ask(request_text, customer_id=customer)
    assert actions(first)[action]["status"] == "done", first.answer
    before = counts(first.thread_id, customer)
    again = await app.ask("yes please", customer_id=customer, thread_id=first.thread_id)
    assert again.status == "done" and again.domains == first.domains, again.answer
    assert actions(again)[action]["status"] == "done", again.answer
    assert counts(first.thread_id, customer) == before
    keys = sql(
        "select key from store.side_effects where thread_id = %s and action = %s", first.thread_id, action
    )
    assert len(keys) == 1
    events = sql(
        "select topic from store.outbox where thread_id = %s and topic = %s",
        first.thread_id,
        f"action.{action}",
    )
    assert len(events) == 1  # one notice: the replay publishes nothing
    # a request of its own afterwards is new: asked again in its own words, it is decided afresh
    later = await app.ask("thanks!", customer_id=customer, thread_id=first.thread_id)
    assert not any(a["status"] == "done" for a in actions(later).values())


async def test_a_ledger_row_needs_a_valid_approval_when_one_is_named(
    fresh_store: str, scenarios: Scenarios
) -> None:
    s = scenarios["duplicate_charge"]
    args = {"payment_id": s["payment_ids"][1], "order_id": s["order_id"], "amount": "20.00", "reason": "test"}
    async with await aconnect() as conn:
        with pytest.raises(Conflict, match="does not exist"):
            await perform(
                conn,
                thread_id="t",
                customer_id=s["customer_id"],
                action="issue_refund",
                args=args,
                approval_id="APR-0000000000000000",
            )
    assert sql("select 1 from store.refunds where payment_id = %s", s["payment_ids"][1]) == []
    assert sql("select 1 from store.side_effects") == []


# ---------------------------------------------------------------------------------------- compensation


async def test_a_half_done_cancellation_is_compensated_and_the_record_says_so(
    fresh_store: str, app: Switchboard, scenarios: Scenarios, monkeypatch: pytest.MonkeyPatch
) -> None:
    """cancel_order = cancel, then refund every captured payment; the second refund fails."""
    s = scenarios["duplicate_charge"]  # order still processing, two captured payments
    result = await app.ask(f"Please cancel my order {s['order_id']}", customer_id=s["customer_id"])
    pending = interrupt(result, "cancel_order")
    assert pending["value"]["required_role"] == "customer"

    real = store_writes.refund_payment
    calls: list[str] = []

    async def provider_fails_on_the_second(conn: Any, customer_id: str, payment_id: str, *a: Any) -> Any:
        calls.append(payment_id)
        if len(calls) == 2:
            raise StepFailed(f"the payment provider declined the refund of {payment_id}")
        return await real(conn, customer_id, payment_id, *a)

    monkeypatch.setattr(store_writes, "refund_payment", provider_fails_on_the_second)
    done = await app.decide(
        result.thread_id, actor=Identity("customer", s["customer_id"]), decision="approve"
    )

    assert calls == s["payment_ids"]
    assert actions(done)["cancel_order"]["status"] == "failed"
    assert "could not be completed, so nothing was changed" in done.answer
    assert "declined the refund" in done.answer
    assert one("select status, cancelled_at from store.orders where id = %s", s["order_id"]) == {
        "status": "processing",
        "cancelled_at": None,
    }
    # The first refund (inside the failed step) was rolled back with it; the payments are untouched.
    assert sql("select id from store.refunds where order_id = %s", s["order_id"]) == []
    assert {
        r["status"] for r in sql("select status from store.payments where order_id = %s", s["order_id"])
    } == {"captured"}
    assert one("select status from store.invoices where order_id = %s", s["order_id"])["status"] != "void"
    ledger = one("select * from store.side_effects where thread_id = %s", result.thread_id)
    assert ledger["status"] == "compensated" and "refund_payments failed" in ledger["detail"]
    assert [(step["step"], step["status"]) for step in ledger["steps"]] == [
        ("cancel_order", "done"),
        ("refund_payments", "failed"),
        ("cancel_order", "compensated"),
    ]
    assert ledger["steps"][0]["previous_status"] == "processing"
    assert (
        one("select status from store.approvals where id = %s", pending["value"]["approval_id"])["status"]
        == "used"
    )

    # A retry finds the record and does not try again.
    monkeypatch.setattr(store_writes, "refund_payment", real)
    again = await app.recover(result.thread_id)
    assert again.answer == done.answer
    assert sql("select id from store.refunds where order_id = %s", s["order_id"]) == []


async def test_an_uninterrupted_cancellation_does_both_steps(
    fresh_store: str, app: Switchboard, scenarios: Scenarios
) -> None:
    s = scenarios["duplicate_charge"]
    result = await app.ask(f"Please cancel my order {s['order_id']}", customer_id=s["customer_id"])
    done = await app.decide(
        result.thread_id, actor=Identity("customer", s["customer_id"]), decision="approve"
    )
    assert actions(done)["cancel_order"]["status"] == "done"
    assert one("select status from store.orders where id = %s", s["order_id"])["status"] == "cancelled"
    refunds = sql(
        "select payment_id, amount from store.refunds where order_id = %s order by payment_id", s["order_id"]
    )
    assert [r["payment_id"] for r in refunds] == s["payment_ids"]
    ledger = one("select status, steps from store.side_effects where thread_id = %s", result.thread_id)
    assert ledger["status"] == "done"
    assert [(step["step"], step["status"]) for step in ledger["steps"]] == [
        ("cancel_order", "done"),
        ("refund_payments", "done"),
    ]
