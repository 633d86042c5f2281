"""The HTTP service over real HTTP: `python -m switchboard serve` processes on free ports, driven by httpx.

The servers inherit the active test database through the environment (DATABASE_URL or DATA_DIR); keys
are made in this process with `tools.apikeys`. Covered: answers, server-sent events from two domains'
namespaces, a staff approval that resumes a paused refund, keys (none, wrong, revoked), another
customer's thread, malformed bodies, unknown threads, a busy thread (409, and nothing lost), and two
server processes on one database (shared threads, one run per thread across both).

A run "in progress" is made deterministic by holding, from this process, a lock the run needs at its
very end (an EXCLUSIVE lock on store.outbox, where every turn publishes): the run starts, takes the
thread's lock, and waits until the test lets it finish.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import psycopg
import pytest

from switchboard.config.database import connect, database_target
from switchboard.config.settings import PROJECT_ROOT
from switchboard.tools import apikeys
from switchboard.tools.approvals import Identity

pytestmark = pytest.mark.slow

STARTUP_TIMEOUT = 60.0
TWO_DOMAINS = "my parcel is late and I need a copy of my invoice"  # shipping + billing, no write action


# ------------------------------------------------------------------ server processes


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Server:
    url: str
    process: subprocess.Popen[bytes]
    log_path: Path

    def output(self, limit: int = 6000) -> str:
        return self.log_path.read_text(errors="replace")[-limit:] if self.log_path.exists() else ""

    def client(self, key: str | None = None, **kwargs: Any) -> httpx.Client:
        headers = {"Authorization": f"Bearer {key}"} if key else {}
        return httpx.Client(base_url=self.url, headers=headers, timeout=30, **kwargs)

    def aclient(self, key: str) -> httpx.AsyncClient:
        return httpx.AsyncClient(base_url=self.url, headers={"Authorization": f"Bearer {key}"}, timeout=30)


def _spawn(log_dir: Path, index: int) -> Server:
    port = free_port()
    log_path = log_dir / f"serve-{index}-{port}.log"
    with log_path.open("wb") as log:  # a file, not a pipe: a full pipe would block the server
        process = subprocess.Popen(
            [sys.executable, "-m", "switchboard", "serve", "--port", str(port), "--log-level", "warning"],
            cwd=PROJECT_ROOT,
            env=os.environ.copy(),  # the active test database (DATABASE_URL or DATA_DIR)
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    return Server(f"http://127.0.0.1:{port}", process, log_path)


def _wait_ready(server: Server) -> None:
    deadline = time.monotonic() + STARTUP_TIMEOUT
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            pytest.fail(f"switchboard serve exited with {server.process.returncode}:\n{server.output()}")
        try:
            if httpx.get(f"{server.url}/health", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    pytest.fail(
        f"switchboard serve did not answer /health within {STARTUP_TIMEOUT:.0f} s:\n{server.output()}"
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


class Servers:
    """Server processes started on first use and shared by the module's tests; all stopped at the end."""

    def __init__(self, log_dir: Path) -> None:
        self.log_dir = log_dir
        self.started: list[Server] = []

    def first(self, n: int) -> list[Server]:
        new = [_spawn(self.log_dir, i) for i in range(len(self.started), n)]
        self.started.extend(new)
        for server in new:
            _wait_ready(server)
        return self.started[:n]

    def stop_all(self) -> None:
        for server in self.started:
            _stop(server.process)


@pytest.fixture(scope="module")
def servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Servers]:
    started = Servers(tmp_path_factory.mktemp("service"))
    try:
        yield started
    finally:
        started.stop_all()


@pytest.fixture
def server(seeded: str, servers: Servers) -> Server:
    """One service process on the seeded test database (started with the database active)."""
    return servers.first(1)[0]


@pytest.fixture
def two_servers(seeded: str, servers: Servers) -> list[Server]:
    return servers.first(2)


# ------------------------------------------------------------------ helpers


def make_key(identity: str) -> str:
    with connect() as conn:
        return str(apikeys.create(conn, identity)["secret"])


def new_thread(client: httpx.Client) -> str:
    response = client.post("/threads")
    assert response.status_code == 201, response.text
    return str(response.json()["thread_id"])


