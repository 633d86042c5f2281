"""`switchboard studio` (the LangGraph dev server on this project) and `switchboard open THREAD`."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import typer

from switchboard.config.errors import ConfigurationError, InputError
from switchboard.output import JsonOption, console, emit, err_console

STARTUP_TIMEOUT = 90.0


def _render_opened(rows: list[dict[str, Any]]) -> None:
    from rich.markup import escape

    for row in rows:
        waiting = f", waiting on {len(row['interrupts'])} interrupt(s)" if row["interrupts"] else ""
        console.print(
            f"{row['thread_id']} ({escape(row['customer_id'])}): {row['status']}{waiting}", highlight=False
        )
        console.print(f"  {row['url']}", highlight=False, soft_wrap=True)


def _wait_until_ready(process: subprocess.Popen[bytes], url: str) -> None:
    import urllib.error
    import urllib.request

    deadline = time.monotonic() + STARTUP_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise ConfigurationError(
                f"langgraph dev exited with code {process.returncode} (its output is above)"
            )
        try:
            with urllib.request.urlopen(f"{url}/ok", timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.3)
    raise ConfigurationError(f"langgraph dev did not answer {url}/ok within {STARTUP_TIMEOUT:.0f} s")


def _server_env(no_auth: bool, operator: str | None) -> dict[str, str]:
    from switchboard.config.settings import get_settings
    from switchboard.tools.approvals import Identity

    env = dict(os.environ)
    env.setdefault("LANGGRAPH_CLI_NO_ANALYTICS", "1")
    env.setdefault("LANGGRAPH_NO_VERSION_CHECK", "true")
    if no_auth:
        if get_settings().deployment:
            raise InputError("--no-auth is for local development only, and DEPLOYMENT=true is set")
        env["STUDIO_AUTH"] = "off"
    if operator:
        who = Identity.parse(operator)
        if who.role != "staff":
            raise InputError(f"--as names the staff member Studio acts as, e.g. staff:alice, not {operator}")
        env["STUDIO_OPERATOR"] = who.id
    return env


def _interrupt(signum: int, frame: Any) -> None:
    raise KeyboardInterrupt


def register(app: typer.Typer) -> None:
    @app.command("studio")
    def studio(
        port: int = typer.Option(2024, "--port", "-p", min=1, max=65535, help="TCP port of the dev server."),
        operator: str = typer.Option(
            None, "--as", help="Staff member a browser Studio session acts as, e.g. staff:alice."
        ),
        no_auth: bool = typer.Option(
            False,
            "--no-auth",
            help="Local development only: requests without a key act as the local developer.",
        ),
        limit: int = typer.Option(
            200, "--threads", min=0, help="How many of the newest threads to register."
        ),
        no_reload: bool = typer.Option(
            False, "--no-reload", help="Do not restart the server when code changes."
        ),
    ) -> None:
        """Start `langgraph dev` on this project and register its threads, so Studio shows every run."""
        from switchboard.config.database import check_connection
        from switchboard.config.settings import PROJECT_ROOT
        from switchboard.studio import open_threads, project_threads, studio_link

        check_connection()
        env = _server_env(no_auth, operator)
        url = f"http://127.0.0.1:{port}"
        langgraph = Path(sys.executable).parent / "langgraph"
        command = [str(langgraph), "dev", "--no-browser", "--port", str(port), "--config", "langgraph.json"]
        command += ["--no-reload"] if no_reload else []
        process = subprocess.Popen(command, cwd=PROJECT_ROOT, env=env, start_new_session=True)
        signal.signal(signal.SIGTERM, _interrupt)  # stopped by a supervisor: stop the server too
        try:
            _wait_until_ready(process, url)
            threads = asyncio.run(project_threads(limit)) if limit else []
            opened = asyncio.run(open_threads(threads, url, skip_foreign_ids=True)) if threads else []
            err_console.print(
                f"registered {len(opened)} of the project's threads; Studio: {studio_link(url)}",
                highlight=False,
                soft_wrap=True,
            )
            process.wait()
        except KeyboardInterrupt:
            pass
        finally:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
                try:
                    process.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    os.killpg(process.pid, signal.SIGKILL)

    @app.command("open")
    def open_(
        threads: list[str] = typer.Argument(..., help="Thread ids (from `switchboard threads`)."),
        url: str = typer.Option(None, "--url", help="The LangGraph server (default: STUDIO_URL)."),
        api_key: str = typer.Option(
            None,
            "--key",
            envvar="SWITCHBOARD_API_KEY",
            help="A staff API key for the server (default: a key minted for this call and deleted after).",
        ),
        as_json: bool = JsonOption,
    ) -> None:
        """Show threads made anywhere (CLI, service, notebook, API) in a running dev server; print their Studio links.

        A decision made in the CLI, the service or the API refreshes a registered thread by itself
        (STUDIO_SYNC); `open` again brings its status up to date by hand.
        """
        from switchboard.config.settings import get_settings
        from switchboard.studio import open_threads

        target = (url or get_settings().studio_url).rstrip("/")
        emit(asyncio.run(open_threads(list(threads), target, api_key)), as_json, _render_opened)
