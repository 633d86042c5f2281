"""`switchboard approvals / approve / reject / resume`, run for real in a subprocess on the test database."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sys
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from switchboard.api import AskResult, Switchboard
from switchboard.tools.actions import CRASH_ENV
from tests.db import sql

pytestmark = pytest.mark.writes_store  # changes store rows: the store is re-seeded after it

ROOT = Path(__file__).resolve().parents[1]
Scenarios = dict[str, dict[str, Any]]


class Run:
    def __init__(self, code: int, out: str, err: str) -> None:
        self.code, self.out, self.err = code, out, err

    def json(self) -> Any:
        assert self.code == 0, self.err
        return json.loads(self.out)

    def one_error_line(self) -> str:
        assert self.code == 2, (self.code, self.out, self.err)
        assert "Traceback" not in self.err, self.err
        lines = [line for line in self.err.splitlines() if line.strip()]
        assert len(lines) == 1, self.err
        assert lines[0].startswith("error: "), lines
        return lines[0]


async def cli(*args: str, cwd: Path, crash_at: str | None = None) -> Run:
    """`python -m switchboard ARGS` on the database the fixtures activated (from os.environ)."""
    env = {k: v for k, v in os.environ.items() if k != CRASH_ENV}
    env.update(PYTHONPATH=str(ROOT), COLUMNS="200", NO_COLOR="1")
    if crash_at:
        env[CRASH_ENV] = crash_at
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "switchboard",
        *args,
        env=env,
        cwd=cwd,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(proc.communicate(), timeout=120)
    assert proc.returncode is not None
    return Run(proc.returncode, out.decode(), err.decode())


async def paused_refund(app: Switchboard, scenarios: Scenarios) -> AskResult:
    result = await app.ask(
        "I was charged twice, please refund it", customer_id=scenarios["duplicate_charge"]["customer_id"]
    )
    assert result.status == "paused"
    return result


async def test_list_refuse_the_wrong_role_then_approve_as_staff(
    fresh_store: str, app: Switchboard, scenarios: Scenarios, tmp_path: Path
) -> None:
    s = scenarios["duplicate_charge"]
    paused = await paused_refund(app, scenarios)
    pending = paused.interrupts[0]

    listed = (await cli("approvals", "--json", cwd=tmp_path)).json()
    mine = [a for a in listed if a["thread_id"] == paused.thread_id]
    assert len(mine) == 1
    row = mine[0]
    assert row["interrupt_id"] == pending["id"] and row["id"] == pending["value"]["approval_id"]
    assert (row["required_role"], row["status"], row["action"]) == ("staff", "pending", "issue_refund")
    assert row["path"] == "router > billing > refunds_agent > issue_refund"
    assert row["args"]["amount"] == "129.90" and row["expired"] is False
    other = await cli(
        "approvals", "--json", "--customer", scenarios["happy_customer"]["customer_id"], cwd=tmp_path
    )
    assert other.json() == []

    refused = await cli("approve", paused.thread_id, "--as", f"customer:{s['customer_id']}", cwd=tmp_path)
    line = refused.one_error_line()
    assert "needs a staff member" in line and pending["value"]["approval_id"] in line
    assert (await app.result(paused.thread_id)).status == "paused"

    done = (await cli("approve", paused.thread_id, "--as", "staff:alice", "--json", cwd=tmp_path)).json()
    assert done["status"] == "done" and done["interrupts"] == []
    assert "I have refunded" in done["answer"]
    assert len(sql("select id from store.refunds where payment_id = %s", s["payment_ids"][1])) == 1
    approval = sql(
        "select status, decided_by, decided_role from store.approvals where thread_id = %s", paused.thread_id
    )
    assert approval == [{"status": "used", "decided_by": "alice", "decided_role": "staff"}]
    assert (await cli("approvals", "--json", cwd=tmp_path)).json() == []

    again = await cli("approve", paused.thread_id, "--as", "staff:alice", cwd=tmp_path)
    assert "no pending approval" in again.one_error_line()


async def test_malformed_identities_edits_and_threads_are_one_clear_line(
    fresh_store: str, app: Switchboard, scenarios: Scenarios, tmp_path: Path
) -> None:
    paused = await paused_refund(app, scenarios)
    nonsense = (await cli("approve", paused.thread_id, "--as", "nonsense", cwd=tmp_path)).one_error_line()
    assert "ROLE:ID" in nonsense and "'nonsense'" in nonsense
    bad_edit = await cli("approve", paused.thread_id, "--as", "staff:alice", "--set", "amount", cwd=tmp_path)
    assert "NAME=VALUE" in bad_edit.one_error_line()
    unknown = await cli("approve", "no-such-thread", "--as", "staff:alice", cwd=tmp_path)
    assert "does not exist" in unknown.one_error_line()
    assert (await app.result(paused.thread_id)).status == "paused"
    assert sql("select status from store.approvals where thread_id = %s", paused.thread_id) == [
        {"status": "pending"}
    ]


async def test_reject_without_a_reason_is_a_usage_error(tmp_path: Path, db: str) -> None:
    result = await cli("reject", "some-thread", "--as", "staff:alice", cwd=tmp_path)
    assert result.code == 2, result.err
    assert "Traceback" not in result.err, result.err
    assert "--reason" in result.err


async def test_edit_and_reject_by_interrupt_id(
    fresh_store: str, app: Switchboard, scenarios: Scenarios, tmp_path: Path
) -> None:
    s = scenarios["duplicate_charge"]  # its order is still open, so its address can change
    paused = await app.ask(
        "I was charged twice, please refund it, and please deliver my order to 12 Baker Street, 10115 Berlin",
        customer_id=s["customer_id"],
    )
    by_action = {i["value"]["action"]: i for i in paused.interrupts}
    assert set(by_action) == {"issue_refund", "change_delivery_address"}

    ambiguous = await cli("approve", paused.thread_id, "--as", "staff:alice", cwd=tmp_path)
    line = ambiguous.one_error_line()
    assert "--interrupt" in line and all(i["id"] in line for i in paused.interrupts)

    refund = by_action["issue_refund"]["id"]
    edited = await cli(
        "approve",
        paused.thread_id,
        "--as",
        "staff:alice",
        "--interrupt",
        refund,
        "--set",
        "amount=99.95",
        "--json",
        cwd=tmp_path,
    )
    step = edited.json()
    assert step["status"] == "paused" and [i["id"] for i in step["interrupts"]] == [
        by_action["change_delivery_address"]["id"]
    ]
    assert sql("select amount from store.refunds where payment_id = %s", s["payment_ids"][1]) == [
        {"amount": Decimal("99.95")}
    ]

    reason = "the parcel is already with the neighbour"
    rejected = await cli(
        "reject",
        paused.thread_id,
        "--as",
        "staff:bob",
        "--reason",
        reason,
        "--interrupt",
        by_action["change_delivery_address"]["id"],
        "--json",
        cwd=tmp_path,
    )
    done = rejected.json()
    assert done["status"] == "done" and reason in done["answer"]
    assert "I have refunded 99.95 EUR" in done["answer"]
    statuses = sql(
        "select action, status from store.approvals where thread_id = %s order by action", paused.thread_id
    )
    assert statuses == [
        {"action": "change_delivery_address", "status": "rejected"},
        {"action": "issue_refund", "status": "used"},
    ]


@pytest.mark.slow
async def test_resume_finishes_a_run_whose_process_was_killed(
    fresh_store: str, app: Switchboard, scenarios: Scenarios, tmp_path: Path
) -> None:
    s = scenarios["duplicate_charge"]
    paused = await paused_refund(app, scenarios)
    killed = await cli(
        "approve", paused.thread_id, "--as", "staff:alice", cwd=tmp_path, crash_at="after_commit"
    )
    assert killed.code == -signal.SIGKILL
    assert (await app.result(paused.thread_id)).status == "paused"  # the checkpoint never saw the refund
    done = (await cli("resume", paused.thread_id, "--json", cwd=tmp_path)).json()
    assert done["status"] == "done" and "I have refunded" in done["answer"]
    assert len(sql("select id from store.refunds where payment_id = %s", s["payment_ids"][1])) == 1
    assert len(sql("select key from store.side_effects where thread_id = %s", paused.thread_id)) == 1
    again = (await cli("resume", paused.thread_id, "--json", cwd=tmp_path)).json()
    assert again["answer"] == done["answer"]