def assert_error(response: httpx.Response, status: int | tuple[int, ...], *fragments: str) -> str:
    statuses = (status,) if isinstance(status, int) else status
    assert response.status_code in statuses, (response.status_code, response.text)
    error = response.json()["error"]
    assert isinstance(error, str) and error
    for fragment in fragments:
        assert fragment in error, (fragment, error)
    return error


def parse_sse(lines: list[str]) -> list[tuple[str, Any]]:
    events: list[tuple[str, Any]] = []
    name, data = "message", []
    for line in lines:
        if not line:
            if data:
                events.append((name, json.loads("\n".join(data))))
            name, data = "message", []
        elif line.startswith(":"):
            continue  # keep-alive comment
        elif line.startswith("event:"):
            name = line[6:].strip()
        elif line.startswith("data:"):
            data.append(line[5:].removeprefix(" "))
    if data:
        events.append((name, json.loads("\n".join(data))))
    return events


def turns(client: httpx.Client, thread_id: str) -> list[dict[str, Any]]:
    response = client.get(f"/threads/{thread_id}")
    assert response.status_code == 200, response.text
    return list(response.json()["values"].get("turns", []))


@contextmanager
def run_held_at_publish() -> Iterator[None]:
    """Every run that starts meanwhile waits at its last step (publishing to the outbox) until exit."""
    conn = psycopg.connect(database_target().url)
    try:
        conn.execute("lock table store.outbox in exclusive mode")  # a transaction: held until rollback
        yield
    finally:
        conn.rollback()
        conn.close()


@contextmanager
def thread_lock_held(thread_id: str) -> Iterator[None]:
    """What a run in another process holds: the thread's advisory lock, on a connection of its own."""
    with psycopg.connect(database_target().url, autocommit=True) as conn:
        row = conn.execute(
            "select pg_try_advisory_lock(hashtextextended('switchboard-thread:' || %s, 0))", (thread_id,)
        ).fetchone()
        assert row is not None and row[0] is True
        yield  # closing the session releases the lock


async def stream_until_started(client: httpx.AsyncClient, thread_id: str, message: str) -> tuple[Any, Any]:
    """Start a streamed run; return once its `start` event arrived, with a task that collects the rest."""
    started: asyncio.Future[None] = asyncio.get_running_loop().create_future()

    async def collect() -> list[tuple[str, Any]]:
        lines: list[str] = []
        async with client.stream(
            "POST", f"/threads/{thread_id}/messages", params={"stream": "true"}, json={"message": message}
        ) as response:
            assert response.status_code == 200, await response.aread()
            async for line in response.aiter_lines():
                lines.append(line)
                if not started.done() and any(e == "start" for e, _ in parse_sse([*lines, ""])):
                    started.set_result(None)
        return parse_sse(lines)

    task = asyncio.create_task(collect())
    done, _ = await asyncio.wait({task, started}, timeout=30, return_when=asyncio.FIRST_COMPLETED)
    if task in done and not started.done():
        task.result()  # raises the failure
    assert started.done(), "the streamed run did not start within 30 s"
    return task, started


# ------------------------------------------------------------------ tests


def test_health_docs_and_openapi(server: Server) -> None:
    with server.client() as client:
        assert client.get("/health").json()["status"] == "ok"
        docs = client.get("/docs")
        assert docs.status_code == 200 and "swagger" in docs.text.lower()
        spec = client.get("/openapi.json").json()
    paths = spec["paths"]
    for path, method in [
        ("/threads", "post"),
        ("/threads", "get"),
        ("/threads/{thread_id}/messages", "post"),
        ("/threads/{thread_id}", "get"),
        ("/threads/{thread_id}/history", "get"),
        ("/threads/{thread_id}/turns", "get"),
        ("/approvals", "get"),
        ("/threads/{thread_id}/approvals/{interrupt_id}", "post"),
        ("/health", "get"),
    ]:
        assert method in paths[path], (method, path)
    schemas = spec["components"]["schemas"]
    assert {"MessageIn", "DecisionIn", "AskResultOut", "ThreadState", "Approval", "ErrorBody"} <= set(schemas)
    assert schemas["MessageIn"]["required"] == ["message"]
    messages = paths["/threads/{thread_id}/messages"]["post"]
    assert "text/event-stream" in messages["responses"]["200"]["content"]
    assert messages["responses"]["409"]["content"]["application/json"]["schema"]["$ref"].endswith(
        "/ErrorBody"
    )


