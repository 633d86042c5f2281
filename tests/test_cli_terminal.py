"""The CLI as a person meets it: in a real pseudo-terminal 80 columns wide (pexpect), on the test database.

Ids, times and scenario names are never cut; approval hints name the role the policy needs and use
`./run`; chat confirms or declines the customer's own pending action in place; the answer after a
decision says what happened once; progress comes from the graph's stream; a mistyped --thread is
refused. Plus the one-line (or JSON) usage errors and --version, which need no terminal.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pexpect
import pytest

from switchboard.config.settings import PROJECT_ROOT

pytestmark = [pytest.mark.slow, pytest.mark.writes_store]

WIDTH = 80
PROMPT = r"\nyou "  # chat's prompt, at the start of a line
ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]|\x1b\][^\x07]*\x07|\r")


@pytest.fixture
def planted(fresh_store: str) -> dict[str, dict[str, Any]]:
    from switchboard.config.database import connect
    from switchboard.tools.store.seed import list_scenarios

    with connect() as conn:
        return {s["name"]: s for s in list_scenarios(conn)}


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("OPENAI_BASE_URL", "COLUMNS", "LINES")}
    env.update(PYTHONPATH=str(PROJECT_ROOT), COLUMNS=str(WIDTH), LINES="50", TERM="dumb", NO_COLOR="1")
    return env


def terminal(*args: str) -> pexpect.spawn:
    """`python -m switchboard ARGS` in a pseudo-terminal of 80 columns, run from the checkout."""
    return pexpect.spawn(
        sys.executable,
        ["-m", "switchboard", *args],
        cwd=str(PROJECT_ROOT),
        env=_env(),
        dimensions=(50, WIDTH),
        encoding="utf-8",
        timeout=120,
    )


def screen(*args: str) -> str:
    """Everything the command printed on the terminal (stdout and stderr), colour codes removed."""
    child = terminal(*args)
    child.expect(pexpect.EOF)
    child.close()
    text = ANSI.sub("", child.before or "")
    assert child.exitstatus == 0, text
    return text


def plain(*args: str) -> subprocess.CompletedProcess[str]:
    env = _env()
    env["COLUMNS"] = "200"
    return subprocess.run(
        [sys.executable, "-m", "switchboard", *args],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def ask_json(text: str, customer: str) -> dict[str, Any]:
    result = plain("ask", text, "--customer", customer, "--json")
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)  # type: ignore[no-any-return]


def test_ids_times_and_scenario_names_are_whole_at_80_columns(planted: dict[str, dict[str, Any]]) -> None:
    customer = str(planted["duplicate_charge"]["customer_id"])
    paused = ask_json("I was charged twice for my order, please refund me.", customer)
    thread, interrupt = paused["thread_id"], paused["interrupts"][0]["id"]

    threads = screen("threads", "--customer", customer)
    assert thread in threads and customer in threads
    assert re.search(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d", threads)  # a whole timestamp

    approvals = screen("approvals")
    assert thread in approvals and interrupt in approvals and customer in approvals
    assert "staff approval" in approvals

    scenarios = screen("db", "scenarios")
    for name, s in planted.items():
        assert name in scenarios, name
        assert str(s["customer_id"]) in scenarios
        if s["order_id"]:
            assert str(s["order_id"]) in scenarios

    history = screen("history", thread)
    approval_id = paused["interrupts"][0]["value"]["approval_id"]
    assert approval_id in history and "pending" in history
    assert "billing_supervisor" in history and "refunds_agent" in history


def test_a_staff_approval_hint_is_followed_and_the_answer_says_what_happened_once(
    planted: dict[str, dict[str, Any]],
) -> None:
    customer = str(planted["duplicate_charge"]["customer_id"])
    asked = screen("ask", "I was charged twice for my order, please refund me.", "--customer", customer)
    assert "routed to billing" in asked  # progress from the stream, on the terminal
    assert "paused for staff approval" in asked
    hint = re.search(
        r"staff approve with: (\./run approve (\S+) --interrupt (\S+) --as staff:YOUR-NAME)", asked
    )
    assert hint, asked
    thread, interrupt = hint.group(2), hint.group(3)

    approved = screen(
        "approve", thread, "--interrupt", interrupt, "--as", "staff:alice", "--set", "amount=100.00"
    )
    assert "decided by staff:alice (edited and approved)" in approved
    answer = approved[approved.index("switchboard ") :]
    flat = " ".join(answer.split())
    assert "I have refunded 100.00 EUR for order" in flat
    assert "from 129.90 to 100.00" in flat
    assert "I will refund" not in flat and "Done:" not in flat and "edited by" not in flat

    history = " ".join(screen("history", thread).split())
    assert "used" in history and "staff:alice" in history  # the decision, in the thread's history


def test_chat_lets_the_customer_confirm_and_decline_in_place(planted: dict[str, dict[str, Any]]) -> None:
    customer = str(planted["happy_customer"]["customer_id"])
    order = str(planted["happy_customer"]["order_id"])
    child = terminal("chat", "--customer", customer)
    child.expect(PROMPT)
    child.sendline("please cancel my open order")
    child.expect(r"confirm Cancel order")
    seen = ANSI.sub("", child.before or "")
    assert "routed to orders" in seen  # progress from the stream, as the run goes
    assert "orders paused for the customer's confirmation" in seen
    assert "staff" not in seen  # nobody else is sent for
    child.sendline("yes")
    child.expect(PROMPT)
    confirmed = " ".join(ANSI.sub("", child.before or "").split())
    assert f"customer:{customer} (confirmed)" in confirmed
    assert f"I have cancelled order {order}" in confirmed

    child.sendline("please change my e-mail to someone.new@example.com")
    child.expect(r"\[yes/no\]")
    child.sendline("maybe")
    child.expect("please answer yes or no")
    child.sendline("no")
    child.expect(PROMPT)
    declined = " ".join(ANSI.sub("", child.before or "").split())
    assert "As you declined changing your account e-mail to someone.new@example.com, nothing was changed" in (
        declined
    )
    child.sendline("")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0


def test_an_unknown_thread_is_refused_unless_new(planted: dict[str, dict[str, Any]]) -> None:
    customer = str(planted["late_parcel"]["customer_id"])
    typo = plain("ask", "where is my parcel?", "--customer", customer, "--thread", "no-such-thread-42")
    lines = [line for line in typo.stderr.splitlines() if line.strip()]
    assert typo.returncode == 2 and len(lines) == 1, typo.stderr
    assert "no-such-thread-42 does not exist" in lines[0] and "--new" in lines[0]

    started = plain(
        "ask", "where is my parcel?", "-c", customer, "--thread", "no-such-thread-42", "--new", "--json"
    )
    assert started.returncode == 0, started.stderr
    assert json.loads(started.stdout)["thread_id"] == "no-such-thread-42"
    again = plain("ask", "where is it now?", "-c", customer, "--thread", "no-such-thread-42", "--new")
    assert again.returncode == 2 and "already exists" in again.stderr


def test_usage_errors_are_one_line_and_json_under_json(tmp_path: Path) -> None:
    missing = plain("ask")
    lines = [line for line in missing.stderr.splitlines() if line.strip()]
    assert missing.returncode == 2 and len(lines) == 1, missing.stderr
    assert lines[0].startswith("error: Missing argument") and "switchboard ask --help" in lines[0]
    assert "╭" not in missing.stderr and "│" not in missing.stderr

    as_json = plain("ask", "--json")
    assert as_json.returncode == 2 and as_json.stdout == ""
    error = json.loads(as_json.stderr)
    assert error["kind"] == "usage" and "Missing argument" in error["error"]

    unknown = plain("threads", "--json", "--limit", "0")
    assert unknown.returncode == 2 and json.loads(unknown.stderr)["kind"] == "usage"


def test_version() -> None:
    from importlib.metadata import version

    result = plain("--version")
    assert result.returncode == 0 and result.stdout.strip() == f"switchboard {version('switchboard')}"


def test_seeding_again_after_the_demo_is_done_not_an_error(planted: dict[str, dict[str, Any]]) -> None:
    again = plain("db", "seed", "--json")  # docs/studio.md's line, on a store the demo seeded
    assert again.returncode == 0, again.stderr
    assert json.loads(again.stdout)["already_seeded"] is True
    other = plain("db", "seed", "--seed", "3")
    lines = [line for line in other.stderr.splitlines() if line.strip()]
    assert other.returncode == 2 and len(lines) == 1
    assert "--replace" in lines[0] and "replace=True" not in lines[0]
