"""The real `langgraph dev` server (in-memory runtime) on the project's `langgraph.json`, driven by the
official SDK: a two-domain run streamed with subgraphs, an approval interrupt resumed with a command, the
thread's state and history; then the same thread read back through the CLI from Postgres.

The server runs in an empty working directory with a copy of `langgraph.json` whose relative paths are
made absolute, so the dev server's own `.langgraph_api/` files and a developer's `.env` stay out of it;
its `env` file does not exist there, which is how a fresh clone starts too.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from switchboard.config.settings import PROJECT_ROOT

pytestmark = pytest.mark.slow

GRAPH_ID = "switchboard"
STARTUP_TIMEOUT = 60.0
RUN_TIMEOUT = 60.0
ANSI = re.compile(r"\x1b\[[0-9;]*m")


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def server_config(workdir: Path) -> Path:
    """The project's langgraph.json, checked, with its paths made absolute for a foreign working dir."""
    config = json.loads((PROJECT_ROOT / "langgraph.json").read_text())
    # Module paths, not file paths: the graph is imported once, as the package's own module.
    assert config["graphs"] == {GRAPH_ID: "switchboard.graphs.router:graph"}
    # The server reads the graph as module:attribute, the checkpointer as module.attribute.
    assert config["checkpointer"]["path"] == "switchboard.config.checkpointer.checkpointer"
    config["dependencies"] = [
        str((PROJECT_ROOT / dep).resolve()) for dep in config.get("dependencies", ["."])
    ]
    if "env" in config:
        assert isinstance(config["env"], str)
        config["env"] = str(workdir / Path(config["env"]).name)  # missing, as on a fresh clone
        assert not Path(config["env"]).exists()
    target = workdir / "langgraph.json"
    target.write_text(json.dumps(config, indent=2))
    return target


@dataclass
class DevServer:
    url: str
    process: subprocess.Popen[bytes]
    log_path: Path

    def output(self, limit: int = 6000) -> str:
        text = ANSI.sub("", self.log_path.read_text(errors="replace")) if self.log_path.exists() else ""
        return text[-limit:]

    def failure(self, what: str) -> str:
        return f"{what}\n--- langgraph dev output (tail) ---\n{self.output()}"


def _wait_until_ready(server: DevServer) -> None:
    deadline = time.monotonic() + STARTUP_TIMEOUT
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            pytest.fail(server.failure(f"langgraph dev exited early with code {server.process.returncode}"))
        try:
            with urllib.request.urlopen(f"{server.url}/ok", timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.25)
    pytest.fail(
        server.failure(f"langgraph dev did not answer {server.url}/ok within {STARTUP_TIMEOUT:.0f} s")
    )


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is not None:
        return
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)
    except ProcessLookupError:
        pass


@pytest.fixture
def dev_server(fresh_store: str, tmp_path: Path) -> Iterator[DevServer]:
    """`langgraph dev` on a free port, on the active test database (inherited through the environment)."""
    workdir = tmp_path / "devserver"
    workdir.mkdir()
    config = server_config(workdir)
    port = free_port()
    env = dict(os.environ)
    env.update(
        {
            "PYTHONPATH": str(PROJECT_ROOT),
            "LANGGRAPH_CLI_NO_ANALYTICS": "1",  # no usage ping from the CLI
            "LANGGRAPH_NO_VERSION_CHECK": "true",  # no PyPI version check
            "LANGSMITH_TRACING": "false",
            "NO_COLOR": "1",
        }
    )
    langgraph = Path(sys.executable).parent / "langgraph"
    log_path = workdir / "server.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [
                str(langgraph),
                "dev",
                "--no-browser",
                "--no-reload",
                "--port",
                str(port),
                "--config",
                str(config),
            ],
            cwd=workdir,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group, killed as a whole below
        )
    server = DevServer(f"http://127.0.0.1:{port}", process, log_path)
    try:
        _wait_until_ready(server)
        yield server
    finally:
        _stop(process)
        _reseed()  # the run issued a refund on a planted scenario, which other tests expect untouched