def test_customer_posts_a_message_and_gets_an_answer(server: Server, scenarios: dict[str, Any]) -> None:
    customer = str(scenarios["late_parcel"]["customer_id"])
    with server.client(make_key(f"customer:{customer}")) as client:
        thread_id = new_thread(client)
        response = client.post(f"/threads/{thread_id}/messages", json={"message": "where is my parcel?"})
        assert response.status_code == 200, response.text
        result = response.json()
        assert result["status"] == "done" and result["thread_id"] == thread_id
        assert "shipping" in result["domains"] and result["answer"]
        assert [step["domain"] for step in result["path"]] == result["domains"]

        listed = client.get("/threads").json()
        assert thread_id in [t["thread_id"] for t in listed]
        assert {t["customer_id"] for t in listed} == {customer}
        state = client.get(f"/threads/{thread_id}").json()
        assert state["values"]["answer"] == result["answer"]
        history = client.get(f"/threads/{thread_id}/history").json()
        assert {"router", "shipping"} <= {step["namespace"] for step in history}
        [turn] = client.get(f"/threads/{thread_id}/turns").json()  # the permanent record
        assert turn["answer"] == result["answer"] and "shipping" in turn["route"]["domains"]
    with server.client(make_key("staff:quinn")) as staff:
        assert thread_id in [t["thread_id"] for t in staff.get("/threads", params={"limit": 1000}).json()]
        assert staff.get(f"/threads/{thread_id}").json()["values"]["answer"] == result["answer"]


def test_streaming_shows_both_domains_and_the_final_answer(server: Server, scenarios: dict[str, Any]) -> None:
    customer = str(scenarios["late_parcel"]["customer_id"])
    with server.client(make_key(f"customer:{customer}")) as client:
        thread_id = new_thread(client)
        with client.stream(
            "POST", f"/threads/{thread_id}/messages", params={"stream": "true"}, json={"message": TWO_DOMAINS}
        ) as response:
            assert response.status_code == 200
            assert response.headers["content-type"].startswith("text/event-stream")
            events = parse_sse(list(response.iter_lines()))
        names = [name for name, _ in events]
        assert names[0] == "start" and names[-1] == "result", names
        assert "error" not in names
        route = next(data for name, data in events if name == "route")
        assert sorted(route["domains"]) == ["billing", "shipping"]
        namespaces = {data["namespace"].split(":")[0] for name, data in events if name == "update"}
        assert {"", "billing", "shipping"} <= namespaces  # the router graph and both domain subgraphs
        inside = {data["domain"] for name, data in events if name == "update" and data["namespace"]}
        assert inside == {"billing", "shipping"}
        result = events[-1][1]
        assert (
            result["status"] == "done"
            and result["answer"]
            and sorted(result["domains"]) == ["billing", "shipping"]
        )
        assert client.get(f"/threads/{thread_id}").json()["values"]["answer"] == result["answer"]

        # Accept: text/event-stream asks for the same stream without the query parameter.
        with client.stream(
            "POST",
            f"/threads/{thread_id}/messages",
            headers={"Accept": "text/event-stream"},
            json={"message": "and when will it arrive?"},
        ) as response:
            again = parse_sse(list(response.iter_lines()))
        assert again[0][0] == "start" and again[-1][0] == "result" and again[-1][1]["answer"]
        assert len(turns(client, thread_id)) == 2


@pytest.fixture
def store_restored(fresh_store: str) -> Iterator[str]:
    """A fresh store for a test that changes scenario rows, re-seeded afterwards for the shared tests."""
    yield fresh_store
    from switchboard.tools.store.admin import reset_store
    from switchboard.tools.store.seed import seed_store

    with connect() as conn:
        reset_store(conn)
        seed_store(conn)


