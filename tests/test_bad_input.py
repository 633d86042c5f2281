"""Bad bytes and bad settings: refused with one clear line before anything is written.

Text that is not valid UTF-8 (on the command line Python makes lone surrogates of such bytes), a lone
surrogate or a NUL character, in a message or a thread id, on the CLI (arguments and stdin), the Python
API and HTTP (test_service.py's malformed bodies); settings of the wrong type and decider names that
cannot be built, reported before a run starts.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from switchboard.agents.context import Context
from switchboard.api import Switchboard
from switchboard.config.database import connect
from switchboard.config.errors import ConfigurationError, InputError
from tests.cli import PROJECT_ROOT, one_error_line, run_switchboard


def _checkpoint_rows() -> int:
    with connect() as conn:
        total = 0
        for table in ("checkpoints", "checkpoint_writes", "checkpoint_blobs"):
            row = conn.execute(f"select count(*) as n from {table}").fetchone()
            total += row["n"] if row else 0
        return total


def _run_bytes(
    args: list[bytes], cwd: Path, stdin: bytes = b"", **env: str
) -> subprocess.CompletedProcess[str]:
    """`python -m switchboard` with raw bytes as arguments and stdin (as a terminal could send them)."""
    full = {k: v for k, v in os.environ.items() if k != "OPENAI_BASE_URL"} | env
    full["PYTHONPATH"] = str(PROJECT_ROOT)
    proc = subprocess.run(
        [sys.executable.encode(), b"-m", b"switchboard", *args],
        env=full,
        cwd=cwd,
        input=stdin,
        capture_output=True,
        timeout=120,
    )
    return subprocess.CompletedProcess(
        proc.args, proc.returncode, proc.stdout.decode(errors="replace"), proc.stderr.decode(errors="replace")
    )


BAD_TEXT = [
    pytest.param("where is \x00 my order?", "NUL", id="nul"),
    pytest.param("where is \ud800 my order?", "not valid UTF-8", id="lone-surrogate"),
    pytest.param("where is \udcff\udcfe my order?", "not valid UTF-8", id="undecodable-bytes"),
]


# ---------------------------------------------------------------- Python API


@pytest.mark.parametrize(("text", "fragment"), BAD_TEXT)
async def test_api_refuses_unstorable_messages_before_writing(
    app: Switchboard, scenarios: dict[str, Any], text: str, fragment: str
) -> None:
    customer = str(scenarios["happy_customer"]["customer_id"])
    before = _checkpoint_rows()
    with pytest.raises(InputError, match=fragment):
        await app.ask(text, customer_id=customer)
    with pytest.raises(InputError, match=fragment):
        await app.ask("where is my order?", customer_id=customer, thread_id=text)
    with pytest.raises(InputError, match=fragment):
        await app.history(text)
    with pytest.raises(InputError, match=fragment):
        async for _ in app.astream_ask(text, customer_id=customer):
            pass
    assert _checkpoint_rows() == before


async def test_api_reports_a_bad_decider_before_any_thread(
    app: Switchboard, scenarios: dict[str, Any]
) -> None:
    customer = str(scenarios["happy_customer"]["customer_id"])
    before = _checkpoint_rows()
    for context, fragment in (
        (Context(route_decider="scripted:nobody-registered-this"), "route decider 'scripted:"),
        (Context(compose_decider="gpt4"), "compose decider 'gpt4'"),
        (Context(supervisor_decider="nosuchprovider:model"), "supervisor decider"),
    ):
        with pytest.raises(ConfigurationError, match=fragment):
            await app.ask("where is my order?", customer_id=customer, context=context)
    assert _checkpoint_rows() == before


# ---------------------------------------------------------------- CLI arguments and stdin


def test_cli_refuses_undecodable_arguments_before_writing(
    seeded: str, scenarios: dict[str, Any], tmp_path: Path
) -> None:
    customer = str(scenarios["happy_customer"]["customer_id"]).encode()
    before = _checkpoint_rows()
    for args in (
        [b"ask", b"where is \xff\xfe my order?", b"--customer", customer],
        [b"ask", b"where is my order?", b"--customer", customer, b"--thread", b"t-\xc3\x28"],
        [b"ask", b"where is my order?", b"--customer", customer, b"--json", b"--thread", b"\xed\xa0\x80"],
        [b"history", b"thread-\xff"],
        [b"route", b"my parcel \xe9 is late"],
    ):
        line = one_error_line(_run_bytes(args, tmp_path))
        assert "not valid UTF-8" in line, (args, line)
    assert _checkpoint_rows() == before


def test_chat_refuses_an_undecodable_line_and_writes_nothing(
    seeded: str, scenarios: dict[str, Any], tmp_path: Path
) -> None:
    customer = str(scenarios["happy_customer"]["customer_id"]).encode()
    before = _checkpoint_rows()
    result = _run_bytes([b"chat", b"--customer", customer], tmp_path, stdin=b"where is \xff my order?\n\n")
    assert result.returncode == 0 and "Traceback" not in result.stderr, result.stderr
    assert "not valid UTF-8" in result.stdout
    assert _checkpoint_rows() == before


def test_route_batch_refuses_an_undecodable_line(seeded: str, tmp_path: Path) -> None:
    result = _run_bytes([b"route", b"--batch"], tmp_path, stdin=b'{"id": 1, "text": "late \xff parcel"}\n')
    line = one_error_line(result)
    assert "line 1" in line and "not valid UTF-8" in line


# ---------------------------------------------------------------- settings and deciders at start


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("REFUND_AUTO_LIMIT", "abc"),
        ("REFUND_AUTO_LIMIT", "-5"),
        ("ROUTE_DECIDER", "gpt4"),
        ("COMPOSE_DECIDER", "openai:"),
        ("MODEL_TIMEOUT", "soon"),
    ],
)
def test_a_wrong_setting_is_one_line_before_any_run(
    seeded: str, scenarios: dict[str, Any], tmp_path: Path, name: str, value: str
) -> None:
    customer = str(scenarios["happy_customer"]["customer_id"])
    before = _checkpoint_rows()
    env = {**os.environ, name: value}
    env.pop("OPENAI_BASE_URL", None)
    proc = subprocess.run(
        [sys.executable, "-m", "switchboard", "ask", "where is my order?", "--customer", customer],
        env=env | {"PYTHONPATH": str(PROJECT_ROOT)},
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    line = one_error_line(proc)
    assert name in line and value in line, line
    assert _checkpoint_rows() == before


def test_a_bad_route_decider_option_is_reported_before_any_thread(
    seeded: str, scenarios: dict[str, Any], tmp_path: Path
) -> None:
    customer = str(scenarios["happy_customer"]["customer_id"])
    before = _checkpoint_rows()
    for decider in ("gpt4", "scripted:nobody", "nosuchprovider:model"):
        result = run_switchboard(
            ["ask", "where is my order?", "--customer", customer, "--route-decider", decider], tmp_path
        )
        assert decider in one_error_line(result)
    assert "gpt4" in one_error_line(run_switchboard(["route", "late parcel", "--decider", "gpt4"], tmp_path))
    assert _checkpoint_rows() == before


def test_graph_ascii_draws_the_hierarchy(tmp_path: Path) -> None:
    result = run_switchboard(["graph", "--ascii"], tmp_path)
    assert result.returncode == 0, result.stderr
    for node in ("__start__", "intake", "route", "compose"):
        assert node in result.stdout


async def test_api_refuses_unstorable_ids_and_decisions(app: Switchboard) -> None:
    from switchboard.tools.approvals import Identity

    with pytest.raises(InputError, match="NUL"):
        await app.threads(customer_id="CUST-\x000001")
    with pytest.raises(InputError, match="not valid UTF-8"):
        await app.pending_approvals(customer_id="CUST-\udc80")
    with pytest.raises(InputError, match="NUL"):
        await app.decide("some-thread", actor=Identity("staff", "al\x00ice"), decision="approve")
    with pytest.raises(InputError, match="not valid UTF-8"):
        await app.decide(
            "some-thread", actor=Identity("staff", "alice"), decision="reject", reason="no \ud800"
        )
