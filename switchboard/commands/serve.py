"""`switchboard serve`: the HTTP service (FastAPI on uvicorn), documented at /docs."""

from __future__ import annotations

import errno
import socket

import typer

from switchboard.config.errors import ConfigurationError, InputError
from switchboard.output import err_console

LOG_LEVELS = ("critical", "error", "warning", "info", "debug", "trace")


def register(app: typer.Typer) -> None:
    @app.command()
    def serve(
        host: str = typer.Option("127.0.0.1", "--host", help="Interface to listen on (0.0.0.0: every one)."),
        port: int = typer.Option(8000, "--port", "-p", min=1, max=65535, help="TCP port."),
        log_level: str = typer.Option(
            "info", "--log-level", help="uvicorn's log level (info logs every request)."
        ),
    ) -> None:
        """Serve the HTTP API: threads, messages (with server-sent events), approvals; keys from `keys create`."""
        import uvicorn

        from switchboard.config.database import check_connection
        from switchboard.service import create_app

        if log_level.lower() not in LOG_LEVELS:
            raise InputError(f"--log-level must be one of {', '.join(LOG_LEVELS)}, not {log_level!r}")
        check_connection()  # one clear line when the database cannot be reached, before uvicorn starts
        # Bind before saying anything: a busy port is one error line, never a banner and then a failure.
        sock = _bind(host, port)
        shown = f"[{host}]" if ":" in host else host
        base = f"http://{'127.0.0.1' if host == '0.0.0.0' else shown}:{port}"
        from switchboard.observability.logs import events_at_info

        events_at_info()
        # uvicorn's own lines go through the project's log handler (JSON or console, with the ids); one
        # `http.request` line per request replaces its access log.
        config = uvicorn.Config(
            create_app(),
            host=host,
            port=port,
            log_level=log_level.lower(),
            lifespan="on",
            log_config=None,
            access_log=False,
        )
        err_console.print(
            f"Switchboard service on {base} — API docs at {base}/docs (OpenAPI: {base}/openapi.json)",
            highlight=False,
            soft_wrap=True,
        )
        uvicorn.Server(config).run(sockets=[sock])


def _bind(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        if exc.errno == errno.EADDRINUSE:
            raise ConfigurationError(
                f"port {port} on {host} is already in use: stop what is serving there or choose another --port"
            ) from None
        raise ConfigurationError(f"cannot listen on {host}:{port}: {exc.strerror}") from None
    sock.set_inheritable(True)
    return sock