def test_staff_approves_a_paused_refund_and_the_run_completes(
    store_restored: str, servers: Servers, scenarios: dict[str, Any]
) -> None:
    server = servers.first(1)[0]
    case = scenarios["duplicate_charge"]
    customer, order = str(case["customer_id"]), str(case["order_id"])
    customer_key, staff_key = make_key(f"customer:{customer}"), make_key("staff:alice")
    with server.client(customer_key) as client, server.client(staff_key) as staff:
        thread_id = new_thread(client)
        message = f"I was charged twice for order {order}, please refund the duplicate charge"
        paused = client.post(f"/threads/{thread_id}/messages", json={"message": message}).json()
        assert paused["status"] == "paused", paused
        (pending,) = paused["interrupts"]
        assert pending["value"]["action"] == "issue_refund" and pending["value"]["required_role"] == "staff"
        decide = f"/threads/{thread_id}/approvals/{pending['id']}"

        # The customer sees no confirmation of theirs pending, and may not approve a staff approval.
        assert client.get("/approvals").json() == []
        assert_error(client.post(decide, json={"decision": "approve"}), 403, "staff")
        # "hello?" asks nothing new: it is told who it waits for.
        told = client.post(f"/threads/{thread_id}/messages", json={"message": "hello?"})
        assert told.status_code == 200 and told.json()["status"] == "paused"
        assert told.json()["answer"].startswith("(Still waiting for a member of staff")
        assert [i["id"] for i in told.json()["interrupts"]] == [pending["id"]]
        # A new request is answered meanwhile; the refund still waits for staff (asked for again after it).
        other = client.post(
            f"/threads/{thread_id}/messages", json={"message": "what e-mail do you have for me?"}
        )
        assert other.status_code == 200 and other.json()["status"] == "paused", other.text
        assert "Still waiting for a member of staff to decide: Refund 129.90 EUR" in other.json()["answer"]
        (pending,) = other.json()["interrupts"]
        assert pending["value"]["action"] == "issue_refund" and pending["value"]["required_role"] == "staff"
        decide = f"/threads/{thread_id}/approvals/{pending['id']}"

        listed = [a for a in staff.get("/approvals").json() if a["thread_id"] == thread_id]
        assert len(listed) == 1 and listed[0]["interrupt_id"] == pending["id"]
        assert listed[0]["action"] == "issue_refund" and listed[0]["required_role"] == "staff"
        assert_error(staff.post(decide, json={"decision": "reject"}), 422, "reason")

        done = staff.post(decide, json={"decision": "approve"})
        assert done.status_code == 200, done.text
        result = done.json()
        assert result["status"] == "done" and result["interrupts"] == [] and result["answer"]
        actions = [a for step in result["path"] for a in step["actions"]]
        assert any(a["action"] == "issue_refund" and a["status"] == "done" for a in actions), actions
        assert [a for a in staff.get("/approvals").json() if a["thread_id"] == thread_id] == []
        assert_error(staff.post(decide, json={"decision": "approve"}), (404, 409))
        assert client.get(f"/threads/{thread_id}").json()["values"]["answer"] == result["answer"]
    with connect() as conn:
        rows = conn.execute(
            "select action, status from store.side_effects where thread_id = %s", (thread_id,)
        ).fetchall()
        approval = conn.execute(
            "select status, decided_by, decided_role from store.approvals where thread_id = %s", (thread_id,)
        ).fetchone()
    assert rows == [{"action": "issue_refund", "status": "done"}]  # performed exactly once
    assert approval == {"status": "used", "decided_by": "alice", "decided_role": "staff"}


