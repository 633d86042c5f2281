"""The real `langgraph dev` server (in-memory runtime) on the project's `langgraph.json`, driven by the
official SDK: a two-domain run streamed with subgraphs, an approval interrupt resumed with a command, the
thread's state and history; then the same thread read back through the CLI from Postgres.

The server runs in an empty working directory with a copy of `langgraph.json` whose relative paths are
made absolute, so the dev server's own `.langgraph_api/` files and a developer's `.env` stay out of it;
its `env` file does not exist there, which is how a fresh clone starts too. It exports its traces over
OTLP to a receiver in this process, so the spans of a run started through the server are checked too.
"""

from __future__ import annotations

import asyncio
import contextlib
import gzip
import json
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from switchboard.config.settings import PROJECT_ROOT, get_settings
from tests.openai_stub import OpenAIStub, stub_text, stub_tool_call

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
    assert config["auth"] == {"path": "switchboard.langgraph_auth:auth"}
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


@pytest.fixture(scope="module")
def keys(db_env: dict[str, str]) -> dict[str, str]:
    """API keys (secrets) by name, on a freshly seeded store shared by this module's one server."""
    import conftest

    from switchboard.config.database import connect
    from switchboard.tools import apikeys

    conftest.activate(conftest.DEFAULT_MODE, db_env)
    conftest._prepare(fresh=True)
    with connect() as conn:
        return {
            who: str(apikeys.create(conn, who)["secret"])
            for who in ("staff:alice", "customer:CUST-0231", "customer:CUST-0184", "customer:CUST-0230")
        }


@pytest.fixture(scope="module")
def model_stub() -> Iterator[OpenAIStub]:
    """The OpenAI-compatible stub the dev server's `openai:` deciders talk to (a run opts in through its
    context; every decider is deterministic otherwise)."""
    with OpenAIStub() as stub:
        yield stub


class TraceReceiver:
    """An OTLP/HTTP endpoint on a free port that keeps the spans posted to `/v1/traces`, decoded."""

    def __init__(self) -> None:
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

        from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import (
            ExportTraceServiceRequest,
            ExportTraceServiceResponse,
        )

        self.spans: list[Any] = []
        lock = self.lock = threading.Lock()
        spans = self.spans

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                if self.headers.get("Content-Encoding") == "gzip":
                    body = gzip.decompress(body)
                reply = b""
                if self.path.endswith("/v1/traces"):
                    request = ExportTraceServiceRequest.FromString(body)
                    with lock:
                        spans.extend(
                            s for r in request.resource_spans for g in r.scope_spans for s in g.spans
                        )
                    reply = ExportTraceServiceResponse().SerializeToString()
                self.send_response(200)
                self.send_header("Content-Type", "application/x-protobuf")
                self.send_header("Content-Length", str(len(reply)))
                self.end_headers()
                self.wfile.write(reply)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def received(self) -> list[Any]:
        with self.lock:
            return list(self.spans)

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture(scope="module")
def trace_receiver() -> Iterator[TraceReceiver]:
    receiver = TraceReceiver()
    yield receiver
    receiver.close()