def _reseed() -> None:
    from switchboard.config.database import connect
    from switchboard.tools.store.admin import reset_store
    from switchboard.tools.store.seed import seed_store

    with connect() as conn:
        reset_store(conn)
        seed_store(conn)


def run_cli(args: list[str], cwd: Path) -> Any:
    """`python -m switchboard ARGS --json` on the same database (DATABASE_URL or DATA_DIR inherited)."""
    env = {**os.environ, "PYTHONPATH": str(PROJECT_ROOT), "COLUMNS": "200"}
    result = subprocess.run(
        [sys.executable, "-m", "switchboard", *args, "--json"],
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, f"switchboard {' '.join(args)} failed:\n{result.stderr}"
    return json.loads(result.stdout)


async def _count(sql: str, params: tuple[Any, ...]) -> int:
    from switchboard.config.database import aconnect

    conn = await aconnect()
    try:
        cur = await conn.execute(sql, params)
        row = await cur.fetchone()
        assert row is not None
        return int(row["n"])
    finally:
        await conn.close()


async def _stream(client: Any, thread_id: str, assistant_id: str, **kwargs: Any) -> list[tuple[str, Any]]:
    """Every (event, data) of one streamed run, with subgraph namespaces ('updates|billing:<task>')."""
    events: list[tuple[str, Any]] = []

    async def consume() -> None:
        async for part in client.runs.stream(
            thread_id, assistant_id, stream_mode=["updates"], stream_subgraphs=True, **kwargs
        ):
            events.append((part.event, part.data))

    await asyncio.wait_for(consume(), timeout=RUN_TIMEOUT)
    errors = [data for event, data in events if event == "error"]
    assert not errors, f"the run failed: {errors}"
    return events


def _namespaces(events: list[tuple[str, Any]]) -> set[str]:
    """'billing', 'shipping', ... for every subgraph namespace that produced an event."""
    found = set()
    for event, _ in events:
        _, _, namespace = event.partition("|")
        if namespace:
            found.add(namespace.split("|")[0].split(":")[0])
    return found


def _interrupts(state: dict[str, Any]) -> list[dict[str, Any]]:
    found = {i["id"]: i for i in state.get("interrupts") or []}
    for task in state.get("tasks") or []:
        found.update({i["id"]: i for i in task.get("interrupts") or []})
    return list(found.values())


async def test_dev_server_runs_pauses_resumes_and_shares_postgres_with_the_cli(
    dev_server: DevServer, scenarios: dict[str, dict[str, Any]], tmp_path: Path
) -> None:
    try:
        await _exercise(dev_server, scenarios["multi_issue"], tmp_path)
    except Exception as exc:  # any failure: show what the server said
        raise AssertionError(dev_server.failure(f"{type(exc).__name__}: {exc}")) from exc


async def _exercise(server: DevServer, scenario: dict[str, Any], tmp_path: Path) -> None:
    from langgraph_sdk import get_client

    from switchboard.config.database import aconnect
    from switchboard.tools import approvals
    from switchboard.tools.approvals import Identity

    customer_id = str(scenario["customer_id"])
    order_id = str(scenario["order_id"])
    client = get_client(url=server.url, timeout=30)

    # The graph is served with its context schema, so Studio renders a form for it.
    assistants = await client.assistants.search(graph_id=GRAPH_ID)
    assert assistants, "no assistant for the graph 'switchboard'"
    assistant_id = assistants[0]["assistant_id"]
    schemas = await client.assistants.get_schemas(assistant_id)
    assert "customer_id" in (schemas.get("context_schema") or {}).get("properties", {}), schemas
    assert "message" in (schemas.get("input_schema") or {}).get("properties", {}), schemas

    refunds_before = await _count(
        "select count(*) as n from store.refunds where order_id = %s and reason = 'duplicate charge'",
        (order_id,),
    )

    # A two-domain request, streamed with the subgraphs: events from both domains' namespaces.
    thread = await client.threads.create()
    thread_id = thread["thread_id"]
    events = await _stream(
        client,
        thread_id,
        assistant_id,
        input={"message": "I was charged twice, and my parcel is late"},
        context={"customer_id": customer_id},
    )
    assert {"billing", "shipping"} <= _namespaces(events), [e for e, _ in events]

    # It pauses on the duplicate-charge refund, which needs a staff approval.
    state = await client.threads.get_state(thread_id)
    assert "billing" in state["next"], state["next"]
    paused_at = state["checkpoint"]["checkpoint_id"]
    pending = _interrupts(state)
    assert len(pending) == 1, pending
    interrupt = pending[0]
    payload = interrupt["value"]
    assert payload["path"] == "router > billing > refunds_agent > issue_refund", payload
    assert payload["description"] and payload["required_role"] == "staff", payload
    assert payload["args"]["order_id"] == order_id, payload
    streamed_ids = {
        i["id"] for event, data in events if isinstance(data, dict) for i in data.get("__interrupt__", [])
    }
    assert interrupt["id"] in streamed_ids, (interrupt["id"], streamed_ids)

    # The decision is recorded in the approvals table first (the graph reads it from there) ...
    conn = await aconnect()
    try:
        decided = await approvals.decide(
            conn, payload["approval_id"], actor=Identity("staff", "alice"), decision="approve"
        )
    finally:
        await conn.close()
    assert decided["status"] == "approved", decided

    # ... then the run is resumed through the SDK with a command naming the interrupt.
    resumed = await _stream(
        client,
        thread_id,
        assistant_id,
        command={"resume": {interrupt["id"]: {"approval_id": payload["approval_id"]}}},
        context={"customer_id": customer_id},
    )
    assert "billing" in _namespaces(resumed), [e for e, _ in resumed]

    state = await client.threads.get_state(thread_id)
    assert not state["next"] and not _interrupts(state), state
    values = state["values"]
    assert isinstance(values, dict)
    assert values["answer"], values
    assert sorted(values["domains"]) == ["billing", "shipping"], values
    billing = next(r for r in values["domain_results"] if r["domain"] == "billing")
    assert [a["status"] for a in billing["actions"] if a["action"] == "issue_refund"] == ["done"], billing

    # The refund exists exactly once, and the approval is used.
    refunds_after = await _count(
        "select count(*) as n from store.refunds where order_id = %s and reason = 'duplicate charge'",
        (order_id,),
    )
    assert refunds_after == refunds_before + 1, (refunds_before, refunds_after)
    assert (
        await _count("select count(*) as n from store.side_effects where thread_id = %s", (thread_id,)) == 1
    )
    assert (
        await _count(
            "select count(*) as n from store.approvals where id = %s and status = 'used'",
            (payload["approval_id"],),
        )
        == 1
    )

    history = await client.threads.get_history(thread_id, limit=100)
    assert len(history) >= 4, len(history)
    assert history[0]["checkpoint"]["checkpoint_id"] == state["checkpoint"]["checkpoint_id"]
    assert paused_at in {h["checkpoint"]["checkpoint_id"] for h in history}
    assert history[-1]["metadata"]["source"] == "input", history[-1]["metadata"]

    # The same thread, read by the CLI straight from Postgres.
    workdir = tmp_path / "cli"
    workdir.mkdir()
    steps = run_cli(["history", thread_id], workdir)["steps"]
    assert {"router", "billing", "shipping"} <= {s["namespace"] for s in steps}, steps
    router_ids = {s["checkpoint_id"] for s in steps if s["namespace"] == "router"}
    assert state["checkpoint"]["checkpoint_id"] in router_ids
    threads = run_cli(["threads", "--customer", customer_id], workdir)
    mine = [t for t in threads if t["thread_id"] == thread_id]
    assert mine and mine[0]["customer_id"] == customer_id, threads