def test_keys_missing_wrong_and_revoked_get_401(server: Server, scenarios: dict[str, Any]) -> None:
    customer = str(scenarios["happy_customer"]["customer_id"])
    with server.client() as anonymous:
        response = anonymous.get("/threads")
        assert_error(response, 401, "missing API key")
        assert response.headers["www-authenticate"] == "Bearer"
        assert_error(anonymous.post("/threads/x/messages", json={"message": "hi"}), 401)
        assert_error(anonymous.get("/approvals"), 401)
        wrong = {"Authorization": "Bearer sbk_" + "A" * 43}
        assert_error(anonymous.get("/threads", headers=wrong), 401, "invalid or revoked")
        assert_error(anonymous.get("/threads", headers={"X-API-Key": "not-a-key"}), 401, "invalid or revoked")
        assert_error(anonymous.get("/threads", headers={"Authorization": "Basic Zm9vOmJhcg=="}), 401)

    with connect() as conn:
        key = apikeys.create(conn, f"customer:{customer}")
    with server.client() as client:
        assert client.get("/threads", headers={"X-API-Key": key["secret"]}).status_code == 200
        with connect() as conn:
            assert apikeys.revoke(conn, key["id"])["revoked_at"] is not None
        assert_error(client.get("/threads", headers={"X-API-Key": key["secret"]}), 401, "invalid or revoked")


def test_keys_store_only_a_hash_and_customer_keys_need_a_customer(seeded: str) -> None:
    from switchboard.config.errors import InputError, NotFound

    with connect() as conn:
        key = apikeys.create(conn, "staff:dana")
        assert apikeys.verify(conn, key["secret"]) == Identity("staff", "dana")
        stored = conn.execute("select * from store.api_keys where id = %s", (key["id"],)).fetchone()
        assert stored is not None and key["secret"] not in json.dumps(stored, default=str)
        assert stored["secret_hash"] == apikeys.hash_secret(key["secret"])
        with pytest.raises(NotFound, match="CUST-99999 does not exist"):
            apikeys.create(conn, "customer:CUST-99999")
        with pytest.raises(InputError):
            apikeys.create(conn, "customer:bob")
        with pytest.raises(InputError):
            apikeys.create(conn, "admin:root")
        assert apikeys.verify(conn, "sbk_nope") is None and apikeys.verify(conn, None) is None


def test_a_customer_key_never_reaches_another_customers_thread(
    server: Server, scenarios: dict[str, Any]
) -> None:
    owner = str(scenarios["late_parcel"]["customer_id"])
    other = str(scenarios["happy_customer"]["customer_id"])
    with (
        server.client(make_key(f"customer:{owner}")) as alice,
        server.client(make_key(f"customer:{other}")) as eve,
    ):
        thread_id = new_thread(alice)
        answer = alice.post(f"/threads/{thread_id}/messages", json={"message": "where is my parcel?"}).json()
        assert answer["status"] == "done" and answer["answer"]
        before = len(turns(alice, thread_id))

        attempts = [
            eve.get(f"/threads/{thread_id}"),
            eve.get(f"/threads/{thread_id}/history"),
            eve.get(f"/threads/{thread_id}/turns"),
            eve.post(f"/threads/{thread_id}/messages", json={"message": "where is my parcel?"}),
            eve.post(f"/threads/{thread_id}/messages", params={"stream": "true"}, json={"message": "hi"}),
            eve.post(f"/threads/{thread_id}/approvals/anything", json={"decision": "approve"}),
        ]
        for response in attempts:
            assert response.status_code in (403, 404), response.text
            assert answer["answer"] not in response.text and owner not in response.text
            assert "where is my parcel" not in response.text
        assert thread_id not in [t["thread_id"] for t in eve.get("/threads").json()]
        assert_error(eve.get("/threads", params={"customer": owner}), 403)
        assert len(turns(alice, thread_id)) == before  # nothing was added by the other customer


MALFORMED = [
    (
        "not JSON",
        {"content": b"this is not json", "headers": {"Content-Type": "application/json"}},
        "not valid JSON",
    ),
    ("no body", {}, "body is missing"),
    ("missing message", {"json": {}}, "message is missing"),
    ("message a number", {"json": {"message": 42}}, "must be text"),
    ("message a list", {"json": {"message": ["where", "is"]}}, "must be text"),
    ("message null", {"json": {"message": None}}, "must be text, not null"),
    ("empty message", {"json": {"message": ""}}, "message is empty"),
    ("blank message", {"json": {"message": "   \n\t"}}, "message is empty"),
    ("huge message", {"json": {"message": "a" * 100_000}}, "too long"),
    ("an array", {"json": ["where is my order?"]}, "JSON object"),
    ("not JSON content", {"content": b"hello", "headers": {"Content-Type": "text/plain"}}, "JSON object"),
    (
        "unknown field",
        {"json": {"message": "hi", "customer_id": "CUST-0001"}},
        "customer_id is not a known field",
    ),
    (
        "lone surrogate",
        {"content": b'{"message": "\\ud800 hi"}', "headers": {"Content-Type": "application/json"}},
        "not valid UTF-8",
    ),
    (
        "bad UTF-8",
        {"content": b'{"message": "\xff\xfe"}', "headers": {"Content-Type": "application/json"}},
        "",
    ),
]