@pytest.fixture(scope="module")
def dev_server(
    keys: dict[str, str],
    model_stub: OpenAIStub,
    trace_receiver: TraceReceiver,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[DevServer]:
    """`langgraph dev` on a free port, auth on, on the active test database (inherited through the
    environment), its `openai:` models at the stub. One server for the whole module: each start costs
    seconds."""
    workdir = tmp_path_factory.mktemp("devserver")
    config = server_config(workdir)
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("STUDIO_") and k != "DEPLOYMENT"}
    env.update(
        {
            "PYTHONPATH": str(PROJECT_ROOT),
            "LANGGRAPH_CLI_NO_ANALYTICS": "1",  # no usage ping from the CLI
            "LANGGRAPH_NO_VERSION_CHECK": "true",  # no PyPI version check
            "LANGSMITH_TRACING": "false",
            "NO_COLOR": "1",
            "OPENAI_BASE_URL": model_stub.base_url,
            # our traces to the receiver, in batches every 200 ms; the server's own OpenTelemetry stays off
            "OTEL_EXPORTER_OTLP_ENDPOINT": trace_receiver.url,
            "OTEL_BSP_SCHEDULE_DELAY": "200",
            "OTEL_ENABLED": "false",
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
        _reseed()  # the runs issued refunds on planted scenarios, which other tests expect untouched


@pytest.fixture
def studio_url(dev_server: DevServer, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """STUDIO_URL names the module's server, for the CLI (inherited) and the in-process service."""
    monkeypatch.setenv("STUDIO_URL", dev_server.url)
    monkeypatch.delenv("STUDIO_SYNC", raising=False)
    get_settings.cache_clear()
    yield dev_server.url
    get_settings.cache_clear()


@pytest.fixture
def client_for(dev_server: DevServer, keys: dict[str, str], db: str) -> Any:
    """client_for("staff:alice") -> a LangGraph SDK client presenting that identity's key."""
    from langgraph_sdk import get_client

    def make(who: str | None) -> Any:
        return get_client(url=dev_server.url, api_key=keys[who] if who else None, timeout=30)

    return make


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
    dev_server: DevServer,
    client_for: Any,
    scenarios: dict[str, dict[str, Any]],
    tmp_path: Path,
    trace_receiver: TraceReceiver,
) -> None:
    try:
        await _exercise(
            dev_server, client_for("staff:alice"), scenarios["multi_issue"], tmp_path, trace_receiver
        )
    except Exception as exc:  # any failure: show what the server said
        raise AssertionError(dev_server.failure(f"{type(exc).__name__}: {exc}")) from exc


def _attribute(span: Any, key: str) -> Any:
    for item in span.attributes:
        if item.key == key:
            value = item.value
            return getattr(value, value.WhichOneof("value")) if value.WhichOneof("value") else None
    return None


async def _trace_with(receiver: TraceReceiver, names: set[str]) -> list[Any]:
    """The spans of the first trace received that has a span of every name in `names` (waiting for the
    server's batches, which are exported every 200 ms)."""
    deadline = time.monotonic() + 15
    while True:
        received = receiver.received()
        by_trace: dict[bytes, list[Any]] = {}
        for span in received:
            by_trace.setdefault(span.trace_id, []).append(span)
        for spans in by_trace.values():
            if names <= {s.name for s in spans}:
                return spans
        if time.monotonic() > deadline:
            raise AssertionError(f"no trace with {sorted(names)}; got {sorted({s.name for s in received})}")
        await asyncio.sleep(0.2)


def _check_the_run_spans(spans: list[Any]) -> None:
    """A run started through the dev server is traced like one through Switchboard: the graph run, each
    node, each domain as one span (the two in parallel), each decision point named for its node."""
    index = {s.span_id: s for s in spans}

    def parent(span: Any) -> Any:
        return index.get(span.parent_span_id)

    (graph,) = [s for s in spans if s.name == "invoke_agent switchboard"]
    intake = next(s for s in spans if s.name == "node intake")
    assert parent(intake) is graph
    route = next(s for s in spans if s.name == "decide route")
    assert parent(route) is graph and _attribute(route, "langgraph.node") == "route"
    billing = next(s for s in spans if s.name == "domain billing")
    shipping = next(s for s in spans if s.name == "domain shipping")
    assert parent(billing) is graph and parent(shipping) is graph
    assert billing.start_time_unix_nano < shipping.end_time_unix_nano
    assert shipping.start_time_unix_nano < billing.end_time_unix_nano
    supervisors = [s for s in spans if _attribute(s, "langgraph.node") == "billing_supervisor"]
    assert supervisors and all(s.name == "decide supervisor" and parent(s) is billing for s in supervisors)
    queries = [s for s in spans if _attribute(s, "db.system.name") == "postgresql"]
    assert any(parent(q) is intake for q in queries)  # the thread claim, inside its node
    refund = next(s for s in spans if s.name == "action issue_refund")
    assert _attribute(refund, "switchboard.paused") is True


async def _exercise(
    server: DevServer, client: Any, scenario: dict[str, Any], tmp_path: Path, receiver: TraceReceiver
) -> None:
    from switchboard.config.database import aconnect
    from switchboard.tools import approvals
    from switchboard.tools.approvals import Identity

    customer_id = str(scenario["customer_id"])
    order_id = str(scenario["order_id"])

    # The graph is served with its context schema, so Studio renders a form for it.
    assistants = await client.assistants.search(graph_id=GRAPH_ID)
    assert assistants, "no assistant for the graph 'switchboard'"
    assistant_id = assistants[0]["assistant_id"]
    schemas = await client.assistants.get_schemas(assistant_id)
    assert "customer_id" in (schemas.get("context_schema") or {}).get("properties", {}), schemas
    assert (schemas.get("context_schema") or {}).get("required") == ["customer_id"], schemas
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
        input={"message": "I was charged twice, please refund it, and my parcel is late"},
        context={"customer_id": customer_id},
    )
    assert {"billing", "shipping"} <= _namespaces(events), [e for e, _ in events]
    # ... and its spans reached the OTLP endpoint: the graph run, nodes, domains, decisions, store, action
    _check_the_run_spans(
        await _trace_with(
            receiver,
            {
                "invoke_agent switchboard",
                "node intake",
                "domain billing",
                "domain shipping",
                "action issue_refund",
            },
        )
    )

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


# ------------------------------------------------------------------ auth, approvals, visibility, chat


def _detail(exc: BaseException) -> str:
    """The server's one-line reason in an SDK HTTP error."""
    response = getattr(exc, "response", None)
    assert response is not None, exc
    return str(response.json().get("detail") or response.text)


async def _refused(status: int, call: Any) -> str:
    import httpx  # the SDK's typed errors (NotFoundError, ...) are httpx.HTTPStatusError too

    with pytest.raises(httpx.HTTPStatusError) as info:
        await call
    assert info.value.response.status_code == status, (info.value.response.status_code, _detail(info.value))
    return _detail(info.value)


async def test_a_call_without_a_valid_key_is_refused_with_the_reason(
    dev_server: DevServer, client_for: Any
) -> None:
    from langgraph_sdk import get_client

    reason = await _refused(401, client_for(None).threads.search())
    assert "missing API key" in reason and "X-API-Key" in reason, reason
    forged = get_client(url=dev_server.url, api_key="sbk_" + "x" * 43, timeout=30)
    assert "invalid or revoked" in await _refused(401, forged.threads.search())
    # A browser Studio session (LangGraph's own header) carries no Switchboard identity on a local
    # server: refused unless STUDIO_OPERATOR names the staff member it acts as.
    studio = get_client(url=dev_server.url, api_key=None, headers={"x-auth-scheme": "langsmith"}, timeout=30)
    assert "STUDIO_OPERATOR" in await _refused(403, studio.threads.search())


async def test_a_customer_key_sees_and_acts_only_for_its_own_customer(client_for: Any) -> None:
    mine, other, staff = (
        client_for("customer:CUST-0184"),
        client_for("customer:CUST-0231"),
        client_for("staff:alice"),
    )
    thread = await mine.threads.create()
    thread_id = thread["thread_id"]
    assert thread["metadata"]["customer_id"] == "CUST-0184", thread
    # The run acts for the key's customer: the context may omit it ...
    run = await mine.runs.wait(thread_id, GRAPH_ID, input={"message": "where is my parcel?"})
    assert "late" in run["answer"], run
    # ... and may not name another one.
    reason = await _refused(
        403,
        mine.runs.wait(thread_id, GRAPH_ID, input={"message": "hi"}, context={"customer_id": "CUST-0231"}),
    )
    assert "CUST-0184" in reason and "CUST-0231" in reason, reason
    # Another customer cannot read, search, continue or re-register it; staff read everything.
    await _refused(404, other.threads.get(thread_id))
    await _refused(404, other.threads.get_state(thread_id))
    await _refused(404, other.threads.get_history(thread_id))
    assert thread_id not in {t["thread_id"] for t in await other.threads.search(limit=100)}
    await _refused(404, other.runs.wait(thread_id, GRAPH_ID, input={"message": "hi"}))
    await _refused(404, other.threads.create(thread_id=thread_id, if_exists="do_nothing"))
    assert thread_id in {t["thread_id"] for t in await staff.threads.search(limit=100)}
    assert (await staff.threads.get_state(thread_id))["values"]["customer_id"] == "CUST-0184"
    # Nobody deletes a thread (its checkpoints are the record of what was done).
    assert "checkpoints" in await _refused(403, staff.threads.delete(thread_id))


async def test_a_run_error_reaches_the_client_as_one_line(client_for: Any) -> None:
    staff = client_for("staff:alice")
    thread = await staff.threads.create()
    run = await staff.runs.wait(thread["thread_id"], GRAPH_ID, input={"message": "hello"}, raise_error=False)
    assert run["__error__"] == {
        "error": "InputError",
        "message": "customer_id is missing from the run's context (who is asking?)",
    }, run
    unknown = await staff.runs.wait(
        None, GRAPH_ID, input={"message": "hello"}, context={"customer_id": "CUST-9999"}, raise_error=False
    )
    assert unknown["__error__"] == {"error": "NotFound", "message": "customer CUST-9999 does not exist"}
    empty = await staff.runs.wait(
        None, GRAPH_ID, input={"message": "  "}, context={"customer_id": "CUST-0184"}, raise_error=False
    )
    assert empty["__error__"] == {"error": "InputError", "message": "message is empty"}


async def test_staff_approve_a_refund_by_resuming_from_the_sdk_exactly_once(
    dev_server: DevServer, client_for: Any, scenarios: dict[str, dict[str, Any]]
) -> None:
    scenario = scenarios["duplicate_charge"]
    customer, staff = client_for("customer:CUST-0231"), client_for("staff:alice")
    order_id = str(scenario["order_id"])
    refunds = "select count(*) as n from store.refunds where order_id = %s and reason = 'duplicate charge'"
    before = await _count(refunds, (order_id,))
    thread_id = (await customer.threads.create())["thread_id"]
    await customer.runs.wait(
        thread_id, GRAPH_ID, input={"message": "I was charged twice, please refund the extra charge"}
    )
    (pending,) = _interrupts(await customer.threads.get_state(thread_id))
    payload = pending["value"]
    # The payload says what a valid resume looks like.
    assert payload["resume"]["approve"] == {"decision": "approve", "args": payload["args"]}, payload
    assert payload["resume"]["recorded"] == {"approval_id": payload["approval_id"]}, payload

    async def resume(client: Any, value: dict[str, Any]) -> dict[str, Any]:
        await client.runs.wait(thread_id, GRAPH_ID, command={"resume": {pending["id"]: value}})
        return await client.threads.get_state(thread_id)

    # A new message while it waits (in Studio's chat: "thanks", or another request) is refused with who it
    # waits for, before it runs: on the server a new input would supersede the paused task and its
    # interrupt, and the refund could then never be approved.
    for text in ("thanks", "where is my parcel?"):
        refused = await _refused(409, customer.runs.wait(thread_id, GRAPH_ID, input={"message": text}))
        assert "waiting for a member of staff" in refused, refused
    (still,) = _interrupts(await customer.threads.get_state(thread_id))
    assert still["id"] == pending["id"]

    # The customer may not approve it (staff must): the run pauses again and says why.
    state = await resume(customer, {"decision": "approve", "args": payload["args"]})
    (again,) = _interrupts(state)
    assert "needs a staff member" in again["value"]["refused_resume"], again
    pending = again  # each answer re-pauses under a new interrupt id
    # Staff approving other arguments than the request's: refused by the hash, still paused. (The node
    # re-runs and LangGraph replays the customer's refused answer first: it is not decided again as staff.)
    forged = {**payload["args"], "amount": "1000.00"}
    state = await resume(staff, {"decision": "approve", "args": forged})
    (again,) = _interrupts(state)
    assert "hash differs" in again["value"]["refused_resume"], again
    assert (
        await _count(
            "select count(*) as n from store.approvals where id = %s and status = 'pending'",
            (payload["approval_id"],),
        )
        == 1
    )
    # Staff approve exactly the request: recorded in the approval row, carried out once.
    pending = again
    state = await resume(staff, {"decision": "approve", "args": payload["args"]})
    assert not state["next"] and not _interrupts(state), state
    assert await _count(refunds, (order_id,)) == before + 1
    assert (
        await _count(
            "select count(*) as n from store.approvals where id = %s and status = 'used' and decided_by = 'alice'"
            " and decided_role = 'staff'",
            (payload["approval_id"],),
        )
        == 1
    )
    # The thread's status in the server is current: idle, no longer listed as interrupted.
    thread = await staff.threads.get(thread_id)
    assert thread["status"] == "idle" and not thread.get("interrupts"), thread
    interrupted = {t["thread_id"] for t in await staff.threads.search(status="interrupted", limit=100)}
    assert thread_id not in interrupted
    # A second resume does nothing more.
    import httpx

    with contextlib.suppress(httpx.HTTPStatusError):
        await staff.runs.wait(
            thread_id,
            GRAPH_ID,
            command={"resume": {pending["id"]: {"decision": "approve", "args": payload["args"]}}},
        )
    assert await _count(refunds, (order_id,)) == before + 1


async def test_a_cli_thread_opened_in_the_dev_server_with_its_status_kept_current(
    dev_server: DevServer,
    studio_url: str,
    client_for: Any,
    scenarios: dict[str, dict[str, Any]],
    tmp_path: Path,
) -> None:
    from langgraph_sdk.errors import NotFoundError

    scenario = scenarios["happy_customer"]
    thread_id = str(uuid.uuid4())
    paused = run_cli(
        [
            "ask",
            f"please cancel my order {scenario['order_id']}",
            "--customer",
            str(scenario["customer_id"]),
            "--thread",
            thread_id,
            "--new",
        ],
        tmp_path,
    )
    assert paused["status"] == "paused", paused
    staff, owner, other = (
        client_for("staff:alice"),
        client_for("customer:CUST-0230"),
        client_for("customer:CUST-0184"),
    )
    with pytest.raises(NotFoundError):
        await staff.threads.get(thread_id)  # the server keeps its own thread list

    (opened,) = run_cli(["open", thread_id, "--url", dev_server.url], tmp_path)
    assert opened["status"] == "interrupted" and opened["customer_id"] == scenario["customer_id"], opened
    assert opened["url"] == f"https://smith.langchain.com/studio/thread/{thread_id}?baseUrl={dev_server.url}"
    state = await owner.threads.get_state(thread_id)
    assert _interrupts(state) and state["values"]["customer_id"] == scenario["customer_id"], state
    history = await staff.threads.get_history(thread_id, limit=100)
    assert history[-1]["metadata"]["source"] == "input", history[-1]
    await _refused(404, other.threads.get(thread_id))
    assert (await staff.threads.get(thread_id))["status"] == "interrupted"

    interrupted = {t["thread_id"] for t in await staff.threads.search(status="interrupted", limit=100)}
    assert thread_id in interrupted

    # Decided outside the server (the customer confirms in the CLI): the decision refreshes the thread
    # in the STUDIO_URL server, so Studio is current without another `switchboard open`.
    decided = run_cli(["approve", thread_id, "--as", f"customer:{scenario['customer_id']}"], tmp_path)
    assert decided["status"] == "done", decided
    thread = await owner.threads.get(thread_id)
    assert thread["status"] == "idle" and not thread.get("interrupts"), thread
    assert "cancel" in thread["values"]["answer"].lower(), thread["values"]
    interrupted = {t["thread_id"] for t in await staff.threads.search(status="interrupted", limit=100)}
    assert thread_id not in interrupted
    assert not _interrupts(await owner.threads.get_state(thread_id))
    # `open` again finds it current; no key minted for these calls is left behind.
    (refreshed,) = run_cli(["open", thread_id, "--url", dev_server.url], tmp_path)
    assert refreshed["status"] == "idle" and not refreshed["interrupts"], refreshed
    minted = [k for k in run_cli(["keys", "list"], tmp_path) if k["subject"] == "switchboard-studio-sync"]
    assert minted == [], minted


async def test_the_conversation_is_chat_messages_in_state(client_for: Any) -> None:
    client = client_for("customer:CUST-0184")
    thread_id = (await client.threads.create())["thread_id"]
    streamed: list[Any] = []
    async for part in client.runs.stream(
        thread_id, GRAPH_ID, input={"message": "where is my parcel?"}, stream_mode=["messages-tuple"]
    ):
        if part.event == "messages":
            streamed.append(part.data)
    # Studio's chat mode sends the message as a chat message; it is admitted (redacted) like any other.
    chat = {"role": "human", "content": "and the invoice? my card is 4111 1111 1111 1111"}
    await client.runs.wait(thread_id, GRAPH_ID, input={"messages": [chat]})
    values = (await client.threads.get_state(thread_id))["values"]
    messages = values["messages"]
    assert [m["type"] for m in messages] == ["human", "ai", "human", "ai"], messages
    assert messages[0]["content"] == "where is my parcel?"
    assert messages[2]["content"] == values["message"] == "and the invoice? my card is [card ending 1111]"
    assert messages[-1]["content"] == values["answer"] and "invoice" in values["answer"].lower()
    # messages-tuple streams the answer as a chat message (the deterministic composer has no tokens).
    assert any(m[0]["type"] in ("ai", "AIMessageChunk") and "late" in m[0]["content"] for m in streamed), (
        streamed
    )


async def test_an_llm_composer_streams_its_reply_token_by_token_to_the_chat_view(
    client_for: Any, model_stub: OpenAIStub
) -> None:
    """An `openai:` composer (the real langchain-openai client, streaming over HTTP from the stub): its
    tokens reach `messages-tuple` in order and join into the answer; the router's structured-output
    call (also a model here) does not reach the chat."""
    model = "openai:stub-model"
    answer = "Your parcel is running late: it is delayed at the sorting centre, and I am sorry for the wait."
    route = {"domains": [{"domain": "shipping", "request": "where is my parcel?"}], "confidence": 0.9}
    model_stub.script("You route customer messages", stub_tool_call("RouteChoice", route))
    model_stub.script("You write the single reply", stub_text(answer))
    client = client_for("customer:CUST-0184")
    thread_id = (await client.threads.create())["thread_id"]
    parts: list[tuple[dict[str, Any], dict[str, Any]]] = []

    async def consume() -> None:
        async for part in client.runs.stream(
            thread_id,
            GRAPH_ID,
            input={"message": "where is my parcel?"},
            context={"route_decider": model, "compose_decider": model},
            stream_mode=["messages-tuple"],
        ):
            assert part.event != "error", part.data
            if part.event == "messages":
                parts.append((part.data[0], part.data[1]))

    await asyncio.wait_for(consume(), timeout=RUN_TIMEOUT)
    assert model_stub.remaining() == {}, model_stub.remaining()
    said = [(m, meta) for m, meta in parts if m["type"] in ("ai", "AIMessageChunk")]
    # Only the composer's reply is in the chat: no chunk of the route model's call.
    assert {meta["langgraph_node"] for _, meta in said} == {"compose"}, [meta for _, meta in said]
    tokens = [str(m["content"]) for m, _ in said if m["content"]]
    assert tokens == re.findall(r"\S+\s*", answer), tokens  # word by word, in order, nothing twice
    assert len({m["id"] for m, _ in said}) == 1  # one chat message, streamed
    (compose_request,) = model_stub.requests_for("You write the single reply")
    assert compose_request.get("stream") is True and not compose_request.get("tools"), compose_request
    (route_request,) = model_stub.requests_for("You route customer messages")
    assert not route_request.get("stream"), route_request  # structured calls are not streamed
    values = (await client.threads.get_state(thread_id))["values"]
    assert values["answer"] == "".join(tokens) == answer, values["answer"]
    assert values["messages"][-1]["content"] == answer and values["messages"][-1]["id"] == said[0][0]["id"]
    assert values["compose_usage"]["model_calls"] == 1 and values["compose_usage"]["output_tokens"] == 5


async def test_cli_history_matches_langgraph_history_and_shows_a_fork(
    client_for: Any, tmp_path: Path
) -> None:
    client = client_for("customer:CUST-0184")
    thread_id = (await client.threads.create())["thread_id"]
    await client.runs.wait(thread_id, GRAPH_ID, input={"message": "where is my parcel?"})
    theirs = list(reversed(await client.threads.get_history(thread_id, limit=100)))
    ours = [s for s in run_cli(["history", thread_id], tmp_path)["steps"] if s["namespace"] == "router"]
    assert [s["checkpoint_id"] for s in ours] == [h["checkpoint"]["checkpoint_id"] for h in theirs]
    assert [s["parent_checkpoint_id"] for s in ours] == [
        (h["parent_checkpoint"] or {}).get("checkpoint_id") for h in theirs
    ]
    assert [s["next"] for s in ours] == [list(h["next"]) for h in theirs]
    assert ours[0]["next"] == ["__start__"] and ours[0]["writes"] == ["message"], ours[0]
    assert ours[1]["nodes"] == ["__start__"] and ours[2]["nodes"] == ["intake"], ours
    assert not any(w.startswith("__") or w.startswith("branch:") for s in ours for w in s["writes"]), ours
    assert not any(s["fork"] for s in ours)

    # Fork: run again from the checkpoint after intake, as Studio's "fork" does.
    after_intake = ours[2]["checkpoint_id"]
    await client.runs.wait(thread_id, GRAPH_ID, input=None, checkpoint_id=after_intake)
    forked = [s for s in run_cli(["history", thread_id], tmp_path)["steps"] if s["namespace"] == "router"]
    children = [s for s in forked if s["parent_checkpoint_id"] == after_intake]
    assert len(children) == 2 and [c["fork"] for c in children] == [False, True], children
    assert (await client.threads.get_state(thread_id))["checkpoint"]["checkpoint_id"] in {
        s["checkpoint_id"] for s in forked if s["checkpoint_id"] not in {o["checkpoint_id"] for o in ours}
    }


def test_switchboard_studio_starts_the_server_with_the_projects_threads(
    keys: dict[str, str], scenarios: dict[str, dict[str, Any]], tmp_path: Path
) -> None:
    """`switchboard studio --no-auth --as staff:alice`: the module's second (and last) server start."""
    import httpx

    customer = str(scenarios["late_parcel"]["customer_id"])
    thread_id = str(uuid.uuid4())
    run_cli(["ask", "where is my parcel?", "--customer", customer, "--thread", thread_id, "--new"], tmp_path)
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("STUDIO_") and k != "DEPLOYMENT"}
    env.update({"PYTHONPATH": str(PROJECT_ROOT), "LANGSMITH_TRACING": "false", "NO_COLOR": "1"})
    log_path = tmp_path / "studio.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "switchboard",
                "studio",
                "--port",
                str(port),
                "--no-auth",
                "--as",
                "staff:alice",
                "--no-reload",
            ],
            cwd=tmp_path,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    server = DevServer(f"http://127.0.0.1:{port}", process, log_path)
    try:
        deadline = time.monotonic() + STARTUP_TIMEOUT
        marker = "of the project's threads; Studio: "
        while marker not in log_path.read_text(errors="replace") and time.monotonic() < deadline:
            assert process.poll() is None, server.failure("switchboard studio exited")
            time.sleep(0.5)
        assert f"{marker}https://smith.langchain.com/studio/?baseUrl={server.url}" in log_path.read_text(
            errors="replace"
        ), server.failure("no Studio link")
        with httpx.Client(base_url=server.url, timeout=30) as http:
            # --no-auth: a request without a key acts as the local developer (staff), who sees the CLI thread.
            found = http.get(f"/threads/{thread_id}")
            assert found.status_code == 200 and found.json()["metadata"]["customer_id"] == customer, (
                found.text
            )
            assert found.json()["status"] == "idle"
            # --as staff:alice: a browser Studio session acts as alice.
            studio = http.post("/threads/search", json={"limit": 5}, headers={"x-auth-scheme": "langsmith"})
            assert studio.status_code == 200, studio.text
            # A key still means its own identity: another customer does not see the thread.
            other = http.get(f"/threads/{thread_id}", headers={"x-api-key": keys["customer:CUST-0231"]})
            assert other.status_code == 404, other.text
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGINT)  # the command stops the server it started
            process.wait(timeout=30)
    assert process.returncode in (0, 130), server.failure(f"exit code {process.returncode}")
    with pytest.raises(urllib.error.URLError):
        urllib.request.urlopen(f"{server.url}/ok", timeout=2)


