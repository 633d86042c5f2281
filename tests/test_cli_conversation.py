"""`switchboard route / ask / threads / history` run for real: subprocesses on the seeded test database."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.cli import ok_json, one_error_line, run_switchboard


@pytest.fixture
def workdir(tmp_path: Path) -> Path:
    """An empty working directory: no developer `.env` leaks into the command."""
    return tmp_path


def test_route_prints_one_json_object(seeded: str, workdir: Path) -> None:
    result = run_switchboard(["route", "my ordr is late and I was chraged twice"], workdir)
    assert result.returncode == 0, result.stderr
    assert len(result.stdout.strip().splitlines()) == 1
    line = json.loads(result.stdout)
    assert line["domains"] == ["billing", "shipping"]
    assert 0.0 <= line["confidence"] <= 1.0 and line["decider"] == "deterministic"


def test_route_batch_answers_every_line_in_order(seeded: str, workdir: Path) -> None:
    items = [
        {"id": "a", "text": "where is my refund?"},
        {"id": 2, "text": "what's the weather like in Paris?"},
        {"id": "c", "text": "my parcel is late and I need a copy of my invoice"},
    ]
    result = run_switchboard(
        ["route", "--batch"], workdir, stdin="".join(json.dumps(i) + "\n" for i in items)
    )
    assert result.returncode == 0, result.stderr
    lines = [json.loads(x) for x in result.stdout.splitlines()]
    assert [x["id"] for x in lines] == ["a", 2, "c"]
    assert [x["domains"] for x in lines] == [["billing"], [], ["billing", "shipping"]]
    assert lines[1]["out_of_scope"] is True
    assert all(x["decider"] == "deterministic" and 0 <= x["confidence"] <= 1 for x in lines)


def test_route_batch_names_a_malformed_line(seeded: str, workdir: Path) -> None:
    stdin = '{"id": 1, "text": "where is my refund?"}\n{"id": 2, text: oops}\n{"id": 3, "text": "hi"}\n'
    result = run_switchboard(["route", "--batch"], workdir, stdin=stdin)
    line = one_error_line(result)
    assert "line 2" in line and "JSON" in line


def test_ask_then_threads_and_history_from_postgres(
    seeded: str, scenarios: dict[str, dict[str, Any]], workdir: Path
) -> None:
    s = scenarios["late_parcel"]
    customer = str(s["customer_id"])
    asked = ok_json(
        run_switchboard(
            ["ask", "my parcel is late and I need a copy of my invoice", "--customer", customer, "--json"],
            workdir,
        )
    )
    assert {"thread_id", "answer", "domains", "path"} <= set(asked)
    assert asked["domains"] == ["billing", "shipping"] and asked["status"] == "done"
    assert [p["domain"] for p in asked["path"]] == ["billing", "shipping"]
    assert (
        asked["path"][1]["specialists"] == ["tracking_agent"] and "store_today" in asked["path"][1]["tools"]
    )
    assert s["tracking_number"] in asked["answer"] and s["invoice_id"] in asked["answer"]
    thread_id = asked["thread_id"]

    threads = ok_json(run_switchboard(["threads", "--customer", customer, "--json"], workdir))
    mine = [t for t in threads if t["thread_id"] == thread_id]
    assert len(mine) == 1 and mine[0]["customer_id"] == customer and mine[0]["checkpoints"] >= 3

    steps = ok_json(run_switchboard(["history", thread_id, "--json"], workdir))["steps"]
    namespaces = [step["namespace"] for step in steps]
    assert {"router", "billing", "shipping"} <= set(namespaces)
    assert all(
        step["checkpoint_ns"].startswith(step["namespace"] + ":")
        for step in steps
        if step["namespace"] != "router"
    )
    assert any("domain_results" in step["writes"] for step in steps if step["namespace"] == "shipping")
    assert [step["ts"] for step in steps] == sorted(step["ts"] for step in steps)


def test_ask_for_an_unknown_customer_is_one_clear_line(seeded: str, workdir: Path) -> None:
    result = run_switchboard(["ask", "where is my order?", "--customer", "CUST-999999", "--json"], workdir)
    line = one_error_line(result)
    assert "CUST-999999" in line and "does not exist" in line
    assert result.stdout == ""


def test_ask_as_the_first_command_on_an_empty_database_creates_the_store(db: str, workdir: Path) -> None:
    """A fresh clone whose first command is `ask`: the store is created and seeded (as the demo does)
    and the question is answered; the second time nothing is created."""
    from switchboard.tools.store.testing import scratch_database

    with scratch_database("sbfirst") as url:
        env = {"DATABASE_URL": url}
        first = run_switchboard(
            ["ask", "where is my order?", "--customer", "CUST-0001", "--json"], workdir, env=env
        )
        assert first.returncode == 0, first.stderr
        assert "created and seeded it (first use)" in first.stderr
        assert json.loads(first.stdout)["answer"]
        again = run_switchboard(
            ["ask", "and my invoice?", "--customer", "CUST-0001", "--json"], workdir, env=env
        )
        assert again.returncode == 0, again.stderr
        assert "first use" not in again.stderr