def test_malformed_bodies_get_a_clear_4xx_and_change_nothing(
    server: Server, scenarios: dict[str, Any]
) -> None:
    customer = str(scenarios["happy_customer"]["customer_id"])
    with server.client(make_key(f"customer:{customer}")) as client:
        thread_id = new_thread(client)
        history = client.get(f"/threads/{thread_id}/history").json()
        for label, kwargs, fragment in MALFORMED:
            response = client.post(f"/threads/{thread_id}/messages", **kwargs)
            assert 400 <= response.status_code < 500, (label, response.status_code, response.text)
            assert fragment in response.json()["error"], (label, response.text)
            streamed = client.post(f"/threads/{thread_id}/messages", params={"stream": "true"}, **kwargs)
            assert 400 <= streamed.status_code < 500 and streamed.json()["error"], (label, streamed.text)
        assert client.get(f"/threads/{thread_id}/history").json() == history  # nothing half-written

        decide = f"/threads/{thread_id}/approvals/some-interrupt"
        assert_error(client.post(decide, json={"decision": "maybe"}), 422, "decision")
        assert_error(client.post(decide, json={}), 422, "decision is missing")
        assert_error(client.post(decide, json={"decision": "edit", "args": "x"}), 422, "args")
        assert_error(client.get("/threads", params={"limit": "many"}), 422, "limit")
        assert_error(client.get("/threads/" + "x" * 300), 422, "thread id")
        assert_error(client.get("/threads/a%00b"), 422, "NUL")
        assert_error(client.get("/threads/%ff%fe"), 422, "not valid UTF-8 (bytes %FF)")
        assert_error(client.post("/threads/caf%c3/messages", json={"message": "hi"}), 422, "UTF-8")


def test_unknown_threads_are_404(server: Server, scenarios: dict[str, Any]) -> None:
    customer = str(scenarios["happy_customer"]["customer_id"])
    with (
        server.client(make_key(f"customer:{customer}")) as client,
        server.client(make_key("staff:sam")) as staff,
    ):
        for who in (client, staff):
            assert_error(who.get("/threads/no-such-thread"), 404, "no-such-thread")
            assert_error(who.get("/threads/no-such-thread/history"), 404)
            assert_error(who.post("/threads/no-such-thread/approvals/x", json={"decision": "approve"}), 404)
        assert_error(client.post("/threads/no-such-thread/messages", json={"message": "hi"}), 404)
        assert_error(staff.post("/threads", json={}), 403, "customer key")
        assert_error(client.get("/no-such-endpoint"), 404, "no such endpoint")


