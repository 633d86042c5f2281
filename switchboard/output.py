"""How every command speaks: rich output for people, `--json` for programs, one-line errors.

Nothing heavy at import: rich is loaded the first time something is printed through `console`, so a
command that prints only JSON (`route`) never loads it.
"""

from __future__ import annotations

import json
import sys
from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Callable, NoReturn, cast
from uuid import UUID

import typer

if TYPE_CHECKING:
    from rich.console import Console


class _LazyConsole:
    """A rich Console made on first use."""

    def __init__(self, **options: Any) -> None:
        self._options = options
        self._console: Console | None = None

    def __getattr__(self, name: str) -> Any:
        if self._console is None:
            from rich.console import Console

            self._console = Console(**self._options)
        return getattr(self._console, name)


console = cast("Console", _LazyConsole())
err_console = cast("Console", _LazyConsole(stderr=True))

JsonOption = typer.Option(False, "--json", help="Print machine-readable JSON instead of rich text.")

# Set by the entry point when `--json` is on the command line: errors are then one JSON line too.
json_errors = False


def _default(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, UUID):
        return str(value)
    if hasattr(value, "model_dump"):
        return value.model_dump(mode="json")
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def to_json(data: Any, *, indent: int | None = 2) -> str:
    return json.dumps(data, default=_default, indent=indent, ensure_ascii=False)


def emit(data: Any, as_json: bool, render: Callable[[Any], None]) -> None:
    """Print `data` as JSON or through `render` (rich)."""
    if as_json:
        sys.stdout.write(to_json(data) + "\n")
    else:
        render(data)


def print_error(message: str, kind: str = "error") -> None:
    """One line on stderr: `error: ...` for people, `{"error": ..., "kind": ...}` under `--json`."""
    message = " ".join(message.split())  # one line, whatever the message held
    if json_errors:
        sys.stderr.write(json.dumps({"error": message, "kind": kind}, ensure_ascii=False) + "\n")
    else:
        err_console.print(f"[bold red]error:[/] {_escape(message)}", highlight=False, soft_wrap=True)
    sys.stderr.flush()


def _escape(text: str) -> str:
    from rich.markup import escape

    return escape(text)


def fail(message: str, code: int = 2) -> NoReturn:
    """One clear line on stderr and a non-zero exit code; never a traceback."""
    print_error(message)
    raise typer.Exit(code)


def run_store(coro: Any) -> Any:
    """Run a command's coroutine, then close the store pools it opened (one event loop per command)."""
    import asyncio

    from switchboard.tools.db import close_store_pools

    async def go() -> Any:
        try:
            return await coro
        finally:
            await close_store_pools()

    return asyncio.run(go())