async def test_threads_of_the_api_and_the_service_open_in_the_dev_server(
    dev_server: DevServer, studio_url: str, client_for: Any, keys: dict[str, str], tmp_path: Path
) -> None:
    """The Python API (which the notebooks use) and the HTTP service make Postgres threads too."""
    from fastapi.testclient import TestClient

    from switchboard.api import Switchboard
    from switchboard.service import create_app

    async with Switchboard.open() as sb:
        from_api = (await sb.ask("where is my parcel?", customer_id="CUST-0184")).thread_id
    with TestClient(create_app()) as http:
        headers = {"X-API-Key": keys["customer:CUST-0184"]}
        from_service = http.post("/threads", headers=headers).json()["thread_id"]
        answered = http.post(
            f"/threads/{from_service}/messages", json={"message": "my invoice?"}, headers=headers
        )
        assert answered.status_code == 200, answered.text
    opened = run_cli(["open", from_api, from_service, "--url", dev_server.url], tmp_path)
    assert [(o["thread_id"], o["status"]) for o in opened] == [(from_api, "idle"), (from_service, "idle")]
    customer = client_for("customer:CUST-0184")
    for thread_id in (from_api, from_service):
        state = await customer.threads.get_state(thread_id)
        assert state["values"]["answer"], state
        assert [m["type"] for m in state["values"]["messages"]] == ["human", "ai"], state["values"]

    # A decision made in the service (the customer confirms a new e-mail there) leaves the thread's
    # status in the server current, as one made in the CLI does.
    with TestClient(create_app()) as http:
        paused_id = http.post("/threads", headers=headers).json()["thread_id"]
        asked = http.post(
            f"/threads/{paused_id}/messages",
            json={"message": "please change my e-mail to studio.sync@example.com"},
            headers=headers,
        ).json()
        assert asked["status"] == "paused", asked
        (opened,) = run_cli(["open", paused_id, "--url", dev_server.url], tmp_path)
        assert opened["status"] == "interrupted", opened
        (pending,) = asked["interrupts"]
        decided = http.post(
            f"/threads/{paused_id}/approvals/{pending['id']}", json={"decision": "approve"}, headers=headers
        )
        assert decided.status_code == 200 and decided.json()["status"] == "done", decided.text
    thread = await customer.threads.get(paused_id)
    assert thread["status"] == "idle" and not thread.get("interrupts"), thread
    assert "studio.sync@example.com" in thread["values"]["answer"], thread["values"]["answer"]
    staff = client_for("staff:alice")
    assert paused_id not in {
        t["thread_id"] for t in await staff.threads.search(status="interrupted", limit=100)
    }