async def test_a_second_message_to_a_busy_thread_is_409_and_nothing_is_lost(
    server: Server, scenarios: dict[str, Any]
) -> None:
    customer = str(scenarios["late_parcel"]["customer_id"])
    key = make_key(f"customer:{customer}")
    with server.client(key) as client:
        # 1. A run held by another process (its advisory lock): refused, then accepted once it is free.
        thread_id = new_thread(client)
        with thread_lock_held(thread_id):
            assert_error(client.post(f"/threads/{thread_id}/messages", json={"message": "hi"}), 409, "busy")
            streamed = client.post(
                f"/threads/{thread_id}/messages", params={"stream": "true"}, json={"message": "x"}
            )
            assert_error(streamed, 409, "busy")
        assert turns(client, thread_id) == []  # the refused messages left nothing behind
        assert client.post(f"/threads/{thread_id}/messages", json={"message": "where is my parcel?"}).json()[
            "answer"
        ]

        # 2. A real run in progress in the service: the second message is refused while it runs.
        thread_id = new_thread(client)
        async with server.aclient(key) as aclient:
            with run_held_at_publish():
                task, _ = await stream_until_started(aclient, thread_id, "where is my parcel?")
                busy = await aclient.post(
                    f"/threads/{thread_id}/messages", json={"message": "and my invoice?"}
                )
                assert_error(busy, 409, "busy")
                assert not task.done()
            events = await asyncio.wait_for(task, timeout=30)
        assert events[-1][0] == "result" and events[-1][1]["answer"], events[-3:]
        first_answer = events[-1][1]["answer"]
        assert [t["answer"] for t in turns(client, thread_id)] == [first_answer]  # the first run persisted

        second = client.post(f"/threads/{thread_id}/messages", json={"message": "and my invoice?"})
        assert second.status_code == 200, second.text
        assert [t["message"] for t in turns(client, thread_id)] == ["where is my parcel?", "and my invoice?"]


async def test_two_server_processes_share_threads_and_never_run_one_thread_twice(
    two_servers: list[Server], scenarios: dict[str, Any]
) -> None:
    one, two = two_servers
    customer = str(scenarios["late_parcel"]["customer_id"])
    key = make_key(f"customer:{customer}")
    with one.client(key) as a, two.client(key) as b, two.client(make_key("staff:kim")) as staff_b:
        thread_id = new_thread(a)
        assert b.get(f"/threads/{thread_id}").status_code == 200  # created through one, seen by the other
        answer = a.post(f"/threads/{thread_id}/messages", json={"message": TWO_DOMAINS}).json()["answer"]
        assert b.get(f"/threads/{thread_id}").json()["values"]["answer"] == answer
        assert thread_id in [t["thread_id"] for t in b.get("/threads").json()]
        assert thread_id in [t["thread_id"] for t in staff_b.get("/threads", params={"limit": 1000}).json()]
        assert {"billing", "shipping"} <= {
            s["namespace"] for s in b.get(f"/threads/{thread_id}/history").json()
        }

        async with one.aclient(key) as aclient:
            with run_held_at_publish():
                task, _ = await stream_until_started(aclient, thread_id, "where is my parcel?")
                assert_error(b.post(f"/threads/{thread_id}/messages", json={"message": "hello"}), 409, "busy")
            events = await asyncio.wait_for(task, timeout=30)
        assert events[-1][0] == "result" and events[-1][1]["status"] == "done"
        assert (
            b.post(f"/threads/{thread_id}/messages", json={"message": "thanks, and my invoice?"}).status_code
            == 200
        )
        assert len(turns(a, thread_id)) == 3


async def test_a_streamed_run_finishes_and_persists_when_the_client_goes_away(
    server: Server, scenarios: dict[str, Any]
) -> None:
    customer = str(scenarios["late_parcel"]["customer_id"])
    key = make_key(f"customer:{customer}")
    with server.client(key) as client:
        thread_id = new_thread(client)
        async with server.aclient(key) as aclient:
            with run_held_at_publish():
                task, _ = await stream_until_started(aclient, thread_id, "where is my parcel?")
                task.cancel()  # the client disconnects mid-run
                with pytest.raises(asyncio.CancelledError):
                    await task
        for _ in range(200):  # the run goes on without its client; wait (at most 20 s) for its end
            if turns(client, thread_id):
                break
            await asyncio.sleep(0.1)
        (turn,) = turns(client, thread_id)
        assert turn["message"] == "where is my parcel?" and turn["answer"]
        again = client.post(
            f"/threads/{thread_id}/messages", json={"message": "thanks"}
        )  # the lock was released
        assert again.status_code == 200, again.text


def test_keys_cli_creates_lists_and_revokes(seeded: str) -> None:
    def cli(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "switchboard", "keys", *args],
            cwd=PROJECT_ROOT,
            env=os.environ.copy(),
            capture_output=True,
            text=True,
            timeout=60,
        )

    created = cli("create", "--as", "staff:robin", "--json")
    assert created.returncode == 0, created.stderr
    key = json.loads(created.stdout)
    assert key["role"] == "staff" and key["subject"] == "robin" and key["secret"].startswith("sbk_")
    with connect() as conn:
        assert apikeys.verify(conn, key["secret"]) == Identity("staff", "robin")
    revoked = cli("revoke", key["id"], "--json")
    assert revoked.returncode == 0, revoked.stderr
    assert json.loads(revoked.stdout)["revoked_at"]
    listed = cli("list", "--json")
    assert listed.returncode == 0, listed.stderr
    mine = [k for k in json.loads(listed.stdout) if k["id"] == key["id"]]
    assert len(mine) == 1 and mine[0]["active"] is False and "secret" not in mine[0]
    assert key["secret"] not in listed.stdout
    refused = cli("create", "--as", "customer:CUST-99999")
    assert refused.returncode == 2 and "CUST-99999 does not exist" in refused.stderr
    assert "Traceback" not in refused.stderr


def test_over_http_a_rejected_refund_asked_again_a_refused_edit_and_resume_never_stick(
    store_restored: str, servers: Servers, scenarios: dict[str, Any]
) -> None:
    from tests.test_unfinished_turns import lose_the_rest_of_the_last_turn

    server = servers.first(1)[0]
    case = scenarios["duplicate_charge"]
    customer = str(case["customer_id"])
    customer_key, staff_key = make_key(f"customer:{customer}"), make_key("staff:alice")
    other_key = make_key(f"customer:{scenarios['happy_customer']['customer_id']}")
    with server.client(customer_key) as client, server.client(staff_key) as staff:
        thread_id = new_thread(client)
        post = f"/threads/{thread_id}/messages"
        first = client.post(post, json={"message": "I was charged twice, please refund it"}).json()
        assert first["status"] == "paused", first
        (rejected,) = first["interrupts"]
        decided = staff.post(
            f"/threads/{thread_id}/approvals/{rejected['id']}",
            json={"decision": "reject", "reason": "checking"},
        )
        assert decided.status_code == 200 and decided.json()["status"] == "done", (
            decided.text + server.output()
        )

        again = client.post(post, json={"message": "please refund the double charge"}).json()
        assert again["status"] == "paused", again
        (pending,) = again["interrupts"]
        assert pending["value"]["approval_id"] != rejected["value"]["approval_id"]
        listed = [a for a in staff.get("/approvals").json() if a["thread_id"] == thread_id]
        assert [a["interrupt_id"] for a in listed] == [pending["id"]]
        decide = f"/threads/{thread_id}/approvals/{pending['id']}"
        assert_error(
            staff.post(decide, json={"decision": "edit", "args": {"amount": "10,00"}}), 422, "still pending"
        )
        assert [a["interrupt_id"] for a in staff.get("/approvals").json() if a["thread_id"] == thread_id] == [
            pending["id"]
        ]
        resumed = client.post(f"/threads/{thread_id}/resume")
        assert resumed.status_code == 200 and resumed.json()["status"] == "paused", resumed.text
        with server.client(other_key) as other:
            assert_error(other.post(f"/threads/{thread_id}/resume"), 404)
        assert_error(client.post("/threads/no-such-thread/resume"), 404)
        done = staff.post(decide, json={"decision": "approve"}).json()
        assert done["status"] == "done", done

        # A turn a crash cut short after its input checkpoint: resume over HTTP finishes it.
        message = "I want to talk to a human about my refund"
        asked = client.post(post, json={"message": message}).json()
        assert asked["status"] == "done", asked
        lose_the_rest_of_the_last_turn(thread_id)
        finished = client.post(f"/threads/{thread_id}/resume")
        assert finished.status_code == 200, finished.text
        assert "/threads/{thread_id}/resume" in client.get("/openapi.json").json()["paths"]
    with connect() as conn:
        refunds = conn.execute(
            "select id from store.refunds where payment_id = %s", (case["payment_ids"][1],)
        ).fetchall()
        tickets = conn.execute(
            "select id from store.support_tickets where customer_id = %s and body = %s", (customer, message)
        ).fetchall()
    assert len(refunds) == 1 and len(tickets) == 1
    assert tickets[0]["id"] in finished.json()["answer"]