async def test_staff_approve_in_the_dev_server_a_refund_held_while_the_customer_went_on(
    dev_server: DevServer, client_for: Any, scenarios: dict[str, dict[str, Any]], tmp_path: Path
) -> None:
    """A refund held through the API (the customer asked something else while staff decide) is decided in
    Studio by resuming the `held` node's interrupt. The thread's channel versions were made by the
    project's saver (base 62): the server's checkpointer adapter used to read them as decimal numbers
    and failed on the thread ("invalid literal for int() with base 10: '000A'")."""
    from switchboard.api import Switchboard
    from switchboard.config.database import connect
    from switchboard.tools.store.seed import generate, restore_customer, seed_info

    with (
        connect() as conn
    ):  # the duplicate charge not refunded yet (an earlier test of the module refunds it)
        info = seed_info(conn)
        assert info is not None
        restore_customer(conn, "CUST-0231", generate(info["seed"], info["customers"], info["reference_now"]))
    scenario = scenarios["duplicate_charge"]
    order_id = str(scenario["order_id"])
    refunds = "select count(*) as n from store.refunds where order_id = %s and reason = 'duplicate charge'"
    before = await _count(refunds, (order_id,))
    async with Switchboard.open() as sb:
        asked = await sb.ask("I was charged twice, please refund the extra charge", customer_id="CUST-0231")
        assert asked.status == "paused", asked.answer
        held = await sb.ask(
            "what e-mail do you have for me?", customer_id="CUST-0231", thread_id=asked.thread_id
        )
    assert held.status == "paused" and "Still waiting for a member of staff" in held.answer
    thread_id = held.thread_id
    (opened,) = run_cli(["open", thread_id, "--url", dev_server.url], tmp_path)
    assert opened["status"] == "interrupted", opened
    staff = client_for("staff:alice")
    state = await staff.threads.get_state(thread_id)
    (pending,) = _interrupts(state)
    assert "held" in [t["name"] for t in state["tasks"]] and pending["value"]["action"] == "issue_refund"
    value = {"decision": "approve", "args": pending["value"]["args"]}
    done = await staff.runs.wait(thread_id, GRAPH_ID, command={"resume": {pending["id"]: value}})
    assert "I have refunded 129.90 EUR" in done["answer"], done
    assert await _count(refunds, (order_id,)) == before + 1
    assert (await staff.threads.get(thread_id))["status"] == "idle"
